// The mood overrides of the settings panel: what each overridden emoji means in this server, a Reset per override,
// and a form to set one. The server applies the same rules as /clipscope-admin moods and answers with the new list.
import { ApiError, send } from './api.js';
import { el } from './render.js';

const $ = (id) => document.getElementById(id);
let guildId = null;
let failed = () => {};

const path = () => `/dashboard/api/settings/moods?guild=${encodeURIComponent(guildId)}`;

function showError(message) {
  $('mood-settings-error').hidden = !message;
  $('mood-settings-error').textContent = message || '';
}

function render(answer) {
  const select = $('mood-setting-mood');
  if (select.options.length === 0) select.replaceChildren(...answer.moods.map((m) => el('option', { value: m }, m)));
  $('mood-overrides').replaceChildren(
    ...(answer.overrides.length === 0
      ? [el('li', { className: 'muted' }, 'No override: every emoji counts as the default table says.')]
      : answer.overrides.map((o) =>
          el(
            'li',
            { dataset: { emoji: o.emoji } },
            el('span', { className: 'mood-override-text' }, `${o.emoji} → ${o.mood} (default: ${o.defaultMood})`),
            ' ',
            el('button', { type: 'button', className: 'mood-reset', dataset: { emoji: o.emoji } }, 'Reset'),
          ),
        )),
  );
  $('mood-settings').dataset.state = 'ready';
}

/** Sends one change; a lost session or access goes to the dashboard's handler, anything else shows here. */
async function change(method, body, done) {
  showError('');
  $('mood-settings').dataset.state = 'saving';
  try {
    render(await send(method, path(), body));
    $('mood-settings-status').textContent = done;
  } catch (error) {
    $('mood-settings').dataset.state = 'ready';
    $('mood-settings-status').textContent = '';
    if (error instanceof ApiError && (error.status === 401 || (error.status === 403 && error.code !== 'csrf_token_invalid'))) failed(error);
    else showError(error instanceof Error ? error.message : 'The mood override could not be saved.');
  }
}

export async function loadMoodSettings(guild, onFailure) {
  guildId = guild;
  failed = onFailure;
  $('mood-settings').dataset.state = 'loading';
  $('mood-settings-status').textContent = '';
  showError('');
  try {
    render(await send('GET', path()));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) onFailure(error);
    else showError(error instanceof Error ? error.message : 'The mood overrides could not be loaded.');
  }
}

export function hideMoodSettings() {
  guildId = null;
}

export function wireMoodSettings() {
  $('mood-settings-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!guildId) return;
    const emoji = $('mood-setting-emoji').value;
    const mood = $('mood-setting-mood').value;
    await change('PUT', { emoji, mood }, 'Saved. Mood answers use it at once.');
    if ($('mood-settings-error').hidden) $('mood-setting-emoji').value = '';
  });
  $('mood-overrides').addEventListener('click', async (event) => {
    const button = event.target.closest('button.mood-reset');
    if (!button || !guildId) return;
    await change('DELETE', { emoji: button.dataset.emoji }, 'Reset to the default.');
  });
}
