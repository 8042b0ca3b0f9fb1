// Builds the dashboard's DOM from API answers. Every piece of data is set with textContent or as an attribute
// value through the DOM, never parsed as HTML, so a clip title like <img onerror=…> shows as text.
import { countOf, formatChange, formatCompact, formatDate, formatDecimal, formatInteger, safeUrl } from './format.js';

/** el('td', { className: 'num' }, 'text', childNode…) */
export function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null) continue;
    if (key === 'className') node.className = value;
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key.startsWith('aria-') || key === 'role' || key === 'scope') node.setAttribute(key, value);
    else node[key] = value;
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** data-state drives the CSS: loading, empty, error or ready. */
export function showState(container, state, message) {
  container.dataset.state = state;
  container.setAttribute('aria-busy', state === 'loading' ? 'true' : 'false');
  if (state === 'ready') return;
  const text = message || (state === 'loading' ? 'Loading…' : '');
  const existing = container.querySelector(':scope > .state');
  if (existing && container.classList.contains('chart-wrap')) {
    existing.textContent = text;
    return;
  }
  container.replaceChildren(el('p', { className: 'state' }, text));
}

export function renderOverview(container, overview, comparison) {
  const changes = comparison || {};
  const card = (label, value, change, title) =>
    el(
      'div',
      { className: 'card', title },
      el('span', { className: 'card-label' }, label),
      el('span', { className: 'card-value' }, value),
      change ? el('span', { className: `card-change ${changeClass(change)}`, title: changes.label }, formatChange(change)) : null,
    );
  // A name is text, not a figure: it gets a two-column card in body size with its count below, so a long game name
  // neither breaks mid-word nor makes every card of the row as tall as itself.
  const nameCard = (label, top) =>
    el(
      'div',
      { className: 'card name-card', title: top ? top.name : undefined },
      el('span', { className: 'card-label' }, label),
      el('span', { className: 'card-value' }, top ? top.name : '—'),
      top ? el('span', { className: 'card-note' }, countOf(top.clip_count, 'clip')) : null,
    );
  container.replaceChildren(
    card('Clips', formatCompact(overview.total_clips), changes.clips, formatInteger(overview.total_clips)),
    card('Views', formatCompact(overview.total_views), changes.views, formatInteger(overview.total_views)),
    card('Creators', formatCompact(overview.unique_creators), changes.unique_creators),
    card('Games', formatCompact(overview.unique_games), changes.unique_games),
    card('Discord shares', formatCompact(overview.discord_shares), changes.discord_shares),
    card('Reactions', formatCompact(overview.discord_reactions), changes.discord_reactions),
    nameCard('Top game', overview.top_game),
    nameCard('Top creator', overview.top_creator),
  );
  showState(container, 'ready');
}

function changeClass(change) {
  if (!change || change.change === 0) return 'flat';
  return change.change > 0 ? 'up' : 'down';
}

/**
 * A leaderboard table. columns: [{ key, label, value(row) -> text, numeric, sort }]; clicking a sortable header
 * calls onSort(sortKey). The current sort is marked with aria-sort.
 */
export function renderTable(container, { columns, rows, sort, onSort, emptyText, caption }) {
  if (rows.length === 0) {
    showState(container, 'empty', emptyText);
    return;
  }
  const head = el(
    'tr',
    {},
    ...columns.map((column) => {
      const active = column.sort && column.sort === sort;
      const th = el('th', {
        scope: 'col',
        className: column.numeric ? 'num' : '',
        'aria-sort': active ? 'descending' : column.sort ? 'none' : null,
      });
      if (column.sort) {
        th.append(
          el(
            'button',
            { type: 'button', className: 'sort', onclick: () => onSort(column.sort), title: `Sort by ${column.label}` },
            column.label,
            active ? ' ▼' : '',
          ),
        );
      } else {
        th.append(column.label);
      }
      return th;
    }),
  );
  const body = rows.map((row, index) =>
    el(
      'tr',
      {},
      ...columns.map((column) =>
        el('td', { className: column.numeric ? 'num' : '', dataset: { col: column.key } }, column.value(row, index)),
      ),
    ),
  );
  container.replaceChildren(
    el('table', {}, el('caption', { className: 'visually-hidden' }, caption), el('thead', {}, head), el('tbody', {}, ...body)),
  );
  showState(container, 'ready');
  markOverflow(container);
}

