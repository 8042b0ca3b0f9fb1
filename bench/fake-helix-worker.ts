// The fake Helix of bench/enrichment.ts in its own thread, so that serving Twitch's side does not take CPU from the
// client being measured (in production, Twitch's servers are elsewhere).
import { parentPort, workerData } from 'node:worker_threads';
import { FakeHelix } from '../test/fakes/helix';
import { BUCKET_SAMPLE_MS, benchClipId, type FakeHelixWorkerData, type WorkerReply, type WorkerRequest } from './enrichment-data';

const data = workerData as FakeHelixWorkerData;
const port = parentPort!;
const helix = new FakeHelix({
  rateLimit: { points: data.points, windowMs: data.windowMs, startEmpty: true, fractionalReset: data.windowMs < 60_000 },
});
for (let g = 0; g < data.games; g++) helix.addGame(String(1000 + g), `Game ${g}`);
for (let i = 0; i < data.clips; i++) {
  helix.addClip({
    id: benchClipId(i),
    game_id: i % 50 === 0 ? '' : String(1000 + (i % data.games)),
    creator_id: String(i % 997),
    creator_name: `creator${i % 997}`,
    view_count: i % 5000,
    created_at: new Date(data.createdFrom + i * 1000).toISOString(),
  });
}
const listening = await helix.start();
const send = (reply: WorkerReply): void => port.postMessage(reply);
send({ type: 'ready', port: listening, clientId: helix.clientId, clientSecret: helix.clientSecret });
// The bucket's level over time, from the drain on: the sawtooth (or the flat line) the client draws in it.
const bucketLevels: [number, number][] = [];
let sampler: NodeJS.Timeout | undefined;
port.on('message', (message: WorkerRequest) => {
  if (message.type === 'drain') {
    helix.drainBucket();
    send({ type: 'drained', at: Date.now() });
    clearInterval(sampler);
    bucketLevels.length = 0;
    sampler = setInterval(() => bucketLevels.push([Date.now(), helix.bucketLevel() ?? 0]), BUCKET_SAMPLE_MS);
  } else if (message.type === 'report') {
    send({
      type: 'report',
      clipsServedAt: helix.served('clips').map((r) => r.at),
      gamesServed: helix.served('games').length,
      rateLimited: helix.requests.filter((r) => r.status === 429).length,
      bucketLevels,
    });
  } else {
    clearInterval(sampler);
    void helix.stop().then(() => {
      send({ type: 'stopped' });
      port.close();
    });
  }
});
