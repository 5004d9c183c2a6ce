// Where the CLI writes: results on stdout, progress and diagnostics on stderr. Tests pass buffers.

export interface OutputStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  readonly columns?: number;
}

export interface CliIo {
  readonly stdout: OutputStream;
  readonly stderr: OutputStream;
}

export function processIo(): CliIo {
  return { stdout: process.stdout, stderr: process.stderr };
}

/** Collects everything written, for tests. */
export class BufferStream implements OutputStream {
  text = '';
  readonly isTTY = false;

  write(text: string): boolean {
    this.text += text;
    return true;
  }
}

export function println(stream: OutputStream, line = ''): void {
  stream.write(`${line}\n`);
}
