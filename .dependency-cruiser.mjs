import { existsSync } from 'node:fs';

/**
 * The architecture rules (issue 10, item 8), checked by `npm run lint`:
 *   npx depcruise --config .dependency-cruiser.mjs shared/src server/src widget/src operator-console/src scripts test
 * Paths are relative to the repository root. Type-only imports count too
 * (`tsPreCompilationDeps`): a type import still couples one room to another's insides.
 */

/** Server folders that are features: they meet each other only through their `index.ts`. */
const FEATURES = [
  'conversations',
  'routing',
  'presence',
  'messages',
  'supervision',
  'assessment',
  'blocks',
  'audit',
  'canned',
  'reports',
  'operators',
  'auth',
  'stats',
  'static',
  'health',
  'metrics',
];

/**
 * A feature folder with an `index.ts` is reached from outside only through it; the rule
 * applies to a folder as soon as its index exists. Without one today: canned, reports,
 * operators, auth, stats, static, health, metrics.
 */
const WITH_INDEX = FEATURES.filter((f) => existsSync(new URL(`server/src/${f}/index.ts`, import.meta.url)));

const features = `(${WITH_INDEX.join('|')})`;
const insides = `^server/src/${features}/`;
const index = `^server/src/${features}/index\\.ts$`;
/** A server folder's own files, where `from` captured the folder as group 1. */
const ownFolder = '^server/src/$1/';

/**
 * Who may import which insides of a feature, besides its own files and its index. The
 * first entry whose `from` matches a file applies to it; the last one is everyone else.
 * Group 1 of `from`, when it matches, is the server folder the file is in.
 */
const ACCESS = [
  {
    from: '^server/src/(?:app|worker)\\.ts$',
    may: [`^server/src/${features}/(plugin|workers-plugin|routes|jobs)\\.ts$`],
    why: 'Exception: the composition roots mount each feature; its Fastify plugin, routes and BullMQ jobs are what the app wires, not what features offer each other.',
  },
  {
    from: '^server/src/(routing)/(?:router|queue-view|waiters)\\.ts$',
    may: ['^server/src/conversations/store\\.ts$'],
    why: 'Exception: routing needs the conversation record and two pure helpers (firstName, senderOf). Through conversations/index.ts it would also load lifecycle.ts, which imports routing/index.ts: an import cycle. Moving the record and helpers out of the store would lift this.',
  },
  {
    from: '^test/integration/(?:routing-model|upgrade|privacy)\\.test\\.ts$',
    may: ['^server/src/routing/jobs\\.ts$'],
    why: 'Exception: these system tests run the routing sweep job by hand, as the worker does.',
  },
  ...['^server/src/([^/]+)/.+\\.test\\.ts$', '\\.test\\.ts$'].map((from) => ({
    from,
    may: [`^server/src/${features}/scripts\\.ts$`],
    why: "Exception: tests run a feature's Lua scripts directly (the header test reads every declaration; the routing invariants also run end.lua); the scripts are no feature's public surface.",
  })),
  ...['^server/src/([^/]+)/', ''].map((from) => ({
    from,
    may: [],
    why: 'A feature folder with an index.ts is imported from other folders only through it, type-only imports included.',
  })),
];

const featureRules = ACCESS.map((entry, i) => ({
  name: 'feature-through-index',
  severity: 'error',
  comment: entry.why,
  from: { ...(entry.from ? { path: entry.from } : {}), pathNot: ACCESS.slice(0, i).map((e) => e.from) },
  to: { path: insides, pathNot: [index, ownFolder, ...entry.may] },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make load order matter and rooms impossible to read alone (was madge).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'loader-not-to-app',
      severity: 'error',
      comment:
        'The loader runs in the host page and must stay a few kB: it never imports the chat app (widget/src/app). What both need lives in widget/src/common. Vite globs, which this tool does not see, are held by widget/src/loader/boundary.test.ts.',
      from: { path: '^widget/src/loader/' },
      to: { path: '^widget/src/app/' },
    },
    {
      name: 'shared-imports-nothing-of-ours',
      severity: 'error',
      comment:
        'shared/ is the contract both ends build on: it depends on no other workspace or folder of ours.',
      from: { path: '^shared/' },
      to: { path: '^(server|widget|operator-console|scripts|test)/' },
    },
    {
      name: 'ui-not-to-server',
      severity: 'error',
      comment:
        'The widget and the console talk to the server over the wire, typed by shared/, never by importing it.',
      from: { path: '^(widget|operator-console)/' },
      to: { path: '^server/' },
    },
    ...featureRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // The workspaces are used from source through the `source` export condition.
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['source', 'import', 'types', 'default'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
