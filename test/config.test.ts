import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, signInSettings } from '../src/config';

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

  it('refuses a cron setting the scheduler could not run, naming the variable', () => {
    for (const bad of ['61 * * * *', '*/0 * * * *', '0 0 31 2 *']) {
      expect(() => loadConfig({ AGGREGATE_CRON: bad }), bad).toThrow(/AGGREGATE_CRON: expected a valid cron expression/);
    }
    expect(() => loadConfig({ REFRESH_CRON: '*/0 * * * *', TWITCH_SYNC_CRON: '0 25 * * *' })).toThrow(
      /REFRESH_CRON: expected a valid cron expression.*TWITCH_SYNC_CRON: expected a valid cron expression/,
    );
    expect(loadConfig({ AGGREGATE_CRON: '0 0 * * mon', AGGREGATE_INCREMENTAL_CRON: '*/10 * * * * *' }).AGGREGATE_CRON).toBe('0 0 * * mon');
    expect(() => loadConfig({ DIGEST_CHECK_CRON: '*/15 * * *' })).toThrow(
      /DIGEST_CHECK_CRON: expected a cron expression with 5 or 6 fields/,
    );
    expect(loadConfig({}).DIGEST_CHECK_CRON).toBe('*/15 * * * *');
    expect(loadConfig({ DIGEST_CHECK_CRON: '*/2 * * * * *' }).DIGEST_CHECK_CRON).toBe('*/2 * * * * *');
  });

  it('takes numbers in plain decimal only, naming the variable otherwise', () => {
    for (const [name, value] of [
      ['HTTP_PORT', '0x1F90'],
      ['CAPTURE_BATCH_MAX', '1e3'],
      ['HTTP_PORT', '8080.0'],
      ['CAPTURE_BATCH_MAX', '0b101'],
      ['HTTP_CACHE_SECONDS', 'Infinity'],
    ] as const) {
      expect(() => loadConfig({ [name]: value }), `${name}=${value}`).toThrow(new RegExp(`${name}: expected a whole number from`));
    }
    expect(loadConfig({ HTTP_PORT: ' 8080 ', CAPTURE_BATCH_MAX: '1000' })).toMatchObject({ HTTP_PORT: 8080, CAPTURE_BATCH_MAX: 1000 });
  });

  it('takes DATABASE_CACHE_MB as whole megabytes from 1 to 4096, naming the variable otherwise', () => {
    for (const bad of ['0', '64MB', '-16', '1.5', '4097']) {
      expect(() => loadConfig({ DATABASE_CACHE_MB: bad }), bad).toThrow(/DATABASE_CACHE_MB: expected a whole number from 1 to 4096/);
    }
    expect(loadConfig({ DATABASE_CACHE_MB: '64' }).DATABASE_CACHE_MB).toBe(64);
  });

  it('never echoes a secret value in its error', () => {
    try {
      loadConfig({ DISCORD_TOKEN: 'super-secret-token', HTTP_PORT: '-1' });
    } catch (error) {
      expect(String((error as Error).message)).not.toContain('super-secret-token');
    }
  });

  describe('report email', () => {
    it('is off by default, and takes an smtp(s) URL with the sender address', () => {
      expect(loadConfig({}).SMTP_URL).toBeUndefined();
      const config = loadConfig({ SMTP_URL: 'smtps://user:p%40ss@mail.example.com:465', REPORT_FROM: 'Clipscope <reports@example.com>' });
      expect(config.SMTP_URL).toBe('smtps://user:p%40ss@mail.example.com:465');
      expect(config.REPORT_FROM).toBe('Clipscope <reports@example.com>');
      expect(loadConfig({ SMTP_URL: 'smtp://127.0.0.1:2525?tls=off', REPORT_FROM: 'reports@example.com' }).REPORT_FROM).toBe(
        'reports@example.com',
      );
    });

    it('names SMTP_URL or REPORT_FROM when wrong or missing, and never echoes the SMTP password', () => {
      for (const bad of ['https://mail.example.com', 'mail.example.com:587', 'smtp://', 'smtp://host/path']) {
        expect(() => loadConfig({ SMTP_URL: bad, REPORT_FROM: 'a@example.com' }), bad).toThrow(
          /SMTP_URL: expected an smtp:\/\/ or smtps:\/\/ URL/,
        );
      }
      expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com' })).toThrow(/REPORT_FROM: expected the sender address/);
      expect(() => loadConfig({ SMTP_URL: 'smtp://mail.example.com', REPORT_FROM: 'not an address' })).toThrow(
        /REPORT_FROM: expected an email address/,
      );
      try {
        loadConfig({ SMTP_URL: 'ftp://user:hunter2-secret@mail.example.com', REPORT_FROM: 'a@example.com' });
        expect.unreachable();
      } catch (error) {
        expect(String((error as Error).message)).toContain('SMTP_URL');
        expect(String((error as Error).message)).not.toContain('hunter2-secret');
      }
    });
  });

  describe('Sign in with Discord', () => {
    const complete = {
      DISCORD_TOKEN: 'bot-token',
      DISCORD_APPLICATION_ID: '123456789012345678',
      DISCORD_CLIENT_SECRET: 'client-secret-value',
      PUBLIC_URL: 'https://clipscope.example.com/',
    };

    it('is on with the client secret, the public URL and the bot; the client id defaults to the application id', () => {
      const { settings, missing } = signInSettings(loadConfig(complete));
      expect(missing).toEqual([]);
      expect(settings).toMatchObject({
        clientId: '123456789012345678',
        publicUrl: 'https://clipscope.example.com',
        apiBaseUrl: 'https://discord.com/api',
        sessionIdleMs: 24 * 3_600_000,
        sessionMaxMs: 7 * 86_400_000,
        recheckMs: 300_000,
      });
      expect(signInSettings(loadConfig({ ...complete, DISCORD_CLIENT_ID: '876543210987654321' })).settings?.clientId).toBe(
        '876543210987654321',
      );
    });

    it('is off, naming the variables that would turn it on, when any is missing', () => {
      expect(signInSettings(loadConfig({})).missing).toEqual([
        'DISCORD_CLIENT_ID (or DISCORD_APPLICATION_ID)',
        'DISCORD_CLIENT_SECRET',
        'PUBLIC_URL',
        'DISCORD_TOKEN',
      ]);
      const { DISCORD_CLIENT_SECRET: _secret, ...withoutSecret } = complete;
      expect(signInSettings(loadConfig(withoutSecret))).toEqual({ settings: null, missing: ['DISCORD_CLIENT_SECRET'] });
    });

    it('refuses a malformed public URL or client id, naming the variable, and never echoes the client secret', () => {
      for (const bad of ['clipscope.example.com', 'ftp://x.example', 'https://x.example/?next=/', 'https://x.example/#a']) {
        let caught: unknown;
        try {
          loadConfig({ ...complete, PUBLIC_URL: bad, DISCORD_CLIENT_ID: 'my-app' });
        } catch (error) {
          caught = error;
        }
        expect(caught, bad).toBeInstanceOf(ConfigError);
        const problems = (caught as ConfigError).problems.join('\n');
        expect(problems).toContain('PUBLIC_URL: expected an http(s) URL');
        expect(problems).toContain('DISCORD_CLIENT_ID: expected a Discord id');
        expect((caught as Error).message).not.toContain('client-secret-value');
      }
    });
  });
});

