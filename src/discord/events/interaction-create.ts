// interactionCreate: slash commands, autocomplete and buttons go to the router (src/discord/interactions.ts),
// which answers every one of them, errors included. Attached by the bot next to the capture listeners.
import { Events, type Client, type Interaction } from 'discord.js';
import type { Logger } from '../../logger';

export type InteractionHandler = (interaction: Interaction) => Promise<void>;

/** Attaches the handler; returns a function that detaches it. `accepting` gates it during shutdown. */
export function attachInteractionListener(
  client: Client,
  handler: InteractionHandler,
  accepting: () => boolean,
  logger: Logger,
): () => void {
  const listener = (interaction: Interaction): void => {
    if (!accepting()) return;
    handler(interaction).catch((error: unknown) =>
      logger.error({ err: error, interactionId: interaction.id }, 'interaction handling failed'),
    );
  };
  client.on(Events.InteractionCreate, listener);
  return () => client.off(Events.InteractionCreate, listener);
}
