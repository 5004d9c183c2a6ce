// The one file format of the deployment layer: client specs, server specs, evaluation keys and
// encrypted values all travel in this envelope (TFHE objects inside keep their own format,
// native/tfhe/serialization/format.h). All integers little-endian.
//
//   offset  size  field
//        0     8  magic 89 'C' 'Q' 'D' 'E' 'P' 'L' 0A
//        8     2  format version (DEPLOY_FORMAT_VERSION)
//       10     2  kind (DeployKind)
//       12     6  library version that wrote it: major, minor, patch (u16 each)
//       18     2  flags, 0 in version 1
//       20    32  parameter fingerprint (SHA-256 of the parameter block, lib/fhe/serialization.ts)
//       52    32  artifact id: SHA-256 of the server specs' payload, i.e. which compiled model
//       84     8  payload length
//       92     -  payload
//   end-32    32  SHA-256 of every byte before it
//
// read() checks, before looking at the payload: length, magic, version, kind, flags, size limit,
// declared length, checksum, then the fingerprint and artifact id the caller expects.

import { createHash, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';

import { DeployFormatError } from './errors';

export const DEPLOY_MAGIC = Uint8Array.of(0x89, 0x43, 0x51, 0x44, 0x45, 0x50, 0x4c, 0x0a);
export const DEPLOY_FORMAT_VERSION = 1;
export const DEPLOY_HEADER_BYTES = 92;
const CHECKSUM_BYTES = 32;

export const DEPLOY_KINDS = { 'client-specs': 1, 'server-specs': 2, 'evaluation-keys': 3, 'encrypted-values': 4 } as const;
export type DeployKind = keyof typeof DEPLOY_KINDS;

export interface DeployHeader {
  readonly formatVersion: number;
  readonly kind: DeployKind;
  readonly libraryVersion: string;
  /** 64 hex digits. */
  readonly fingerprint: string;
  /** 64 hex digits. */
  readonly artifactId: string;
  readonly payloadBytes: number;
}

export interface ReadExpectations {
  readonly kind: DeployKind;
  /** Largest file accepted, in bytes. */
  readonly maxBytes: number;
  readonly fingerprint?: string;
  readonly artifactId?: string;
}

let cachedVersion: [number, number, number] | undefined;

/** package.json's version (the same file from lib/deploy and dist/deploy). */
export function libraryVersion(): [number, number, number] {
  if (cachedVersion === undefined) {
    const { version } = JSON.parse(readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf8')) as { version: string };
    const parts = /^(\d+)\.(\d+)\.(\d+)/.exec(version);
    if (parts === null) throw new Error(`package.json version ${version} is not major.minor.patch`);
    cachedVersion = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  }
  return cachedVersion;
}

// Uint8Array, not Buffer, in the signatures: the package's public types must not need @types/node.
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part);
  return hash.digest();
}

export function sha256Hex(...parts: Uint8Array[]): string {
  return Buffer.from(sha256(...parts)).toString('hex');
}

function hexBytes(hex: string, what: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(hex)) throw new TypeError(`${what} must be 64 lowercase hex digits`);
  return Buffer.from(hex, 'hex');
}

export function writeDeployFile(kind: DeployKind, fingerprint: string, artifactId: string, payload: Uint8Array): Uint8Array {
  const out = Buffer.alloc(DEPLOY_HEADER_BYTES + payload.length + CHECKSUM_BYTES);
  out.set(DEPLOY_MAGIC, 0);
  out.writeUInt16LE(DEPLOY_FORMAT_VERSION, 8);
  out.writeUInt16LE(DEPLOY_KINDS[kind], 10);
  libraryVersion().forEach((part, i) => out.writeUInt16LE(part, 12 + 2 * i));
  out.writeUInt16LE(0, 18);
  out.set(hexBytes(fingerprint, 'fingerprint'), 20);
  out.set(hexBytes(artifactId, 'artifactId'), 52);
  out.writeBigUInt64LE(BigInt(payload.length), 84);
  out.set(payload, DEPLOY_HEADER_BYTES);
  out.set(sha256(out.subarray(0, DEPLOY_HEADER_BYTES + payload.length)), DEPLOY_HEADER_BYTES + payload.length);
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
}

function fail(code: ConstructorParameters<typeof DeployFormatError>[0], expected: string, message: string): never {
  throw new DeployFormatError(code, `${expected}: ${message}`);
}

