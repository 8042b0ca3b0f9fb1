// Previous/Next buttons for answers longer than one page, rendered once and kept in memory for a while; only the
// person who ran the command can turn them, and expired buttons say so instead of failing silently.
import { randomBytes } from 'node:crypto';
import {
  ButtonStyle,
  ComponentType,
  MessageFlags,
  type APIActionRowComponent,
  type APIButtonComponent,
  type APIEmbed,
  type ButtonInteraction,
  type ChatInputCommandInteraction,
} from 'discord.js';
import type { Clock } from '../clock';
import { NO_MENTIONS } from './embeds/limits';

export const PAGE_BUTTON_PREFIX = 'clipscope:page';
/** Default life of a set of page buttons. */
export const PAGE_TTL_MS = 15 * 60_000;
/** Sessions kept at most; the oldest are forgotten first (their buttons then answer "expired"). */
const MAX_SESSIONS = 1_000;

interface Session {
  pages: APIEmbed[];
  ownerId: string;
  expiresAt: number;
}

export interface PaginationOptions {
  clock: Clock;
  ttlMs?: number;
}

export type ButtonRow = APIActionRowComponent<APIButtonComponent>;

export class Pagination {
  private readonly sessions = new Map<string, Session>();
  private readonly clock: Clock;
  readonly ttlMs: number;

  constructor(options: PaginationOptions) {
    this.clock = options.clock;
    this.ttlMs = options.ttlMs ?? PAGE_TTL_MS;
  }

  /** Number of live sessions (for tests and status). */
  get size(): number {
    return this.sessions.size;
  }

  /**
   * Sends the first page as the reply (editing the deferred reply if there is one), with buttons when there
   * is more than one page.
   */
  async reply(
    interaction: ChatInputCommandInteraction,
    pages: APIEmbed[],
    options: { files?: { attachment: Buffer; name: string }[] } = {},
  ): Promise<void> {
    const first = pages[0];
    if (!first) throw new Error('pagination needs at least one page');
    const commandName = commandLine(interaction);
    const components = pages.length > 1 ? [this.buttons(this.open(pages, interaction.user.id), commandName, 0, pages.length)] : [];
    const payload = { embeds: [first], components, allowedMentions: NO_MENTIONS, ...(options.files ? { files: options.files } : {}) };
    if (interaction.deferred || interaction.replied) await interaction.editReply(payload);
    else await interaction.reply(payload);
  }

  /** Stores the pages and returns the session id the buttons carry. */
  open(pages: APIEmbed[], ownerId: string): string {
    this.sweep();
    const id = randomBytes(9).toString('base64url');
    this.sessions.set(id, { pages, ownerId, expiresAt: this.clock.now() + this.ttlMs });
    while (this.sessions.size > MAX_SESSIONS) {
      const oldest = this.sessions.keys().next().value;
      if (oldest === undefined) break;
      this.sessions.delete(oldest);
    }
    return id;
  }

  /** The Previous/Next row for page `page` (0-based) of `pages`. */
  buttons(sessionId: string, commandName: string, page: number, pages: number, disabled = false): ButtonRow {
    const button = (label: string, target: number, id: string, isDisabled: boolean): APIButtonComponent => ({
      type: ComponentType.Button,
      style: ButtonStyle.Secondary,
      label,
      // The command name rides along so that even after a restart the expired buttons can say what to re-run.
      custom_id: `${PAGE_BUTTON_PREFIX}:${sessionId}:${commandName}:${id}:${target}`.slice(0, 100),
      disabled: isDisabled,
    });
    return {
      type: ComponentType.ActionRow,
      components: [
        button('◀ Previous', page - 1, 'prev', disabled || page <= 0),
        button('Next ▶', page + 1, 'next', disabled || page >= pages - 1),
      ],
    };
  }

  /** Whether a button belongs to the pagination (the router sends those here). */
  static owns(customId: string): boolean {
    return customId.startsWith(`${PAGE_BUTTON_PREFIX}:`);
  }

  async handleButton(interaction: ButtonInteraction): Promise<void> {
    const [, , sessionId = '', commandName = 'the command', , targetText = ''] = interaction.customId.split(':');
    const session = this.sessions.get(sessionId);
    if (!session || this.clock.now() >= session.expiresAt) {
      if (session) this.sessions.delete(sessionId);
      // Grey the buttons out on the message, then tell the presser why.
      const rows = interaction.message.components.length > 0 ? [this.buttons(sessionId, commandName, 0, 2, true)] : [];
      await interaction.update({ components: rows });
      await interaction.followUp({
        content: `These buttons have expired. Run \`/${commandName}\` again for fresh numbers.`,
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    if (interaction.user.id !== session.ownerId) {
      await interaction.reply({
        content: `Only <@${session.ownerId}> can turn these pages. Run \`/${commandName}\` yourself to get your own copy.`,
        flags: MessageFlags.Ephemeral,
        allowedMentions: NO_MENTIONS,
      });
      return;
    }
    const target = Math.min(Math.max(Number.parseInt(targetText, 10) || 0, 0), session.pages.length - 1);
    await interaction.update({
      embeds: [session.pages[target] as APIEmbed],
      components: [this.buttons(sessionId, commandName, target, session.pages.length)],
      allowedMentions: NO_MENTIONS,
    });
  }

  private sweep(): void {
    const now = this.clock.now();
    for (const [id, session] of this.sessions) if (now >= session.expiresAt) this.sessions.delete(id);
  }
}

/** "clipstats export" for a subcommand, "topcreators" otherwise. */
function commandLine(interaction: ChatInputCommandInteraction): string {
  const sub = interaction.options.getSubcommand(false);
  return sub ? `${interaction.commandName} ${sub}` : interaction.commandName;
}
