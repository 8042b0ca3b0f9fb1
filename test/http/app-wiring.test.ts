import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../src/app';
import { systemClock } from '../../src/clock';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';

function captureLogger(): { logger: ReturnType<typeof createLogger>; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: createLogger({ level: 'info', destination }), lines };
}

describe('app wiring of the HTTP server', () => {
  let app: App | null = null;
  let dir = '';
  afterEach(async () => {
    await app?.stop();
    app = null;
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('starts the dashboard and API with npm start, logging the URL', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const { logger, lines } = captureLogger();
    const config = loadConfig({ DATABASE_PATH: path.join(dir, 'app.db'), HTTP_PORT: '0', HTTP_HOST: '127.0.0.1' });
    app = createApp({ config, logger, clock: systemClock });
    await app.start();
    expect(app.services.map((s) => s.name)).toContain('http');
    const url = lines.map((l) => l.url).find((u): u is string => typeof u === 'string');
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ database: 'ok' });
    const page = await fetch(`${url}/`);
    expect(await page.text()).toContain('Clipscope');
  });

  it('leaves the HTTP server off when HTTP_ENABLED=false', async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'clipscope-app-'));
    const { logger, lines } = captureLogger();
    app = createApp({ config: loadConfig({ DATABASE_PATH: path.join(dir, 'app.db'), HTTP_ENABLED: 'false' }), logger, clock: systemClock });
    await app.start();
    expect(app.services.map((s) => s.name)).not.toContain('http');
    expect(lines.some((l) => String(l.msg).includes('HTTP_ENABLED=false'))).toBe(true);
  });
});
