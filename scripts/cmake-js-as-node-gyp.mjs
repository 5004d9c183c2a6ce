#!/usr/bin/env node
// prebuildify has no cmake-js backend: it runs `<node-gyp> rebuild --target=.. --devdir=..
// --arch=.. --release`. This stands in for node-gyp and turns that into a cmake-js rebuild, so
// prebuilt binaries come from the same build description as development builds. The N-API
// build needs neither the target version nor the header folder.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
if (args[0] !== 'rebuild') {
  console.error(`cmake-js-as-node-gyp: only 'rebuild' is supported, got '${args[0]}'`);
  process.exit(2);
}
const cmakeJs = path.join(path.dirname(require.resolve('cmake-js/package.json')), 'bin', 'cmake-js');
const cmakeArgs = ['rebuild', '--parallel', '2'];
for (const arg of args.slice(1)) {
  if (arg.startsWith('--arch=')) cmakeArgs.push('--arch', arg.slice('--arch='.length));
  else if (arg === '--debug') cmakeArgs.push('--debug');
}
const result = spawnSync(process.execPath, [cmakeJs, ...cmakeArgs], { stdio: 'inherit' });
process.exit(result.status ?? 1);
