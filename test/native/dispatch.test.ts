import test from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';

import { native } from '../../lib/native';
import { MATMUL_SHAPES, referenceMatmul, seededInts } from './matmul-reference';

interface Probe {
  capabilities: { simd: string; threads: number };
  products: string[][];
}

function probe(env: Record<string, string>): Probe {
  const stdout = execFileSync(process.execPath, ['--import=tsx', path.join(__dirname, 'matmul-probe.ts')], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
  });
  return JSON.parse(stdout) as Probe;
}

test('integerMatmul equals the definition of the product', async (t) => {
  for (const [m, k, n] of MATMUL_SHAPES) {
    const a = seededInts(m * k, 40000, m);
    const b = seededInts(k * n, 40000, n + 1);
    t.deepEqual(await native.integerMatmul(a, b, m, k, n), referenceMatmul(a, b, m, k, n), `${m}x${k}x${n}`);
  }
});

test('the scalar and AVX2 paths give identical results', (t) => {
  const scalar = probe({ CIPHERQUANT_FORCE_SCALAR: '1' });
  t.is(scalar.capabilities.simd, 'scalar');
  const automatic = probe({ CIPHERQUANT_FORCE_SCALAR: '' });
  const cpu = native.capabilities().cpu;
  t.is(automatic.capabilities.simd, cpu.avx2 && cpu.fma ? 'avx2+fma' : 'scalar');
  if (automatic.capabilities.simd === 'scalar') t.log('this CPU has no AVX2+FMA: only the scalar path ran');
  t.deepEqual(automatic.products, scalar.products);
});

test('CIPHERQUANT_THREADS sets the pool size, setThreads changes it', (t) => {
  t.is(probe({ CIPHERQUANT_THREADS: '3' }).capabilities.threads, 3);
  const before = native.capabilities().threads;
  try {
    native.setThreads(5);
    t.is(native.capabilities().threads, 5);
  } finally {
    native.setThreads(before);
  }
  t.is(native.capabilities().hardwareThreads >= 1, true);
});
