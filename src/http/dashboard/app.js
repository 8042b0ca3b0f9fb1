// The dashboard: sign in with Discord (then pick one of your servers) or with an API token, load every panel for the
// chosen period, and refetch when the live stream says the guild's numbers changed.
import {
  ApiError,
  downloadCsv,
  followEvents,
  forgetToken,
  getJson,
  getSession,
  leaveSession,
  refreshServers,
  send,
  signOut,
  storedToken,
  storeToken,
  useSession,
} from './api.js';
import { renderHeatmap, renderMoods, renderStreamMoments, renderTimeline } from './charts.js';
import { updateReportButton, wireReportButton } from './report-button.js';
import { hideSettings, loadSettings, wireSettings } from './settings.js';
import {
  creatorColumns,
  el,
  gameColumns,
  renderGrowth,
  renderOverview,
  renderRoleChanges,
  renderTable,
  renderViralClips,
  showState,
} from './render.js';

const $ = (id) => document.getElementById(id);

const state = {
  period: 'week',
  /** '' (off), 'to_date' (the same elapsed span of the previous period) or 'whole'. */
  compare: '',
  creatorSort: 'clip_count',
  gameSort: 'clip_count',
  viralSort: 'view_count',
  timelineBucket: 'week',
  timelineDays: 365,
  /** 'activity' (clips, shares, reactions, views) or 'moods' (each bucket's reactions stacked by mood). */
  timelineShow: 'activity',
  timelineAnswer: null,
  peakMetric: 'clips',
  peakAnswer: null,
  /** The last /status answer: clips still waiting for Twitch, and whether this server looks them up. */
  status: null,
};

let stopEvents = null;
let loadGeneration = 0;
let refreshTimer = null;

/** How the person is signed in: 'token', or 'session' (Discord) with its servers and the chosen one. */
const auth = { mode: null, session: null, guild: null };

/** Shows one of the three screens: 'sign-in', 'picker' or 'dashboard'. */
function show(screen) {
  $('sign-in').hidden = screen !== 'sign-in';
  $('server-picker').hidden = screen !== 'picker';
  $('dashboard').hidden = screen !== 'dashboard';
  $('session').hidden = screen === 'sign-in';
  $('live').hidden = screen !== 'dashboard';
  $('current-server').hidden = !(auth.mode === 'session' && screen === 'dashboard');
  $('twitch-link').hidden = !(auth.mode === 'session' && screen !== 'sign-in');
}

/** The person's verified Twitch link (session only): linked where, or the button to link it. */
async function loadTwitchLink() {
  const back = auth.guild ? `/?guild=${auth.guild.id}` : '/';
  $('twitch-link-button').href = `/auth/discord/link-twitch?next=${encodeURIComponent(back)}`;
  $('twitch-link-error').hidden = true;
  try {
    renderTwitchLink(await send('GET', '/dashboard/api/twitch-link'));
  } catch (error) {
    $('twitch-link-error').hidden = false;
    $('twitch-link-error').textContent = error instanceof Error ? error.message : 'Could not read your Twitch link.';
  }
}

function renderTwitchLink(answer) {
  const linked = answer && answer.twitch;
  $('twitch-link-state').textContent = linked
    ? `Linked: ${linked.name} on Twitch (verified by Discord), in ${answer.guilds.length} of your servers with Clipscope.`
    : 'Link the Twitch account you clip with: your servers then show your Discord name beside your clips. Clipscope reads it from your Discord connections and keeps it only if Discord marks it verified.';
  $('twitch-link-button').textContent = linked ? 'Link again' : 'Link my Twitch account';
  $('twitch-unlink').hidden = !linked;
}

/** Stops the live stream and makes every answer still on its way stale (a new screen, a sign-out). */
function stopLive() {
  if (stopEvents) stopEvents();
  stopEvents = null;
  clearTimeout(refreshTimer);
  loadGeneration += 1;
}

