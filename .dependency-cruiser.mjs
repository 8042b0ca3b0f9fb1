// The layering of issue #15, checked by dependency-cruiser (`npm run lint:deps`, part of `npm test`).
// Data flows one way: sources → capture & enrichment (writes) → storage (src/db) ← analytics (reads) ←
// presentation (src/discord, src/http, src/digest, src/cli); entry points wire it all together.
// Type-only imports count: a type dependency still couples two layers and still makes a cycle.

/** npm packages, matched on the resolved path (a type-only import resolves to the package's @types/ twin). */
const npm = (...names) => `(^|/)node_modules/(@types/)?(${names.join('|')})(/|$)`;

// src/digest computes the weekly numbers and claims each week exactly once through the digest store it is handed;
// src/discord renders and posts what it computed. Like presentation, it never holds a database handle.
const PRESENTATION = '^src/(discord|http|cli)/';
const CAPTURE_AND_ENRICHMENT = '^src/(capture|twitch|importers)/';
/** Entry points: processes start here, so they may wire every layer (and import src/app.ts). */
const ENTRY_POINTS = ['^src/main[.]ts$', '^src/cli/', '^src/demo/serve-demo[.]ts$', '^bench/'];
/** Composition roots inside presentation folders: they open the database for their thread. */
const COMPOSITION_ROOTS = [
  '^src/app[.]ts$',
  '^src/http/worker[.]ts$',
  '^src/http/read-worker[.]ts$',
  '^src/http/services[.]ts$',
  '^src/discord/admin-services[.]ts$',
];
/** Storage that presentation must reach through services, never directly. */
const STORAGE_INTERNALS = ['^src/db/client[.]ts$', '^src/db/stores/', '^src/db/analytics/', '^src/db/aggregation/'];
/**
 * The analytics read side: everything in src/analytics except the aggregation (it writes the summary tables and
 * may move under src/db/aggregation) and periods.ts (pure calendar arithmetic, a shared kernel of time).
 */
