/**
 * The rules of the house (ARCHITECTURE.md), checked by `npm run check:layers` in `npm test`:
 * imports flow downward through the layers below, and cross from one folder of src/ to another
 * only through that folder's index.ts (its public face) or its constants.ts (its light face: plain
 * values and types, importing nothing, for command definitions to show in --help). Command
 * definitions in src/cli load everything else only when their command runs (decision 0015).
 */
const LAYERS = [
  ['core'],
  ['store'],
  ['geo'],
  ['intake'],
  ['reference'],
  ['profiling', 'segmentation', 'location', 'targeting', 'maps', 'lookup', 'linkage', 'channels', 'journeys', 'vulnerability', 'propensity'],
  ['outputs', 'demo'],
  ['server', 'cli'],
];

const folders = (layers) => `^src/(${layers.flat().join('|')})/`;

const downward = LAYERS.slice(0, -1).map((layer, i) => ({
  name: `downward-from-${layer.join('-')}`,
  comment: `${layer.join(', ')} may not import from a layer above it (${LAYERS.slice(i + 1).flat().join(', ')}).`,
  severity: 'error',
  from: { path: folders([layer]) },
  to: { path: folders(LAYERS.slice(i + 1)) },
}));

module.exports = {
  forbidden: [
    ...downward,
    {
      name: 'through-index',
      comment: 'A folder of src/ is reached from another folder only through its index.ts (or its constants.ts).',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/', pathNot: ['^src/$1/', '^src/[^/]+/(index|constants)\\.ts$'] },
    },
    {
      name: 'constants-import-nothing',
      comment: "A folder's constants.ts is its light face: it imports nothing, so importing it loads nothing else.",
      severity: 'error',
      from: { path: '^src/[^/]+/constants\\.ts$' },
      to: {},
    },
    {
      name: 'cli-definitions-stay-light',
      comment:
        'Command definitions (src/cli/*.ts) are loaded for every command, even --help: they may use core and constants.ts, types, and other definitions; everything else, their actions included, is imported by the action when it runs (lazy in io.ts).',
      severity: 'error',
      from: { path: '^src/cli/[^/]+\\.ts$' },
      to: {
        path: '^src/',
        pathNot: ['^src/cli/[^/]+\\.ts$', '^src/core/', '^src/[^/]+/constants\\.ts$'],
        dependencyTypesNot: ['dynamic-import', 'type-only'],
      },
    },
    {
      name: 'cli-definitions-light-packages',
      comment: 'Command definitions (src/cli/*.ts) import no package but commander; actions load what they need.',
      severity: 'error',
      from: { path: '^src/cli/[^/]+\\.ts$' },
      to: { dependencyTypes: ['npm', 'npm-dev', 'npm-optional', 'npm-peer', 'npm-no-pkg', 'npm-unknown'], pathNot: '(^|/)node_modules/commander/', dependencyTypesNot: ['type-only', 'dynamic-import'] },
    },
    {
      name: 'routes-not-app',
      comment: 'Routes are registered by app.ts, so they take what they share from server/http.ts, never app.ts (no cycle).',
      severity: 'error',
      from: { path: '^src/server/routes/' },
      to: { path: '^src/server/app\\.ts$' },
    },
    {
      name: 'same-layer-capabilities-no-cycle',
      comment: 'Two folders may not import each other.',
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: { path: '^src/', pathNot: '^src/$1/', circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|test|bench)' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.mjs'] },
  },
};