const watched = new WeakSet();

/** data-overflow says whether the table is wider than its panel (CSS then shows a scroll cue), kept up on resize. */
function markOverflow(container) {
  const update = () => {
    container.dataset.overflow = String(container.scrollWidth > container.clientWidth + 1);
  };
  update();
  if (!watched.has(container) && typeof ResizeObserver === 'function') {
    watched.add(container);
    new ResizeObserver(update).observe(container);
  }
}

export const creatorColumns = [
  { key: 'rank', label: '#', value: (_row, i) => String(i + 1), numeric: true },
  { key: 'creator_name', label: 'Creator', value: (row) => row.creator_name },
  { key: 'clip_count', label: 'Clips', value: (row) => formatInteger(row.clip_count), numeric: true, sort: 'clip_count' },
  { key: 'total_views', label: 'Views', value: (row) => formatInteger(row.total_views), numeric: true, sort: 'total_views' },
  { key: 'avg_views', label: 'Avg views', value: (row) => formatDecimal(row.avg_views), numeric: true, sort: 'avg_views' },
  { key: 'discord_shares', label: 'Shares', value: (row) => formatInteger(row.discord_shares), numeric: true, sort: 'discord_shares' },
  {
    key: 'discord_reactions',
    label: 'Reactions',
    value: (row) => formatInteger(row.discord_reactions),
    numeric: true,
    sort: 'discord_reactions',
  },
  { key: 'top_game', label: 'Top game', value: (row) => (row.top_game ? row.top_game.name : '—') },
];

export const gameColumns = [
  { key: 'rank', label: '#', value: (_row, i) => String(i + 1), numeric: true },
  { key: 'game_name', label: 'Game', value: (row) => row.game_name },
  { key: 'clip_count', label: 'Clips', value: (row) => formatInteger(row.clip_count), numeric: true, sort: 'clip_count' },
  { key: 'total_views', label: 'Views', value: (row) => formatInteger(row.total_views), numeric: true, sort: 'total_views' },
  { key: 'avg_view_count', label: 'Avg views', value: (row) => formatDecimal(row.avg_view_count), numeric: true, sort: 'avg_view_count' },
  { key: 'unique_creators', label: 'Creators', value: (row) => formatInteger(row.unique_creators), numeric: true },
  { key: 'discord_shares', label: 'Shares', value: (row) => formatInteger(row.discord_shares), numeric: true, sort: 'discord_shares' },
  {
    key: 'discord_reactions',
    label: 'Reactions',
    value: (row) => formatInteger(row.discord_reactions),
    numeric: true,
    sort: 'discord_reactions',
  },
];

/** The card's numbers; sorted by views per hour, that figure comes first (or says why there is none). */
function statsOf(clip, sort) {
  const velocity = clip.view_velocity !== null && clip.view_velocity !== undefined;
  const parts = [
    el('strong', {}, formatInteger(clip.view_count)),
    ` ${clip.view_count === 1 ? 'view' : 'views'} · `,
    el('strong', {}, formatInteger(clip.discord_shares)),
    ` ${clip.discord_shares === 1 ? 'share' : 'shares'} · `,
    el('strong', {}, formatInteger(clip.discord_reactions)),
    ` ${clip.discord_reactions === 1 ? 'reaction' : 'reactions'}`,
  ];
  if (sort === 'view_velocity')
    return velocity
      ? [el('strong', { className: 'velocity' }, `${formatDecimal(clip.view_velocity)} views/h`), ' · ', ...parts]
      : [el('span', { className: 'velocity muted' }, 'no view history yet'), ' · ', ...parts];
  return velocity ? [...parts, ` · ${formatDecimal(clip.view_velocity)} views/h`] : parts;
}

