// `npm run test:crash`: the full crash campaign (≥ 50 SIGKILLs of live capture, plus enrichment, aggregation and
// import killed mid-run); prints its figures as JSON. CRASH_KILLS, CRASH_JOB_KILLS and CRASH_SEED override.
import { runCrashHarness } from './crash-harness';

const figures = await runCrashHarness({
  captureKills: Number(process.env.CRASH_KILLS ?? 50),
  jobKills: Number(process.env.CRASH_JOB_KILLS ?? 5),
  seed: process.env.CRASH_SEED ? Number(process.env.CRASH_SEED) : undefined,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
