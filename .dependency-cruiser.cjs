/**
 * Layering of DESIGN.md "Layout": imports point inward, and no import cycles.
 *   cli, api → client / services → engine, observe, records, auth → store → domain
 * Run by `npm run lint`.
 */
const inner = {
  domain: ['store', 'engine', 'observe', 'records', 'auth', 'api', 'client', 'cli'],
  store: ['engine', 'observe', 'records', 'auth', 'api', 'client', 'cli'],
  records: ['engine', 'auth', 'api', 'client', 'cli'],
  engine: ['auth', 'api', 'client', 'cli'],
  observe: ['auth', 'api', 'client', 'cli'],
  auth: ['engine', 'api', 'client', 'cli'],
  api: ['client', 'cli'],
  client: ['store', 'engine', 'observe', 'records', 'auth', 'api', 'cli'],
};

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Import cycles make modules impossible to understand or test alone.',
      from: { path: '^src/' },
      to: { circular: true },
    },
    ...Object.entries(inner).map(([layer, outer]) => ({
      name: `${layer}-imports-inward-only`,
      severity: 'error',
      comment: `src/${layer} may not import from ${outer.map((o) => `src/${o}`).join(', ')} (DESIGN.md, Layout).`,
      from: { path: `^src/${layer}/` },
      to: { path: `^src/(${outer.join('|')})/` },
    })),
    {
      name: 'nothing-imports-the-surface',
      severity: 'error',
      comment: 'Nothing imports from cli (it is the outermost layer).',
      from: { path: '^src/(?!cli/)' },
      to: { path: '^src/cli/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
