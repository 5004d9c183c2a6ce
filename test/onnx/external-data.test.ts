import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Tensor } from '../../lib/tensor';
import { OnnxModel, OnnxError } from '../../lib/onnx';
import { buildModel } from './build-model';

/** A model whose initializer 'w' (float32 [2]) lives in an external file at `location`. */
function externalModel(location: string, offset = 0, length?: number): Uint8Array {
  const externalData = [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }];
  if (length !== undefined) externalData.push({ key: 'length', value: String(length) });
  return buildModel({
    nodes: [{ op: 'Identity', inputs: ['w'], outputs: ['y'] }],
    inputs: [],
    outputs: [{ name: 'y', dtype: 'float32' }],
    rawInitializers: [{ name: 'w', dims: ['2'], dataType: 1, dataLocation: 1, externalData }],
  });
}

function folder(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cq-external-'));
  t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const payload = Buffer.from(new Float32Array([7, -1.5]).buffer);

test('external data is read from the model folder, at its offset', (t) => {
  const dir = folder(t);
  fs.mkdirSync(path.join(dir, 'weights'));
  fs.writeFileSync(path.join(dir, 'weights', 'w.bin'), Buffer.concat([Buffer.alloc(3), payload]));
  fs.writeFileSync(path.join(dir, 'model.onnx'), externalModel('weights/w.bin', 3, 8));
  const model = OnnxModel.load(path.join(dir, 'model.onnx'));
  t.deepEqual(Array.from(model.run({}).y.data as Float32Array), [7, -1.5]);
});

test('a model loaded from bytes needs baseDir for external data', (t) => {
  const dir = folder(t);
  fs.writeFileSync(path.join(dir, 'w.bin'), payload);
  const bytes = externalModel('w.bin');
  const error = t.throws(() => OnnxModel.load(bytes), { instanceOf: OnnxError });
  t.regex(error!.message, /tensor 'w' has external data .* pass options.baseDir/);
  const model = OnnxModel.load(bytes, { baseDir: dir });
  t.deepEqual(Array.from(model.graph.initializers.get('w')!.data as Float32Array), [7, -1.5]);
});

test('absolute locations, .. escapes and escaping symlinks are refused', (t) => {
  const root = folder(t);
  const dir = path.join(root, 'model');
  fs.mkdirSync(dir);
  fs.writeFileSync(path.join(root, 'secret.bin'), payload);
  fs.symlinkSync(path.join(root, 'secret.bin'), path.join(dir, 'link.bin'));
  fs.symlinkSync(root, path.join(dir, 'up'));
  const cases: [string, RegExp][] = [
    [path.join(root, 'secret.bin'), /is absolute/],
    ['../secret.bin', /uses '\.\.'/],
    ['sub/../../secret.bin', /uses '\.\.'/],
    ['link.bin', /symlink leading outside the model folder/],
    ['up/secret.bin', /symlink leading outside the model folder/],
  ];
  for (const [location, message] of cases) {
    const error = t.throws(() => OnnxModel.load(externalModel(location), { baseDir: dir }), { instanceOf: OnnxError }, location);
    t.is(error!.code, 'unsafe-external-data', location);
    t.regex(error!.message, message, location);
  }
});

test('a symlink that stays inside the folder is allowed', (t) => {
  const dir = folder(t);
  fs.writeFileSync(path.join(dir, 'real.bin'), payload);
  fs.symlinkSync(path.join(dir, 'real.bin'), path.join(dir, 'alias.bin'));
  const model = OnnxModel.load(externalModel('alias.bin'), { baseDir: dir });
  t.deepEqual(Array.from(model.graph.initializers.get('w')!.data as Float32Array), [7, -1.5]);
});

test('the size limit, wrong lengths and short files are errors', (t) => {
  const dir = folder(t);
  fs.writeFileSync(path.join(dir, 'w.bin'), payload);
  t.throws(() => OnnxModel.load(externalModel('w.bin'), { baseDir: dir, maxExternalDataBytes: 7 }), { message: /exceeds the limit of 7 bytes/ });
  t.notThrows(() => OnnxModel.load(externalModel('w.bin'), { baseDir: dir, maxExternalDataBytes: 8 }));
  t.throws(() => OnnxModel.load(externalModel('w.bin', 0, 4), { baseDir: dir }), { message: /length 4 does not match the 8 bytes/ });
  t.throws(() => OnnxModel.load(externalModel('w.bin', 4), { baseDir: dir }), { message: /past the end of 'w.bin'/ });
  t.throws(() => OnnxModel.load(externalModel('missing.bin'), { baseDir: dir }), { message: /'missing.bin' does not exist/ });
});

test('the model size limit applies to files and bytes', (t) => {
  const bytes = buildModel({ nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'] }], inputs: [{ name: 'x', dtype: 'float32' }], outputs: [{ name: 'y', dtype: 'float32' }] });
  t.throws(() => OnnxModel.load(bytes, { maxModelBytes: 10 }), { message: /over the limit of 10/ });
  const model = OnnxModel.load(bytes, { maxModelBytes: bytes.length });
  t.deepEqual(Array.from(model.run({ x: new Tensor(Float32Array.of(1)) }).y.data as Float32Array), [1]);
});
