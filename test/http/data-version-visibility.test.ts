// PostgreSQL writes a commit's record to the WAL before other sessions can see the commit: it flushes the record and,
// with a synchronous standby, waits for the standby in between. A change check in that window must not settle on
// the old answer: once the commit is visible, the guild's version moves (docs/adr/0010). A synchronous standby that
// never answers holds a commit in that window for as long as the test needs, so this runs on a server of its own.
// SQLite has no such window: a commit is visible to other connections the moment it is in the WAL file.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/service';
import { recordMessage } from '../../src/capture/record-share';
import { closePostgres, openPostgres, type PostgresDb } from '../../src/db/postgres/engine';
import { migratePostgres } from '../../src/db/schema-postgres/migrate';
import { createDataVersions } from '../../src/http/data-version';
import { announcePostgresSkip } from '../helpers/engines';
import { type PrivatePostgres, startPrivatePostgres } from '../helpers/private-postgres';

const GUILD = '100000000000000001';
const NOW = Date.parse('2026-12-01T10:00:00Z');

describe.skipIf(announcePostgresSkip())('data versions on PostgreSQL, a commit held between its WAL record and its visibility', () => {
  let server: PrivatePostgres;
  let db: PostgresDb;
  beforeAll(async () => {
    server = startPrivatePostgres();
    db = openPostgres({ url: server.url, poolSize: 3 });
    await migratePostgres(db.pool);
  }, 60_000);
  afterAll(async () => {
    if (db) await closePostgres(db);
    server?.stop();
  });

  it('moves the guild’s version once the held commit becomes visible, with nothing else written', async () => {
    const versions = createDataVersions({ analytics: createAnalytics(db), checkIntervalMs: 0 });
    const before = await versions.current(GUILD);

    await server.admin("ALTER SYSTEM SET synchronous_standby_names = 'never_connects'");
    await server.admin('SELECT pg_reload_conf()');
    // A writer opened after the reload: its sessions wait for the standby at every commit.
    const writer = openPostgres({ url: server.url, poolSize: 1 });
    try {
      const write = writer.transaction(async (tx) => {
        await recordMessage(
          tx,
          {
            guildId: GUILD,
            channelId: '1',
            messageId: '2',
            authorId: '3',
            authorName: 'viewer',
            authorIsBot: false,
            postedAt: NOW,
            content: 'https://clips.twitch.tv/HeldClip',
            source: 'discord',
          },
          NOW,
        );
      });
      await expect
        .poll(async () => (await server.admin("SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event = 'SyncRep'")).rows[0].n)
        .toBe(1);
      // The commit's record is in the WAL, but nobody sees the clip yet: the check reads the old fingerprint.
      expect(await versions.current(GUILD)).toBe(before);

      // Releasing the standby wait writes nothing to the WAL; the commit just becomes visible.
      await server.admin('ALTER SYSTEM RESET synchronous_standby_names');
      await server.admin('SELECT pg_reload_conf()');
      await write;
      expect(await versions.current(GUILD)).not.toBe(before);
    } finally {
      await closePostgres(writer);
    }
  });
});
