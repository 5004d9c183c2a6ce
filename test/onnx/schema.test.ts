import test from 'ava';
import { Tensor } from '../../lib/tensor';
import { OnnxModel, OnnxError } from '../../lib/onnx';
import { buildModel, tensorProto } from './build-model';

function identityModel(initializer: Record<string, unknown> | { name: string; tensor: Tensor; raw?: boolean }): Uint8Array {
  const raw = 'tensor' in initializer ? undefined : [initializer];
  const specs = 'tensor' in initializer ? [initializer as { name: string; tensor: Tensor; raw?: boolean }] : [];
  return buildModel({
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
    inputs: [],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: specs,
    rawInitializers: raw,
  });
}

test('int64 initializers decode as exact bigints, past 2^53, from int64_data and raw_data', (t) => {
  const values = BigInt64Array.of(2n ** 62n + 1n, -(2n ** 63n), 9007199254740993n);
  for (const raw of [false, true]) {
    const model = OnnxModel.load(identityModel({ name: 'w', tensor: new Tensor(values), raw }));
    const w = model.graph.initializers.get('w')!;
    t.is(w.dtype, 'int64');
    t.deepEqual(Array.from(w.data as BigInt64Array), Array.from(values), `raw=${raw}`);
  }
});

test('every supported dtype round-trips through raw_data and the typed fields', (t) => {
  const cases: Tensor[] = [
    new Tensor(Float32Array.of(1.5, -0, Infinity, 3.4e38), [2, 2]),
    new Tensor(Float64Array.of(Math.PI, -1e-300)),
    new Tensor(Int8Array.of(-128, 127, 0)),
    new Tensor(Uint8Array.of(0, 255, 7)),
    new Tensor(Int16Array.of(-32768, 32767)),
    new Tensor(Uint16Array.of(65535, 1)),
    new Tensor(Int32Array.of(-(2 ** 31), 2 ** 31 - 1)),
    new Tensor(Uint32Array.of(2 ** 32 - 1, 5)),
    new Tensor(BigUint64Array.of(2n ** 64n - 1n)),
    new Tensor(Uint8Array.of(1, 0, 1), [3], 'bool'),
    new Tensor(new Float32Array(0), [0, 3]),
  ];
  for (const tensor of cases) {
    for (const raw of [true, false]) {
      const model = OnnxModel.load(identityModel({ name: 'w', tensor, raw }));
      const w = model.graph.initializers.get('w')!;
      t.is(w.dtype, tensor.dtype);
      t.deepEqual(w.shape, tensor.shape);
      t.deepEqual(Array.from(w.data as ArrayLike<unknown>), Array.from(tensor.data as ArrayLike<unknown>), `${tensor.dtype} raw=${raw}`);
    }
  }
});

test('raw_data at an unaligned offset is copied, not viewed', (t) => {
  // A 1-byte uint8 initializer first pushes the float data to an odd offset in the buffer.
  const bytes = buildModel({
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
    inputs: [],
    outputs: [{ name: 'y', dtype: 'float32' }],
    initializers: [
      { name: 'pad', tensor: new Tensor(Uint8Array.of(9)) },
      { name: 'w', tensor: new Tensor(Float32Array.of(0.25, -2, 1e-7)) },
    ],
  });
  const copy = new Uint8Array(bytes.length + 1);
  copy.set(bytes, 1);
  const model = OnnxModel.load(copy.subarray(1));
  const w = model.graph.initializers.get('w')!;
  t.deepEqual(Array.from(w.data as Float32Array), [0.25, -2, Math.fround(1e-7)]);
  // The tensors own their memory: scribbling over the model bytes changes nothing.
  copy.fill(0);
  t.deepEqual(Array.from(w.data as Float32Array), [0.25, -2, Math.fround(1e-7)]);
  t.deepEqual(Array.from(model.graph.initializers.get('pad')!.data as Uint8Array), [9]);
});

test('raw_data of the wrong length is an error naming the tensor', (t) => {
  const proto = tensorProto({ name: 'w', tensor: new Tensor(Float32Array.of(1, 2, 3)) });
  proto.dims = ['4'];
  const error = t.throws(() => OnnxModel.load(identityModel(proto)), { instanceOf: OnnxError });
  t.regex(error!.message, /tensor 'w': raw_data has 12 bytes but shape \[4\] of float32 needs 16/);
});

test('typed fields with the wrong count are an error naming the field', (t) => {
  const proto = tensorProto({ name: 'w', tensor: new Tensor(Float32Array.of(1, 2, 3)), raw: false });
  proto.dims = ['2'];
  const error = t.throws(() => OnnxModel.load(identityModel(proto)), { instanceOf: OnnxError });
  t.regex(error!.message, /tensor 'w': float_data holds 3 values but the shape needs 2/);
});

test('unsupported element types are refused with their ONNX name', (t) => {
  const proto = { name: 'w', dims: ['1'], dataType: 10, rawData: new Uint8Array(2) };
  const error = t.throws(() => OnnxModel.load(identityModel(proto)), { instanceOf: OnnxError });
  t.is(error!.code, 'unsupported-type');
  t.regex(error!.message, /FLOAT16/);
});

test('garbage bytes are a clear decode error', (t) => {
  const error = t.throws(() => OnnxModel.load(Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0x0f)), { instanceOf: OnnxError });
  t.is(error!.code, 'malformed');
  t.regex(error!.message, /not valid protobuf/);
});