describe('sharding settings', () => {
  it('default to Discord’s recommended count, every shard, one process', () => {
    expect(loadConfig({})).toMatchObject({ DISCORD_SHARD_COUNT: 'auto', DISCORD_SHARD_IDS: 'all', DISCORD_PROCESSES: 1 });
    expect(loadConfig({ DISCORD_SHARD_COUNT: '8', DISCORD_SHARD_IDS: '0-3,6' })).toMatchObject({
      DISCORD_SHARD_COUNT: 8,
      DISCORD_SHARD_IDS: [0, 1, 2, 3, 6],
    });
  });

  it('names the variable and what it expects when a shard setting is wrong', () => {
    expect(() => loadConfig({ DISCORD_SHARD_COUNT: '0' })).toThrow(
      /DISCORD_SHARD_COUNT: expected "auto" or a whole number of shards from 1/,
    );
    expect(() => loadConfig({ DISCORD_SHARD_COUNT: 'many' })).toThrow(/DISCORD_SHARD_COUNT: expected "auto"/);
    expect(() => loadConfig({ DISCORD_SHARD_IDS: '3-1' })).toThrow(/DISCORD_SHARD_IDS: expected ranges from low to high/);
    expect(() => loadConfig({ DISCORD_SHARD_COUNT: '4', DISCORD_SHARD_IDS: '2-5' })).toThrow(
      /DISCORD_SHARD_IDS: expected shard ids from 0 to 3 \(DISCORD_SHARD_COUNT=4\), not 4, 5/,
    );
  });

  it('takes several bot processes per host, at most one per shard of the host, only with the bot role', () => {
    expect(loadConfig({ DISCORD_PROCESSES: '2' }).DISCORD_PROCESSES).toBe(2);
    expect(loadConfig({ DISCORD_PROCESSES: '4', DISCORD_SHARD_IDS: '4-7' }).DISCORD_PROCESSES).toBe(4);
    expect(() => loadConfig({ DISCORD_PROCESSES: '3', DISCORD_SHARD_IDS: '4,5' })).toThrow(
      /DISCORD_PROCESSES: expected at most the 2 shards this host runs .*not 3/,
    );
    expect(() => loadConfig({ DISCORD_PROCESSES: '5', DISCORD_SHARD_COUNT: '4' })).toThrow(
      /DISCORD_PROCESSES: expected at most the 4 shards/,
    );
    expect(() => loadConfig({ DISCORD_PROCESSES: '2', ROLES: 'http,jobs' })).toThrow(/DISCORD_PROCESSES: expected 1 when ROLES has no bot/);
    expect(() => loadConfig({ DISCORD_PROCESSES: '0' })).toThrow(/DISCORD_PROCESSES: expected/);
    expect(() => loadConfig({ DISCORD_PROCESSES: 'two' })).toThrow(/DISCORD_PROCESSES: expected/);
  });
});

describe('process roles', () => {
  it('run bot, http and jobs by default, and any comma list of them in a fixed order', () => {
    expect(loadConfig({}).ROLES).toEqual(['bot', 'http', 'jobs']);
    expect(loadConfig({ ROLES: ' jobs , BOT ' }).ROLES).toEqual(['bot', 'jobs']);
    expect(loadConfig({ ROLES: 'http' }).ROLES).toEqual(['http']);
    expect(loadConfig({ JOB_LEASE_SECONDS: '5' }).JOB_LEASE_SECONDS).toBe(5);
  });

  it('names ROLES and the roles it accepts when one is unknown or missing', () => {
    expect(() => loadConfig({ ROLES: 'bot,worker' })).toThrow(
      /ROLES: expected a comma list of bot, http, jobs \(e\.g\. "bot,jobs"\), not "worker"/,
    );
    expect(() => loadConfig({ ROLES: 'bot,,jobs' })).toThrow(/ROLES: expected a comma list of bot, http, jobs .*not ""/);
    expect(() => loadConfig({ JOB_LEASE_SECONDS: '1' })).toThrow(/JOB_LEASE_SECONDS: expected a whole number from 2 to 3600/);
  });
});
