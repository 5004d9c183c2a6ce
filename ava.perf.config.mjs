// Performance tests: print one JSON line per figure, assert only ratios measured in the same run.
export default {
  files: ['test/perf/**/*.test.ts'],
  extensions: { ts: 'commonjs' },
  nodeArguments: ['--import=tsx'],
  timeout: '30m',
  concurrency: 1,
  serial: true,
  verbose: true,
};
