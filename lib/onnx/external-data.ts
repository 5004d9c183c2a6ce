// Reads tensor bytes stored next to a model file. The location comes from an untrusted model,
// so it must stay inside the model's folder: absolute paths, `..` escapes and symlinks that
// leave the folder are refused (ONNX itself had several path-traversal CVEs here).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { StringStringEntry } from './proto-types';
import { OnnxError } from './errors';

export interface ExternalDataContext {
  /** Folder the model came from; external locations are relative to it. */
  readonly baseDir: string | undefined;
  /** Upper bound on the external bytes one model may read (default: unlimited). */
  readonly maxBytes: number;
  /** Bytes read so far for this model, shared by all its tensors. */
  bytesRead: number;
}

interface ExternalRef {
  location: string;
  offset: number;
  length: number | undefined;
}

function parseEntries(entries: readonly StringStringEntry[], tensorName: string): ExternalRef {
  let location: string | undefined;
  let offset = 0;
  let length: number | undefined;
  const parseCount = (key: string, value: string): number => {
    if (!/^\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
      throw new OnnxError(`tensor '${tensorName}': external data ${key} '${value}' is not a valid byte count`);
    }
    return Number(value);
  };
  for (const { key = '', value = '' } of entries) {
    if (key === 'location') location = value;
    else if (key === 'offset') offset = parseCount(key, value);
    else if (key === 'length') length = parseCount(key, value);
    // 'checksum' (SHA-1) and unknown keys carry no information needed to read the bytes.
  }
  if (location === undefined || location === '') {
    throw new OnnxError(`tensor '${tensorName}': external data has no location`);
  }
  return { location, offset, length };
}

function isInside(folder: string, candidate: string): boolean {
  const relative = path.relative(folder, candidate);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}

/** Resolves `location` inside `baseDir`, refusing every way out of it. */
export function resolveExternalPath(baseDir: string, location: string, tensorName: string): string {
  if (location.includes('\0')) {
    throw new OnnxError(`tensor '${tensorName}': external data location contains a NUL byte`, 'unsafe-external-data');
  }
  if (path.isAbsolute(location) || path.win32.isAbsolute(location)) {
    throw new OnnxError(`tensor '${tensorName}': external data location '${location}' is absolute; it must be relative to the model folder`, 'unsafe-external-data');
  }
  const segments = location.split(/[\\/]/);
  if (segments.includes('..')) {
    throw new OnnxError(`tensor '${tensorName}': external data location '${location}' uses '..' to leave the model folder`, 'unsafe-external-data');
  }
  const realBase = fs.realpathSync(baseDir);
  const joined = path.resolve(realBase, location);
  if (!isInside(realBase, joined)) {
    throw new OnnxError(`tensor '${tensorName}': external data location '${location}' is outside the model folder`, 'unsafe-external-data');
  }
  let real: string;
  try {
    real = fs.realpathSync(joined);
  } catch {
    throw new OnnxError(`tensor '${tensorName}': external data file '${location}' does not exist`);
  }
  if (!isInside(realBase, real)) {
    throw new OnnxError(`tensor '${tensorName}': external data file '${location}' is a symlink leading outside the model folder`, 'unsafe-external-data');
  }
  return real;
}

/** Reads the external bytes of one tensor; `expectedBytes` comes from its shape and dtype. */
export function readExternalData(
  entries: readonly StringStringEntry[],
  tensorName: string,
  expectedBytes: number,
  context: ExternalDataContext,
): Uint8Array {
  const ref = parseEntries(entries, tensorName);
  if (context.baseDir === undefined) {
    throw new OnnxError(`tensor '${tensorName}' has external data but the model was loaded from bytes; pass options.baseDir`);
  }
  const length = ref.length ?? expectedBytes;
  if (length !== expectedBytes) {
    throw new OnnxError(`tensor '${tensorName}': external data length ${length} does not match the ${expectedBytes} bytes its shape and type need`);
  }
  if (context.bytesRead + length > context.maxBytes) {
    throw new OnnxError(`tensor '${tensorName}': external data exceeds the limit of ${context.maxBytes} bytes (options.maxExternalDataBytes)`, 'unsafe-external-data');
  }
  const file = resolveExternalPath(context.baseDir, ref.location, tensorName);
  const fileSize = fs.statSync(file).size;
  if (ref.offset + length > fileSize) {
    throw new OnnxError(`tensor '${tensorName}': external data range ${ref.offset}..${ref.offset + length} is past the end of '${ref.location}' (${fileSize} bytes)`);
  }
  const bytes = new Uint8Array(length);
  const fd = fs.openSync(file, 'r');
  try {
    let done = 0;
    while (done < length) {
      const n = fs.readSync(fd, bytes, done, length - done, ref.offset + done);
      if (n === 0) break;
      done += n;
    }
  } finally {
    fs.closeSync(fd);
  }
  context.bytesRead += length;
  return bytes;
}