const ANALYTICS_READ_SIDE = '^src/analytics/(?!aggregat|periods[.]ts$)';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'A cycle makes two modules one unit: neither can be understood, tested or moved alone, and import order ' +
        'starts to matter. Move the shared piece (a type, a port) to where both sides can import it.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'only-entry-points-import-app',
      severity: 'error',
      comment:
        'src/app.ts wires every layer together; a module that imports it depends on everything and closes a cycle ' +
        'back to itself. Shared types (Service, route context) belong in the layer that uses them.',
      from: { pathNot: ['^src/app[.]ts$', ...ENTRY_POINTS] },
      to: { path: '^src/app[.]ts$' },
    },
    {
      name: 'sql-engine-only-in-db',
      severity: 'error',
      comment:
        'Every SQL statement lives behind the stores in src/db, so that a second engine (PostgreSQL) can implement ' +
        'the same contracts. Outside src/db nothing knows better-sqlite3 or drizzle.',
      from: { pathNot: '^src/db/' },
      to: { path: npm('better-sqlite3', 'drizzle-orm', 'drizzle-kit') },
    },
    {
      name: 'presentation-gets-services-not-storage',
      severity: 'error',
      comment:
        'Commands, HTTP routes and the digest receive services (the analytics service, the settings and digest ' +
        'stores, the capture service, admin services), never a database handle: they render answers, they do not ' +
        'run statements. They may name the types those services speak (GuildSettings, DigestStore) and classify ' +
        'storage errors, but import no function of src/db. Composition roots (src/app.ts, the HTTP worker, its read ' +
        'workers and its ' +
        'services factory, the admin services wiring) open the database or bind services to it; the CLI has its ' +
        'own rule below.',
      from: { path: [PRESENTATION, '^src/digest/', '^src/reports/'], pathNot: [...COMPOSITION_ROOTS, '^src/cli/'] },
      to: { path: '^src/db/', pathNot: '^src/db/storage-errors[.]ts$', dependencyTypesNot: ['type-only'] },
    },
    {
      name: 'presentation-never-holds-a-database-handle',
      severity: 'error',
      comment: 'Not even its type: a function of src/discord, src/http or src/digest that takes a Db is one that runs statements.',
      from: { path: [PRESENTATION, '^src/digest/', '^src/reports/'], pathNot: [...COMPOSITION_ROOTS, '^src/cli/'] },
      to: {
        path: ['^src/db/(database|client)[.]ts$', ...STORAGE_INTERNALS],
        pathNot: '^src/db/stores/(digests|reports|report-emails)[.]ts$',
      },
    },
    {
      name: 'cli-opens-databases-but-uses-services',
      severity: 'error',
      comment:
        'Each CLI command is a one-shot entry point: it may open and close a database (src/db/client.ts), then ' +
        'hands it to the services that do the work; it never reads or writes rows through a store itself.',
      from: { path: '^src/cli/' },
      to: { path: ['^src/db/stores/', '^src/db/analytics/', '^src/db/aggregation/'] },
    },
    {
      name: 'analytics-is-presentation-agnostic',
      severity: 'error',
      comment:
        'An analysis returns one plain object that the embed, the API and the CSV all render; it cannot know who ' +
        'renders it, so it imports neither discord.js nor fastify nor any presentation folder.',
      from: { path: '^src/analytics/' },
      to: { path: [npm('discord[.]js', '@discordjs/[^/]+', 'fastify'), '^src/(discord|http|digest|cli)/'] },
    },
    {
      name: 'capture-does-not-read-or-present',
      severity: 'error',
      comment:
        'Capture and enrichment write; reading analytics and presenting answers are later layers. An import the ' +
        'other way ties the write path to query or rendering changes.',
      from: { path: CAPTURE_AND_ENRICHMENT },
      to: { path: [ANALYTICS_READ_SIDE, '^src/http/', '^src/discord/commands/', '^src/digest/', '^src/cli/'] },
    },
    {
      name: 'capture-is-discord-agnostic',
      severity: 'error',
      comment:
        'src/capture records shares and reactions from plain snapshots, whether they come from the gateway or from ' +
        'an import file; the Discord adapter (src/discord) turns discord.js objects into those snapshots.',
      from: { path: '^src/capture/' },
      to: { path: npm('discord[.]js', '@discordjs/[^/]+') },
    },
    {
      name: 'db-depends-on-nothing-above',
      severity: 'error',
      comment:
        'Storage is the bottom layer: it may use the shared kernels (clock, logger, errors) and packages, never a ' +
        'layer above it, or the layers stop being layers.',
      from: { path: '^src/db/' },
      to: { path: '^src/', pathNot: ['^src/db/', '^src/clock[.]ts$', '^src/logger[.]ts$', '^src/errors([.]ts$|/)'] },
    },
    {
      name: 'digest-does-not-know-discord',
      severity: 'error',
      comment:
        'The digest computes the weekly data and decides when to send it; Discord renders and posts it. The ' +
        'digest talks to Discord only through the sender port it declares.',
      from: { path: '^src/digest/' },
      to: { path: '^src/discord/' },
    },
    {
      name: 'discord-reaches-digest-only-through-its-sender',
      severity: 'error',
      comment:
        'src/discord/digest-sender.ts (and rest/digest-sender.ts over REST) implements the digest port, embeds/digest.ts renders its data and /clipscope-admin ' +
        'digest shows and resets its state, so those three import src/digest; the rest of src/discord has no business with it.',
      from: {
        path: '^src/discord/',
        pathNot: '^src/discord/(digest-sender|rest/digest-sender|embeds/digest|commands/clipscope-admin/digest)[.]ts$',
      },
      to: { path: '^src/digest/' },
    },
    {
      name: 'feed-does-not-know-discord',
      severity: 'error',
      comment:
        'The clip feed polls Twitch and decides what to post and when (src/feed); Discord renders and posts it through ' +
        'the sender port the feed declares (src/discord/feed-sender.ts), as the digest does.',
      from: { path: '^src/feed/' },
      to: { path: ['^src/discord/', '^src/http/', npm('discord[.]js', '@discordjs/[^/]+')] },
    },
    {
      name: 'hall-of-fame-does-not-know-discord',
      severity: 'error',
      comment:
        'The hall of fame decides what to repost, edit and remove and when (src/hall-of-fame); Discord renders and posts ' +
        'it through the sender port it declares (src/discord/hall-of-fame-sender.ts), as the clip feed does.',
      from: { path: '^src/hall-of-fame/' },
      to: { path: ['^src/discord/', '^src/http/', npm('discord[.]js', '@discordjs/[^/]+')] },
    },
    {
      name: 'roles-do-not-know-discord',
      severity: 'error',
      comment:
        'Clipper roles decide who gains and loses a role and when (src/roles); Discord gives and takes it through the ' +
        'sender port they declare (src/discord/role-sender.ts), as the hall of fame does.',
      from: { path: '^src/roles/' },
      to: { path: ['^src/discord/', '^src/http/', npm('discord[.]js', '@discordjs/[^/]+')] },
    },
    {
      name: 'reports-render-without-discord-or-http',
      severity: 'error',
      comment:
        'src/reports collects a report through the analytics and renders it as a PDF or a CSV bundle; the CLI, the bot ' +
        'and the monthly delivery hand it out. It shares only the CSV cell rule with the API (src/http/csv.ts).',
      from: { path: '^src/reports/' },
      to: {
        path: ['^src/discord/', '^src/http/', '^src/cli/', npm('discord[.]js', '@discordjs/[^/]+', 'fastify')],
        pathNot: '^src/http/csv[.]ts$',
      },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment: 'An import that resolves to nothing is a typo or a missing dependency; fail here, not at run time.',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    // Type-only imports couple layers too (see the header).
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // moduleResolution Bundler: imports carry no extension; resolve the way TypeScript and tsx do.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'types', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.json', '.d.ts'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
    reporterOptions: {
      text: { highlightFocused: true },
    },
  },
};
