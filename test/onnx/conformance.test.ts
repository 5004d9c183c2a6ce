// ONNX's own backend tests (Debian package libonnx-testdata) and the committed fixtures, both
// through the conformance runner. The ONNX folders are skipped (with a note) when absent.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runConformance, formatSummary } from '../../lib/onnx';

const ONNX_DATA = '/usr/share/libonnx-testdata/data';
const FIXTURES = path.join(__dirname, '..', 'fixtures', 'onnx');

test('committed PyTorch and scikit-learn fixtures match onnxruntime at batch sizes 1, 4 and 16', (t) => {
  const report = runConformance(FIXTURES);
  t.deepEqual(report.failed, []);
  t.deepEqual(report.skipped, []);
  t.deepEqual(report.passed, ['sklearn_logistic_regression', 'sklearn_mlp', 'torch_cnn', 'torch_mlp']);
});

for (const folder of ['node', 'pytorch-converted', 'pytorch-operator']) {
  test(`ONNX backend tests: ${folder}`, (t) => {
    const dir = path.join(ONNX_DATA, folder);
    if (!fs.existsSync(dir)) {
      t.log(`skipped: ${dir} is missing (apt-get install libonnx-testdata)`);
      t.pass();
      return;
    }
    const report = runConformance(dir);
    t.log(formatSummary(report).at(-1));
    // Every test whose ops are all supported must pass.
    t.deepEqual(report.failed, []);
    if (folder === 'node') t.true(report.passed.length >= 467, `only ${report.passed.length} passed`);
  });
}
