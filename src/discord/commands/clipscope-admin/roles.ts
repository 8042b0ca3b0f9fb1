// /clipscope-admin roles add|list|preview|enable|remove|history: clipper roles (docs/roles.md), Discord roles that
// reward the members who clip and share, given and taken after each aggregation. A rule is added pending and is
// applied only after an admin has previewed who would gain and lose the role and enabled it.
import type { ChatInputCommandInteraction, SlashCommandSubcommandGroupBuilder } from 'discord.js';
import { z } from 'zod';
import type { RoleChange, RoleRule, RolesAdmin, RulePlan } from '../../../roles/admin';
import { isTopRule } from '../../../roles/plan';
import { describeRule, MAX_MIN, MAX_TOP, ROLE_RULE_KINDS, ROLE_RULE_PERIODS, type RoleRuleKind } from '../../../roles/rules';
import type { BotContext } from '../../context';
import { discordTimestamp, plural } from '../../embeds/format';
import { CONTENT_LIMIT, safeText, truncate } from '../../embeds/limits';
import { parseOptions } from '../../options';
import { whyRoleUnmanageable } from '../../role-sender';
import { UserError } from '../../user-error';
import { ephemeral, type SubcommandHandler } from './shared';

const KIND_NAMES: Record<RoleRuleKind, string> = {
  top_clippers_by_clips: 'Top Twitch clippers by clips made (needs a verified Twitch link)',
  top_clippers_by_views: 'Top Twitch clippers by views (needs a verified Twitch link)',
  top_sharers_by_shares: 'Top sharers by clips shared',
  top_sharers_by_reactions: 'Top sharers by reactions received',
  clips_milestone: 'Milestone: at least `min` Twitch clips made, all time',
  views_milestone: 'Milestone: a Twitch clip with at least `min` views',
};
const PERIOD_NAMES = { month: 'This month', week: 'This week', all_time: 'All time' } as const;
/** Members named per list in a preview; the rest are counted. */
const LISTED = 20;
const HISTORY_LINES = 20;

const DAY_MS = 86_400_000;

/**
 * The status embed's "Clipper roles" line (null when the server has no rule and no recent change): rules by state,
 * when roles were last applied (right after the incremental aggregation, `lastRunAt`), and the last 24 hours' changes.
 */
export async function rolesStatusLine(roles: RolesAdmin, guildId: string, now: number, lastRunAt: number | null): Promise<string | null> {
  const s = await roles.status(guildId, now - DAY_MS);
  const changed = s.changes.added + s.changes.removed + s.changes.left;
  if (s.rules === 0 && changed === 0) return null;
  const rules = s.rules === 0 ? 'No rule' : `${plural(s.rules, 'rule')}: ${s.enabled} enabled, ${s.pending} pending`;
  const run =
    s.enabled === 0
      ? 'not applied (no rule enabled)'
      : lastRunAt === null
        ? 'not applied yet'
        : `last applied ${discordTimestamp(lastRunAt, 'R')}`;
  const day = `${s.changes.added} given, ${s.changes.removed} taken back${s.changes.left > 0 ? `, ${s.changes.left} had left` : ''}`;
  return `${rules} · ${run}\nLast 24 h: ${day}`;
}

