// A server's emoji → mood overrides from the browser, for its managers: GET, PUT (set one) and DELETE (reset one)
// /dashboard/api/settings/moods?guild=<id>. The same mood admin service and input rules as /clipscope-admin moods; a
// change needs the CSRF token and a fresh check that the person still manages the server.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { moodResetInput, moodSetInput, type MoodAdmin, type MoodOverrideResult } from '../../analytics/mood-overrides';
import { MAX_MOOD_EMOJI_LENGTH, MAX_MOOD_OVERRIDES, MOODS } from '../../analytics/moods-table';
import { HttpError } from '../errors';
import { requireManager, type SettingsRouteDeps } from './settings';

export const MOOD_SETTINGS_PATH = '/dashboard/api/settings/moods';

export interface MoodSettingsRouteDeps extends Pick<SettingsRouteDeps, 'authenticate' | 'csrfFailure' | 'access' | 'clock'> {
  moods: MoodAdmin;
}

const invalid = (field: string, message: string): HttpError => new HttpError(400, 'invalid_setting', message, { field });

/** The body, parsed by the slash command's own schema; a 400 naming the field otherwise. */
function parseBody<S extends z.ZodType>(request: FastifyRequest, schema: S): z.output<S> {
  if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) {
    throw new HttpError(415, 'unsupported_media_type', 'Send the override as JSON (Content-Type: application/json).');
  }
  const parsed = schema.safeParse(request.body ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue?.path.map(String).join('.') || '(body)';
  const rule =
    issue?.code === 'unrecognized_keys'
      ? `expected no such field (${issue.keys.join(', ')})`
      : field === 'mood'
        ? `expected one of ${MOODS.join(', ')}`
        : (issue?.message ?? 'expected a valid value');
  throw invalid(field, `${field}: ${rule}`);
}

/** A change the service refused, as the dashboard shows it. */
function refusal(result: Extract<MoodOverrideResult, { ok: false }>): HttpError {
  switch (result.reason) {
    case 'empty':
      return invalid('emoji', 'emoji: expected a unicode emoji, a custom emoji or its name');
    case 'too_long':
      return invalid('emoji', `emoji: expected at most ${MAX_MOOD_EMOJI_LENGTH} characters`);
    case 'too_many':
      return new HttpError(409, 'too_many_overrides', `This server already has ${MAX_MOOD_OVERRIDES} mood overrides. Reset some first.`, {
        field: 'emoji',
      });
    case 'not_overridden':
      return new HttpError(404, 'not_overridden', `${result.emoji} has no override here; it already counts as its default mood.`, {
        field: 'emoji',
      });
  }
}

export function registerMoodSettingsRoutes(app: FastifyInstance, deps: MoodSettingsRouteDeps): void {
  const answer = async (guildId: string) => ({
    moods: MOODS,
    max: MAX_MOOD_OVERRIDES,
    overrides: (await deps.moods.list(guildId)).map((o) => ({ ...o, updatedAt: new Date(o.updatedAt).toISOString() })),
  });

  app.get(MOOD_SETTINGS_PATH, async (request, reply) => {
    const { guildId } = await requireManager(deps, request, reply, false);
    return reply.send(await answer(guildId));
  });

  app.put(MOOD_SETTINGS_PATH, async (request, reply) => {
    const { session, guildId } = await requireManager(deps, request, reply, true);
    const body = parseBody(request, moodSetInput);
    const result = await deps.moods.set(guildId, body.emoji, body.mood, session.user.id);
    if (!result.ok) throw refusal(result);
    return reply.send(await answer(guildId));
  });

  app.delete(MOOD_SETTINGS_PATH, async (request, reply) => {
    const { guildId } = await requireManager(deps, request, reply, true);
    const body = parseBody(request, moodResetInput);
    const result = await deps.moods.reset(guildId, body.emoji);
    if (!result.ok) throw refusal(result);
    return reply.send(await answer(guildId));
  });
}
