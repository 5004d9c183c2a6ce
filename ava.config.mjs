// TypeScript tests run through tsx (type checking is `npm run typecheck`).
export default {
  files: ['test/**/*.test.ts', '!test/perf/**'],
  extensions: { ts: 'commonjs' },
  nodeArguments: ['--import=tsx'],
  timeout: '5m',
  concurrency: 2,
};