/** The `roles` group's definition, added to /clipscope-admin in definition.ts. */
export function rolesGroup(g: SlashCommandSubcommandGroupBuilder): SlashCommandSubcommandGroupBuilder {
  return g
    .setName('roles')
    .setDescription('Roles that reward the server’s top clippers and sharers, given and taken automatically')
    .addSubcommand((s) =>
      s
        .setName('add')
        .setDescription('Add (or change) the rule of a role; it waits for a preview and `enable`')
        .addRoleOption((o) => o.setName('role').setDescription('The role to give').setRequired(true))
        .addStringOption((o) =>
          o
            .setName('rule')
            .setDescription('Who gets the role')
            .setRequired(true)
            .addChoices(...ROLE_RULE_KINDS.map((kind) => ({ name: KIND_NAMES[kind].replaceAll('`', ''), value: kind }))),
        )
        .addStringOption((o) =>
          o
            .setName('period')
            .setDescription('Top rules: the period ranked, in the server timezone (default: this month)')
            .addChoices(...ROLE_RULE_PERIODS.map((p) => ({ name: PERIOD_NAMES[p], value: p }))),
        )
        .addIntegerOption((o) =>
          o.setName('top').setDescription('Top rules: how many members hold it (default 1)').setMinValue(1).setMaxValue(MAX_TOP),
        )
        .addIntegerOption((o) =>
          o.setName('min').setDescription('Milestones: clips made, or views of one clip, to reach').setMinValue(1).setMaxValue(MAX_MIN),
        ),
    )
    .addSubcommand((s) => s.setName('list').setDescription('The server’s role rules'))
    .addSubcommand((s) =>
      s
        .setName('preview')
        .setDescription('Who would gain and lose the role now (changes nothing)')
        .addRoleOption((o) => o.setName('role').setDescription('The rule’s role').setRequired(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('enable')
        .setDescription('Start applying a previewed rule after each aggregation')
        .addRoleOption((o) => o.setName('role').setDescription('The rule’s role').setRequired(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('remove')
        .setDescription('Stop managing a role (members keep it)')
        .addRoleOption((o) => o.setName('role').setDescription('The rule’s role').setRequired(true)),
    )
    .addSubcommand((s) =>
      s
        .setName('history')
        .setDescription('The latest roles Clipscope gave and took')
        .addRoleOption((o) => o.setName('role').setDescription('Only this role’s changes')),
    );
}

const snowflake = z.string().regex(/^\d{1,20}$/, 'a Discord role');
const roleOnly = z.object({ role: snowflake }).strict();
const addOptions = z
  .object({
    role: snowflake,
    rule: z.enum(ROLE_RULE_KINDS, { error: `one of ${ROLE_RULE_KINDS.join(', ')}` }),
    period: z.enum(ROLE_RULE_PERIODS, { error: 'month, week or all_time' }).optional(),
    top: z.number().int().min(1, `1 to ${MAX_TOP}`).max(MAX_TOP, `1 to ${MAX_TOP}`).optional(),
    min: z.number().int().min(1, `1 to ${MAX_MIN}`).max(MAX_MIN, `1 to ${MAX_MIN}`).optional(),
  })
  .strict();
const historyOptions = z.object({ role: snowflake.optional() }).strict();

function service(ctx: BotContext): RolesAdmin {
  if (!ctx.services.roles) throw new UserError('Clipper roles are not available in this Clipscope.');
  return ctx.services.roles;
}

/** Refuses a role Clipscope cannot give, with the reason and what to do. */
function checkManageable(interaction: ChatInputCommandInteraction<'raw' | 'cached'>, roleId: string): void {
  const guild = interaction.client.guilds.cache.get(interaction.guildId);
  if (!guild) throw new UserError('Clipscope does not know this server yet; try again in a minute.');
  const role = guild.roles.cache.get(roleId);
  if (!role) throw new UserError(`Clipscope cannot find the role <@&${roleId}> in this server.`);
  const refusal = whyRoleUnmanageable(guild, role);
  if (refusal) throw new UserError(refusal);
}

const add: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, addOptions);
  checkManageable(interaction, o.role);
  const rule = await service(ctx).add(interaction.guildId, {
    roleId: o.role,
    kind: o.rule,
    period: o.period ?? null,
    top: o.top ?? null,
    min: o.min ?? null,
    createdBy: interaction.user.id,
  });
  await interaction.reply({
    content: `🏅 Rule saved for <@&${rule.roleId}>: ${describeRule(rule)}.\nIt is **not applied yet**: see who would gain and lose the role with \`/clipscope-admin roles preview\`, then turn it on with \`/clipscope-admin roles enable\`.`,
    ...ephemeral,
  });
};

const list: SubcommandHandler = async (interaction, ctx) => {
  const rules = await service(ctx).list(interaction.guildId);
  const lines = rules.map((r) => `<@&${r.roleId}>: ${describeRule(r)} · ${stateOf(r)}`);
  await interaction.reply({
    content:
      rules.length === 0
        ? 'No role rules yet. Add one with `/clipscope-admin roles add`.'
        : truncate(`🏅 **Role rules**\n${lines.join('\n')}`, CONTENT_LIMIT),
    ...ephemeral,
  });
};

function stateOf(rule: RoleRule): string {
  if (rule.state === 'enabled') return 'applied after each aggregation';
  return rule.previewedAt === null ? 'pending: preview it, then enable it' : 'previewed: enable it to apply';
}

const preview: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, roleOnly);
  const found = await service(ctx).preview(interaction.guildId, o.role);
  if (!found) throw new UserError(`<@&${o.role}> has no rule. Add one with \`/clipscope-admin roles add\`.`);
  const guild = interaction.client.guilds.cache.get(interaction.guildId);
  const role = guild?.roles.cache.get(o.role);
  const refusal = guild && role ? whyRoleUnmanageable(guild, role) : `Clipscope cannot find the role <@&${o.role}>.`;
  await interaction.reply({ content: renderPreview(found.rule, found.plan, refusal), ...ephemeral });
};

