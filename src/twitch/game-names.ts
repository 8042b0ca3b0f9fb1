// Game id → name through Get Games, up to 100 ids per call, remembered for a day so that a run over thousands
// of clips of the same few games asks Twitch once per game; concurrent batches share the calls in flight.
import type { Clock } from '../clock';
import { HELIX_MAX_IDS, type TwitchApi } from './client';

const NAME_TTL_MS = 24 * 3_600_000;

export interface GameNames {
  /** Names of the given game ids ('' is skipped); ids Twitch does not know map to null. Throws TwitchApiError. */
  resolve(ids: Iterable<string>): Promise<Map<string, string | null>>;
  /** A name learnt elsewhere (the game-name repair): remembered as if Get Games had just answered it. */
  learn(id: string, name: string): void;
}

export function createGameNames(twitch: TwitchApi, clock: Clock): GameNames {
  const known = new Map<string, { name: string | null; at: number }>();
  const inFlight = new Map<string, Promise<void>>();

  const fetchChunk = async (ids: string[]): Promise<void> => {
    const games = await twitch.getGamesByIds(ids);
    const at = clock.now();
    const byId = new Map(games.map((g) => [g.id, g.name]));
    for (const id of ids) known.set(id, { name: byId.get(id) ?? null, at });
  };

  return {
    learn(id, name) {
      known.set(id, { name, at: clock.now() });
    },
    async resolve(ids) {
      const wanted = [...new Set(ids)].filter((id) => id !== '');
      const now = clock.now();
      const waits: Promise<void>[] = [];
      const missing: string[] = [];
      for (const id of wanted) {
        const entry = known.get(id);
        if (entry && now - entry.at < NAME_TTL_MS) continue;
        const pending = inFlight.get(id);
        if (pending) waits.push(pending);
        else missing.push(id);
      }
      for (let i = 0; i < missing.length; i += HELIX_MAX_IDS) {
        const chunk = missing.slice(i, i + HELIX_MAX_IDS);
        const call = fetchChunk(chunk).finally(() => {
          for (const id of chunk) inFlight.delete(id);
        });
        for (const id of chunk) inFlight.set(id, call);
        waits.push(call);
      }
      await Promise.all(waits);
      const result = new Map<string, string | null>();
      for (const id of wanted) result.set(id, known.get(id)?.name ?? null);
      return result;
    },
  };
}
