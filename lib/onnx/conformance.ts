// Runs ONNX backend test folders (each: model.onnx, test_data_set_N/input_K.pb, output_K.pb)
// through the interpreter. Used by scripts/conformance.ts and by the ava tests.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Tensor } from '../tensor';
import { OnnxModel } from './model';
import { OnnxError } from './errors';
import { decodeTensorProto } from './decode';
import { tensorFromProto } from './tensor-proto';
import { isBig, isFloat } from './dtypes';

export const DEFAULT_CONFORMANCE_DIR = '/usr/share/libonnx-testdata/data/node';

/** ONNX's backend test tolerances. */
export const RTOL = 1e-3;
export const ATOL = 1e-7;

export interface ConformanceReport {
  readonly passed: string[];
  readonly failed: { name: string; reason: string }[];
  readonly skipped: { name: string; reason: string }[];
}

/** Why a model is out of scope: the op, opset or type that is not supported. */
function skipReason(error: OnnxError): string | undefined {
  const opMatch = /op (\S+) is not supported/.exec(error.message);
  if (error.code === 'unsupported-op') return opMatch ? `unsupported op ${opMatch[1]}` : error.message;
  if (error.code === 'unsupported-opset') return /opset \d+/.exec(error.message)?.[0].replace('opset', 'unsupported opset') ?? error.message;
  if (error.code === 'unsupported-attribute') return error.message.replace(/^.*?: /, 'unsupported attribute: ');
  if (error.code === 'unsupported-type') return 'unsupported data type (string, float16, sequence...)';
  return undefined;
}

/** Compares `actual` with `expected`; returns what differs, or undefined when they agree. */
export function compareTensors(actual: Tensor, expected: Tensor, rtol = RTOL, atol = ATOL): string | undefined {
  if (actual.dtype !== expected.dtype) return `dtype ${actual.dtype}, expected ${expected.dtype}`;
  if (actual.shape.length !== expected.shape.length || actual.shape.some((d, i) => d !== expected.shape[i])) {
    return `shape [${actual.shape.join(', ')}], expected [${expected.shape.join(', ')}]`;
  }
  const a = actual.data as ArrayLike<number | bigint>;
  const b = expected.data as ArrayLike<number | bigint>;
  for (let i = 0; i < a.length; i++) {
    if (isFloat(actual.dtype)) {
      const x = a[i] as number;
      const y = b[i] as number;
      if (Number.isNaN(x) && Number.isNaN(y)) continue;
      if (x === y) continue; // also equal infinities
      if (!(Math.abs(x - y) <= atol + rtol * Math.abs(y))) return `element ${i} is ${x}, expected ${y}`;
    } else if (isBig(actual.dtype) ? a[i] !== b[i] : Number(a[i]) !== Number(b[i])) {
      return `element ${i} is ${a[i]}, expected ${b[i]}`;
    }
  }
  return undefined;
}

function readTensor(file: string): Tensor {
  return tensorFromProto(decodeTensorProto(fs.readFileSync(file)));
}

function numbered(dir: string, prefix: string): string[] {
  return fs
    .readdirSync(dir)
    .filter((f) => f.startsWith(prefix) && f.endsWith('.pb'))
    .sort((x, y) => Number(x.slice(prefix.length, -3)) - Number(y.slice(prefix.length, -3)))
    .map((f) => path.join(dir, f));
}

type Outcome = { status: 'passed' } | { status: 'failed' | 'skipped'; reason: string };

function runOne(testDir: string): Outcome {
  let model: OnnxModel;
  try {
    model = OnnxModel.load(path.join(testDir, 'model.onnx'));
  } catch (error) {
    const reason = error instanceof OnnxError ? skipReason(error) : undefined;
    if (reason !== undefined) return { status: 'skipped', reason };
    return { status: 'failed', reason: `load: ${(error as Error).message}` };
  }
  const dataSets = fs.readdirSync(testDir).filter((d) => d.startsWith('test_data_set_')).sort();
  for (const set of dataSets) {
    const setDir = path.join(testDir, set);
    try {
      const inputs = numbered(setDir, 'input_').map(readTensor);
      const feeds: Record<string, Tensor> = {};
      model.graph.inputs.forEach((info, i) => {
        if (inputs[i] !== undefined) feeds[info.name] = inputs[i];
      });
      const results = model.run(feeds);
      const expected = numbered(setDir, 'output_').map(readTensor);
      for (let i = 0; i < expected.length; i++) {
        const name = model.graph.outputs[i].name;
        const difference = compareTensors(results[name], expected[i]);
        if (difference !== undefined) return { status: 'failed', reason: `${set}, output '${name}': ${difference}` };
      }
    } catch (error) {
      const reason = error instanceof OnnxError ? skipReason(error) : undefined;
      if (reason !== undefined) return { status: 'skipped', reason };
      return { status: 'failed', reason: `${set}: ${(error as Error).message}` };
    }
  }
  return { status: 'passed' };
}

export function runConformance(dir: string, options: { filter?: string } = {}): ConformanceReport {
  const report: ConformanceReport = { passed: [], failed: [], skipped: [] };
  const tests = fs
    .readdirSync(dir)
    .filter((name) => fs.existsSync(path.join(dir, name, 'model.onnx')))
    .filter((name) => options.filter === undefined || name.includes(options.filter))
    .sort();
  for (const name of tests) {
    const outcome = runOne(path.join(dir, name));
    if (outcome.status === 'passed') report.passed.push(name);
    else report[outcome.status].push({ name, reason: outcome.reason });
  }
  return report;
}

/** Human-readable lines: failures one by one, skips grouped by reason. */
export function formatSummary(report: ConformanceReport, verbose = false): string[] {
  const lines: string[] = [];
  for (const { name, reason } of report.failed) lines.push(`FAIL ${name}: ${reason}`);
  const byReason = new Map<string, string[]>();
  for (const { name, reason } of report.skipped) byReason.set(reason, [...(byReason.get(reason) ?? []), name]);
  const reasons = [...byReason.entries()].sort((x, y) => y[1].length - x[1].length || x[0].localeCompare(y[0]));
  for (const [reason, names] of reasons) {
    const list = verbose || names.length <= 4 ? names.join(', ') : `${names.slice(0, 4).join(', ')}, ...`;
    lines.push(`skipped ${names.length} (${reason}): ${list}`);
  }
  if (verbose) for (const name of report.passed) lines.push(`pass ${name}`);
  lines.push(`${report.passed.length} passed, ${report.failed.length} failed, ${report.skipped.length} skipped`);
  return lines;
}