export function renderViralClips(container, answer, emptyText) {
  const note = container.parentElement && container.parentElement.querySelector('.sort-note');
  // Views per hour needs view history (views recorded each time Twitch is asked again); without any, say that the
  // order falls back to views instead of pretending to sort by it.
  const noHistory = answer.sort === 'view_velocity' && answer.clips.length > 0 && answer.clips.every((c) => c.view_velocity === null);
  if (note) {
    note.hidden = !noHistory;
    note.textContent = noHistory
      ? 'No clip in this period has view history yet (Twitch view counts recorded over time), so they are in order of views.'
      : '';
  }
  if (answer.clips.length === 0) {
    showState(container, 'empty', emptyText || 'No clips in this period yet.');
    return;
  }
  const sort = answer.sort;
  const items = answer.clips.map((clip) => {
    const url = safeUrl(clip.url);
    const thumb = safeUrl(clip.thumbnail_url);
    const title = clip.title || clip.clip_id;
    const placeholder = () => el('div', { className: 'thumb-placeholder', 'aria-hidden': 'true' }, '▶');
    let media = placeholder();
    if (thumb) {
      media = el('img', { src: thumb, alt: '', loading: 'lazy', referrerPolicy: 'no-referrer', width: 160, height: 90 });
      // A thumbnail Twitch no longer serves shows the placeholder instead of a broken image.
      media.addEventListener('error', (event) => event.target.replaceWith(placeholder()), { once: true });
    }
    const heading = url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, title) : el('span', {}, title);
    const reactions = Object.entries(clip.reaction_types || {})
      .slice(0, 6)
      .map(([emoji, count]) =>
        el('span', { className: 'emoji' }, `${emoji.includes(':') ? `:${emoji.split(':')[0]}:` : emoji} ${formatInteger(count)}`),
      );
    const meta = [
      clip.creator_name ? `by ${clip.creator_name}` : null,
      clip.game_name,
      clip.broadcaster_name ? `on ${clip.broadcaster_name}` : null,
    ]
      .filter(Boolean)
      .join(' · ');
    return el(
      'li',
      { className: 'clip' },
      media,
      el(
        'div',
        { className: 'clip-body' },
        el('h3', { className: 'clip-title' }, heading),
        el('p', { className: 'muted' }, meta),
        el('p', { className: 'clip-stats' }, ...statsOf(clip, sort)),
        reactions.length > 0 ? el('p', { className: 'reactions' }, ...reactions) : null,
        el(
          'p',
          { className: 'muted small' },
          // A clip found by the Twitch sync was never shared in Discord: no "first shared —".
          clip.first_shared_at
            ? `Created ${formatDate(clip.clip_created_at)} · first shared ${formatDate(clip.first_shared_at)}`
            : `Created ${formatDate(clip.clip_created_at)} · not shared in Discord`,
        ),
      ),
    );
  });
  container.replaceChildren(el('ol', { className: 'clip-list' }, ...items));
  showState(container, 'ready');
}

