// Every HTTP route, one file each; this list is the table of contents of the API.
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from '../server';
import { registerEventsRoute } from './events';
import { registerHealthzRoute } from './healthz';

export function registerRoutes(app: FastifyInstance, ctx: RouteContext): void {
  registerHealthzRoute(app, ctx);
  registerEventsRoute(app, ctx);
}
