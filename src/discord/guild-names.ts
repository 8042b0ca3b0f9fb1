// Keeps each guild's display name in guild_settings (written only when it changed).
import { rememberGuildName as storeGuildName } from '../db/guild-settings';
import type { CaptureContext } from './capture-context';

export function rememberGuildName(ctx: CaptureContext, guildId: string, name: string | null | undefined): void {
  if (typeof name !== 'string' || name === '') return;
  ctx.queue.push({
    describe: `guild name ${guildId}`,
    run(db, now) {
      return storeGuildName(db, guildId, name, now);
    },
  });
}
