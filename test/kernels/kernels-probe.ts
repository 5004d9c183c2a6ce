// Run in a child process by dispatch.test.ts: prints the capabilities and the outputs of the
// conv and pool cases under this process's environment (e.g. CIPHERQUANT_FORCE_SCALAR=1).
import { native } from '../../lib/native';
import { seededInts } from '../native/matmul-reference';
import { CONV_CASES, POOL_CASES } from './reference';

const volume = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

async function main(): Promise<void> {
  const outputs: Record<string, string[][]> = { conv: [], sumPool: [], maxPool: [] };
  for (const [i, c] of CONV_CASES.entries()) {
    const x = seededInts(volume(c.inputShape), 40000, i + 1);
    const w = seededInts(volume(c.weightShape), 40000, i + 2);
    const out = await native.integerConv2d(x, c.inputShape, w, c.weightShape, c.group, c.strides, c.pads, c.dilations, c.padValue);
    outputs.conv.push(Array.from(out, String));
  }
  for (const [i, c] of POOL_CASES.entries()) {
    const x = seededInts(volume(c.inputShape), 100000, i + 1);
    const args = [x, c.inputShape, c.kernelShape, c.strides, c.pads, c.dilations, c.ceilMode, c.padValue] as const;
    outputs.sumPool.push(Array.from(await native.integerSumPool2d(...args), String));
    outputs.maxPool.push(Array.from(await native.integerMaxPool2d(...args), String));
  }
  process.stdout.write(JSON.stringify({ capabilities: native.capabilities(), outputs }));
}

void main();
