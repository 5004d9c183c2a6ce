// Errors of the deployment layer. A deploy file that cannot be loaded is a DeployFormatError with
// a code (what kind of problem) and a message (what exactly, never key material); TFHE objects
// inside it fail with the TfheSerializationError of lib/fhe/serialization.ts.

export type DeployErrorCode =
  | 'ERR_DEPLOY_TRUNCATED'
  | 'ERR_DEPLOY_BAD_MAGIC'
  | 'ERR_DEPLOY_UNSUPPORTED_VERSION'
  | 'ERR_DEPLOY_WRONG_KIND'
  | 'ERR_DEPLOY_SIZE_LIMIT'
  | 'ERR_DEPLOY_LENGTH_MISMATCH'
  | 'ERR_DEPLOY_CHECKSUM'
  | 'ERR_DEPLOY_PARAMETER_MISMATCH'
  /** Made for another artifact (another compiled model). */
  | 'ERR_DEPLOY_ARTIFACT_MISMATCH'
  /** Checksum right, content wrong: a structure, length or value that does not conform. */
  | 'ERR_DEPLOY_MALFORMED'
  /** Checksum right, content valid, but refused by policy (e.g. parameters below 128-bit security). */
  | 'ERR_DEPLOY_REFUSED';

export class DeployFormatError extends Error {
  constructor(readonly code: DeployErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DeployFormatError';
  }
}

/** Throws ERR_DEPLOY_MALFORMED with `where: message`. */
export function malformed(where: string, message: string): never {
  throw new DeployFormatError('ERR_DEPLOY_MALFORMED', `${where}: ${message}`);
}
