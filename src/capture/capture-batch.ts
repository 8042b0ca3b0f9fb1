// One batch of capture writes (live events, an import page) as one transaction, with the upkeep that follows every
// write (clip counters, dirty hours, engagement changes) done once per batch at its end instead of once per write.
export { captureBatch as inCaptureBatch } from '../db/stores/capture/batch';
