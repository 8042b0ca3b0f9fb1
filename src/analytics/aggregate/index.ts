// Keeps the summary tables in step with the raw tables: a full rebuild from local-day facts, or an incremental run
// over the days capture and enrichment marked dirty (docs/adr: incremental aggregation with the engagement journal).
export { FACTS_VERSION } from '../../db/aggregation/state';
export {
  aggregateAll,
  aggregateAnalytics,
  formatAggregateSummary,
  type AggregateDeps,
  type AggregateOptions,
  type AggregateSummary,
} from './run';
