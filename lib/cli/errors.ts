// Errors the CLI reports as one line and an exit code, never as a stack trace.

export const EXIT_OK = 0;
/** The model cannot be built, compiled or run as asked (options, unsupported ops, no parameters). */
export const EXIT_FAILURE = 1;
/** Bad command line: unknown command or option, missing or malformed value. */
export const EXIT_USAGE = 2;
/** A file is missing, unreadable or not what it claims to be (model, inputset). */
export const EXIT_INPUT = 3;

export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT_FAILURE) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT_USAGE);
    this.name = 'UsageError';
  }
}

export class InputFileError extends CliError {
  constructor(message: string) {
    super(message, EXIT_INPUT);
    this.name = 'InputFileError';
  }
}
