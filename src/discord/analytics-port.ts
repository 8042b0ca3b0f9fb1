// The Discord side's old name for the analytics service (src/analytics/service.ts), kept for the digest's imports.
export type { Analytics as AnalyticsQueries } from '../analytics/service';
