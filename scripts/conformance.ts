// Runs ONNX's backend test data (model.onnx + test_data_set_*/input_*.pb, output_*.pb) through
// the float interpreter and compares with ONNX's tolerances.
//
//   npx tsx scripts/conformance.ts [dir ...] [--verbose] [--filter substring]
//
// Default dir: /usr/share/libonnx-testdata/data/node (Debian package libonnx-testdata).
// Ends with `N passed, M failed, K skipped`; exits non-zero when a test fails.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runConformance, formatSummary, DEFAULT_CONFORMANCE_DIR } from '../lib/onnx/conformance';

function main(): number {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const filterAt = args.indexOf('--filter');
  const filter = filterAt >= 0 ? args[filterAt + 1] : undefined;
  const dirs = args.filter((a, i) => !a.startsWith('--') && (filterAt < 0 || i !== filterAt + 1));
  if (dirs.length === 0) dirs.push(DEFAULT_CONFORMANCE_DIR);
  let failedTotal = 0;
  const totals = { passed: 0, failed: 0, skipped: 0 };
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) {
      console.error(`${dir} does not exist (apt-get install libonnx-testdata)`);
      return 2;
    }
    const report = runConformance(dir, { filter });
    console.log(`== ${path.resolve(dir)}`);
    for (const line of formatSummary(report, verbose)) console.log(line);
    totals.passed += report.passed.length;
    totals.failed += report.failed.length;
    totals.skipped += report.skipped.length;
    failedTotal += report.failed.length;
  }
  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  return failedTotal > 0 ? 1 : 0;
}

process.exitCode = main();
