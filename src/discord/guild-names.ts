// Keeps each guild's display name and icon in guild_settings (written only when one changed), for the dashboard's header.
import type { CaptureContext } from './capture-context';

export function rememberGuildName(ctx: CaptureContext, guild: { id: string; name: string | null | undefined; icon: string | null }): void {
  const { id, name, icon } = guild;
  if (typeof name !== 'string' || name === '') return;
  ctx.capture.write(`guild name ${id}`, (w) => w.rememberGuildName(id, name, icon));
}
