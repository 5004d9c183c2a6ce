// Where the circuit compiler's warnings go (e.g. a failure probability above 2^-64). Settable,
// so applications can route them to their own logs and tests can capture them.

export interface CircuitLogger {
  warn(message: string): void;
}

const consoleLogger: CircuitLogger = { warn: (message) => console.warn(`cipherquant: ${message}`) };

let current: CircuitLogger = consoleLogger;

/** Replaces the default logger (pass nothing to restore console.warn); returns the previous one. */
export function setCircuitLogger(logger?: CircuitLogger): CircuitLogger {
  const previous = current;
  current = logger ?? consoleLogger;
  return previous;
}

export function circuitLogger(): CircuitLogger {
  return current;
}
