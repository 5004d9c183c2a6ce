import test from 'ava';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { QuantizedModule } from '../../lib/quantized';
import { DIGITS, runCli, temporaryFile } from './helpers';

const MODEL = path.join(DIGITS, 'model.onnx');
const INPUTSET = path.join(DIGITS, 'inputset.json');
const INPUTSET_NPY = path.join(DIGITS, 'inputset.npy');

/** The error is the last line of stderr (after any progress), with no stack trace. */
function assertCleanError(t: import('ava').ExecutionContext, stderr: string, message: RegExp): void {
  t.regex(stderr, message);
  t.notRegex(stderr, /\n\s+at /, 'no stack trace');
  const lines = stderr.trimEnd().split('\n');
  t.true(lines.findIndex((line) => line.startsWith('cipherquant: ')) >= lines.length - 3, stderr);
}

test('no command, unknown commands and --help', async (t) => {
  const none = await runCli();
  t.is(none.code, 2);
  t.regex(none.stderr, /usage: cipherquant <command>/);
  const unknown = await runCli('train');
  t.is(unknown.code, 2);
  t.regex(unknown.stderr, /unknown command 'train' \(commands: demo, compile, report, serve\)/);
  const help = await runCli('compile', '--help');
  t.is(help.code, 0);
  t.regex(help.stdout, /--rounding-threshold-bits/);
  t.is((await runCli('--help')).code, 0);
});

test('report: bit widths, ranges and lookups per op of the digits MLP', async (t) => {
  const text = await runCli('report', MODEL, '--inputset', INPUTSET, '--n-bits', '4');
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /pixels\s+input\s+4\s+\[0, 15\]/);
  t.regex(text.stdout, /\/0\/Gemm\s+accumulator/);
  t.regex(text.stdout, /24 table lookups per sample/);

  const json = await runCli('report', MODEL, '--inputset', INPUTSET_NPY, '--n-bits', '4', '--json');
  t.is(json.code, 0, json.stderr);
  const report = JSON.parse(json.stdout);
  t.is(report.lookupCount, 24);
  t.deepEqual(report.bitwidths.pixels.input, { range: [0, 15], bitwidth: 4 });
  t.is(report.lookups.length, 1);
  t.is(report.lookups[0].elements, 24);
  t.is(report.loweringProblem, null);
  const fromJson = JSON.parse((await runCli('report', MODEL, '--inputset', INPUTSET, '--n-bits', '4', '--json')).stdout);
  t.deepEqual(fromJson.bitwidths, report.bitwidths, '.npy and JSON inputsets of the same samples agree');
});

test('compile: statistics, and the module written with --out reloads', async (t) => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cipherquant-cli-')), 'module.json');
  const run = await runCli('compile', MODEL, '--inputset', INPUTSET, '--n-bits', '3', '--json', '--out', out);
  t.is(run.code, 0, run.stderr);
  const result = JSON.parse(run.stdout);
  t.is(result.lookupCount, 24);
  t.is(typeof result.parameterSet, 'string');
  t.true(result.keySizes.evaluationKeyBytes > 0);
  t.is(result.pError, 2 ** -128);
  t.regex(run.stderr, /compile: parameters/);
  const module = QuantizedModule.fromJSON(JSON.parse(fs.readFileSync(out, 'utf8')));
  t.deepEqual(module.inputNames, ['pixels']);

  const text = await runCli('compile', MODEL, '--inputset', INPUTSET, '--n-bits', '3');
  t.is(text.code, 0, text.stderr);
  t.regex(text.stdout, /parameters\s+(TUNIFORM|SEARCHED)_\w+/);
  t.regex(text.stdout, /evaluation keys\s+[\d.]+ (MiB|GiB)/);
});

test('compile: a model too wide for FHE fails with the reason and exit code 1', async (t) => {
  const run = await runCli('compile', MODEL, '--inputset', INPUTSET, '--n-bits', '8');
  t.is(run.code, 1);
  assertCleanError(t, run.stderr, /nBits|roundingThresholdBits/);
});

test('user errors: exit codes 2 (arguments) and 3 (files), one line each', async (t) => {
  const cases: [string[], number, RegExp][] = [
    [['report', MODEL], 2, /--inputset <file> is required/],
    [['report', '--inputset', INPUTSET], 2, /expected <model.onnx>, got none/],
    [['compile', MODEL, '--inputset', INPUTSET, '--n-bits', 'many'], 2, /--n-bits must be an integer/],
    [['compile', MODEL, '--inputset', INPUTSET, '--p-error', '2'], 2, /--p-error must be a probability/],
    [['compile', MODEL, '--inputset', INPUTSET, '--bogus'], 2, /compile: Unknown option '--bogus'/],
    [['demo', '--samples', '0'], 2, /--samples must be an integer in \[1, 360\]/],
    [['report', '/nonexistent/model.onnx', '--inputset', INPUTSET], 3, /cannot read model '\/nonexistent\/model.onnx': no such file/],
    [['report', temporaryFile('garbage.onnx', 'not a protobuf at all'), '--inputset', INPUTSET], 3, /garbage.onnx'/],
    [['report', MODEL, '--inputset', '/nonexistent/x.npy'], 3, /cannot read inputset/],
    [['report', MODEL, '--inputset', temporaryFile('broken.json', '[[0.1, 0.2], [0.3')], 3, /not valid JSON/],
    [['report', MODEL, '--inputset', temporaryFile('bad.npy', 'NUMPY?')], 3, /not a .npy file/],
  ];
  for (const [argv, code, message] of cases) {
    const run = await runCli(...argv);
    t.is(run.code, code, argv.join(' '));
    assertCleanError(t, run.stderr, message);
    t.is(run.stdout, '');
  }
});

test('an inputset of the wrong width is an input error naming both shapes', async (t) => {
  const run = await runCli('report', MODEL, '--inputset', temporaryFile('narrow.json', JSON.stringify([[0.1, 0.2], [0.3, 0.4]])));
  t.is(run.code, 3);
  assertCleanError(t, run.stderr, /narrow.json' has shape \[2, 2\], but model input 'pixels' is \[batch, 64\]/);
});
