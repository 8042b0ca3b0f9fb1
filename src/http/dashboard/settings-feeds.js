// The clip feeds part of the settings panel (docs/feed.md): list, add, edit, pause, resume and remove a server's
// feeds through /dashboard/api/settings/feeds, which applies the slash command's rules and says which field is wrong.
import { ApiError, send } from './api.js';
import { el } from './render.js';

const $ = (id) => document.getElementById(id);

let guildId = null;
let channels = [];
let roles = [];
/** The feed being edited, or null when the form adds one. */
let editing = null;
let onFailure = () => {};

const path = (suffix = '') => `/dashboard/api/settings/feeds${suffix}?guild=${encodeURIComponent(guildId)}`;
const channelName = (id) => `#${channels.find((c) => c.id === id)?.name ?? id}`;
const roleName = (id) => `@${roles.find((r) => r.id === id)?.name ?? id}`;

function showError(message) {
  $('feed-error').hidden = !message;
  $('feed-error').textContent = message || '';
}

function failed(error, fallback) {
  $('feed-status').textContent = '';
  if (error instanceof ApiError && (error.status === 401 || (error.status === 403 && error.code !== 'csrf_token_invalid')))
    onFailure(error);
  else showError(error instanceof Error ? error.message : fallback);
}

function describe(f) {
  const parts = [
    f.min_views > 0 ? `at least ${f.min_views} views` : null,
    f.games.length > 0 ? `games: ${f.games.join(', ')}` : null,
    f.exclude_games.length > 0 ? `not: ${f.exclude_games.join(', ')}` : null,
    f.creators_exclude.length > 0 ? `not clipped by: ${f.creators_exclude.join(', ')}` : null,
    f.max_per_hour > 0 ? `at most ${f.max_per_hour}/hour` : null,
    f.taking_off ? 'taking-off alerts' : null,
    f.mention_role ? `mentions ${roleName(f.mention_role)}` : null,
    f.post_member_shared ? null : 'not clips members shared first',
  ].filter(Boolean);
  const state = f.paused ? (f.pauseCause === 'permissions' ? `paused: ${f.pauseReason ?? ''}` : 'paused') : 'posting';
  return `#${f.id} ${f.twitch.name} → ${channelName(f.channelId)} · ${state}${parts.length > 0 ? ` · ${parts.join(' · ')}` : ''}`;
}

async function act(method, suffix, body) {
  showError('');
  try {
    await send(method, path(suffix), body);
    await refresh();
  } catch (error) {
    failed(error, 'The feed could not be changed.');
  }
}

function resetForm() {
  editing = null;
  $('feed-form-title').textContent = 'Add a feed';
  $('feed-save').textContent = 'Add feed';
  $('feed-cancel').hidden = true;
  $('feed-twitch').disabled = false;
  $('feed-twitch').value = '';
  $('feed-min-views').value = '0';
  $('feed-games').value = '';
  $('feed-exclude-games').value = '';
  $('feed-creators-exclude').value = '';
  $('feed-mention-role').value = '';
  $('feed-max-per-hour').value = '0';
  $('feed-taking-off').checked = true;
  $('feed-post-member-shared').checked = true;
}

function startEdit(f) {
  editing = f;
  $('feed-form-title').textContent = `Edit feed #${f.id}`;
  $('feed-save').textContent = 'Save feed';
  $('feed-cancel').hidden = false;
  $('feed-channel').value = f.channelId;
  $('feed-twitch').value = f.twitch.login;
  $('feed-twitch').disabled = true;
  $('feed-min-views').value = String(f.min_views);
  $('feed-games').value = f.games.join(', ');
  $('feed-exclude-games').value = f.exclude_games.join(', ');
  $('feed-creators-exclude').value = f.creators_exclude.join(', ');
  $('feed-mention-role').value = f.mention_role ?? '';
  $('feed-max-per-hour').value = String(f.max_per_hour);
  $('feed-taking-off').checked = f.taking_off;
  $('feed-post-member-shared').checked = f.post_member_shared;
}

