import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('gives every setting its documented default when the environment is empty', () => {
    const config = loadConfig({});
    expect(config.DATABASE_PATH).toBe('./data/clipscope.db');
    expect(config.DISCORD_TOKEN).toBeUndefined();
    expect(config.DISCORD_API_BASE_URL).toBe('https://discord.com/api');
    expect(config.HTTP_HOST).toBe('127.0.0.1');
    expect(config.HTTP_PORT).toBe(3000);
    expect(config.AGGREGATE_CRON).toBe('15 3 * * *');
    expect(config.TZ).toBe('UTC');
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig({ DISCORD_TOKEN: '', HTTP_PORT: '' }).HTTP_PORT).toBe(3000);
  });

  it('names every bad variable and what it expects in one error', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_PORT: 'abc', TZ: 'Mars/Olympus', LOG_LEVEL: 'loud', DISCORD_API_BASE_URL: 'not a url' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('HTTP_PORT: expected a whole number from 0 to 65535');
    expect(problems).toContain('TZ: expected an IANA timezone');
    expect(problems).toContain('LOG_LEVEL');
    expect(problems).toContain('DISCORD_API_BASE_URL');
  });

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig({ DISCORD_TOKEN: 'super-secret-token', HTTP_PORT: '-1' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('super-secret-token');
    }
  });
});
