// Plain data <-> bytes, generically: objects, arrays, strings, booleans, null, numbers (-0,
// NaN and infinities included), bigints and typed arrays. Specs and the compiled Program are
// walked field by field, so a new step kind or field passes through without a change here.
// Class instances, Maps, Sets and functions are refused by name and path: they would not
// come back as what they were.
//
//   u32 length of the JSON text | JSON text (UTF-8) | zero padding to 8 | typed array bytes
//
// In the JSON, a typed array is {"$typed": [type, byteOffset, length]} (its bytes in the
// trailing section, 8-aligned), a number JSON cannot spell is {"$number": "-0" | "NaN" |
// "Infinity" | "-Infinity"}, a bigint {"$bigint": "decimal"}. Plain objects may not use those keys.

import { malformed } from './errors';

const TYPED_ARRAYS = {
  Int8Array, Uint8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;
type AnyTypedArray = InstanceType<(typeof TYPED_ARRAYS)[TypedArrayName]>;
const RESERVED = new Set(['$typed', '$number', '$bigint']);
/** Deeper than any spec or program; keeps a hostile file from exhausting the stack. */
const MAX_DEPTH = 64;

function typedArrayName(value: unknown): TypedArrayName | undefined {
  if (!ArrayBuffer.isView(value)) return undefined;
  const name = value.constructor.name;
  return Object.hasOwn(TYPED_ARRAYS, name) && value.constructor === TYPED_ARRAYS[name as TypedArrayName] ? name as TypedArrayName : undefined;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

export function encodePlainData(value: unknown): Uint8Array {
  const arrays: AnyTypedArray[] = [];
  let offset = 0;
  const walk = (v: unknown, path: string): unknown => {
    switch (typeof v) {
      case 'string':
      case 'boolean':
        return v;
      case 'number':
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { $number: Object.is(v, -0) ? '-0' : String(v) };
      case 'bigint':
        return { $bigint: v.toString() };
      case 'object': {
        if (v === null) return null;
        const typed = typedArrayName(v);
        if (typed !== undefined) {
          const array = v as AnyTypedArray;
          const at = offset;
          arrays.push(array);
          offset += Math.ceil(array.byteLength / 8) * 8;
          return { $typed: [typed, at, array.length] };
        }
        if (Array.isArray(v)) {
          return v.map((item, i) => {
            if (item === undefined) throw new TypeError(`encodePlainData: ${path}[${i}] is undefined`);
            return walk(item, `${path}[${i}]`);
          });
        }
        if (!isPlainObject(v)) throw new TypeError(`encodePlainData: ${path} is a ${v.constructor?.name ?? 'non-plain object'}, not plain data`);
        const out: Record<string, unknown> = {};
        for (const [key, item] of Object.entries(v)) {
          if (RESERVED.has(key)) throw new TypeError(`encodePlainData: ${path} uses the reserved key ${key}`);
          if (item !== undefined) out[key] = walk(item, `${path}.${key}`);
        }
        return out;
      }
      default:
        throw new TypeError(`encodePlainData: ${path} is a ${typeof v}, not plain data`);
    }
  };
  const json = Buffer.from(JSON.stringify(walk(value, '$')), 'utf8');
  const start = Math.ceil((4 + json.length) / 8) * 8;
  const out = new Uint8Array(start + offset);
  new DataView(out.buffer).setUint32(0, json.length, true);
  out.set(json, 4);
  let at = start;
  for (const array of arrays) {
    out.set(new Uint8Array(array.buffer, array.byteOffset, array.byteLength), at);
    at += Math.ceil(array.byteLength / 8) * 8;
  }
  return out;
}

/** The value back; every typed array is a fresh copy. Malformed input is ERR_DEPLOY_MALFORMED naming `what`. */
export function decodePlainData(bytes: Uint8Array, what: string): unknown {
  if (bytes.length < 4) malformed(what, `${bytes.length} bytes, too short for its JSON length`);
  const jsonLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(0, true);
  if (jsonLength > bytes.length - 4) malformed(what, `declares ${jsonLength} bytes of JSON in ${bytes.length - 4}`);
  const start = Math.ceil((4 + jsonLength) / 8) * 8;
  const binary = bytes.subarray(Math.min(start, bytes.length));
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(4, 4 + jsonLength)));
  } catch (error) {
    malformed(what, `its JSON does not parse (${(error as Error).message})`);
  }
  const walk = (v: unknown, path: string, depth = 0): unknown => {
    if (typeof v !== 'object' || v === null) return v;
    if (depth > MAX_DEPTH) malformed(what, `${path}: nested deeper than ${MAX_DEPTH} levels`);
    if (Array.isArray(v)) return v.map((item, i) => walk(item, `${path}[${i}]`, depth + 1));
    const record = v as Record<string, unknown>;
    if ('$typed' in record) return typedArray(record.$typed, binary, `${what} ${path}`);
    if ('$number' in record) {
      const n = { '-0': -0, NaN, Infinity, '-Infinity': -Infinity }[String(record.$number)];
      if (n === undefined || typeof record.$number !== 'string') malformed(what, `${path}: ${JSON.stringify(record.$number)} is no number`);
      return n;
    }
    if ('$bigint' in record) {
      if (typeof record.$bigint !== 'string' || !/^-?\d{1,40}$/.test(record.$bigint)) malformed(what, `${path}: bad bigint`);
      return BigInt(record.$bigint);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(record)) {
      if (key === '__proto__') malformed(what, `${path} has a __proto__ key`);
      out[key] = walk(item, `${path}.${key}`, depth + 1);
    }
    return out;
  };
  return walk(json, '$');
}

function typedArray(reference: unknown, binary: Uint8Array, where: string): AnyTypedArray {
  if (!Array.isArray(reference) || reference.length !== 3) malformed(where, 'a typed array reference must be [type, offset, length]');
  const [name, offset, length] = reference as [unknown, unknown, unknown];
  if (typeof name !== 'string' || !Object.hasOwn(TYPED_ARRAYS, name)) malformed(where, `unknown typed array type ${JSON.stringify(name)}`);
  const Type = TYPED_ARRAYS[name as TypedArrayName];
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0
    || (offset as number) % 8 !== 0) {
    malformed(where, `typed array offset ${String(offset)} / length ${String(length)} must be non-negative integers, the offset 8-aligned`);
  }
  const byteLength = (length as number) * Type.BYTES_PER_ELEMENT;
  if ((offset as number) + byteLength > binary.length) {
    malformed(where, `a ${name} of ${String(length)} elements at ${String(offset)} runs past the ${binary.length} bytes of data`);
  }
  const copy = binary.slice(offset as number, (offset as number) + byteLength);
  return new Type(copy.buffer, 0, length as number);
}
