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
  | { type: 'report'; clipsServedAt: number[]; gamesServed: number; rateLimited: number }
  | { type: 'stopped' };

export function benchClipId(i: number): string {
  return `BenchClip${i}-x`;
}