/** What the header declares, checked for form only (no checksum, no expectations); `expected` names it in errors. */
export function readDeployHeader(bytes: Uint8Array, expected = 'deploy file'): DeployHeader {
  if (!(bytes instanceof Uint8Array)) throw new TypeError(`${expected}: expected a Uint8Array`);
  if (bytes.length < DEPLOY_HEADER_BYTES) fail('ERR_DEPLOY_TRUNCATED', expected, `${bytes.length} bytes, shorter than the ${DEPLOY_HEADER_BYTES}-byte header`);
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (!buffer.subarray(0, 8).equals(DEPLOY_MAGIC)) fail('ERR_DEPLOY_BAD_MAGIC', expected, 'not a cipherquant deploy file (bad magic)');
  const formatVersion = buffer.readUInt16LE(8);
  if (formatVersion !== DEPLOY_FORMAT_VERSION) {
    fail('ERR_DEPLOY_UNSUPPORTED_VERSION', expected, `format version ${formatVersion}; this library reads version ${DEPLOY_FORMAT_VERSION}`);
  }
  const kindCode = buffer.readUInt16LE(10);
  const kind = (Object.keys(DEPLOY_KINDS) as DeployKind[]).find((name) => DEPLOY_KINDS[name] === kindCode);
  if (kind === undefined) fail('ERR_DEPLOY_WRONG_KIND', expected, `unknown kind ${kindCode}`);
  const flags = buffer.readUInt16LE(18);
  if (flags !== 0) fail('ERR_DEPLOY_UNSUPPORTED_VERSION', expected, `flags ${flags}; version ${DEPLOY_FORMAT_VERSION} has none`);
  const payloadBytes = buffer.readBigUInt64LE(84);
  return {
    formatVersion,
    kind,
    libraryVersion: [0, 1, 2].map((i) => buffer.readUInt16LE(12 + 2 * i)).join('.'),
    fingerprint: buffer.subarray(20, 52).toString('hex'),
    artifactId: buffer.subarray(52, 84).toString('hex'),
    payloadBytes: payloadBytes > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(payloadBytes),
  };
}

/** The header and a view of the payload, after every check of the envelope. */
export function readDeployFile(bytes: Uint8Array, expect: ReadExpectations): { header: DeployHeader; payload: Uint8Array } {
  const header = readDeployHeader(bytes, expect.kind);
  const { kind } = expect;
  if (header.kind !== kind) fail('ERR_DEPLOY_WRONG_KIND', kind, `this file holds ${header.kind}`);
  const total = DEPLOY_HEADER_BYTES + header.payloadBytes + CHECKSUM_BYTES;
  if (total > expect.maxBytes || bytes.length > expect.maxBytes) {
    fail('ERR_DEPLOY_SIZE_LIMIT', kind, `declares ${header.payloadBytes} bytes of payload, over the limit of ${expect.maxBytes} bytes`);
  }
  if (bytes.length < total) fail('ERR_DEPLOY_TRUNCATED', kind, `${bytes.length} bytes, the header declares ${total}`);
  if (bytes.length > total) fail('ERR_DEPLOY_LENGTH_MISMATCH', kind, `${bytes.length} bytes, the header declares ${total}`);
  const body = bytes.subarray(0, total - CHECKSUM_BYTES);
  if (!timingSafeEqual(sha256(body), bytes.subarray(total - CHECKSUM_BYTES))) fail('ERR_DEPLOY_CHECKSUM', kind, 'checksum mismatch: the bytes were altered');
  if (expect.fingerprint !== undefined && header.fingerprint !== expect.fingerprint) {
    fail('ERR_DEPLOY_PARAMETER_MISMATCH', kind, `made for parameters ${header.fingerprint.slice(0, 16)}..., expected `
      + `${expect.fingerprint.slice(0, 16)}...`);
  }
  if (expect.artifactId !== undefined && header.artifactId !== expect.artifactId) {
    fail('ERR_DEPLOY_ARTIFACT_MISMATCH', kind, `made for artifact ${header.artifactId.slice(0, 16)}..., this one is `
      + `${expect.artifactId.slice(0, 16)}... (keys and ciphertexts work only with the model they were made for)`);
  }
  return { header, payload: bytes.subarray(DEPLOY_HEADER_BYTES, total - CHECKSUM_BYTES) };
}