/** Three short lists: under-clipped games, most engaging creators, community favourites. */
export function renderGrowth(container, answer) {
  const list = (title, hint, items, describe) =>
    el(
      'div',
      { className: 'growth-list' },
      el('h3', {}, title),
      el('p', { className: 'muted small' }, hint),
      items.length === 0
        ? el('p', { className: 'state' }, 'Nothing stands out yet.')
        : el('ol', {}, ...items.map((item) => el('li', {}, ...describe(item)))),
    );
  const games = answer.underclipped_games || [];
  const creators = answer.engaging_creators || [];
  const favourites = answer.community_favourites || [];
  if (games.length + creators.length + favourites.length === 0) {
    showState(container, 'empty', 'Not enough activity in this period to suggest anything yet.');
    return;
  }
  container.replaceChildren(
    list('Under-clipped games', 'Few clips, many views per clip: worth clipping more.', games, (g) => [
      el('strong', {}, g.game_name),
      ` · ${countOf(g.clip_count, 'clip')} · ${formatDecimal(g.avg_view_count)} avg views`,
    ]),
    // Ranked by (shares + reactions) per clip: show exactly that figure, and what it is made of.
    list('Most engaging creators', 'Ranked by Discord shares + reactions per clip.', creators, (c) => [
      el('strong', {}, c.creator_name),
      ' · ',
      el('span', { className: 'engagement' }, `${formatDecimal((c.discord_shares + c.discord_reactions) / c.clip_count)} per clip`),
      ` (${countOf(c.discord_shares, 'share')} + ${countOf(c.discord_reactions, 'reaction')} on ${countOf(c.clip_count, 'clip')})`,
    ]),
    list('Community favourites', 'Many reactions for their views.', favourites, (clip) => {
      const url = safeUrl(clip.url);
      const title = clip.title || clip.clip_id;
      return [
        url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, title) : el('strong', {}, title),
        ` · ${countOf(clip.discord_reactions, 'reaction')}, ${countOf(clip.view_count, 'view')}`,
      ];
    }),
  );
  showState(container, 'ready');
}

const ROLE_ACTIONS = { added: 'got the role', removed: 'lost the role', left: 'had left (role record dropped)' };

/** A date and time in the viewer's locale, or '—'. */
function formatDateTime(iso) {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? '—' : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

/**
 * Clipper roles (docs/roles.md): the rules, when they were last applied, and the changes newest first. `older` is
 * the answer's changes from earlier pages (the "Older changes" button appends them); `onOlder` loads the next page.
 */
export function renderRoleChanges(container, answer, { older = [], onOlder } = {}) {
  const rules = answer.rules || [];
  const changes = [...older, ...(answer.changes || [])];
  if (rules.length === 0 && changes.length === 0) {
    showState(
      container,
      'empty',
      'No clipper roles on this server. An admin adds one with /clipscope-admin roles add, previews it and enables it.',
    );
    return;
  }
  const run = answer.last_run;
  const enabled = rules.filter((r) => r.state === 'enabled').length;
  const runText =
    enabled === 0
      ? 'No rule is enabled, so no role is given or taken.'
      : run && run.finished_at
        ? `Roles last applied ${formatDateTime(run.finished_at)}${run.failed ? ' (that run failed; the next one tries again)' : ''}.`
        : 'Roles have not been applied yet: they are applied after each aggregation.';
  const ruleItems = rules.map((r) =>
    el(
      'li',
      { dataset: { role: r.role_id } },
      el('strong', {}, `Role ${r.role_id}`),
      ` · ${r.description} · `,
      el('span', { className: `rule-${r.state}` }, r.state === 'enabled' ? 'enabled' : 'pending: preview it, then enable it'),
    ),
  );
  const rows = changes.map((c) =>
    el(
      'tr',
      { dataset: { action: c.action } },
      el('td', {}, formatDateTime(c.changed_at)),
      el('td', {}, `Member ${c.user_id}`),
      el('td', {}, ROLE_ACTIONS[c.action] || c.action),
      el('td', {}, `Role ${c.role_id}`),
      el('td', {}, c.rule),
    ),
  );
  container.replaceChildren(
    el('p', { className: 'muted small roles-run' }, runText),
    rules.length > 0 ? el('ul', { className: 'role-rules' }, ...ruleItems) : el('p', { className: 'state' }, 'No rule now.'),
    changes.length === 0
      ? el('p', { className: 'state roles-none' }, 'No role given or taken yet.')
      : el(
          'table',
          { className: 'role-changes' },
          el('caption', { className: 'visually-hidden' }, 'Role changes, newest first'),
          el('thead', {}, el('tr', {}, ...['When', 'Member', 'Change', 'Role', 'Rule'].map((h) => el('th', { scope: 'col' }, h)))),
          el('tbody', {}, ...rows),
        ),
    answer.next_cursor && onOlder
      ? el('button', { type: 'button', className: 'roles-older', onclick: () => onOlder(answer.next_cursor, changes) }, 'Older changes')
      : null,
  );
  showState(container, 'ready');
}
