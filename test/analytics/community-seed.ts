// A small generated community written with the same statements to either engine (no capture or aggregation code):
// clips in every enrichment state, renamed creators, no-game clips, shares (some deleted), reactions, imported
// reaction counts and view history, in two guilds that reuse each other's clip ids. The read tests run every
// analysis over it on both engines.
import type { Db } from '../../src/db/database';
import { queries, type SqlValue } from '../../src/db/sql';

export const GUILD = '400000000000000001';
export const OTHER_GUILD = '400000000000000002';
export const NOW = Date.parse('2026-12-05T14:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** A deterministic generator (mulberry32), so both engines get the same rows. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const CREATORS: Array<[string, string]> = [
  ['c1', 'Alice'],
  ['c2', 'Bob'],
  ['c3', 'carol_100%'],
  ['c4', 'Dave'],
  ['c5', 'Eve'],
];
const GAMES: Array<[string, string | null]> = [
  ['g1', 'Chess'],
  ['g2', 'Go'],
  ['g3', 'Just Chatting'],
  ['', ''],
  ['g9', null],
];
const EMOJIS = ['🔥', '😂', 'pog:123', '👍'];

async function insert(db: Db, table: string, row: Record<string, SqlValue>): Promise<void> {
  const names = Object.keys(row);
  await queries(db).run(`INSERT INTO ${table} (${names.join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, Object.values(row));
}

/** Writes the community into `db` (a freshly migrated database). */
export async function seedCommunity(db: Db): Promise<void> {
  await db.transaction(async (tx) => {
    await insert(tx, 'guild_settings', { guild_id: GUILD, guild_name: 'Clip Club', timezone: 'Europe/Berlin', updated_at: NOW - DAY });
    for (const guild of [GUILD, OTHER_GUILD]) {
      const next = random(guild === GUILD ? 7 : 11);
      const count = guild === GUILD ? 90 : 12;
      let message = 0;
      for (let i = 0; i < count; i++) {
        const clipId = `Clip${String(i).padStart(3, '0')}`;
        const created = NOW - Math.floor(next() * 120 * DAY);
        const [creatorId, baseName] = CREATORS[Math.floor(next() * CREATORS.length)] as [string, string];
        const [gameId, gameName] = GAMES[Math.floor(next() * GAMES.length)] as [string, string | null];
        const roll = next();
        const state = roll < 0.05 ? 'pending' : roll < 0.09 ? 'not_found' : roll < 0.11 ? 'failed' : 'done';
        const enriched = state === 'done' || state === 'not_found';
        // Alice renamed herself a month ago: her newer clips carry the new name.
        const creatorName = creatorId === 'c1' && created > NOW - 30 * DAY ? 'Alice_New' : baseName;
        const views = Math.floor(next() * next() * 20_000);
        const reactionTypes: Record<string, number> = {};
        const shareCount = Math.floor(next() * 4);
        const shares: Array<{ messageId: string; at: number; deleted: boolean; reactions: number }> = [];
        for (let s = 0; s < shareCount; s++) {
          message++;
          shares.push({
            messageId: `${guild.slice(-1)}${String(message).padStart(5, '0')}`,
            at: Math.min(NOW - HOUR, created + Math.floor(next() * 5 * DAY)),
            deleted: next() < 0.1,
            reactions: Math.floor(next() * 5),
          });
        }
        let liveShares = 0;
        let reactionsTotal = 0;
        for (const share of shares) {
          await insert(tx, 'shares', {
            guild_id: guild,
            channel_id: next() < 0.5 ? 'general' : 'clips',
            message_id: share.messageId,
            clip_id: clipId,
            author_id: `u${Math.floor(next() * 4)}`,
            author_name: 'sharer',
            posted_at: share.at,
            deleted_at: share.deleted ? share.at + HOUR : null,
          });
          if (!share.deleted) liveShares++;
          for (let r = 0; r < share.reactions; r++) {
            const emoji = EMOJIS[Math.floor(next() * EMOJIS.length)] as string;
            await insert(tx, 'reactions', {
              guild_id: guild,
              channel_id: 'general',
              message_id: share.messageId,
              emoji_key: emoji,
              user_id: `r${r}`,
              reacted_at: Math.min(NOW - 1, share.at + Math.floor(next() * 2 * DAY)),
            });
            if (!share.deleted) {
              reactionsTotal++;
              reactionTypes[emoji] = (reactionTypes[emoji] ?? 0) + 1;
            }
          }
          if (next() < 0.2) {
            const anonymous = 1 + Math.floor(next() * 3);
            await insert(tx, 'reaction_baselines', {
              guild_id: guild,
              channel_id: 'general',
              message_id: share.messageId,
              emoji_key: '👍',
              anonymous_count: anonymous,
              observed_at: share.at + HOUR,
            });
            if (!share.deleted) {
              reactionsTotal += anonymous;
              reactionTypes['👍'] = (reactionTypes['👍'] ?? 0) + anonymous;
            }
          }
        }
        await insert(tx, 'clips', {
          guild_id: guild,
          clip_id: clipId,
          url: `https://clips.twitch.tv/${clipId}`,
          title: enriched ? `Play ${i}` : null,
          broadcaster_id: enriched ? 'b1' : null,
          broadcaster_name: enriched ? 'Streamer' : null,
          creator_id: enriched ? creatorId : null,
          creator_name: enriched ? creatorName : null,
          game_id: enriched ? gameId : null,
          game_name: enriched ? gameName : null,
          view_count: enriched ? views : 0,
          duration: enriched ? 28.5 : null,
          thumbnail_url: enriched ? `https://thumb/${clipId}.jpg` : null,
          clip_created_at: enriched ? created : null,
          discord_shares: liveShares,
          discord_reactions: reactionsTotal,
          discord_reaction_types: JSON.stringify(reactionTypes),
          first_seen_at: created,
          first_shared_at: shares[0]?.at ?? null,
          last_updated_at: created + HOUR,
          source: shareCount === 0 ? 'twitch_sync' : 'discord',
          enrichment_state: state,
          enrichment_attempts: state === 'failed' ? 5 : 0,
          enrichment_error: state === 'failed' ? 'Helix 500' : null,
          enriched_at: enriched ? created + HOUR : null,
          views_refreshed_at: enriched ? NOW - Math.floor(next() * 3 * DAY) : null,
        });
        // Recent view history for the velocity ranking (shared by the guilds that have the clip).
        if (guild === GUILD && enriched && next() < 0.5) {
          const points = 1 + Math.floor(next() * 3);
          for (let p = 0; p < points; p++) {
            await insert(tx, 'clip_view_history', {
              clip_id: clipId,
              observed_at: NOW - (p + 1) * 7 * HOUR,
              view_count: Math.max(0, views - p * Math.floor(next() * 500)),
            });
          }
        }
      }
    }
  });
}

