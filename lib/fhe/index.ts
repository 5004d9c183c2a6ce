// The TFHE module, exposed as the `tfhe` namespace: parameter sets, the noise model, the
// security check, parameter choice, and the native scheme (keys, encrypt, lookup, linear ops).

export * from './parameters';
export * from './noise';
export * from './security';
export * from './cost';
export * from './parameter-choice';
export * from './tfhe';
export * from './serialization';
export * from './circuit';
