// Logs a person can read in a terminal (LOG_FORMAT=auto on a TTY, or pretty) and JSON lines everywhere else.
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config';
import { createLogger, prettyDestination, usePrettyLogs } from '../src/logger';

describe('log format', () => {
  it('writes one readable line per entry: time, level, component, message, fields, and an error’s stack below', () => {
    const lines: string[] = [];
    const logger = createLogger({ destination: prettyDestination({ write: (text: string) => lines.push(text) }) });
    logger.child({ component: 'http' }).info({ url: 'http://127.0.0.1:3000', token: 'cs_secret' }, 'dashboard ready');
    logger.error({ err: new Error('disk full') }, 'write failed');
    expect(lines[0]).toMatch(/^\d\d:\d\d:\d\d {2}INFO {3}http {2}dashboard ready {2}url=http:\/\/127\.0\.0\.1:3000 token=\[redacted\]\n$/);
    expect(lines[1]).toMatch(/^\d\d:\d\d:\d\d {2}ERROR {2}write failed\n {2}Error: disk full\n/);
  });

  it('is pretty on a terminal, JSON otherwise, unless LOG_FORMAT says', () => {
    expect(usePrettyLogs('auto', true)).toBe(true);
    expect(usePrettyLogs('auto', undefined)).toBe(false);
    expect(usePrettyLogs('json', true)).toBe(false);
    expect(usePrettyLogs('pretty', false)).toBe(true);
    expect(loadConfig({}).LOG_FORMAT).toBe('auto');
    expect(() => loadConfig({ LOG_FORMAT: 'fancy' })).toThrow(/LOG_FORMAT/);
  });
});