function showSignIn(message) {
  clearRetries();
  stopLive();
  hideSettings();
  auth.mode = null;
  auth.session = null;
  auth.guild = null;
  leaveSession();
  show('sign-in');
  const error = $('sign-in-error');
  error.hidden = !message;
  error.textContent = message || '';
  if ($('token-sign-in').open) $('token-input').focus();
}

/** A picture for a person or a server: their image when Discord has one, else the first letter of the name. */
function avatar(url, name, large = false) {
  const className = large ? 'avatar large' : 'avatar';
  if (url)
    return el('img', { className, src: url, alt: '', width: large ? 40 : 24, height: large ? 40 : 24, referrerPolicy: 'no-referrer' });
  return el('span', { className, 'aria-hidden': 'true' }, (Array.from(name || '?')[0] || '?').toUpperCase());
}

function renderUser(user) {
  const chip = $('user');
  chip.hidden = !user;
  if (user) chip.replaceChildren(avatar(user.avatarUrl, user.name), el('span', {}, user.name));
}

/** The server picker of a session: one button per server it may open. */
function showPicker(message) {
  stopLive();
  hideSettings();
  auth.guild = null;
  useSession({ guild: null, csrfToken: auth.session.csrfToken });
  history.replaceState(null, '', '/');
  const guilds = auth.session.guilds;
  const list = $('server-list');
  list.replaceChildren(
    ...guilds.map((g) =>
      el(
        'li',
        {},
        el(
          'button',
          { type: 'button', dataset: { guild: g.id }, onclick: () => pickServer(g.id) },
          avatar(g.iconUrl, g.name, true),
          el(
            'span',
            {},
            el('span', { className: 'name' }, g.name),
            el('br'),
            el('span', { className: 'access' }, g.access === 'manage' ? 'Manager' : 'Viewer (read-only)'),
          ),
        ),
      ),
    ),
  );
  $('server-empty').hidden = guilds.length > 0;
  $('picker-message').hidden = !message;
  $('picker-message').textContent = message || '';
  show('picker');
}

function pickServer(guildId) {
  const guild = auth.session.guilds.find((g) => g.id === guildId);
  if (!guild) return showPicker('');
  auth.guild = guild;
  useSession({ guild: guild.id, csrfToken: auth.session.csrfToken });
  history.replaceState(null, '', `/?guild=${encodeURIComponent(guild.id)}`);
  $('current-server').replaceChildren(avatar(guild.iconUrl, guild.name), el('span', {}, guild.name));
  start();
  $('twitch-link-button').href = `/auth/discord/link-twitch?next=${encodeURIComponent(`/?guild=${guild.id}`)}`;
  if (guild.access === 'manage') {
    loadSettings(guild.id, {
      // A new timezone moves every period: the numbers are read again.
      onChanged: ({ timezoneChanged }) => timezoneChanged && loadAll(),
      onFailure: (error) => handleError(error, $('overview')),
    });
  } else hideSettings();
}

/** Enters the session Discord sign-in started: its person, and the server in the URL, the only one, or the picker. */
function enterSession(info) {
  auth.mode = 'session';
  auth.session = info;
  useSession({ guild: null, csrfToken: info.csrfToken });
  renderUser(info.user);
  const wanted = new URLSearchParams(location.search).get('guild');
  const guilds = info.guilds;
  if (wanted && guilds.some((g) => g.id === wanted)) pickServer(wanted);
  else if (guilds.length === 1) pickServer(guilds[0].id);
  else showPicker(wanted ? 'You cannot open that server’s dashboard. Pick one of yours.' : '');
  loadTwitchLink();
}

/** An answer that ends what this page may show: the token or session is gone, or the server was taken away. */
function endsAccess(error) {
  if (!(error instanceof ApiError)) return false;
  return error.status === 401 || (error.status === 403 && auth.mode === 'session' && error.code === 'guild_forbidden');
}

