// `npm run test:package`: the npm tarball on its own. Builds the prebuilt binary when missing and
// the TypeScript always, packs the tarball, installs it in an empty temporary folder with
// PREBUILDS_ONLY=1 and no compiler on PATH, then loads it through require() and import, calls
// native functions and runs the command-line tool on the shipped demo model.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = process.cwd();
const prebuilt = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`, 'cipherquant.node');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function timed(label, action) {
  const started = performance.now();
  const result = action();
  console.log(JSON.stringify({ step: label, seconds: Number(((performance.now() - started) / 1000).toFixed(2)) }));
  return result;
}

if (!existsSync(prebuilt)) timed('prebuild', () => execFileSync(npm, ['run', 'prebuild'], { stdio: 'inherit' }));
timed('build:ts', () => execFileSync(npm, ['run', 'build:ts'], { stdio: 'inherit' }));

const work = mkdtempSync(path.join(os.tmpdir(), 'cipherquant-package-'));
try {
  const packed = timed('pack', () =>
    JSON.parse(execFileSync(npm, ['pack', '--json', '--ignore-scripts', '--pack-destination', work], { encoding: 'utf8' })),
  );
  const tarball = path.join(work, packed[0].filename);
  const files = packed[0].files.map((file) => file.path);
  for (const required of ['dist/index.js', 'dist/index.mjs', 'dist/index.d.ts', `prebuilds/${process.platform}-${process.arch}/cipherquant.node`, 'binding.gyp']) {
    if (!files.includes(required)) throw new Error(`the tarball lacks ${required}`);
  }
  for (const file of files) {
    if (file.startsWith('native/tests/') || file.startsWith('build/') || file.startsWith('test/')) {
      throw new Error(`the tarball should not ship ${file}`);
    }
  }

  // A PATH with node, npm and a shell only: no compiler, no make, so a source build cannot
  // happen silently.
  const bin = path.join(work, 'bin');
  mkdirSync(bin);
  for (const tool of ['node', 'npm', 'npx', 'sh']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    if (found) symlinkSync(found, path.join(bin, tool));
  }
  const env = { ...process.env, PATH: bin, PREBUILDS_ONLY: '1', CC: 'false', CXX: 'false' };
  const app = path.join(work, 'app');
  mkdirSync(app);
  writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
  timed('install from tarball', () =>
    execFileSync(npm, ['install', '--no-audit', '--no-fund', tarball], { cwd: app, env, stdio: 'inherit' }),
  );

  const check = `
    const cq = require('cipherquant');
    const caps = cq.capabilities();
    if (typeof caps.threads !== 'number' || !['avx2+fma', 'scalar'].includes(caps.simd)) throw new Error('bad capabilities');
    const loaded = Object.keys(require.cache).find((file) => file.endsWith('.node'));
    if (!loaded.includes('prebuilds')) throw new Error('loaded ' + loaded + ', not the prebuilt binary');
    import('cipherquant').then((esm) => {
      if (esm.capabilities().simd !== caps.simd || esm.Tensor !== cq.Tensor) throw new Error('ESM entry differs');
      console.log(JSON.stringify({ loaded: loaded.slice(loaded.indexOf('node_modules')), capabilities: caps }));
    });`;
  timed('load and call', () => execFileSync('node', ['-e', check], { cwd: app, env, stdio: 'inherit' }));
  const report = timed('cli report on the shipped demo model', () =>
    execFileSync(path.join(app, 'node_modules', '.bin', 'cipherquant'), ['report', 'node_modules/cipherquant/demo/digits/model.onnx',
      '--inputset', 'node_modules/cipherquant/demo/digits/inputset.json'], { cwd: app, env, encoding: 'utf8' }));
  if (!/Gemm/.test(report)) throw new Error(`cipherquant report printed no Gemm op:\n${report}`);

  // The declarations resolve for CommonJS and ES module consumers alike.
  const consumer = `import { capabilities, Tensor } from 'cipherquant';\n` +
    `const simd: 'avx2+fma' | 'scalar' = capabilities().simd;\n` +
    `export const shape: readonly number[] = new Tensor(new Float32Array(2), [1, 2]).shape;\nvoid simd;\n`;
  writeFileSync(path.join(app, 'consumer.cts'), consumer);
  writeFileSync(path.join(app, 'consumer.mts'), consumer);
  writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', types: [] },
    files: ['consumer.cts', 'consumer.mts'],
  }));
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  timed('typecheck consumers', () => execFileSync(process.execPath, [tsc, '-p', app], { stdio: 'inherit' }));
  console.log('test:package passed');
} finally {
  rmSync(work, { recursive: true, force: true });
}
