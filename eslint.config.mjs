import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// The Node.js globals the plain JavaScript scripts use.
const nodeGlobals = Object.fromEntries(
  ['console', 'process', 'Buffer', 'URL', 'performance', 'structuredClone', 'setTimeout', 'clearTimeout',
    'setInterval', 'clearInterval', 'setImmediate'].map((name) => [name, 'readonly']),
);

export default tseslint.config(
  { ignores: ['dist/', 'build/', 'prebuilds/', 'node_modules/', 'test/fixtures/**/*.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: nodeGlobals },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // tsc checks names and globals in TypeScript files.
  { files: ['**/*.ts'], rules: { 'no-undef': 'off' } },
  // onnxruntime-node is a dev dependency (reference outputs, benchmarks): the library never loads it.
  {
    files: ['lib/**'],
    rules: { 'no-restricted-imports': ['error', { paths: [{ name: 'onnxruntime-node', message: 'a dev dependency: tests and benchmarks only' }] }] },
  },
);
