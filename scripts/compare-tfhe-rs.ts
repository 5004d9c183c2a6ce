// cipherquant's TFHE backend against tfhe-rs on this machine, in the same time window. Usage:
//   npx tsx scripts/compare-tfhe-rs.ts [1_1|2_2|3_3 ...] [--rounds R] [--repetitions N]
// (`npm run bench:tfhe-rs`; defaults: the 2_2 set, 3 rounds of 20 repetitions).
//
// Builds bench/tfhe-rs-reference (tfhe-rs 1.8.2 from crates.io, pinned by its Cargo.lock;
// needs cargo), then for each round and set runs it and `bench-tfhe.ts --one-thread` one after
// the other, so both see the same machine load. Prints every raw JSON line, then one summary
// line per set and metric (keyswitch, pbs, ks-pbs, one thread, fastest CPU time per
// ciphertext): the median of each side and the median over rounds of the ratio tfhe-rs / ours,
// each ratio taken within one round. Our `pbs` is KS-PBS minus keyswitch (bench-tfhe.ts);
// tfhe-rs's is timed alone.
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

const SETS: Record<string, string> = {
  '1_1': 'TUNIFORM_1_1_PFAIL_2M128',
  '2_2': 'TUNIFORM_2_2_PFAIL_2M128',
  '3_3': 'TUNIFORM_3_3_PFAIL_2M128',
};
const METRICS = ['keyswitch', 'pbs', 'ks-pbs'] as const;

const args = process.argv.slice(2);
const flag = (name: string, fallback: number): number => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const value = Number(args[at + 1]);
  if (!Number.isInteger(value) || value < 1) throw new Error(`${name} takes a positive integer, got ${args[at + 1]}`);
  return value;
};
const rounds = flag('--rounds', 3);
const repetitions = flag('--repetitions', 20);
const setKeys = args.filter((arg, i) => !arg.startsWith('--') && !args[i - 1]?.startsWith('--'));
for (const key of setKeys) {
  if (!(key in SETS)) throw new Error(`unknown set ${key}; known: ${Object.keys(SETS).join(', ')}`);
}
const chosen = setKeys.length > 0 ? setKeys : ['2_2'];

const root = process.cwd(); // the repository root, where npm runs scripts
const crate = path.join(root, 'bench', 'tfhe-rs-reference');

function run(command: string, commandArgs: string[], cwd: string): string {
  const result = spawnSync(command, commandArgs, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (result.error) throw new Error(`${command}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${command} ${commandArgs.join(' ')} exited with ${result.status}`);
  return result.stdout;
}

type Line = { set?: string; metric?: string; threads?: number; cpuMsPerCiphertext?: number };

/** The one-thread CPU ms per ciphertext of each metric, from JSON lines (echoed as they are). */
function oneThreadFigures(output: string, set: string): Record<string, number> {
  const figures: Record<string, number> = {};
  for (const text of output.split('\n').filter((line) => line.startsWith('{'))) {
    console.log(text);
    const line = JSON.parse(text) as Line;
    if (line.set === set && line.threads === 1 && line.metric && line.cpuMsPerCiphertext !== undefined) {
      figures[line.metric] = line.cpuMsPerCiphertext;
    }
  }
  for (const metric of METRICS) {
    if (!(metric in figures)) throw new Error(`no one-thread ${metric} figure for ${set} in:\n${output}`);
  }
  return figures;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
};

run('cargo', ['build', '--release', '--locked', '--quiet'], crate);
const reference = path.join(crate, 'target', 'release', 'tfhe-rs-reference');
const ours = path.join(root, 'node_modules', '.bin', 'tsx');

const samples = new Map<string, { ours: number[]; tfheRs: number[]; ratios: number[] }>();
for (let round = 0; round < rounds; ++round) {
  for (const key of chosen) {
    const set = SETS[key];
    const theirs = oneThreadFigures(run(reference, [key, String(repetitions)], root), set);
    const mine = oneThreadFigures(run(ours, ['scripts/bench-tfhe.ts', set, '--one-thread', '--repetitions',
      String(repetitions)], root), set);
    for (const metric of METRICS) {
      const entry = samples.get(`${set} ${metric}`) ?? { ours: [], tfheRs: [], ratios: [] };
      entry.ours.push(mine[metric]);
      entry.tfheRs.push(theirs[metric]);
      entry.ratios.push(theirs[metric] / mine[metric]);
      samples.set(`${set} ${metric}`, entry);
    }
  }
}
for (const [name, entry] of samples) {
  const [set, metric] = name.split(' ');
  console.log(JSON.stringify({
    summary: 'tfhe-rs 1.8.2 / cipherquant, one thread, fastest CPU ms per ciphertext', set, metric, rounds,
    cipherquantMs: Number(median(entry.ours).toFixed(3)), tfheRsMs: Number(median(entry.tfheRs).toFixed(3)),
    medianRatio: Number(median(entry.ratios).toFixed(3)),
    ratioRange: [Math.min(...entry.ratios), Math.max(...entry.ratios)].map((r) => Number(r.toFixed(3))),
  }));
}
