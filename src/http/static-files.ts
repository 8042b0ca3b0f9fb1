// Serves the dashboard: a fixed set of files read once at start-up (the page, its modules and styles, and
// Chart.js from node_modules). Requests are looked up by exact name, so no path can reach any other file.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const DASHBOARD_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'dashboard');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
};

interface StaticFile {
  body: Buffer;
  contentType: string;
  etag: string;
}

function load(file: string): StaticFile {
  const body = fs.readFileSync(file);
  return {
    body,
    contentType: CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream',
    etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/** The servable files by URL path: /, /assets/<name> for each dashboard file, /vendor/chart.umd.min.js. */
export function loadDashboardFiles(dir = DASHBOARD_DIR): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile() || !(path.extname(entry.name) in CONTENT_TYPES)) continue;
    const file = load(path.join(dir, entry.name));
    if (entry.name === 'index.html') files.set('/', file);
    else files.set(`/assets/${entry.name}`, file);
  }
  const chartDist = path.dirname(createRequire(import.meta.url).resolve('chart.js'));
  files.set('/vendor/chart.umd.min.js', load(path.join(chartDist, 'chart.umd.min.js')));
  return files;
}

export function registerDashboard(app: FastifyInstance, files = loadDashboardFiles()): void {
  const serve = (urlPath: string) => async (request: import('fastify').FastifyRequest, reply: import('fastify').FastifyReply) => {
    const file = files.get(urlPath);
    if (!file) return reply.callNotFound();
    reply.header('etag', file.etag);
    // The page revalidates each time (cheap 304s) so a deploy is picked up at once.
    reply.header('cache-control', 'no-cache');
    if (request.headers['if-none-match'] === file.etag) return reply.code(304).send();
    return reply.type(file.contentType).send(file.body);
  };
  app.get('/', serve('/'));
  app.get('/index.html', serve('/'));
  app.get('/vendor/chart.umd.min.js', serve('/vendor/chart.umd.min.js'));
  app.get<{ Params: { name: string } }>('/assets/:name', async (request, reply) => {
    const name = request.params.name;
    // Only plain file names are looked up; anything with a separator or dot-dot is not a dashboard file.
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name) || name.includes('..')) return reply.callNotFound();
    return serve(`/assets/${name}`)(request, reply);
  });
}
