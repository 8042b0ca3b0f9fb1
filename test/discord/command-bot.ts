// A real Clipscope bot (discord.js Client + the interaction router + capture) logged in to the fake Discord, over
// a temporary database, with a fixture community written through the real capture functions.
import { createCaptureService } from '../../src/capture/service';
import { guildSettingsStore } from '../../src/db/guild-settings';
import { digestStore } from '../../src/db/stores/digests';
import { createAnalytics } from '../../src/analytics/service';
import { ManualClock } from '../../src/clock';
import type { Db } from '../../src/db/client';
import { createDiscordBot, type DiscordBot } from '../../src/discord/bot';
import { COMMANDS } from '../../src/discord/commands/index';
import type { AdminServices, BotContext } from '../../src/discord/context';
import { createInteractionRouter } from '../../src/discord/interactions';
import { Pagination } from '../../src/discord/pagination';
import { createLogger, type Logger } from '../../src/logger';
import { createTempDb, type TempDb } from '../helpers/temp-db';
import { snowflake, startFakeDiscord, type FakeDiscord, type FakeGuild, type RecordedRequest } from '../fakes/discord';
import { sqliteClient } from '../../src/db/client';
import { recordMessageNow, recordReactionAddedNow } from '../../src/capture/record-now';
import { inBulkTransaction as inTransaction } from '../../src/db/bulk';

export interface LogLine {
  level: number;
  msg: string;
  [key: string]: unknown;
}

export interface CommandBot {
  discord: FakeDiscord;
  temp: TempDb;
  bot: DiscordBot;
  ctx: BotContext;
  clock: ManualClock;
  logs: LogLine[];
  /** Dispatches an INTERACTION_CREATE and resolves once the bot has finished answering it. */
  invoke(payload: Record<string, unknown>): Promise<RecordedRequest[]>;
  stop(): Promise<void>;
}

/** Services for /clipscope-admin, given as they are or built on the bot's own database, clock and logger. */
export type ServicesOption = Partial<AdminServices> | ((deps: { db: Db; clock: ManualClock; logger: Logger }) => Partial<AdminServices>);

export async function startCommandBot(options: {
  guilds: FakeGuild[];
  now: number;
  services?: ServicesOption;
  pageTtlMs?: number;
  /** The bot's database (a test's PostgreSQL one); default the temporary SQLite file. */
  database?: Db;
}): Promise<CommandBot> {
  const discord = await startFakeDiscord({ guilds: options.guilds });
  const temp = createTempDb();
  const db = options.database ?? temp.db;
  const clock = new ManualClock(options.now);
  const logs: LogLine[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) } });
  const ctx: BotContext = {
    settings: guildSettingsStore(db),
    digests: digestStore(db),
    databaseLocation: db.location,
    clock,
    logger,
    analytics: createAnalytics(db),
    pagination: new Pagination({ clock, ttlMs: options.pageTtlMs }),
    services: {
      aggregateGuild: null,
      twitch: null,
      createApiToken: null,
      backfill: null,
      ...(typeof options.services === 'function' ? options.services({ db, clock, logger }) : options.services),
    },
  };
  const router = createInteractionRouter(ctx, COMMANDS);
  const finished = new Map<string, () => void>();
  const bot = createDiscordBot({
    capture: createCaptureService(db, { logger: logger.child({ service: 'discord' }), clock, batchMax: 50 }),
    logger,
    clock,
    token: discord.token,
    apiBaseUrl: discord.apiBaseUrl,
    // The real router; the wrapper only tells the test when an interaction has been fully answered.
    onInteraction: (interaction) => router(interaction).finally(() => finished.get(interaction.id)?.()),
  });
  await bot.start();
  return {
    discord,
    temp,
    bot,
    ctx,
    clock,
    logs,
    async invoke(payload) {
      const id = String(payload.id);
      const token = String(payload.token);
      const done = new Promise<void>((resolve) => finished.set(id, resolve));
      const before = discord.requests.length;
      await discord.dispatch('INTERACTION_CREATE', payload);
      await done;
      finished.delete(id);
      return discord.requests.slice(before).filter((r) => r.path.includes(token));
    },
    async stop() {
      await bot.stop();
      await discord.stop();
      temp.cleanup();
    },
  };
}

export interface FixtureClip {
  clipId: string;
  title: string;
  creatorId: string;
  creatorName: string;
  gameId: string;
  gameName: string;
  views: number;
  createdAt: number;
  thumbnail?: string;
}

/** Shares a clip link in a message through the real capture path; returns the message id. */
export function shareClip(
  db: Db,
  share: { guildId: string; channelId: string; clipId: string; authorId: string; authorName: string; at: number },
): string {
  const messageId = snowflake(share.at);
  inTransaction(db, () =>
    recordMessageNow(
      db,
      {
        guildId: share.guildId,
        channelId: share.channelId,
        messageId,
        authorId: share.authorId,
        authorName: share.authorName,
        authorIsBot: false,
        postedAt: share.at,
        content: `check this https://clips.twitch.tv/${share.clipId}`,
        source: 'discord',
      },
      share.at,
    ),
  );
  return messageId;
}

export function react(
  db: Db,
  r: { guildId: string; channelId: string; messageId: string; emoji: string; userId: string; at: number },
): void {
  inTransaction(db, () =>
    recordReactionAddedNow(
      db,
      { guildId: r.guildId, channelId: r.channelId, messageId: r.messageId, emojiKey: r.emoji, userId: r.userId, at: r.at },
      r.at,
    ),
  );
}

/** What Twitch enrichment writes for a clip (the enrichment worker lives in src/twitch). */
export function enrich(db: Db, guildId: string, clip: FixtureClip): void {
  sqliteClient(db)
    .prepare(
      `UPDATE clips SET title = ?, creator_id = ?, creator_name = ?, game_id = ?, game_name = ?, view_count = ?, clip_created_at = ?,
              broadcaster_id = 'b1', broadcaster_name = 'Streamer', duration = 30, thumbnail_url = ?, enrichment_state = 'done', enriched_at = ?
        WHERE guild_id = ? AND clip_id = ?`,
    )
    .run(
      clip.title,
      clip.creatorId,
      clip.creatorName,
      clip.gameId,
      clip.gameName,
      clip.views,
      clip.createdAt,
      clip.thumbnail ?? null,
      clip.createdAt,
      guildId,
      clip.clipId,
    );
}

/** The JSON body of the request, typed loosely for assertions. */
export function bodyOf(request: RecordedRequest | undefined): Record<string, any> {
  return (request?.body ?? {}) as Record<string, any>;
}
