// Differential tests: the float interpreter against onnxruntime-node, run in the same process on
// the same inputs, for the committed PyTorch and scikit-learn models: their committed inputs
// (batches 1, 4, 16) and seeded random inputs at several batch sizes and scales. Every output is
// compared: float outputs within ONNX's rtol plus an atol derived from float32 rounding, integer
// outputs (scikit-learn's int64 labels) exactly.
import test from 'ava';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { OnnxModel, decodeTensorProto, tensorFromProto } from '../../lib/onnx';
import { RTOL } from '../../lib/onnx/conformance';
import { isFloat } from '../../lib/onnx/dtypes';
import { Tensor } from '../../lib/tensor';
import {
  ONNX_FIXTURES, ONNX_FIXTURE_NAMES, createSession, differenceFromOnnxRuntime, fixtureModelPath, floatTolerance, roundingDepth, runOnnxRuntime, seededNormal,
} from './differential-reference';

interface Case {
  readonly label: string;
  readonly feeds: Record<string, Tensor>;
}

function committedCases(name: string, model: OnnxModel): Case[] {
  return [1, 4, 16].map((batch) => {
    const file = path.join(ONNX_FIXTURES, name, `test_data_set_batch${batch}`, 'input_0.pb');
    const input = tensorFromProto(decodeTensorProto(fs.readFileSync(file)));
    return { label: `committed batch ${batch}`, feeds: { [model.graph.inputs[0].name]: input } };
  });
}

/** Normal inputs at scale 1 (the fixtures' training range) and 4 (saturating ReLU/Sigmoid/Softmax). */
function randomCases(model: OnnxModel): Case[] {
  const [info] = model.graph.inputs;
  const cases: Case[] = [];
  let seed = 1;
  for (const batch of [1, 4, 16, 100]) {
    for (const scale of [1, 4]) {
      const shape = (info.shape ?? []).map((d, axis) => (axis === 0 ? batch : d));
      if (shape.some((d) => typeof d !== 'number')) throw new Error(`input '${info.name}' has a symbolic non-batch dimension`);
      const dims = shape as number[];
      const data = seededNormal(dims.reduce((a, b) => a * b, 1), seed++, scale);
      cases.push({ label: `random batch ${batch} scale ${scale}`, feeds: { [info.name]: new Tensor(data, dims) } });
    }
  }
  return cases;
}

for (const name of ONNX_FIXTURE_NAMES) {
  test(`${name}: every output agrees with onnxruntime-node`, async (t) => {
    const model = OnnxModel.load(fixtureModelPath(name));
    const session = await createSession(name);
    t.deepEqual([...model.outputNames].sort(), [...session.outputNames].sort(), 'same outputs');
    let worst = { ratio: 0, where: '' };
    for (const { label, feeds } of [...committedCases(name, model), ...randomCases(model)]) {
      const ours = model.run(feeds);
      const theirs = await runOnnxRuntime(session, feeds);
      const depth = roundingDepth(model, feeds);
      for (const output of session.outputNames) {
        const expected = theirs[output];
        t.is(differenceFromOnnxRuntime(ours[output], expected, depth), undefined, `${label}, output '${output}' (${expected.dtype})`);
        if (!isFloat(expected.dtype)) continue;
        const data = expected.data as Float32Array;
        const { atol } = floatTolerance(depth, data);
        const actual = ours[output].data as Float32Array;
        for (let i = 0; i < data.length; i++) {
          const ratio = Math.abs(actual[i] - data[i]) / (atol + RTOL * Math.abs(data[i]));
          if (ratio > worst.ratio) worst = { ratio, where: `${label}, '${output}'[${i}]: ${actual[i]} vs ${data[i]}` };
        }
      }
    }
    t.log(`largest error / tolerance: ${worst.ratio.toExponential(2)} (${worst.where || 'all equal'})`);
  });
}

test('the tolerances can fail: a shift by one float32 rounding passes, a shift by 0.01 does not', async (t) => {
  const model = OnnxModel.load(fixtureModelPath('torch_mlp'));
  const session = await createSession('torch_mlp');
  const x = new Tensor(seededNormal(16 * 10, 99), [16, 10]);
  const expected = (await runOnnxRuntime(session, { x })).y;
  const depth = roundingDepth(model, { x });
  t.is(depth, 10 + 16 + 16 + 4 + 2, 'Gemm 10, 16, 16 terms, Softmax over 4 classes, Relu and Sigmoid');
  const magnitude = (expected.data as Float32Array).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const shifted = (delta: number) => new Tensor((expected.data as Float32Array).map((v) => v + delta), expected.shape);
  t.is(differenceFromOnnxRuntime(shifted(2 ** -24 * magnitude), expected, depth), undefined);
  t.not(differenceFromOnnxRuntime(shifted(0.01), expected, depth), undefined);
});
