import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config';
import { refreshIntervalFor, refreshScheduleFromMinutes } from '../../src/twitch/refresh';
import { backoffDelay } from '../../src/twitch/client';
import { classifyTwitchError, redactSecrets } from '../../src/twitch/errors';
import { normaliseLogin } from '../../src/twitch/channel-sync';

describe('Twitch settings and small rules', () => {
  it('defaults the Twitch settings and rejects an id count Helix would refuse', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      TWITCH_IDS_PER_CALL: 100,
      REFRESH_CRON: '*/5 * * * *',
      TWITCH_SYNC_CRON: '40 */6 * * *',
      ENRICH_INTERVAL_SECONDS: 60,
      ENRICH_MAX_ATTEMPTS: 8,
    });
    expect(() => loadConfig({ TWITCH_IDS_PER_CALL: '101' })).toThrow(ConfigError);
    expect(() => loadConfig({ TWITCH_SYNC_CRON: 'often' })).toThrow(/TWITCH_SYNC_CRON/);
  });

  it('picks the refresh interval by clip age', () => {
    const schedule = refreshScheduleFromMinutes(60, 1440, 10_080);
    const now = Date.UTC(2024, 5, 30);
    const day = 86_400_000;
    expect(refreshIntervalFor(schedule, now - 6 * day, now)).toBe(60 * 60_000);
    expect(refreshIntervalFor(schedule, now - 7 * day, now)).toBe(1440 * 60_000);
    expect(refreshIntervalFor(schedule, now - 29 * day, now)).toBe(1440 * 60_000);
    expect(refreshIntervalFor(schedule, now - 30 * day, now)).toBe(10_080 * 60_000);
    expect(refreshIntervalFor(schedule, null, now)).toBe(60 * 60_000);
  });

  it('backs off exponentially with jitter within the cap', () => {
    expect(backoffDelay(0, 1000, 30_000, () => 0)).toBe(500);
    expect(backoffDelay(0, 1000, 30_000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 1000, 30_000, () => 0.5)).toBe(6000);
    expect(backoffDelay(10, 1000, 30_000, () => 1)).toBe(30_000);
  });

  it('never lets the client secret into an error message', () => {
    expect(redactSecrets('token?client_id=abc&client_secret=s3cr3t&grant_type=client_credentials')).toBe(
      'token?client_id=abc&client_secret=[redacted]&grant_type=client_credentials',
    );
    const error = Object.assign(new Error('Encountered HTTP status code 403\nURL: token?client_secret=s3cr3t'), {
      statusCode: 403,
      url: 'token?grant_type=client_credentials&client_id=abc&client_secret=s3cr3t',
      body: '{"status":403,"message":"invalid client secret"}',
    });
    const classified = classifyTwitchError(error, 'Get Clips');
    expect(classified.kind).toBe('auth');
    expect(classified.message).not.toContain('s3cr3t');
  });

  it('reads a Twitch login from what a streamer may type', () => {
    expect(normaliseLogin('@BigStreamer')).toBe('bigstreamer');
    expect(normaliseLogin('https://www.twitch.tv/big_streamer?tab=clips')).toBe('big_streamer');
    expect(normaliseLogin(' m.twitch.tv/Someone/clip/Slug ')).toBe('someone');
    expect(() => normaliseLogin('two words')).toThrow(/not a Twitch login/);
  });
});
