// Every HTTP route, one file each; this list is the table of contents of the API.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../route-context';
import { registerCompareRoute } from './compare';
import { registerEngagementTimelineRoute } from './engagement-timeline';
import { registerEventsRoute } from './events';
import { registerExportCsvRoute } from './export-csv';
import { registerGrowthOpportunitiesRoute } from './growth-opportunities';
import { registerHealthzRoute } from './healthz';
import { registerLinkedAccountsRoute } from './linked-accounts';
import { registerMoodsRoute } from './moods';
import { registerOverviewRoute } from './overview';
import { registerPeakTimesRoute } from './peak-times';
import { registerReportRoute } from './report';
import { registerRoleChangesRoute } from './role-changes';
import { registerStatusRoute } from './status';
import { registerStreamMomentsRoute } from './stream-moments';
import { registerTopCreatorsRoute } from './top-creators';
import { registerTopGamesRoute } from './top-games';
import { registerViralClipsRoute } from './viral-clips';

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerHealthzRoute(app, ctx);
  registerOverviewRoute(app, ctx);
  registerTopCreatorsRoute(app, ctx);
  registerTopGamesRoute(app, ctx);
  registerViralClipsRoute(app, ctx);
  registerEngagementTimelineRoute(app, ctx);
  registerPeakTimesRoute(app, ctx);
  registerCompareRoute(app, ctx);
  registerGrowthOpportunitiesRoute(app, ctx);
  registerMoodsRoute(app, ctx);
  registerStreamMomentsRoute(app, ctx);
  registerRoleChangesRoute(app, ctx);
  registerStatusRoute(app, ctx);
  registerExportCsvRoute(app, ctx);
  registerReportRoute(app, ctx);
  registerEventsRoute(app, ctx);
  registerLinkedAccountsRoute(app, ctx);
}
