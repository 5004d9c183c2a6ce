// Run in a child process by dispatch.test.ts: prints the capabilities and the products of
// MATMUL_SHAPES under this process's environment (e.g. CIPHERQUANT_FORCE_SCALAR=1).
import { native } from '../../lib/native';
import { MATMUL_SHAPES, seededInts } from './matmul-reference';

async function main(): Promise<void> {
  const products: string[][] = [];
  for (const [m, k, n] of MATMUL_SHAPES) {
    const out = await native.integerMatmul(seededInts(m * k, 40000, m), seededInts(k * n, 40000, n + 1), m, k, n);
    products.push(Array.from(out, String));
  }
  process.stdout.write(JSON.stringify({ capabilities: native.capabilities(), products }));
}

void main();