function handleError(error, container) {
  // An answer that arrives after sign-out belongs to no one.
  if (auth.mode === null) return;
  if (error instanceof ApiError && error.status === 401) {
    if (auth.mode === 'session') {
      showSignIn('Your session has ended (signed out, expired or idle). Sign in again.');
      return;
    }
    forgetToken();
    showSignIn('That token was not accepted (revoked or mistyped). Paste a valid token.');
    return;
  }
  if (error instanceof ApiError && error.status === 403 && auth.mode === 'session' && error.code === 'guild_forbidden') {
    lostServer();
    return;
  }
  if (error && error.name === 'AbortError') return;
  showState(container, 'error', error instanceof Error ? error.message : 'Something went wrong.');
}

/** The session lost the current server (a role removed): read the list again and go back to the picker. */
async function lostServer() {
  if (!auth.guild) return;
  const name = auth.guild.name;
  stopLive();
  loadGeneration += 1;
  try {
    const info = await getSession();
    if (!info.user) return showSignIn('Your session has ended. Sign in again.');
    auth.session = info;
  } catch {
    // Keep the list we had; the picker still works.
  }
  showPicker(`You no longer have access to ${name}’s dashboard.`);
}

const periodParams = () => ({ period: state.period });

// Panels heal: a failed panel retries on its own with backoff (1 s, 2 s, 4 s … 30 s) until it loads again. While
// the server cannot be reached one banner says so (not every panel), and the badge never says "Live" while any
// panel is failing.
const failing = new Map(); // panel id → { attempt, timer, unreachable }
let streamState = 'off';
const RETRY_MAX_MS = 30_000;

function updateHealth() {
  const unreachable = [...failing.values()].some((f) => f.unreachable);
  const banner = $('offline-banner');
  banner.hidden = !unreachable;
  banner.textContent = unreachable ? 'The server cannot be reached. The page keeps trying and refreshes by itself when it is back.' : '';
  const live = $('live');
  if (streamState === 'live' && failing.size > 0) {
    live.dataset.state = 'reconnecting';
    $('live-text').textContent = 'Catching up…';
  } else {
    live.dataset.state = streamState;
    $('live-text').textContent = streamState === 'live' ? 'Live' : streamState === 'reconnecting' ? 'Reconnecting…' : 'Offline';
  }
}

function clearRetries() {
  for (const entry of failing.values()) clearTimeout(entry.timer);
  failing.clear();
  updateHealth();
}

/** Runs one panel's load; a newer load (period switch) makes older answers irrelevant. A failure retries itself. */
async function panel(container, generation, load, render, { quiet = false } = {}) {
  if (!quiet) showState(container, 'loading');
  try {
    const answer = await load();
    if (generation !== loadGeneration) return;
    const entry = failing.get(container.id);
    if (entry) {
      clearTimeout(entry.timer);
      failing.delete(container.id);
      updateHealth();
    }
    render(answer);
  } catch (error) {
    if (generation !== loadGeneration) return;
    if (endsAccess(error)) return handleError(error, container);
    if (error && error.name === 'AbortError') return;
    const previous = failing.get(container.id);
    if (previous) clearTimeout(previous.timer);
    const attempt = previous ? previous.attempt + 1 : 0;
    const unreachable = error instanceof ApiError && error.status === 0;
    const delay = Math.min(1000 * 2 ** attempt, RETRY_MAX_MS);
    const timer = setTimeout(() => panel(container, generation, load, render, { quiet: true }), delay);
    failing.set(container.id, { attempt, timer, unreachable });
    const reason = unreachable ? 'Waiting for the server' : error instanceof Error ? error.message : 'Something went wrong.';
    showState(container, 'error', `${reason} · trying again in ${Math.round(delay / 1000)} s…`);
    updateHealth();
  }
}

