import test from 'ava';

import { NpyError, readNpy, writeNpy } from '../../lib/cli/npy';
import { Tensor } from '../../lib/tensor';

/** A .npy file from a header dict text and raw data, with the given format version. */
function npyBytes(header: string, data: Uint8Array, major = 1): Uint8Array {
  const prefixLength = major === 1 ? 10 : 12;
  const padded = header + ' '.repeat(63 - ((prefixLength + header.length) % 64)) + '\n';
  const prefix = Buffer.alloc(prefixLength);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]).copy(prefix);
  if (major === 1) prefix.writeUInt16LE(padded.length, 8);
  else prefix.writeUInt32LE(padded.length, 8);
  return Buffer.concat([prefix, Buffer.from(padded, 'latin1'), data]);
}

const bytesOf = (array: ArrayBufferView) => new Uint8Array(array.buffer, array.byteOffset, array.byteLength);

test('round trip of every supported dtype (version 1)', (t) => {
  const tensors = [
    new Tensor(Float32Array.from([1.5, -2, 3, 4, 5, 6]), [2, 3]),
    new Tensor(Float64Array.from([0.1, 0.2]), [2]),
    new Tensor(Int32Array.from([-7, 8, 9, 10]), [2, 1, 2]),
    new Tensor(BigInt64Array.from([1n, -2n]), [1, 2]),
  ] as Tensor<'float32' | 'float64' | 'int32' | 'int64'>[];
  for (const tensor of tensors) {
    const back = readNpy(writeNpy(tensor));
    t.is(back.dtype, tensor.dtype);
    t.deepEqual(back.shape, tensor.shape);
    t.deepEqual(Array.from(back.data as ArrayLike<number | bigint>), Array.from(tensor.data as ArrayLike<number | bigint>));
  }
});

test('version 2 headers, scalar and empty shapes, header spellings numpy writes', (t) => {
  const v2 = readNpy(npyBytes("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 2), }", bytesOf(Float64Array.from([1, 2, 3, 4])), 2));
  t.deepEqual(v2.shape, [2, 2]);
  t.deepEqual(Array.from(v2.data as Float64Array), [1, 2, 3, 4]);
  t.deepEqual(readNpy(npyBytes("{'descr': '<i4', 'fortran_order': False, 'shape': (), }", bytesOf(Int32Array.from([5])))).shape, []);
  t.deepEqual(readNpy(npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (0, 3), }", new Uint8Array(0))).shape, [0, 3]);
  t.deepEqual(readNpy(npyBytes('{"shape": (3,), "fortran_order": False, "descr": "<f4"}', bytesOf(new Float32Array(3)))).shape, [3]);
});

test('malformed and unsupported files are refused with the reason', (t) => {
  const f4 = bytesOf(new Float32Array(4));
  const cases: [Uint8Array, RegExp][] = [
    [Buffer.from('hello world, not numpy'), /no \\x93NUMPY magic/],
    [new Uint8Array(3), /no \\x93NUMPY magic/],
    [npyBytes("{'descr': '>f4', 'fortran_order': False, 'shape': (4,), }", f4), /unsupported .npy dtype '>f4'/],
    [npyBytes("{'descr': '<u1', 'fortran_order': False, 'shape': (4,), }", new Uint8Array(4)), /unsupported .npy dtype '<u1'/],
    [npyBytes("{'descr': '|O', 'fortran_order': False, 'shape': (4,), }", f4), /unsupported .npy dtype/],
    [npyBytes("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", f4), /Fortran-order/],
    [npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (5,), }", f4), /holds 16 bytes, but shape \(5\) of <f4 needs 20/],
    [npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }", f4), /needs 12/],
    [npyBytes("{'descr': '<f4', 'shape': (4,), }", f4), /malformed .npy header/],
    [npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (a, 4), }", f4), /malformed .npy shape/],
    [npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f4, 9), /format version 9/],
    [npyBytes("{'descr': '<f4', 'fortran_order': False, 'shape': (4,), }", f4).subarray(0, 40), /truncated .npy header/],
  ];
  for (const [bytes, message] of cases) t.throws(() => readNpy(bytes), { instanceOf: NpyError, message });
});
