// `npm test`: typecheck, lint, native build (incremental for a cmake-js build; only when missing
// after a node-gyp install build), ava, then the C++ unit tests.
import { existsSync } from 'node:fs';

import { runSteps } from './run-steps.mjs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const addonMissing = () => !existsSync('build/Release/cipherquant.node');
const cmakeJsBuild = () => existsSync('build/CMakeCache.txt');

runSteps([
  { name: 'typecheck', command: npx, args: ['tsc', '-p', 'tsconfig.json', '--noEmit'] },
  { name: 'lint', command: npx, args: ['eslint', '.'] },
  {
    name: 'native build',
    command: npx,
    args: ['cmake-js', 'compile', '--parallel', '2'],
    when: () => addonMissing() || cmakeJsBuild(),
  },
  { name: 'ava', command: npx, args: ['ava'] },
  { name: 'C++ tests', command: process.execPath, args: ['scripts/test-cpp.mjs'] },
]);
