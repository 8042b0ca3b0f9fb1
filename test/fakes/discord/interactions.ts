// INTERACTION_CREATE bodies as Discord sends them (API v10): slash commands, autocomplete and button presses.
// Field names follow the Discord documentation for the Interaction object.
import { member as memberOf, snowflake, type ApiChannel, type ApiMessage, type ApiUser } from './payloads';

export const InteractionTypes = { Ping: 1, ApplicationCommand: 2, MessageComponent: 3, Autocomplete: 4 } as const;
export const OptionTypes = {
  Subcommand: 1,
  SubcommandGroup: 2,
  String: 3,
  Integer: 4,
  Boolean: 5,
  User: 6,
  Channel: 7,
  Role: 8,
  Number: 10,
} as const;

/** ADMINISTRATOR-free permission sets as decimal strings. */
export const Permissions = {
  /** VIEW_CHANNEL | SEND_MESSAGES | USE_APPLICATION_COMMANDS */
  member: ((1n << 10n) | (1n << 11n) | (1n << 31n)).toString(),
  /** member + MANAGE_GUILD */
  manager: ((1n << 10n) | (1n << 11n) | (1n << 31n) | (1n << 5n)).toString(),
} as const;

export interface ApiOption {
  name: string;
  type: number;
  value?: string | number | boolean;
  focused?: boolean;
  options?: ApiOption[];
}

/** Options for a command; strings, integers and booleans inferred from the value. */
export function options(values: Record<string, string | number | boolean | undefined>): ApiOption[] {
  return Object.entries(values)
    .filter((entry): entry is [string, string | number | boolean] => entry[1] !== undefined)
    .map(([name, value]) => ({
      name,
      value,
      type: typeof value === 'boolean' ? OptionTypes.Boolean : typeof value === 'number' ? OptionTypes.Integer : OptionTypes.String,
    }));
}

export function subcommand(name: string, opts: ApiOption[] = []): ApiOption {
  return { name, type: OptionTypes.Subcommand, options: opts };
}

export function subcommandGroup(name: string, sub: ApiOption): ApiOption {
  return { name, type: OptionTypes.SubcommandGroup, options: [sub] };
}

export function channelOption(name: string, channelId: string): ApiOption {
  return { name, type: OptionTypes.Channel, value: channelId };
}

export function roleOption(name: string, roleId: string): ApiOption {
  return { name, type: OptionTypes.Role, value: roleId };
}

interface Base {
  applicationId: string;
  guildId: string | null;
  channel: ApiChannel;
  user: ApiUser;
  /** The member's permissions in the channel (decimal string); default: a plain member. */
  permissions?: string;
}

function base(fields: Base, type: number): Record<string, unknown> {
  const id = snowflake();
  const common = {
    id,
    application_id: fields.applicationId,
    type,
    token: `interaction-token-${id}`,
    version: 1,
    channel_id: fields.channel.id,
    channel: fields.channel,
    locale: 'en-US',
    app_permissions: ((1n << 10n) | (1n << 11n) | (1n << 14n) | (1n << 15n)).toString(),
    entitlements: [],
    attachment_size_limit: 8_388_608,
  };
  if (fields.guildId === null) return { ...common, user: fields.user, context: 1, authorizing_integration_owners: { '1': fields.user.id } };
  return {
    ...common,
    guild_id: fields.guildId,
    guild: { id: fields.guildId, locale: 'en-US', features: [] },
    guild_locale: 'en-US',
    member: { ...memberOf(fields.user), permissions: fields.permissions ?? Permissions.member },
    context: 0,
    authorizing_integration_owners: { '0': fields.guildId },
  };
}

/** A slash command invocation (type 2, chat input). */
export function chatInput(
  fields: Base & { commandName: string; options?: ApiOption[]; resolvedChannels?: ApiChannel[] },
): Record<string, unknown> {
  const resolved =
    fields.resolvedChannels && fields.resolvedChannels.length > 0
      ? {
          channels: Object.fromEntries(
            fields.resolvedChannels.map((c) => [c.id, { id: c.id, type: c.type, name: c.name, permissions: Permissions.manager }]),
          ),
        }
      : undefined;
  return {
    ...base(fields, InteractionTypes.ApplicationCommand),
    data: {
      id: snowflake(),
      name: fields.commandName,
      type: 1,
      options: fields.options ?? [],
      ...(resolved ? { resolved } : {}),
      ...(fields.guildId ? { guild_id: fields.guildId } : {}),
    },
  };
}

/** An autocomplete request (type 4): the option being typed has `focused: true`. */
export function autocomplete(fields: Base & { commandName: string; options: ApiOption[] }): Record<string, unknown> {
  return {
    ...base(fields, InteractionTypes.Autocomplete),
    data: { id: snowflake(), name: fields.commandName, type: 1, options: fields.options },
  };
}

/** A button press (type 3) on a message the bot sent. */
export function buttonPress(fields: Base & { customId: string; message: ApiMessage }): Record<string, unknown> {
  return {
    ...base(fields, InteractionTypes.MessageComponent),
    message: fields.message,
    data: { custom_id: fields.customId, component_type: 2 },
  };
}