/** The raw tables a community's answers are computed from (latest_names follows clips through its triggers). */
export const RAW_TABLES = ['guild_settings', 'clips', 'shares', 'reactions', 'reaction_baselines', 'clip_view_history'] as const;

/**
 * Copies every row of `tables` from `from` to `to` in one transaction, surrogate ids left to the target's identity;
 * 0/1 flags become booleans and JSON text jsonb on PostgreSQL by the server's own input rules. How a test puts a
 * community built by the synchronous SQLite fixtures (test/fixtures, community-model.ts) onto PostgreSQL.
 */
export async function copyTables(from: Db, to: Db, tables: readonly string[]): Promise<number> {
  let copied = 0;
  await to.transaction(async (tx) => {
    for (const table of tables) {
      for (const row of await queries(from).all<Record<string, SqlValue>>(`SELECT * FROM ${table}`)) {
        const { id: _id, ...rest } = row;
        await insert(tx, table, rest);
        copied++;
      }
    }
  });
  return copied;
}

/** Makes `to`'s `tables` hold exactly `from`'s rows: emptied (in reverse order), then copied. */
export async function mirrorTables(from: Db, to: Db, tables: readonly string[]): Promise<void> {
  for (const table of [...tables].reverse()) await queries(to).run(`DELETE FROM ${table}`);
  await copyTables(from, to, tables);
}
