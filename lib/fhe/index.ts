// The TFHE module (meant to be exposed as the `tfhe` namespace): parameter sets, the noise
// model, the security check and parameter choice. The native facade (keys, encrypt, lookup)
// is exported from here as well, one `export *` line per file.

export * from './parameters';
export * from './noise';
export * from './security';
export * from './cost';
export * from './parameter-choice';
