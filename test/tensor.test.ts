import test from 'ava';

import { isDType, Tensor } from '../lib/tensor';

test('a tensor wraps its data with a shape and infers the dtype', (t) => {
  const data = new Float32Array(6);
  const tensor = new Tensor(data, [2, 3]);
  t.is(tensor.data, data, 'not copied');
  t.is(tensor.dtype, 'float32');
  t.deepEqual(tensor.shape, [2, 3]);
  t.is(tensor.size, 6);
  t.is(tensor.rank, 2);
  t.true(Object.isFrozen(tensor.shape));
  t.deepEqual(new Tensor(new BigInt64Array(2)).shape, [2]);
  t.is(new Tensor(new Uint8Array(1), [1], 'bool').dtype, 'bool');
  t.deepEqual(new Tensor(new Float64Array(1), []).shape, [], 'a scalar');
});

test('shape and dtype mismatches are errors naming both sides', (t) => {
  t.throws(() => new Tensor(new Float32Array(5), [2, 3]), {
    instanceOf: RangeError,
    message: 'tensor shape [2, 3] holds 6 elements but data has 5',
  });
  t.throws(() => new Tensor(new Float32Array(2), [2, -1]), { instanceOf: RangeError, message: /non-negative integers/ });
  t.throws(() => new Tensor(new Float32Array(2), [1.5]), { instanceOf: RangeError });
  t.throws(() => new Tensor(new Float32Array(1), [1], 'bool' as 'float32'), {
    instanceOf: TypeError,
    message: 'tensor dtype bool does not match data of type float32',
  });
  t.throws(() => new Tensor([1, 2] as unknown as Float32Array), { instanceOf: TypeError });
});

test('Tensor.from takes tensors, typed arrays, nested arrays and onnxruntime tensors', (t) => {
  const tensor = new Tensor(new Int32Array([1, 2]));
  t.is(Tensor.from(tensor), tensor);
  const typed = new Float64Array([1, 2, 3]);
  t.is(Tensor.from(typed).data, typed);
  const nested = Tensor.from([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  t.is(nested.dtype, 'float64');
  t.deepEqual(nested.shape, [2, 3]);
  t.deepEqual(Array.from(nested.data as Float64Array), [1, 2, 3, 4, 5, 6]);
  t.deepEqual(Tensor.from(7).shape, []);
  t.deepEqual(Tensor.from([]).shape, [0]);
  t.throws(() => Tensor.from([[1, 2], [3]]), { instanceOf: TypeError, message: /ragged at depth 1/ });
  t.throws(() => Tensor.from([[1, 2], 3] as never), { instanceOf: TypeError, message: /ragged/ });
  t.throws(() => Tensor.from('x' as never), { instanceOf: TypeError });
});

test('onnxruntime tensors convert both ways', (t) => {
  const ort = { type: 'int64', data: new BigInt64Array([1n, -2n]), dims: [1, 2] };
  const tensor = Tensor.fromOrt(ort);
  t.is(tensor.dtype, 'int64');
  t.deepEqual(tensor.shape, [1, 2]);
  t.deepEqual(tensor.toOrt(), { type: 'int64', data: ort.data, dims: [1, 2] });
  t.is(Tensor.from(ort).data, ort.data);
  t.is(Tensor.fromOrt({ type: 'bool', data: new Uint8Array(1), dims: [1] }).dtype, 'bool');
  t.throws(() => Tensor.fromOrt({ type: 'string', data: ['a'], dims: [1] }), { message: /'string' is not supported/ });
  t.throws(() => Tensor.fromOrt({ type: 'float32', data: new Float64Array(1), dims: [1] }), { message: /unexpected data/ });
});

test('zeros and reshape', (t) => {
  const zeros = Tensor.zeros('int16', [2, 2]);
  t.true(zeros.data instanceof Int16Array);
  t.deepEqual(zeros.reshape([4]).shape, [4]);
  t.is(zeros.reshape([4]).data, zeros.data);
  t.throws(() => zeros.reshape([3]), { instanceOf: RangeError });
});

test('isDType knows exactly the tensor dtypes', (t) => {
  for (const dtype of ['float32', 'float64', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']) {
    t.true(isDType(dtype), dtype);
  }
  for (const other of ['string', 'float16', 'toString', '__proto__', 7, null]) t.false(isDType(other), String(other));
});
