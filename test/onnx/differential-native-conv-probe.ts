// Run in a child process by differential-native-conv.test.ts: prints the capabilities and the
// native float Conv outputs of every case under this process's environment (e.g.
// CIPHERQUANT_FORCE_SCALAR=1).
import { native } from '../../lib/native';
import { convNative } from '../../lib/onnx/ops/conv';
import { FLOAT_CONV_CASES, caseContext } from './differential-native-conv-cases';

const outputs = FLOAT_CONV_CASES.map((_, i) => Array.from(convNative(caseContext(i))[0].data as Float32Array));
process.stdout.write(JSON.stringify({ capabilities: native.capabilities(), outputs }));
