// What the two halves of a deployment need, as deploy files (container.ts):
//   server specs: the parameter set and the compiled Program (nothing about quantization);
//   client specs: the parameter set, the circuit interface (each input's and output's name,
//     shape, range and message precision), the model's input and output quantizers.
// The artifact id in every header is the SHA-256 of the server specs' payload: keys and
// ciphertexts carry it too, so a server refuses what was made for another model.

import { parameterFingerprint } from '../fhe/serialization';
import { defineParameterSet, type ParameterSet, type ParameterSetFields } from '../fhe/parameters';
import { assertSecure } from '../fhe/security';
import type { FheCircuit } from '../fhe/circuit';
import type { Program } from '../fhe/circuit/program';
import { UniformQuantizer } from '../quantization';
import type { QuantizedModule } from '../quantized';
import { readDeployFile, sha256Hex, writeDeployFile } from './container';
import { DeployFormatError, malformed } from './errors';
import { decodePlainData, encodePlainData } from './plain-data';
import { checkProgram, MAX_TENSOR_SIZE } from './program-format';

/** One encrypted input or output of the circuit, as the client sees it. */
export interface TensorInterface {
  readonly name: string;
  /** Per sample (no batch axis). */
  readonly shape: readonly number[];
  readonly size: number;
  /** Integers the circuit accepts (inputs) or produces (outputs). */
  readonly range: { readonly min: number; readonly max: number };
  /** Message precision the ciphertexts are encoded at. */
  readonly precision: number;
}

export interface ClientSpecs {
  readonly parameters: ParameterSet;
  readonly inputs: readonly TensorInterface[];
  readonly outputs: readonly TensorInterface[];
  readonly inputQuantizers: readonly UniformQuantizer[];
  readonly outputQuantizers: readonly UniformQuantizer[];
  readonly artifactId: string;
}

export interface ServerSpecs {
  readonly parameters: ParameterSet;
  readonly program: Program;
  readonly artifactId: string;
}

/** Default limit on a specs file (the Program of a big CNN is tens of MB). */
export const DEFAULT_MAX_SPECS_BYTES = 2 ** 28;

function fieldsOf(parameters: ParameterSet): ParameterSetFields {
  const { precision: _precision, bigLweDimension: _big, ...fields } = parameters;
  return fields;
}

function interfaceOf(circuit: FheCircuit, spec: FheCircuit['inputs'][number]): TensorInterface {
  return { name: spec.name, shape: [...spec.shape], size: spec.size, range: { ...spec.range }, precision: circuit.program.precisions[spec.id] };
}

/** Both specs files of a compiled module: [client, server]. */
export function writeSpecs(module: QuantizedModule, circuit: FheCircuit): { client: Uint8Array; server: Uint8Array } {
  const fingerprint = parameterFingerprint(circuit.parameters);
  const serverPayload = encodePlainData({ parameters: fieldsOf(circuit.parameters), program: circuit.program });
  const artifactId = sha256Hex(serverPayload);
  const clientPayload = encodePlainData({
    parameters: fieldsOf(circuit.parameters),
    inputs: circuit.inputs.map((spec) => interfaceOf(circuit, spec)),
    outputs: circuit.outputs.map((spec) => interfaceOf(circuit, spec)),
    inputQuantizers: module.inputQuantizers.map((q) => q.toJSON()),
    outputQuantizers: module.outputQuantizers.map((q) => q.toJSON()),
  });
  return {
    client: writeDeployFile('client-specs', fingerprint, artifactId, clientPayload),
    server: writeDeployFile('server-specs', fingerprint, artifactId, serverPayload),
  };
}

/** The parameter set of a specs file: valid, 128-bit secure, and the one the header names. */
function parametersOf(value: unknown, fingerprint: string, what: string): ParameterSet {
  let parameters: ParameterSet;
  try {
    parameters = defineParameterSet(value as ParameterSetFields);
  } catch (error) {
    malformed(what, `invalid parameter set (${(error as Error).message})`);
  }
  try {
    assertSecure(parameters);
  } catch (error) {
    throw new DeployFormatError('ERR_DEPLOY_REFUSED', `${what}: ${(error as Error).message}`);
  }
  if (parameterFingerprint(parameters) !== fingerprint) {
    throw new DeployFormatError('ERR_DEPLOY_PARAMETER_MISMATCH', `${what}: the parameter set does not match the header's fingerprint`);
  }
  return parameters;
}

function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) malformed(what, 'expected an object');
  return value as Record<string, unknown>;
}

export function readServerSpecs(bytes: Uint8Array, maxBytes = DEFAULT_MAX_SPECS_BYTES): ServerSpecs {
  const { header, payload } = readDeployFile(bytes, { kind: 'server-specs', maxBytes });
  const artifactId = sha256Hex(payload);
  if (artifactId !== header.artifactId) malformed('server specs', 'the artifact id is not the hash of the payload');
  const specs = record(decodePlainData(payload, 'server specs'), 'server specs');
  return { parameters: parametersOf(specs.parameters, header.fingerprint, 'server specs'), program: checkProgram(specs.program), artifactId };
}

function checkInterface(value: unknown, what: string): TensorInterface {
  const spec = record(value, what);
  const shape = spec.shape;
  const size = spec.size as number;
  const range = record(spec.range, `${what}.range`);
  const ok = typeof spec.name === 'string' && Array.isArray(shape) && shape.every((d) => Number.isSafeInteger(d) && d >= 1)
    && Number.isSafeInteger(size) && size >= 1 && size <= MAX_TENSOR_SIZE && shape.reduce((a: number, b: number) => a * b, 1) === size
    && Number.isSafeInteger(range.min) && Number.isSafeInteger(range.max) && (range.min as number) <= (range.max as number)
    && Number.isInteger(spec.precision) && (spec.precision as number) >= 1 && (spec.precision as number) <= 31;
  if (!ok) malformed('client specs', `${what} is not { name, shape, size, range, precision }`);
  return spec as unknown as TensorInterface;
}

export function readClientSpecs(bytes: Uint8Array, maxBytes = DEFAULT_MAX_SPECS_BYTES): ClientSpecs {
  const { header, payload } = readDeployFile(bytes, { kind: 'client-specs', maxBytes });
  const specs = record(decodePlainData(payload, 'client specs'), 'client specs');
  const quantizers = (value: unknown, what: string) => {
    if (!Array.isArray(value)) malformed('client specs', `${what} must be an array`);
    return value.map((json, k) => {
      try {
        return UniformQuantizer.fromJSON(json);
      } catch (error) {
        malformed('client specs', `${what}[${k}]: ${(error as Error).message}`);
      }
    });
  };
  const inputs = Array.isArray(specs.inputs) ? specs.inputs.map((s, k) => checkInterface(s, `inputs[${k}]`)) : malformed('client specs', 'no inputs');
  const outputs = Array.isArray(specs.outputs) ? specs.outputs.map((s, k) => checkInterface(s, `outputs[${k}]`)) : malformed('client specs', 'no outputs');
  const inputQuantizers = quantizers(specs.inputQuantizers, 'inputQuantizers');
  const outputQuantizers = quantizers(specs.outputQuantizers, 'outputQuantizers');
  if (inputs.length === 0 || inputQuantizers.length !== inputs.length || outputQuantizers.length !== outputs.length) {
    malformed('client specs', 'needs one quantizer per input and per output');
  }
  return { parameters: parametersOf(specs.parameters, header.fingerprint, 'client specs'), inputs, outputs, inputQuantizers, outputQuantizers, artifactId: header.artifactId };
}
