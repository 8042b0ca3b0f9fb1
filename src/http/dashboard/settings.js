// The server settings panel, for managers signed in with Discord: timezone, weekly digest, capture channels and the
// dashboard viewer role. It sends only what changed; the server checks each change against what the bot can do
// (a digest channel it cannot post in is refused with the reason) and records who changed what.
import { ApiError, send } from './api.js';
import { el } from './render.js';
import { loadFeeds, wireFeeds } from './settings-feeds.js';
import { hideMoodSettings, loadMoodSettings, wireMoodSettings } from './settings-moods.js';

const $ = (id) => document.getElementById(id);
const WEEKDAYS = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday'];
const FIELD_NAMES = {
  timezone: 'timezone',
  digestChannelId: 'digest channel',
  digestWeekday: 'digest day',
  digestHour: 'digest hour',
  digestEnabled: 'digest on',
  captureChannelIds: 'capture channels',
  includeBots: 'bot links',
  dashboardViewerRoleId: 'viewer role',
};

let current = null;
let guildId = null;
let onSaved = () => {};

const path = () => `/dashboard/api/settings?guild=${encodeURIComponent(guildId)}`;

function option(value, text, selected, disabled = false) {
  return el('option', { value, selected, disabled }, text);
}

function channelLabel(channel) {
  return `${channel.category ? `${channel.category} › ` : ''}#${channel.name}`;
}

function describe(answer, field, value) {
  if (value === null || value === undefined) return 'none';
  if (field === 'digestChannelId' || field === 'captureChannelIds') {
    const names = (Array.isArray(value) ? value : [value]).map((id) => {
      const channel = answer.channels.find((c) => c.id === id);
      return channel ? `#${channel.name}` : id;
    });
    return names.length === 0 ? 'all channels' : names.join(', ');
  }
  if (field === 'dashboardViewerRoleId') return answer.roles.find((r) => r.id === value)?.name ?? value;
  if (field === 'digestWeekday') return WEEKDAYS[value - 1] ?? String(value);
  if (field === 'digestHour') return `${String(value).padStart(2, '0')}:00`;
  return String(value);
}

function render(answer) {
  current = answer;
  const s = answer.settings;
  const zones = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];
  if (!zones.includes(s.timezone)) zones.unshift(s.timezone);
  $('setting-timezone').replaceChildren(...zones.map((z) => option(z, z, z === s.timezone)));

  const text = answer.channels.filter((c) => c.kind === 'text');
  $('setting-digest-channel').replaceChildren(
    option('', 'No channel (not posted)', s.digest.channelId === null),
    ...text.map((c) => option(c.id, `${channelLabel(c)}${c.canPost ? '' : ' — Clipscope cannot post here'}`, c.id === s.digest.channelId)),
  );
  $('setting-digest-day').replaceChildren(...WEEKDAYS.map((d, i) => option(String(i + 1), d, i + 1 === s.digest.weekday)));
  $('setting-digest-hour').replaceChildren(
    ...Array.from({ length: 24 }, (_, h) => option(String(h), `${String(h).padStart(2, '0')}:00`, h === s.digest.hour)),
  );
  $('setting-digest-enabled').checked = s.digest.enabled;
  $('setting-digest-error').hidden = !s.digest.lastError;
  $('setting-digest-error').textContent = s.digest.lastError ? `Last attempt failed: ${s.digest.lastError}` : '';

  $('setting-capture-all').checked = s.capture.channelIds.length === 0;
  $('setting-capture-channels').replaceChildren(
    ...answer.channels.map((c) =>
      el(
        'label',
        {},
        el('input', { type: 'checkbox', value: c.id, checked: s.capture.channelIds.includes(c.id), dataset: { channel: c.id } }),
        `${channelLabel(c)}${c.canView ? '' : ' (Clipscope cannot see it)'}`,
      ),
    ),
  );
  $('setting-capture-channels').hidden = s.capture.channelIds.length === 0;
  $('setting-include-bots').checked = s.capture.includeBots;

  $('setting-viewer-role').replaceChildren(
    option('', 'Nobody (managers only)', s.viewerRoleId === null),
    ...answer.roles.map((r) => option(r.id, r.name, r.id === s.viewerRoleId)),
  );

  $('settings-changes').replaceChildren(
    ...(answer.recentChanges.length === 0
      ? [el('li', { className: 'muted' }, 'No change recorded yet.')]
      : answer.recentChanges.map((c) =>
          el(
            'li',
            {},
            `${new Date(c.changedAt).toLocaleString()}: ${FIELD_NAMES[c.field] ?? c.field} ${describe(answer, c.field, c.oldValue)} → ${describe(answer, c.field, c.newValue)}, by ${c.actorName} (${c.source === 'dashboard' ? 'dashboard' : '/clipscope-admin'})`,
          ),
        )),
  );
  $('settings-form').dataset.state = 'ready';
}

