// Float inference and calibration of the committed MLP and CNN over 1,000 samples: the
// interpreter (lib/onnx) against onnxruntime-node in the same run. Prints one JSON line per
// figure (both times and their ratio; the aim is within 5x of onnxruntime-node); asserts only
// that both computed the same thing.
import test from 'ava';
import { OnnxModel, calibrate } from '../../lib/onnx';
import { Tensor } from '../../lib/tensor';
import { sliceBatch } from '../../lib/onnx/calibration';
import {
  createSession, createSessionWithEveryValue, differenceFromOnnxRuntime, fixtureModelPath, ortFeeds, roundingDepth, runOnnxRuntime, seededNormal,
} from '../onnx/differential-reference';
import { bestOfMs } from './timing';

const SAMPLES = 1000;
const CALIBRATION_BATCH = 100; // calibrate()'s default
const MODELS = { torch_mlp: [10], torch_cnn: [1, 24, 24] } as const;

function report(figure: Record<string, unknown>): void {
  console.log(JSON.stringify(figure));
}

function rounded(ms: number): number {
  return Math.round(ms * 100) / 100;
}

for (const [name, sampleShape] of Object.entries(MODELS)) {
  const shape = [SAMPLES, ...sampleShape];
  const x = new Tensor(seededNormal(shape.reduce((a, b) => a * b, 1), 2024), shape);

  test(`${name}: float inference of ${SAMPLES} samples, ours vs onnxruntime-node`, async (t) => {
    const model = OnnxModel.load(fixtureModelPath(name));
    const session = await createSession(name);
    const [input] = model.inputNames;
    const ours = model.run({ [input]: x });
    const theirs = await runOnnxRuntime(session, { [input]: x });
    const depth = roundingDepth(model, { [input]: x });
    for (const output of session.outputNames) t.is(differenceFromOnnxRuntime(ours[output], theirs[output], depth), undefined, output);

    // One call on all samples, then one call per sample (where per-call overhead shows).
    const feeds = ortFeeds({ [input]: x });
    const singles = Array.from({ length: SAMPLES }, (_, i) => ({ [input]: sliceBatch(x, i, i + 1) }));
    const singleFeeds = singles.map((f) => ortFeeds(f));
    const cases = [
      { batch: SAMPLES, ours: () => model.run({ [input]: x }), theirs: () => session.run(feeds), runs: 5 },
      {
        batch: 1,
        ours: () => singles.forEach((f) => model.run(f)),
        theirs: async () => {
          for (const f of singleFeeds) await session.run(f);
        },
        runs: 3,
      },
    ];
    for (const c of cases) {
      const oursMs = await bestOfMs(c.runs, c.ours);
      const onnxruntimeMs = await bestOfMs(c.runs, c.theirs);
      report({ bench: 'onnx.float.inference', model: name, samples: SAMPLES, batch: c.batch, oursMs: rounded(oursMs), onnxruntimeMs: rounded(onnxruntimeMs), ratio: rounded(oursMs / onnxruntimeMs) });
    }
  });

  test(`${name}: calibration over ${SAMPLES} samples, ours vs onnxruntime-node`, async (t) => {
    const model = OnnxModel.load(fixtureModelPath(name));
    const [input] = model.inputNames;
    // onnxruntime's equivalent: every value as an output, min and max taken in JavaScript over
    // the same batches (what calibrate() does for every value it sees).
    const session = await createSessionWithEveryValue(name, model);
    const batches = Array.from({ length: SAMPLES / CALIBRATION_BATCH }, (_, b) =>
      ortFeeds({ [input]: sliceBatch(x, b * CALIBRATION_BATCH, (b + 1) * CALIBRATION_BATCH) }),
    );
    const onnxruntimeCalibrate = async (): Promise<Map<string, { rmin: number; rmax: number }>> => {
      const ranges = new Map<string, { rmin: number; rmax: number }>();
      for (const feeds of batches) {
        const results = await session.run(feeds);
        for (const [valueName, value] of Object.entries(results)) {
          const range = ranges.get(valueName) ?? { rmin: Infinity, rmax: -Infinity };
          const data = value.data as Float32Array;
          for (let i = 0; i < data.length; i++) {
            if (data[i] < range.rmin) range.rmin = data[i];
            if (data[i] > range.rmax) range.rmax = data[i];
          }
          ranges.set(valueName, range);
        }
      }
      return ranges;
    };

    const ours = calibrate(model, { [input]: x }, { batchSize: CALIBRATION_BATCH });
    const theirs = await onnxruntimeCalibrate();
    const depth = roundingDepth(model, { [input]: x });
    for (const [valueName, range] of theirs) {
      const stats = ours.tensors.get(valueName);
      const found = stats === undefined ? undefined : new Tensor(Float32Array.of(stats.rmin, stats.rmax));
      t.is(found && differenceFromOnnxRuntime(found, new Tensor(Float32Array.of(range.rmin, range.rmax)), depth), undefined, `range of '${valueName}'`);
    }

    const oursMs = await bestOfMs(3, () => calibrate(model, { [input]: x }, { batchSize: CALIBRATION_BATCH }));
    const onnxruntimeMs = await bestOfMs(3, onnxruntimeCalibrate);
    report({
      bench: 'onnx.calibrate', model: name, samples: SAMPLES, batch: CALIBRATION_BATCH, values: theirs.size,
      oursMs: rounded(oursMs), onnxruntimeMs: rounded(onnxruntimeMs), ratio: rounded(oursMs / onnxruntimeMs),
    });
  });
}
