// Deployment in one process: artifact -> client keys -> encrypted inputs -> server -> decrypted
// outputs equal to the clear quantized forward; the secret key file; what is refused where.
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';

import test from 'ava';

import { CLIENT_KEY_FILE, DeployFormatError, FheModelClient, FheModelDev, FheModelServer } from '../../lib/deploy';
import { readDeployHeader } from '../../lib/deploy/container';
import { TfheSerializationError } from '../../lib/fhe/serialization';
import { floatInputs, makeArtifact, temporaryDir } from './fixture';

const artifact = makeArtifact();

test('client -> server -> client equals the clear quantized forward, integers and floats', async (t) => {
  const { dir, module } = await artifact;
  const keyDir = temporaryDir();
  const client = new FheModelClient(dir, keyDir);
  await client.generateKeys();
  const keyFile = path.join(keyDir, CLIENT_KEY_FILE);
  t.is(statSync(keyFile).mode & 0o777, 0o600, 'secret key file mode 0600');
  const server = new FheModelServer(dir).load();
  const x = floatInputs(3);
  const inputs = client.quantizeEncryptSerialize(x);
  const keys = await client.getSerializedEvaluationKeys();
  const outputs = await server.run(inputs, keys);
  const [q] = client.deserializeDecrypt(outputs);
  const [expected] = await module.quantizedForward(...module.quantizeInput(x));
  t.deepEqual(q.shape, expected.shape);
  t.deepEqual(Array.from(q.data), Array.from(expected.data));
  const [y] = client.deserializeDecryptDequantize(outputs);
  const [clear] = await module.forward(x);
  t.deepEqual(Array.from(y.data), Array.from(clear.data));
  t.is(readDeployHeader(outputs).kind, 'encrypted-values');

  // A second client reads the saved key and decrypts the same answer; no keyDir, no file.
  const again = new FheModelClient(dir, keyDir);
  await again.generateKeys();
  t.is(again.keySetId, client.keySetId);
  t.deepEqual(Array.from(again.deserializeDecrypt(outputs)[0].data), Array.from(expected.data));
  client.free();
  again.free();
});

test('keys and ciphertexts of another artifact or key set are refused', async (t) => {
  const [{ dir }, other] = await Promise.all([artifact, makeArtifact(1)]);
  const server = new FheModelServer(dir).load();
  const otherServer = new FheModelServer(other.dir).load();
  t.not(server.specs.artifactId, otherServer.specs.artifactId);
  const alice = new FheModelClient(dir);
  const bob = new FheModelClient(dir);
  await Promise.all([alice.generateKeys(), bob.generateKeys()]);
  const aliceKeys = await alice.getSerializedEvaluationKeys();
  const aliceInputs = alice.encryptSerialize(alice.specs.inputs.map((s) => new Array(s.size).fill(s.range.min)));

  const wrongArtifact = await t.throwsAsync(otherServer.loadEvaluationKeys(aliceKeys), { instanceOf: DeployFormatError });
  t.is(wrongArtifact.code, 'ERR_DEPLOY_ARTIFACT_MISMATCH');
  const keys = await server.loadEvaluationKeys(aliceKeys);
  const wrongKeySet = await t.throwsAsync(server.run(bob.encryptSerialize(bob.specs.inputs.map((s) => new Array(s.size).fill(0))), keys),
    { instanceOf: TfheSerializationError });
  t.is(wrongKeySet.code, 'ERR_TFHE_KEY_SET_MISMATCH');
  const foreignInputs = await t.throwsAsync(otherServer.run(aliceInputs, keys), { instanceOf: DeployFormatError });
  t.is(foreignInputs.code, 'ERR_DEPLOY_ARTIFACT_MISMATCH');
  // Bob cannot decrypt what was computed for Alice.
  const answer = await server.run(aliceInputs, keys);
  t.is(t.throws(() => bob.deserializeDecrypt(answer), { instanceOf: TfheSerializationError }).code, 'ERR_TFHE_KEY_SET_MISMATCH');
  t.is(alice.deserializeDecrypt(answer).length, 1);
  keys.free();
  alice.free();
  bob.free();
});

test('save refuses to overwrite; the client refuses a secret key others can read; bad inputs are named', async (t) => {
  const { dir, module } = await artifact;
  t.throws(() => new FheModelDev(dir, module).save(), { message: /already holds an artifact/ });
  const keyDir = temporaryDir();
  const client = new FheModelClient(dir, keyDir);
  await client.generateKeys();
  const { chmodSync } = await import('node:fs');
  chmodSync(path.join(keyDir, CLIENT_KEY_FILE), 0o644);
  await t.throwsAsync(new FheModelClient(dir, keyDir).generateKeys(), { message: /readable by others .*chmod 600/ });
  t.throws(() => client.quantizeEncryptSerialize(floatInputs(1), floatInputs(1)), { message: /expected 1 inputs/ });
  t.throws(() => client.encryptSerialize([1e9]), { message: /needs a multiple of 10 values/ });
  const x = new Array(10).fill(client.specs.inputs[0].range.max + 1);
  t.throws(() => client.encryptSerialize(x), { message: /not an integer in its range/ });
  await t.throwsAsync(new FheModelClient(dir).getSerializedEvaluationKeys(), { message: /generateKeys\(\) first/ });
  t.throws(() => new FheModelServer(dir).specs, { message: /load\(\) first/ });
  // The artifact's files are what the header says they are.
  t.is(readDeployHeader(new Uint8Array(readFileSync(path.join(dir, 'client.cqdeploy')))).kind, 'client-specs');
  client.free();
});

test('rounded shifts (a step kind newer than this layer) pass through the artifact: EXACT rounding == clear', async (t) => {
  const { dir, module } = await makeArtifact(2, { nBits: 3, roundingThresholdBits: { nBits: 2, method: 'EXACT' } });
  const server = new FheModelServer(dir).load();
  t.true(server.specs.program.steps.some((step) => step.kind === 'round'));
  const client = new FheModelClient(dir);
  await client.generateKeys();
  const x = floatInputs(1);
  const outputs = await server.run(client.quantizeEncryptSerialize(x), await client.getSerializedEvaluationKeys());
  const [expected] = await module.quantizedForward(...module.quantizeInput(x));
  t.deepEqual(Array.from(client.deserializeDecrypt(outputs)[0].data), Array.from(expected.data));
  client.free();
});
