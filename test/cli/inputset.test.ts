import test from 'ava';

import { InputFileError } from '../../lib/cli/errors';
import { readInputset, tensorFromJson } from '../../lib/cli/inputset';
import { writeNpy } from '../../lib/cli/npy';
import { Tensor } from '../../lib/tensor';
import { temporaryFile } from './helpers';

test('JSON: nested arrays and {data, shape} with flat or nested data', (t) => {
  const nested = tensorFromJson([[1, 2, 3], [4, 5, 6]]);
  t.deepEqual(nested.shape, [2, 3]);
  t.deepEqual(Array.from(nested.data), [1, 2, 3, 4, 5, 6]);
  t.deepEqual(tensorFromJson({ data: [1, 2, 3, 4, 5, 6], shape: [3, 2] }).shape, [3, 2]);
  t.deepEqual(tensorFromJson({ data: [[1, 2], [3, 4]], shape: [2, 2] }).shape, [2, 2]);
  t.deepEqual(tensorFromJson({ data: [[1, 2], [3, 4]] }).shape, [2, 2]);
});

test('JSON: ragged arrays, non-numbers and shape mismatches name the problem', (t) => {
  t.throws(() => tensorFromJson([[1, 2], [3]]), { message: /ragged arrays: entry \[1\] should be an array of 2 items/ });
  t.throws(() => tensorFromJson([[1, 'a']]), { message: /entry \[0\]\[1\] is "a", not a finite number/ });
  t.throws(() => tensorFromJson([[1, null]]), { message: /entry \[0\]\[1\] is null/ });
  t.throws(() => tensorFromJson({ data: [1, 2, 3], shape: [2, 2] }), { message: /holds 4 values but "data" has 3/ });
  t.throws(() => tensorFromJson({ data: [1, 2], shape: [2, -1] }), { message: /non-negative integers/ });
  t.throws(() => tensorFromJson({ samples: [1] }), { message: /expected nested arrays/ });
  t.throws(() => tensorFromJson(3), { message: /expected nested arrays/ });
});

test('files: .npy and .json read as float64 samples; problems are input errors naming the file', (t) => {
  const npy = temporaryFile('x.npy', writeNpy(new Tensor(Int32Array.from([1, 2, 3, 4]), [2, 2]) as Tensor<'int32'>));
  const fromNpy = readInputset(npy);
  t.is(fromNpy.dtype, 'float64');
  t.deepEqual(Array.from(fromNpy.data), [1, 2, 3, 4]);
  const json = temporaryFile('x.json', JSON.stringify({ data: [0.5, 1, 1.5, 2], shape: [2, 2] }));
  t.deepEqual(readInputset(json).shape, [2, 2]);

  const problems: [string, RegExp][] = [
    ['/nonexistent/inputset.npy', /cannot read inputset '\/nonexistent\/inputset.npy': no such file/],
    [temporaryFile('bad.json', '{"data": [1, 2,'), /is not valid JSON/],
    [temporaryFile('bad.npy', 'not numpy at all'), /bad.npy': not a .npy file/],
    [temporaryFile('flat.json', '[1, 2, 3]'), /must hold samples along axis 0 .* got shape \[3\]/],
    [temporaryFile('empty.json', '[]'), /must hold samples along axis 0/],
    [temporaryFile('text.json', '[["a"]]'), /not a finite number/],
  ];
  for (const [file, message] of problems) {
    const error = t.throws(() => readInputset(file), { instanceOf: InputFileError, message });
    t.is(error.exitCode, 3);
  }
});
