// Keeps each guild's display name in guild_settings (written only when it changed).
import type { CaptureContext } from './capture-context';

export function rememberGuildName(ctx: CaptureContext, guildId: string, name: string | null | undefined): void {
  if (typeof name !== 'string' || name === '') return;
  ctx.capture.write(`guild name ${guildId}`, (w) => w.rememberGuildName(guildId, name));
}
