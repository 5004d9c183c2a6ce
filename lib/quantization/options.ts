// How a tensor is mapped to integers: bit width, sign, symmetry, and whether the values were
// already quantized by quantization-aware training (QAT).

import { checkNBits } from './n-bits';
import { checkRecord, decodeBoolean } from './json';

export interface QuantizationFlags {
  /** Integers in [-2^(n-1), 2^(n-1) - 1] instead of [0, 2^n - 1]. */
  isSigned?: boolean;
  /** Zero point 0 and a scale set by max(|rmin|, |rmax|); needs isSigned. */
  isSymmetric?: boolean;
  /** Values already lie on a quantization grid (QAT): only the scale is inferred, zero point 0. */
  isQat?: boolean;
  /** Drop the lowest integer so the range is symmetric, e.g. [-127, 127] for 8 bits. */
  isNarrow?: boolean;
  /** Scale and zero point come from the model (Brevitas Quant nodes), not from statistics. */
  isPrecomputedQat?: boolean;
}

export interface QuantizationOptionsJSON {
  nBits: number;
  isSigned: boolean;
  isSymmetric: boolean;
  isQat: boolean;
  isNarrow: boolean;
  isPrecomputedQat: boolean;
}

export const FLAG_NAMES = ['isSigned', 'isSymmetric', 'isQat', 'isNarrow', 'isPrecomputedQat'] as const;

export class QuantizationOptions {
  readonly nBits: number;
  readonly isSigned: boolean;
  readonly isSymmetric: boolean;
  readonly isQat: boolean;
  readonly isNarrow: boolean;
  readonly isPrecomputedQat: boolean;

  constructor(nBits: number, flags: QuantizationFlags = {}) {
    this.nBits = checkNBits(nBits);
    checkFlags(flags);
    this.isSigned = flags.isSigned ?? false;
    this.isSymmetric = flags.isSymmetric ?? false;
    this.isQat = flags.isQat ?? false;
    this.isNarrow = flags.isNarrow ?? false;
    this.isPrecomputedQat = flags.isPrecomputedQat ?? false;

    // Concrete ML asserts both rules; here they are errors that say what to change.
    if (this.isSymmetric && !this.isSigned) {
      throw new RangeError('symmetric quantization is signed: set isSigned: true or isSymmetric: false');
    }
    if (this.isSymmetric && this.isQat) {
      throw new RangeError('QAT quantization is never symmetric: the zero point of QAT values is 0 by construction');
    }
    // Symmetric scale = max|x| / (2^n - 1 - 2^(n-1)); with one bit that divisor is 0 and the
    // reference would produce an infinite scale.
    if (this.isSymmetric && this.nBits < 2) {
      throw new RangeError('symmetric quantization needs nBits >= 2 (1 signed bit has no positive level)');
    }
    Object.freeze(this);
  }

  /** A copy with some fields changed (validated like a new instance). */
  with(changes: QuantizationFlags & { nBits?: number }): QuantizationOptions {
    const { nBits = this.nBits, ...flags } = changes;
    return new QuantizationOptions(nBits, { ...this.flags(), ...flags });
  }

  flags(): Required<QuantizationFlags> {
    return {
      isSigned: this.isSigned,
      isSymmetric: this.isSymmetric,
      isQat: this.isQat,
      isNarrow: this.isNarrow,
      isPrecomputedQat: this.isPrecomputedQat,
    };
  }

  /** Same bit width and the same five flags (Concrete ML's `__eq__`). */
  equals(other: QuantizationOptions): boolean {
    return other.nBits === this.nBits && FLAG_NAMES.every((name) => other[name] === this[name]);
  }

  /**
   * Same nBits, QAT, symmetry and sign, ignoring narrow range and precomputed QAT (Concrete ML's
   * `is_equal`): the test for "an input already quantized the way an op wants it", which lets
   * the op reuse the integers without a re-quantization table lookup. With
   * `ignoreSignForQat`, the sign is ignored when `other` is QAT.
   */
  isEquivalent(other: QuantizationOptions, { ignoreSignForQat = false } = {}): boolean {
    const signEquals = (other.isQat && ignoreSignForQat) || other.isSigned === this.isSigned;
    return (
      other.isQat === this.isQat && signEquals && other.isSymmetric === this.isSymmetric && other.nBits === this.nBits
    );
  }

  toJSON(): QuantizationOptionsJSON {
    return { nBits: this.nBits, ...this.flags() };
  }

  static fromJSON(json: unknown): QuantizationOptions {
    const record = checkRecord(json, ['nBits', ...FLAG_NAMES], 'QuantizationOptions JSON');
    const flags: QuantizationFlags = {};
    for (const name of FLAG_NAMES) flags[name] = decodeBoolean(record[name], `QuantizationOptions JSON ${name}`);
    return new QuantizationOptions(record.nBits as number, flags);
  }
}

function checkFlags(flags: QuantizationFlags): void {
  if (typeof flags !== 'object' || flags === null) throw new TypeError('quantization flags must be an object');
  for (const [name, value] of Object.entries(flags)) {
    if (!(FLAG_NAMES as readonly string[]).includes(name)) {
      throw new TypeError(`unknown quantization option '${name}' (known: ${FLAG_NAMES.join(', ')})`);
    }
    if (value !== undefined && typeof value !== 'boolean') {
      throw new TypeError(`quantization option ${name} must be a boolean, got ${String(value)}`);
    }
  }
}