/** One line about the clips shared in Discord that do not count yet, or '' when there are none. */
function waitingText(status) {
  if (!status) return '';
  const { pending, failed } = status.enrichment;
  const parts = [];
  if (pending > 0) {
    parts.push(
      status.twitch_enrichment.configured
        ? `${plural(pending, 'shared clip is', 'shared clips are')} still being looked up on Twitch; ${pending === 1 ? 'it counts' : 'they count'} as shares now and as clips once Twitch answers.`
        : `${plural(pending, 'clip', 'clips')} waiting for Twitch data: this server does not look clips up on Twitch. Set ${status.twitch_enrichment.enable_with.join(' and ')} to count them as clips (they already count as shares).`,
    );
  }
  if (failed > 0)
    parts.push(
      `${plural(failed, 'clip', 'clips')} could not be looked up on Twitch; an admin can retry with /clipscope-admin enrichment retry.`,
    );
  return parts.join(' ');
}

function plural(n, one, many) {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** An empty panel's text, true for the case it is shown in: clips may be shared but still waiting for Twitch. */
function emptyText(base) {
  const status = state.status;
  if (!status) return base;
  const waiting = status.enrichment.pending;
  if (waiting > 0) return `${base} ${plural(waiting, 'shared clip is', 'shared clips are')} still waiting for Twitch data (see above).`;
  if (!status.twitch_enrichment.configured)
    return `${base} Shared clips count here once this server looks them up on Twitch (${status.twitch_enrichment.enable_with.join(', ')}).`;
  return `${base} Clips appear here once someone shares a Twitch clip in Discord and Twitch describes it.`;
}

/** The header names the server the numbers are of (its id when the bot never saw its name). */
function showGuild(guild) {
  if (!guild) return;
  const name = guild.name || `Server ${guild.id}`;
  $('guild-name').hidden = false;
  // The server's icon beside its name when the bot has seen one (the name alone otherwise).
  $('guild-name').replaceChildren(...(guild.icon_url ? [avatar(guild.icon_url, name)] : []), el('span', {}, name));
  $('guild-name').title = `Discord server ${guild.id}`;
  document.title = `${name} · Clipscope`;
}

/** The status line; a failed status read keeps the last line (the panels say when the server is unreachable). */
async function loadStatus(generation) {
  try {
    const answer = await getJson('status');
    if (generation !== loadGeneration) return;
    state.status = answer;
    showGuild(answer.guild);
    const text = waitingText(answer);
    $('status-line').hidden = text === '';
    $('status-line').textContent = text;
  } catch (error) {
    if (endsAccess(error)) handleError(error, $('overview'));
  }
}

function loadOverview(generation, quiet) {
  const comparable = state.period !== 'all_time';
  return panel(
    $('overview'),
    generation,
    async () => {
      const [overview, comparison] = await Promise.all([
        getJson('overview', periodParams()),
        state.compare && comparable ? getJson('compare', { period: state.period, span: state.compare }) : Promise.resolve(null),
      ]);
      return { overview, comparison };
    },
    ({ overview, comparison }) => {
      $('period-label').textContent = overview.period && overview.period.label ? overview.period.label : '';
      // Says exactly what is set against what: "Dec 1–5 vs Nov 1–5", or two whole periods.
      $('compare-label').hidden = !comparison;
      $('compare-label').textContent = comparison ? `· ${comparison.label}` : '';
      renderOverview($('overview'), overview, comparison);
    },
    { quiet },
  );
}

/** The creator column with a linked member's Discord name beside the Twitch name. */
function creatorColumnsWith(linked) {
  if (linked.size === 0) return creatorColumns;
  return creatorColumns.map((column) =>
    column.key !== 'creator_name'
      ? column
      : {
          ...column,
          value: (row) => {
            const discord = linked.get(row.creator_id);
            return discord
              ? el('span', {}, row.creator_name, el('span', { className: 'linked' }, ` · ${discord} on Discord`))
              : row.creator_name;
          },
        },
  );
}

/** The guild's linked accounts by Twitch user id; an empty map when they cannot be read (the table still shows). */
async function linkedNames() {
  try {
    const answer = await getJson('linked-accounts');
    return new Map(answer.accounts.map((a) => [a.twitch_user_id, a.discord_name]));
  } catch {
    return new Map();
  }
}

function loadCreators(generation, quiet) {
  return panel(
    $('creators'),
    generation,
    async () => {
      const [answer, linked] = await Promise.all([
        getJson('top-creators', { ...periodParams(), sort: state.creatorSort, limit: 10 }),
        linkedNames(),
      ]);
      return { ...answer, linked };
    },
    (answer) =>
      renderTable($('creators'), {
        columns: creatorColumnsWith(answer.linked),
        rows: answer.creators,
        sort: answer.sort,
        caption: 'Top creators',
        emptyText: emptyText('No creators in this period yet.'),
        onSort: (sort) => {
          state.creatorSort = sort;
          loadCreators(loadGeneration);
        },
      }),
    { quiet },
  );
}

function loadGames(generation, quiet) {
  return panel(
    $('games'),
    generation,
    () => getJson('top-games', { ...periodParams(), sort: state.gameSort, limit: 10 }),
    (answer) =>
      renderTable($('games'), {
        columns: gameColumns,
        rows: answer.games,
        sort: answer.sort,
        caption: 'Top games',
        emptyText: emptyText('No games in this period yet.'),
        onSort: (sort) => {
          state.gameSort = sort;
          loadGames(loadGeneration);
        },
      }),
    { quiet },
  );
}

function loadTimeline(generation, quiet) {
  return panel(
    $('timeline'),
    generation,
    () => getJson('engagement-timeline', { period: state.timelineBucket, days: state.timelineDays }),
    (answer) => {
      state.timelineAnswer = answer;
      renderTimeline($('timeline'), $('timeline-chart'), answer, state.timelineShow);
    },
    { quiet },
  );
}

function loadPeak(generation, quiet) {
  return panel(
    $('peak'),
    generation,
    () => getJson('peak-times', periodParams()),
    (answer) => {
      state.peakAnswer = answer;
      renderHeatmap($('peak'), $('peak-summary'), answer, state.peakMetric);
    },
    { quiet },
  );
}

function loadStreams(generation, quiet) {
  return panel(
    $('streams'),
    generation,
    () => getJson('stream-moments', periodParams()),
    (answer) => renderStreamMoments($('streams'), $('streams-chart'), $('streams-summary'), answer),
    { quiet },
  );
}

function loadViral(generation, quiet) {
  return panel(
    $('viral'),
    generation,
    () => getJson('viral-clips', { ...periodParams(), sort: state.viralSort, limit: 12 }),
    (answer) => renderViralClips($('viral'), answer, emptyText('No clips in this period yet.')),
    { quiet },
  );
}

function loadMoods(generation, quiet) {
  return panel(
    $('moods'),
    generation,
    () => getJson('moods', { ...periodParams(), limit: 5 }),
    (answer) => renderMoods($('moods'), $('moods-chart'), answer),
    { quiet },
  );
}

function loadGrowth(generation, quiet) {
  return panel(
    $('growth'),
    generation,
    () => getJson('growth-opportunities', periodParams()),
    (answer) => renderGrowth($('growth'), answer),
    { quiet },
  );
}

const ROLE_CHANGES_PAGE = 25;

/** Clipper roles: rules and changes; "Older changes" appends the next page (a failed page says so on the button). */
function loadRoles(generation, quiet) {
  const container = $('roles');
  const show = (answer, older) =>
    renderRoleChanges(container, answer, {
      older,
      onOlder: async (cursor, shown) => {
        const button = container.querySelector('.roles-older');
        if (button) button.disabled = true;
        try {
          const next = await getJson('role-changes', { limit: ROLE_CHANGES_PAGE, cursor });
          if (generation === loadGeneration) show(next, shown);
        } catch (error) {
          if (endsAccess(error)) return handleError(error, container);
          if (button) {
            button.disabled = false;
            button.textContent = 'Older changes (could not load them; try again)';
          }
        }
      },
    });
  return panel(
    container,
    generation,
    () => getJson('role-changes', { limit: ROLE_CHANGES_PAGE }),
    (answer) => show(answer, []),
    {
      quiet,
    },
  );
}

/** Loads every panel; quiet keeps the current numbers on screen while refreshing (live updates). */
function loadAll(quiet = false) {
  loadGeneration += 1;
  // Older retries belong to the older generation; this load retries whatever fails again.
  for (const entry of failing.values()) clearTimeout(entry.timer);
  const generation = loadGeneration;
  document.querySelectorAll('#period-buttons button').forEach((button) => {
    button.setAttribute('aria-pressed', String(button.dataset.period === state.period));
  });
  updateReportButton($('report-pdf'), state.period);
  const compareSpan = $('compare-span');
  compareSpan.disabled = state.period === 'all_time';
  compareSpan.parentElement.title = compareSpan.disabled ? 'All time has no previous period to compare with' : '';
  const sameDays = compareSpan.querySelector('option[value=to_date]');
  sameDays.textContent = state.period === 'day' ? 'with yesterday up to this time' : 'with the same days of the previous period';
  // The status first (one small read): the panels' empty texts depend on it.
  return loadStatus(generation).then(() =>
    Promise.all([
      loadOverview(generation, quiet),
      loadCreators(generation, quiet),
      loadGames(generation, quiet),
      loadTimeline(generation, quiet),
      loadPeak(generation, quiet),
      loadStreams(generation, quiet),
      loadGrowth(generation, quiet),
      loadMoods(generation, quiet),
      loadViral(generation, quiet),
      loadRoles(generation, quiet),
    ]),
  );
}

function startLive() {
  if (stopEvents) stopEvents();
  let lastVersion = null;
  stopEvents = followEvents({
    onEvent(name, data) {
      if (!data || typeof data.version !== 'string') return;
      if (lastVersion !== null && data.version !== lastVersion) {
        // Coalesce bursts of changes into one refresh.
        clearTimeout(refreshTimer);
        refreshTimer = setTimeout(() => loadAll(true), 300);
      }
      lastVersion = data.version;
    },
    onState(live) {
      const reconnected = live === 'live' && streamState === 'reconnecting';
      streamState = live;
      updateHealth();
      // Back after a break (a server restart, a lost connection): every panel reloads, whatever the version says.
      if (reconnected) loadAll(true);
    },
    onUnauthorized(error) {
      if (auth.mode === 'session') {
        handleError(error, $('overview'));
        return;
      }
      forgetToken();
      showSignIn('That token was revoked. Paste a valid token.');
    },
  });
}

function start() {
  show('dashboard');
  loadAll();
  startLive();
}

function wire() {
  $('sign-in-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    storeToken(token);
    try {
      await getJson('overview', { period: 'all_time' });
    } catch (error) {
      forgetToken();
      const message =
        error instanceof ApiError && error.status === 401
          ? 'That token was not accepted (revoked or mistyped).'
          : error instanceof Error
            ? error.message
            : 'Sign-in failed.';
      showSignIn(message);
      return;
    }
    $('token-input').value = '';
    $('sign-in-error').hidden = true;
    auth.mode = 'token';
    renderUser(null);
    hideSettings();
    start();
  });
  $('sign-out').addEventListener('click', async () => {
    if (auth.mode === 'session') {
      try {
        await signOut();
      } catch (error) {
        // A session that already ended is signed out anyway; anything else is shown, and the person stays.
        if (!(error instanceof ApiError && error.status === 401)) {
          $('global-error').hidden = false;
          $('global-error').textContent = `Sign-out failed: ${error instanceof Error ? error.message : 'unknown error'}`;
          return;
        }
      }
      history.replaceState(null, '', '/');
      showSignIn('You are signed out.');
      return;
    }
    forgetToken();
    showSignIn('');
  });
  $('current-server').addEventListener('click', () => showPicker(''));
  $('twitch-unlink').addEventListener('click', async () => {
    try {
      renderTwitchLink(await send('DELETE', '/dashboard/api/twitch-link'));
      if (auth.guild) loadCreators(loadGeneration, true);
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) showSignIn('Your session has ended. Sign in again.');
      else {
        $('twitch-link-error').hidden = false;
        $('twitch-link-error').textContent = error instanceof Error ? error.message : 'Could not unlink.';
      }
    }
  });
  $('refresh-servers').addEventListener('click', async () => {
    const button = $('refresh-servers');
    button.disabled = true;
    try {
      enterSessionList(await refreshServers());
    } catch (error) {
      if (error instanceof ApiError && error.status === 401) showSignIn('Your session has ended. Sign in again.');
      else {
        $('picker-message').hidden = false;
        $('picker-message').textContent = error instanceof Error ? error.message : 'Could not read your servers.';
      }
    } finally {
      button.disabled = false;
    }
  });
  document.querySelectorAll('#period-buttons button').forEach((button) => {
    button.addEventListener('click', () => {
      state.period = button.dataset.period;
      loadAll();
    });
  });
  $('compare-span').addEventListener('change', (event) => {
    state.compare = event.target.value;
    loadOverview(loadGeneration);
  });
  $('timeline-bucket').addEventListener('change', (event) => {
    state.timelineBucket = event.target.value;
    loadTimeline(loadGeneration);
  });
  $('timeline-days').addEventListener('change', (event) => {
    state.timelineDays = Number(event.target.value);
    loadTimeline(loadGeneration);
  });
  $('timeline-show').addEventListener('change', (event) => {
    state.timelineShow = event.target.value;
    // The answer on screen already carries each bucket's moods: no new request.
    if (state.timelineAnswer) renderTimeline($('timeline'), $('timeline-chart'), state.timelineAnswer, state.timelineShow);
  });
  $('peak-metric').addEventListener('change', (event) => {
    state.peakMetric = event.target.value;
    if (state.peakAnswer) renderHeatmap($('peak'), $('peak-summary'), state.peakAnswer, state.peakMetric);
  });
  $('viral-sort').addEventListener('change', (event) => {
    state.viralSort = event.target.value;
    loadViral(loadGeneration);
  });
  wireReportButton($('report-pdf'), {
    period: () => state.period,
    onError: (error) => {
      if (endsAccess(error)) handleError(error, $('overview'));
      else {
        $('global-error').hidden = false;
        $('global-error').textContent = `Report download failed: ${error instanceof Error ? error.message : 'unknown error'}`;
      }
    },
  });
  document.querySelectorAll('button.csv').forEach((button) => {
    button.addEventListener('click', async () => {
      const report = button.dataset.report;
      const params =
        report === 'timeline'
          ? { report, period: state.timelineBucket, days: state.timelineDays }
          : {
              report,
              period: state.period,
              limit: 100,
              sort: report === 'top-creators' ? state.creatorSort : report === 'top-games' ? state.gameSort : state.viralSort,
            };
      button.disabled = true;
      try {
        await downloadCsv(params);
      } catch (error) {
        if (endsAccess(error)) handleError(error, $('overview'));
        else {
          $('global-error').hidden = false;
          $('global-error').textContent = `CSV download failed: ${error instanceof Error ? error.message : 'unknown error'}`;
        }
      } finally {
        button.disabled = false;
      }
    });
  });
}

/** A fresh server list (after Refresh): back to the picker with it. */
function enterSessionList(info) {
  auth.session = info;
  showPicker('');
}

async function boot() {
  wire();
  wireSettings((error) => handleError(error, $('overview')));
  let info = null;
  try {
    info = await getSession();
  } catch {
    // The server cannot say: offer what works without it.
  }
  const discord = Boolean(info && info.signIn && info.signIn.enabled);
  $('discord-sign-in').hidden = !discord;
  // With Discord sign-in offered, the token form is folded below it.
  $('token-sign-in').open = !discord;
  if (info && info.user) enterSession(info);
  else if (storedToken()) {
    auth.mode = 'token';
    start();
  } else showSignIn('');
}

boot();