const mention = (id: string) => `<@${id}>`;

function names(ids: readonly string[]): string {
  if (ids.length === 0) return 'nobody';
  const shown = ids.slice(0, LISTED).map(mention).join(', ');
  return ids.length > LISTED ? `${shown} and ${ids.length - LISTED} more` : shown;
}

const UNIT: Record<RoleRuleKind, string> = {
  top_clippers_by_clips: 'clips',
  top_clippers_by_views: 'views',
  top_sharers_by_shares: 'shares',
  top_sharers_by_reactions: 'reactions',
  clips_milestone: 'clips',
  views_milestone: 'views on their best clip',
};

export function renderPreview(rule: RoleRule, plan: RulePlan, refusal: string | null): string {
  const standings = plan.standings
    .slice(0, LISTED)
    .map(
      (s, i) =>
        `${i + 1}. ${s.userId ? mention(s.userId) : `${safeText(s.twitchName ?? '?', 40)} (unmatched)`} · ${s.value.toLocaleString('en-US')} ${UNIT[rule.kind]}`,
    );
  const lines = [
    `🔎 **Preview of <@&${rule.roleId}>**: ${describeRule(rule)}${isTopRule(rule.kind) ? ` (${plan.periodLabel})` : ''}. Nothing was changed.`,
    `**Would get it:** ${names(plan.plan.grant)}`,
    `**Would lose it:** ${isTopRule(rule.kind) ? names(plan.plan.revoke) : 'nobody (a milestone, once reached, stays)'}`,
    `**Keep it:** ${names(plan.plan.keep)}`,
  ];
  if (plan.unmatched.length > 0)
    lines.push(
      `**Unmatched:** ${plan.unmatched
        .slice(0, LISTED)
        .map((s) => safeText(s.twitchName ?? '?', 40))
        .join(
          ', ',
        )}: no member here has verified this Twitch account, so nobody gets the role for them. They can link it from the dashboard.`,
    );
  if (standings.length > 0) lines.push(`**Standings**\n${standings.join('\n')}`);
  if (refusal) lines.push(`⚠️ ${refusal}`);
  else if (rule.state !== 'enabled') lines.push('Apply it after each aggregation with `/clipscope-admin roles enable`.');
  return truncate(lines.join('\n'), CONTENT_LIMIT);
}

const enable: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, roleOnly);
  checkManageable(interaction, o.role);
  const outcome = await service(ctx).enable(interaction.guildId, o.role);
  if (outcome === 'missing') throw new UserError(`<@&${o.role}> has no rule. Add one with \`/clipscope-admin roles add\`.`);
  if (outcome === 'not_previewed')
    throw new UserError(
      `Preview <@&${o.role}>’s rule first (\`/clipscope-admin roles preview\`): see who would gain and lose it before it is applied.`,
    );
  await interaction.reply({ content: `✅ <@&${o.role}>’s rule is on: it is applied after each aggregation.`, ...ephemeral });
};

const remove: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, roleOnly);
  const was = await service(ctx).remove(interaction.guildId, o.role);
  await interaction.reply({
    content: was
      ? `🗑️ <@&${o.role}>’s rule removed. Members who hold the role keep it; Clipscope no longer gives or takes it.`
      : `<@&${o.role}> has no rule.`,
    ...ephemeral,
  });
};

const ACTION_LINES: Record<RoleChange['action'], (c: RoleChange) => string> = {
  added: (c) => `➕ ${mention(c.userId)} got <@&${c.roleId}>`,
  removed: (c) => `➖ ${mention(c.userId)} lost <@&${c.roleId}>`,
  left: (c) => `🚪 ${mention(c.userId)} had left; no longer holds <@&${c.roleId}>`,
};

const history: SubcommandHandler = async (interaction, ctx) => {
  const o = parseOptions(interaction, historyOptions);
  const changes = await service(ctx).history(interaction.guildId, o.role ?? null, HISTORY_LINES);
  const lines = changes.map((c) => `<t:${Math.floor(c.changedAt / 1000)}:f> ${ACTION_LINES[c.action](c)} · ${safeText(c.reason, 120)}`);
  await interaction.reply({
    content:
      changes.length === 0
        ? 'Clipscope has not given or taken any role yet.'
        : truncate(`📜 **Role changes**\n${lines.join('\n')}`, CONTENT_LIMIT),
    ...ephemeral,
  });
};

/** The `roles` group's subcommands. */
export const rolesSubcommands: Readonly<Record<string, SubcommandHandler>> = { add, list, preview, enable, remove, history };
