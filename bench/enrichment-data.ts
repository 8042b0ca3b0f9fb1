// What bench/enrichment.ts and its fake Helix thread agree on: the clip ids and the messages they exchange.

export interface FakeHelixWorkerData {
  points: number;
  windowMs: number;
  clips: number;
  games: number;
  createdFrom: number;
}

export type WorkerRequest = { type: 'drain' } | { type: 'report' } | { type: 'stop' };

export type WorkerReply =
  | { type: 'ready'; port: number; clientId: string; clientSecret: string }
  | { type: 'drained'; at: number }
  | {
      type: 'report';
      clipsServedAt: number[];
      gamesServed: number;
      rateLimited: number;
      /** The bucket's level sampled every BUCKET_SAMPLE_MS since the drain: [epoch ms, points]. */
      bucketLevels: [number, number][];
    }
  | { type: 'stopped' };

/** How often the fake's thread samples its bucket level for the report. */
export const BUCKET_SAMPLE_MS = 250;

export function benchClipId(i: number): string {
  return `BenchClip${i}-x`;
}
