// Keeps each guild's display name in guild_settings (written only when it changed).
import { getGuildSettings, updateGuildSettings } from '../db/guild-settings';
import type { CaptureContext } from './capture-context';

export function rememberGuildName(ctx: CaptureContext, guildId: string, name: string | null | undefined): void {
  if (typeof name !== 'string' || name === '') return;
  ctx.queue.push({
    describe: `guild name ${guildId}`,
    run(db, now) {
      if (getGuildSettings(db, guildId).guildName !== name) updateGuildSettings(db, guildId, { guildName: name }, now);
    },
  });
}
