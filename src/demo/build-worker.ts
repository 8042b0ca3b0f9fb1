// Entry point of one parallel-build worker process (see parallel-build.ts).
import { runBuildWorker } from './parallel-build';

runBuildWorker();
