// QuantizedModule behaviour beyond parity: JSON round trip, batches, options, errors.
import test from 'ava';
import { OnnxModel } from '../../lib/onnx';
import { buildQuantizedModule, QuantizedModule, resolveNBits, resolveRounding } from '../../lib/quantized';
import { Tensor } from '../../lib/tensor';
import { buildOptionsOf, float64, loadCase } from './fixtures';

test('toJSON / fromJSON round-trips exactly and computes the same integers', async (t) => {
  for (const name of ['torch_cnn', 'brevitas_qat_mlp', 'torch_add_mul_concat', 'torch_mlp_dict_rounding']) {
    const { model, reference } = loadCase(name);
    const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
    const text = JSON.stringify(module.toJSON());
    const loaded = QuantizedModule.fromJSON(JSON.parse(text));
    t.is(JSON.stringify(loaded.toJSON()), text, `${name}: JSON is stable`);
    const [qx] = module.quantizeInput(float64(reference.testInputs));
    const [a] = await module.quantizedForward(qx);
    const [b] = await loaded.quantizedForward(qx);
    t.deepEqual(Array.from(b.data), Array.from(a.data), `${name}: same integers after loading`);
    t.deepEqual(loaded.bitwidthAndRangeReport(), module.bitwidthAndRangeReport());
  }
});

test('batches: one batch of N gives the integers of N batches of 1', async (t) => {
  const { model, reference } = loadCase('torch_cnn');
  const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
  const x = float64(reference.testInputs);
  const [all] = await module.quantizedForward(...module.quantizeInput(x));
  const perSample = x.size / x.shape[0];
  const outPerSample = all.size / x.shape[0];
  for (let i = 0; i < x.shape[0]; i++) {
    const one = new Tensor(x.data.slice(i * perSample, (i + 1) * perSample), [1, ...x.shape.slice(1)]);
    const [q] = await module.quantizedForward(...module.quantizeInput(one));
    t.deepEqual(Array.from(q.data), Array.from(all.data.slice(i * outPerSample, (i + 1) * outPerSample)));
  }
});

test('nBits: an integer n means max(5, n) bits for model inputs and outputs', (t) => {
  t.deepEqual(resolveNBits(3), { modelInputs: 5, opInputs: 3, opWeights: 3, modelOutputs: 5 });
  t.deepEqual(resolveNBits(8), { modelInputs: 8, opInputs: 8, opWeights: 8, modelOutputs: 8 });
  t.deepEqual(resolveNBits({ opInputs: 6, opWeights: 4 }), { modelInputs: 5, opInputs: 6, opWeights: 4, modelOutputs: 6 });
  t.throws(() => resolveNBits({ opInputs: 6, opWeights: 4, modelOutputs: 5 }), { message: /modelOutputs \(5\) must be at least nBits.opInputs \(6\)/ });
  t.throws(() => resolveNBits({ opInputs: 6 } as never), { message: /opWeights/ });
  t.throws(() => resolveNBits({ opInputs: 6, opWeights: 4, inputs: 3 } as never), { message: /unknown nBits key/ });
});

test('roundingThresholdBits: an integer is EXACT; the range is [2, 8]', (t) => {
  t.deepEqual(resolveRounding(4), { nBits: 4, method: 'EXACT' });
  t.deepEqual(resolveRounding({ nBits: 6, method: 'APPROXIMATE' }), { nBits: 6, method: 'APPROXIMATE' });
  t.is(resolveRounding(null), null);
  t.throws(() => resolveRounding(9), { message: /\[2, 8\]/ });
  t.throws(() => resolveRounding({ nBits: 4, method: 'FAST' as never }), { message: /EXACT' or 'APPROXIMATE/ });
});

test('forward refuses unknown fhe modes, fhe modes before compile, and integer inputs', async (t) => {
  const { model, reference } = loadCase('torch_mlp_3bits');
  const module = await buildQuantizedModule(model, float64(reference.inputset), buildOptionsOf(reference));
  await t.throwsAsync(module.forward(float64(reference.testInputs), { fhe: 'execute' }), { message: /call module.compile\(inputset\) first/ });
  await t.throwsAsync(module.forward(float64(reference.testInputs), { fhe: 'encrypt' as never }), { message: /unknown fhe mode 'encrypt'/ });
  t.throws(() => module.quantizeInput(new Tensor(new Int32Array(10), [1, 10])), { message: /float32 or float64/ });
  await t.throwsAsync(module.quantizedForward(new Tensor(new Float64Array(10), [1, 10])), { message: /must be int32/ });
});

test('an op without a quantized implementation names the op, the node and what is supported', async (t) => {
  const model = OnnxModel.load('test/fixtures/onnx/torch_mlp/model.onnx'); // ends in Softmax
  const inputset = new Tensor(Float32Array.from({ length: 40 }, (_, i) => Math.sin(i)), [4, 10]);
  const error = await t.throwsAsync(buildQuantizedModule(model, inputset, { nBits: 4 }));
  t.regex(error.message, /op Softmax has no quantized implementation/);
  t.regex(error.message, /node '[^']+'/);
  t.regex(error.message, /Supported: .*Gemm/);
});

test('the 16-bit rule names the op, its bit width and the options that bring it down', async (t) => {
  const { model, reference } = loadCase('torch_mlp_6bits');
  const wide = await buildQuantizedModule(model, float64(reference.inputset), { nBits: { opInputs: 12, opWeights: 12, modelInputs: 12, modelOutputs: 12 } });
  const error = t.throws(() => wide.checkTableLookupBitWidths());
  t.regex(error.message, /node '\/layers\/layers.0\/Gemm' \(Gemm\): accumulator spans \[-?\d+, \d+\], (1[7-9]|2\d) bits/);
  t.regex(error.message, /smaller nBits \(now opInputs 12, opWeights 12\)/);
  t.regex(error.message, /roundingThresholdBits \(now not set/);
  const report = wide.bitwidthAndRangeReport();
  t.true(report['/layers/layers.0/Gemm'].accumulator.bitwidth > 16);

  const rounded = await buildQuantizedModule(model, float64(reference.inputset), {
    nBits: { opInputs: 12, opWeights: 12, modelInputs: 12, modelOutputs: 12 },
    roundingThresholdBits: 8,
  });
  t.notThrows(() => rounded.checkTableLookupBitWidths());
  t.true(Object.values(rounded.bitwidthAndRangeReport()).every((entries) => Object.values(entries).every((e) => e.bitwidth <= 16)));
});
