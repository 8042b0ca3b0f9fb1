import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';

describe('HTTP settings', () => {
  it('default to a local server with limits, a one-minute cache and one-second change checks', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      HTTP_ENABLED: true,
      HTTP_HOST: '127.0.0.1',
      HTTP_PORT: 3000,
      HTTP_CORS_ORIGINS: [],
      HTTP_RATE_LIMIT_PER_MINUTE: 600,
      HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: 1200,
      HTTP_CACHE_SECONDS: 60,
      HTTP_CHANGE_CHECK_MS: 1000,
      HTTP_TRUST_PROXY: false,
    });
  });

  it('reads a comma-separated list of CORS origins', () => {
    expect(loadConfig({ HTTP_CORS_ORIGINS: 'https://a.example, https://b.example,' }).HTTP_CORS_ORIGINS).toEqual([
      'https://a.example',
      'https://b.example',
    ]);
  });

  it('names a bad limit and what it expects', () => {
    let caught: unknown;
    try {
      loadConfig({ HTTP_CACHE_SECONDS: '-1', HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: 'lots' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const problems = (caught as ConfigError).problems.join('\n');
    expect(problems).toContain('HTTP_CACHE_SECONDS: expected a whole number from 0 to 3600');
    expect(problems).toContain('HTTP_RATE_LIMIT_PER_IP_PER_MINUTE: expected a whole number');
  });
});
