// The scalar and AVX2 paths of the conv and pool kernels give identical results: the same
// cases run in a child process with CIPHERQUANT_FORCE_SCALAR=1 and in one with the automatic choice.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { native } from '../../lib/native';
import { seededInts } from '../native/matmul-reference';
import { CONV_CASES, POOL_CASES, referenceConv, referenceMaxPool, referenceSumPool } from './reference';

interface Probe {
  capabilities: { simd: string; threads: number };
  outputs: { conv: string[][]; sumPool: string[][]; maxPool: string[][] };
}

function probe(env: Record<string, string>): Probe {
  const stdout = execFileSync(process.execPath, ['--import=tsx', path.join(__dirname, 'kernels-probe.ts')], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Probe;
}

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

test('conv and pools: the scalar and AVX2 paths agree with each other and with the definition', (t) => {
  const scalar = probe({ CIPHERQUANT_FORCE_SCALAR: '1', CIPHERQUANT_THREADS: '1' });
  t.is(scalar.capabilities.simd, 'scalar');
  const automatic = probe({ CIPHERQUANT_FORCE_SCALAR: '', CIPHERQUANT_THREADS: '3' });
  const cpu = native.capabilities().cpu;
  t.is(automatic.capabilities.simd, cpu.avx2 && cpu.fma ? 'avx2+fma' : 'scalar');
  if (automatic.capabilities.simd === 'scalar') t.log('this CPU has no AVX2+FMA: only the scalar path ran');
  t.deepEqual(automatic.outputs, scalar.outputs);

  // Same seeds as the probe, so the outputs are also checked against the definitions.
  CONV_CASES.forEach((c, i) => {
    const expected = referenceConv(seededInts(volume(c.inputShape), 40000, i + 1), seededInts(volume(c.weightShape), 40000, i + 2), c);
    t.deepEqual(scalar.outputs.conv[i], Array.from(expected, String), `conv case ${i}`);
  });
  POOL_CASES.forEach((c, i) => {
    const x = seededInts(volume(c.inputShape), 100000, i + 1);
    t.deepEqual(scalar.outputs.sumPool[i], Array.from(referenceSumPool(x, c), String), `sum pool case ${i}`);
    t.deepEqual(scalar.outputs.maxPool[i], Array.from(referenceMaxPool(x, c), String), `max pool case ${i}`);
  });
});