function render(answer) {
  $('feeds-list').replaceChildren(
    ...(answer.feeds.length === 0
      ? [el('li', { className: 'muted' }, answer.available ? 'No clip feeds yet.' : 'Clip feeds need Twitch credentials.')]
      : answer.feeds.map((f) =>
          el(
            'li',
            { dataset: { feed: String(f.id) } },
            describe(f),
            ' ',
            el('button', { type: 'button', onclick: () => startEdit(f) }, 'Edit'),
            el(
              'button',
              { type: 'button', onclick: () => act('POST', `/${f.id}/${f.paused ? 'resume' : 'pause'}`) },
              f.paused ? 'Resume' : 'Pause',
            ),
            el('button', { type: 'button', onclick: () => act('DELETE', `/${f.id}`) }, 'Remove'),
          ),
        )),
  );
  $('feed-form').hidden = !answer.available;
  $('feeds').dataset.state = 'ready';
}

async function refresh() {
  render(await send('GET', path()));
}

/** The form as the API's options (the slash command's names); an edit sends only what changed. */
function collect() {
  const all = {
    channel: $('feed-channel').value,
    min_views: Number($('feed-min-views').value || 0),
    games: $('feed-games').value.trim() || 'none',
    exclude_games: $('feed-exclude-games').value.trim() || 'none',
    creators_exclude: $('feed-creators-exclude').value.trim() || 'none',
    max_per_hour: Number($('feed-max-per-hour').value || 0),
    taking_off: $('feed-taking-off').checked,
    post_member_shared: $('feed-post-member-shared').checked,
  };
  const role = $('feed-mention-role').value;
  if (!editing) return { ...all, ...(role ? { mention_role: role } : {}), twitch: $('feed-twitch').value.trim() };
  const f = editing;
  const before = {
    channel: f.channelId,
    min_views: f.min_views,
    games: f.games.join(', ') || 'none',
    exclude_games: f.exclude_games.join(', ') || 'none',
    creators_exclude: f.creators_exclude.join(', ') || 'none',
    max_per_hour: f.max_per_hour,
    taking_off: f.taking_off,
    post_member_shared: f.post_member_shared,
  };
  const changed = Object.fromEntries(Object.entries(all).filter(([k, v]) => before[k] !== v));
  // A role is set by its id; "No mention" clears it (the slash command's clear_mention).
  if (role !== (f.mention_role ?? '')) Object.assign(changed, role ? { mention_role: role } : { clear_mention: true });
  return changed;
}

/** Shows the server's feeds below its settings; `serverChannels` and `serverRoles` are the settings answer's. */
export async function loadFeeds(guild, serverChannels, serverRoles, failure) {
  guildId = guild;
  channels = serverChannels;
  roles = serverRoles;
  onFailure = failure;
  $('feeds').dataset.state = 'loading';
  $('feed-channel').replaceChildren(
    ...channels
      .filter((c) => c.kind === 'text')
      .map((c) => el('option', { value: c.id }, `#${c.name}${c.canPost ? '' : ' — Clipscope cannot post here'}`)),
  );
  $('feed-mention-role').replaceChildren(
    el('option', { value: '' }, 'No mention'),
    ...roles.map((r) => el('option', { value: r.id }, `@${r.name}`)),
  );
  resetForm();
  showError('');
  try {
    await refresh();
  } catch (error) {
    failed(error, 'The feeds could not be loaded.');
  }
}

export function wireFeeds() {
  $('feed-cancel').addEventListener('click', () => resetForm());
  $('feed-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!guildId) return;
    const body = collect();
    showError('');
    if (Object.keys(body).length === 0) {
      $('feed-status').textContent = 'Nothing to save.';
      return;
    }
    $('feed-save').disabled = true;
    $('feed-status').textContent = 'Saving…';
    try {
      await send(editing ? 'PATCH' : 'POST', path(editing ? `/${editing.id}` : ''), body);
      resetForm();
      await refresh();
      $('feed-status').textContent = 'Saved.';
    } catch (error) {
      failed(error, 'The feed could not be saved.');
    } finally {
      $('feed-save').disabled = false;
    }
  });
}
