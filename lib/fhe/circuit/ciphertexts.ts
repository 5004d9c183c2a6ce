// Moving ciphertexts around inside batches: copies of whole LWE ciphertexts (mask + body words)
// and trivial ciphertexts for clear values (zero mask, encoded body), which is how padding and
// clear constants enter an encrypted tensor.

import { addConstants, CiphertextBatch } from '../tfhe';

export function wordsPerCiphertext(batch: CiphertextBatch): number {
  return batch.lweDimension + 1;
}

/** count trivial ciphertexts of `values` (zero masks): exact, noiseless, public. */
export function trivialCiphertexts(values: Int32Array, lweDimension: number, precision: number): CiphertextBatch {
  const zeros = new CiphertextBatch(new BigUint64Array(values.length * (lweDimension + 1)), values.length, lweDimension, precision);
  return values.length === 0 ? zeros : addConstants(zeros, values);
}

/** A batch of `count` ciphertexts, all zero words: trivial encryptions of 0. */
export function zeroBatch(count: number, like: { lweDimension: number; precision: number }): CiphertextBatch {
  return new CiphertextBatch(new BigUint64Array(count * (like.lweDimension + 1)), count, like.lweDimension, like.precision);
}

/** A view (no copy) of ciphertexts [start, start + count) of a batch. */
export function sliceBatch(batch: CiphertextBatch, start: number, count: number): CiphertextBatch {
  const words = wordsPerCiphertext(batch);
  return new CiphertextBatch(batch.data.subarray(start * words, (start + count) * words), count, batch.lweDimension, batch.precision);
}

/** Copies ciphertext `from` of `source` into slot `to` of `target`. */
export function copyCiphertext(source: CiphertextBatch, from: number, target: CiphertextBatch, to: number): void {
  const words = wordsPerCiphertext(source);
  target.data.set(source.data.subarray(from * words, (from + 1) * words), to * words);
}

/** values repeated once per sample: per-element clear operands for a whole batch. */
export function repeatPerSample(values: Int32Array, batch: number): Int32Array {
  if (batch === 1) return values;
  const out = new Int32Array(values.length * batch);
  for (let b = 0; b < batch; b++) out.set(values, b * values.length);
  return out;
}
