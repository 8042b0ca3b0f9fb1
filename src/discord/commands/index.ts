// Every slash command Clipscope registers and answers, one file each.
import type { SlashCommand } from './command';
import * as clipscopeAdmin from './clipscope-admin';
import * as clipstats from './clipstats';
import * as halloffame from './halloffame';
import * as topcreators from './topcreators';
import * as topgames from './topgames';
import * as viral from './viral';

export const COMMANDS: readonly SlashCommand[] = [topcreators, topgames, viral, clipstats, halloffame, clipscopeAdmin];

/** The JSON Discord stores for the commands (PUT /applications/{id}/commands). */
export function commandDefinitions(commands: readonly SlashCommand[] = COMMANDS): ReturnType<SlashCommand['data']['toJSON']>[] {
  return commands.map((command) => command.data.toJSON());
}
