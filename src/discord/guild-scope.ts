// Every answer is about the guild the interaction came from, in that guild's timezone, at the clock's "now".
import type { AnalysisContext } from '../analytics/types';
import type { BotContext } from './context';

export async function analysisContextFor(guildId: string, ctx: Pick<BotContext, 'settings' | 'clock'>): Promise<AnalysisContext> {
  const settings = await ctx.settings.get(guildId);
  return { guildId, timezone: settings.timezone, now: ctx.clock.now() };
}
