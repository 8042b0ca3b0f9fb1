// The dashboard: sign in with a token, load every panel for the chosen period, and refetch when the live
// stream says the guild's numbers changed.
import { ApiError, downloadCsv, followEvents, forgetToken, getJson, storedToken, storeToken } from './api.js';
import { renderHeatmap, renderTimeline } from './charts.js';
import { creatorColumns, gameColumns, renderGrowth, renderOverview, renderTable, renderViralClips, showState } from './render.js';

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
  peakMetric: 'clips',
  peakAnswer: null,
  /** The last /status answer: clips still waiting for Twitch, and whether this server looks them up. */
  status: null,
};

let stopEvents = null;
let loadGeneration = 0;
let refreshTimer = null;

function signedIn(yes) {
  $('sign-in').hidden = yes;
  $('dashboard').hidden = !yes;
  $('session').hidden = !yes;
}

function showSignIn(message) {
  clearRetries();
  if (stopEvents) stopEvents();
  stopEvents = null;
  signedIn(false);
  const error = $('sign-in-error');
  error.hidden = !message;
  error.textContent = message || '';
  $('token-input').focus();
}

function handleError(error, container) {
  if (error instanceof ApiError && error.status === 401) {
    forgetToken();
    showSignIn('That token was not accepted (revoked or mistyped). Paste a valid token.');
    return;
  }
  if (error && error.name === 'AbortError') return;
  showState(container, 'error', error instanceof Error ? error.message : 'Something went wrong.');
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
    if (error instanceof ApiError && error.status === 401) return handleError(error, container);
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
  $('guild-name').textContent = name;
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
    if (error instanceof ApiError && error.status === 401) handleError(error, $('overview'));
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

function loadCreators(generation, quiet) {
  return panel(
    $('creators'),
    generation,
    () => getJson('top-creators', { ...periodParams(), sort: state.creatorSort, limit: 10 }),
    (answer) =>
      renderTable($('creators'), {
        columns: creatorColumns,
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
    (answer) => renderTimeline($('timeline'), $('timeline-chart'), answer),
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

function loadViral(generation, quiet) {
  return panel(
    $('viral'),
    generation,
    () => getJson('viral-clips', { ...periodParams(), sort: state.viralSort, limit: 12 }),
    (answer) => renderViralClips($('viral'), answer, emptyText('No clips in this period yet.')),
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

/** Loads every panel; quiet keeps the current numbers on screen while refreshing (live updates). */
function loadAll(quiet = false) {
  loadGeneration += 1;
  // Older retries belong to the older generation; this load retries whatever fails again.
  for (const entry of failing.values()) clearTimeout(entry.timer);
  const generation = loadGeneration;
  document.querySelectorAll('#period-buttons button').forEach((button) => {
    button.setAttribute('aria-pressed', String(button.dataset.period === state.period));
  });
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
      loadGrowth(generation, quiet),
      loadViral(generation, quiet),
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
    onUnauthorized() {
      forgetToken();
      showSignIn('That token was revoked. Paste a valid token.');
    },
  });
}

function start() {
  signedIn(true);
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
    start();
  });
  $('sign-out').addEventListener('click', () => {
    forgetToken();
    showSignIn('');
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
  $('peak-metric').addEventListener('change', (event) => {
    state.peakMetric = event.target.value;
    if (state.peakAnswer) renderHeatmap($('peak'), $('peak-summary'), state.peakAnswer, state.peakMetric);
  });
  $('viral-sort').addEventListener('change', (event) => {
    state.viralSort = event.target.value;
    loadViral(loadGeneration);
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
        if (error instanceof ApiError && error.status === 401) handleError(error, $('overview'));
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

wire();
if (storedToken()) start();
else showSignIn('');
