// Mutation fuzzer for the deployment layer's parsers (lib/deploy: envelope, plain data, specs,
// program check, encrypted values), which run in JavaScript where libFuzzer cannot reach. The
// native deserializers behind them have their own libFuzzer harness:
// scripts/fuzz-tfhe-deserialize.sh. Not part of npm test or CI.
//
//   node --import tsx scripts/fuzz-deploy.mjs [seconds]     (default 60)
//
// Seeds: the valid files of test/fixtures/deploy-corpus. Each mutant (bit flips, byte writes,
// truncation, insertion, a splice of two seeds) is loaded as it is and resealed (checksum, and
// the artifact id of server specs), so most reach the checks behind the envelope. A load must
// succeed or throw DeployFormatError / TfheSerializationError; anything else is a finding,
// written to build/fuzz-deploy/crashes.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const root = path.join(import.meta.dirname, '..');
const corpus = path.join(root, 'test/fixtures/deploy-corpus');
const { DeployFormatError, FheModelServer } = await import(path.join(root, 'lib/deploy/index.ts'));
const { readClientSpecs, readServerSpecs } = await import(path.join(root, 'lib/deploy/specs.ts'));
const { TfheSerializationError } = await import(path.join(root, 'lib/fhe/serialization.ts'));

const seconds = Number(process.argv[2] ?? 60);
const manifest = JSON.parse(readFileSync(path.join(corpus, 'manifest.json'), 'utf8'));
const server = new FheModelServer(corpus).load();
const seeds = [
  ['client', new Uint8Array(readFileSync(path.join(corpus, 'client.valid.cqdeploy')))],
  ['server', new Uint8Array(readFileSync(path.join(corpus, 'server.valid.cqdeploy')))],
  ['inputs', new Uint8Array(readFileSync(path.join(corpus, 'inputs.valid.bin')))],
];
const loaders = {
  client: (bytes) => readClientSpecs(bytes),
  server: (bytes) => readServerSpecs(bytes),
  inputs: (bytes) => server.readInputs(bytes, manifest.keySetId),
  keys: async (bytes) => (await server.loadEvaluationKeys(bytes)).free(),
};

const random = (n) => Math.floor(Math.random() * n);
const sha256 = (bytes) => createHash('sha256').update(bytes).digest();

function mutate(bytes) {
  let out = Uint8Array.from(bytes);
  for (let k = 1 + random(4); k > 0; k--) {
    const at = 92 + random(Math.max(1, out.length - 92));
    switch (random(5)) {
      case 0: out[at] ^= 1 << random(8); break;
      case 1: out[at] = [0, 0xff, 0x7f, 0x80, 0x22, 0x7b, 0x5b][random(7)]; break;
      case 2: out = out.subarray(0, at); break;
      case 3: out = Uint8Array.from([...out.subarray(0, at), random(256), ...out.subarray(at)]); break;
      default: {
        const other = seeds[random(seeds.length)][1];
        const from = random(other.length);
        out = Uint8Array.from([...out.subarray(0, at), ...other.subarray(from, from + 1 + random(64))]);
      }
    }
  }
  return out;
}

function reseal(bytes, kind) {
  if (bytes.length < 92 + 32) return bytes;
  const out = Uint8Array.from(bytes);
  new DataView(out.buffer).setBigUint64(84, BigInt(out.length - 92 - 32), true);
  if (kind === 'server') out.set(sha256(out.subarray(92, out.length - 32)), 52);
  out.set(sha256(out.subarray(0, out.length - 32)), out.length - 32);
  return out;
}

const crashes = path.join(root, 'build/fuzz-deploy/crashes');
const stats = { runs: 0, ok: 0, findings: 0, codes: {} };
const deadline = Date.now() + seconds * 1000;
while (Date.now() < deadline) {
  const [kind, seed] = seeds[random(seeds.length)];
  const raw = mutate(seed);
  for (const bytes of [raw, reseal(raw, kind)]) {
    for (const loader of [kind, ...(random(8) === 0 ? ['keys'] : [])]) {
      stats.runs++;
      try {
        await loaders[loader](bytes);
        stats.ok++;
      } catch (error) {
        if (error instanceof DeployFormatError || error instanceof TfheSerializationError) {
          stats.codes[error.code] = (stats.codes[error.code] ?? 0) + 1;
          continue;
        }
        stats.findings++;
        mkdirSync(crashes, { recursive: true });
        const file = path.join(crashes, `${loader}-${sha256(bytes).toString('hex').slice(0, 16)}.bin`);
        writeFileSync(file, bytes);
        console.error(`finding (${loader}): ${error?.stack ?? error}\n  input: ${file}`);
      }
    }
  }
}
console.log(JSON.stringify(stats));
process.exitCode = stats.findings > 0 ? 1 : 0;
