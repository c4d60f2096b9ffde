import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * The layers and what each may import (docs/architecture.md); test/unit/architecture/layers.test.ts shows what
 * they refuse. An import is matched by its specifier, so a pattern names the top-level folders a file may not
 * reach: `(../)+cli/` from anywhere outside cli/. A file takes the rule of the last block it matches, so an
 * inner layer (shared/core, console/answers) comes after its folder's and repeats its patterns.
 */
const reaching = (...folders) => ({
  regex: `^(\\.\\./)+(${folders.join('|')})/`,
  message: `not from here: ${folders.join(', ')}`,
});
const pattern = (regex, message) => ({ regex, message });
const layer = (files, ...patterns) => ({
  files,
  rules: { 'no-restricted-imports': ['error', { patterns }] },
});

const TESTS = pattern('^(\\.\\./)+test/', 'only tests import test/');
const ABOVE_SHARED = reaching('functions', 'console', 'cli', 'stack', 'bench', 'test');
const NO_IO = pattern('^(@google-cloud/|kafkajs$|node:)', 'pure: no SDK, no I/O');
const CONSOLE = [reaching('functions', 'cli', 'stack', 'bench'), TESTS];
const NOT_THE_SERVER = pattern(
  '^\\.\\./(server/|server\\.js$)',
  "only the console's server reads requests and settings",
);

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', '.bench/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['bin/**/*.js'],
    languageOptions: { globals: { process: 'readonly' } },
  },
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  layer(['shared/**'], ABOVE_SHARED),
  layer(
    ['shared/core/**'],
    ABOVE_SHARED,
    pattern(
      '^\\.\\./(?!errors\\.js$)',
      'shared/core/ is the pure core: of the rest of shared/ it imports only errors.ts (the others import it)',
    ),
    NO_IO,
  ),
  // A folder inside the core (the suspicion score) reaches the rest of the core, and nothing more.
  layer(
    ['shared/core/*/**'],
    ABOVE_SHARED,
    pattern(
      '^\\.\\./\\.\\./(?!errors\\.js$)',
      'shared/core/ is the pure core: of the rest of shared/ it imports only errors.ts (the others import it)',
    ),
    NO_IO,
  ),
  layer(
    ['shared/pipeline/**'],
    ABOVE_SHARED,
    pattern(
      '^\\.\\./(?!(core/|errors\\.js$))',
      "shared/pipeline/ holds the pipeline's messages and ids, on the core: the stores and clients build on it",
    ),
  ),
  layer(
    ['shared/config/**'],
    ABOVE_SHARED,
    pattern(
      '^\\.\\./(?!(core/|pipeline/|errors\\.js$))',
      'settings are read before any client, store or logger exists: those take them',
    ),
  ),
  layer(
    ['shared/logging/**'],
    ABOVE_SHARED,
    pattern(
      '^\\.\\./(?!errors\\.js$)',
      'the logger is beneath everything that logs: it imports only errors.ts',
    ),
  ),
  layer(['functions/**'], reaching('console', 'cli', 'stack', 'bench'), TESTS),
  // The console: server/ (the edge) → sources/, readModel/ (I/O) → answers/ (pure); web/ is the browser's.
  layer(['console/**'], ...CONSOLE),
  layer(['console/sources/**', 'console/readModel/**'], ...CONSOLE, NOT_THE_SERVER),
  layer(
    ['console/answers/**'],
    ...CONSOLE,
    NOT_THE_SERVER,
    pattern('^\\.\\./sources/', 'answers are built from plain values, not read'),
    NO_IO,
  ),
  layer(
    ['console/web/**'],
    pattern('^\\.\\./(?!api/contract\\.js$)', 'the browser loads web/ alone, and the API contract'),
  ),
  layer(['stack/**'], reaching('functions', 'console', 'cli', 'bench'), TESTS),
  layer(['cli/**'], reaching('functions', 'console', 'bench'), TESTS),
  layer(
    ['bench/**'],
    reaching('functions', 'console'),
    pattern(
      '^(\\.\\./)+cli/(?!api\\.js$)',
      "benchmarks use the CLI through cli/api.ts, not its commands' internals",
    ),
    TESTS,
  ),
  // bench:console's run at the seed's scale starts the console's own code on a store computed in process.
  layer(
    ['bench/consoleScale*.ts'],
    reaching('functions'),
    pattern(
      '^(\\.\\./)+cli/(?!api\\.js$)',
      "benchmarks use the CLI through cli/api.ts, not its commands' internals",
    ),
    TESTS,
  ),
);
