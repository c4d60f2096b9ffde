import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', '.stack/', 'coverage/'] },
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
  // The console's layers (README "The console"): imports point one way, server → sources → answers, and the
  // console ships without the CLI, the local stack or the benches.
  ...consoleLayers(),
);

function consoleLayers() {
  const tools = {
    group: ['**/cli/*', '**/stack/*', '**/bench/*'],
    message: 'the console ships without them',
  };
  const server = {
    group: ['**/server/*', '**/server.js', '**/settings.js'],
    message: 'only the server reads requests and settings',
  };
  const sources = { group: ['**/sources/*'], message: 'answers are built from plain values, not read' };
  const sdk = {
    group: ['@google-cloud/*', 'kafkajs', 'node:*'],
    message: 'answers are pure: no SDK, no I/O',
  };
  const rule = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
  return [
    // settings.ts reads the local stack's defaults (its port, the repository root).
    { files: ['console/**/*.ts'], ignores: ['console/settings.ts'], rules: rule(tools) },
    { files: ['console/sources/**/*.ts', 'console/readModel/**/*.ts'], rules: rule(tools, server) },
    { files: ['console/answers/**/*.ts'], rules: rule(tools, server, sources, sdk) },
    {
      files: ['console/web/**/*.ts'],
      rules: rule({
        group: ['../*', '!../api', '../api/*', '!../api/contract.js'],
        message: 'the browser loads web/ alone',
      }),
    },
  ];
}