/** What the form says now, as a PATCH body of only the changed settings; null when nothing changed. */
function collect() {
  const s = current.settings;
  const patch = {};
  const timezone = $('setting-timezone').value;
  if (timezone !== s.timezone) patch.timezone = timezone;
  const digest = {};
  const channel = $('setting-digest-channel').value || null;
  if (channel !== s.digest.channelId) digest.channelId = channel;
  const day = Number($('setting-digest-day').value);
  if (day !== s.digest.weekday) digest.weekday = day;
  const hour = Number($('setting-digest-hour').value);
  if (hour !== s.digest.hour) digest.hour = hour;
  const enabled = $('setting-digest-enabled').checked;
  if (enabled !== s.digest.enabled) digest.enabled = enabled;
  if (Object.keys(digest).length > 0) patch.digest = digest;
  const capture = {};
  const ids = $('setting-capture-all').checked
    ? []
    : [...document.querySelectorAll('#setting-capture-channels input:checked')].map((input) => input.value);
  if (ids.join(',') !== s.capture.channelIds.join(',')) capture.channelIds = ids;
  const bots = $('setting-include-bots').checked;
  if (bots !== s.capture.includeBots) capture.includeBots = bots;
  if (Object.keys(capture).length > 0) patch.capture = capture;
  const role = $('setting-viewer-role').value || null;
  if (role !== s.viewerRoleId) patch.viewerRoleId = role;
  return Object.keys(patch).length > 0 ? patch : null;
}

function showError(message) {
  $('settings-error').hidden = !message;
  $('settings-error').textContent = message || '';
}

/** Loads the panel for a server the person manages; hides it for everyone else. */
export async function loadSettings(guild, { onChanged, onFailure }) {
  guildId = guild;
  onSaved = onChanged;
  $('settings').hidden = false;
  $('settings-form').dataset.state = 'loading';
  $('settings-status').textContent = '';
  showError('');
  try {
    render(await send('GET', path()));
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 403)) onFailure(error);
    else showError(error instanceof Error ? error.message : 'The settings could not be loaded.');
    return;
  }
  await loadFeeds(guild, current.channels, current.roles, onFailure);
  await loadMoodSettings(guild, onFailure);
}

export function hideSettings() {
  $('settings').hidden = true;
  current = null;
  guildId = null;
  hideMoodSettings();
}

export function wireSettings(onFailure) {
  wireFeeds();
  wireMoodSettings();
  $('setting-capture-all').addEventListener('change', (event) => {
    $('setting-capture-channels').hidden = event.target.checked;
  });
  $('settings-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!current) return;
    const patch = collect();
    showError('');
    if (!patch) {
      $('settings-status').textContent = 'Nothing to save.';
      return;
    }
    $('settings-save').disabled = true;
    $('settings-status').textContent = 'Saving…';
    try {
      const timezoneChanged = patch.timezone !== undefined;
      render(await send('PATCH', path(), patch));
      $('settings-status').textContent = 'Saved.';
      onSaved({ timezoneChanged });
    } catch (error) {
      $('settings-status').textContent = '';
      if (error instanceof ApiError && (error.status === 401 || (error.status === 403 && error.code !== 'csrf_token_invalid')))
        onFailure(error);
      else showError(error instanceof Error ? error.message : 'The settings could not be saved.');
    } finally {
      $('settings-save').disabled = false;
    }
  });
}
