// Runs the CLI's main() in process with captured stdout/stderr.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BufferStream } from '../../lib/cli/io';
import { main } from '../../lib/cli/main';

export const DIGITS = path.join(__dirname, '..', '..', 'demo', 'digits');

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runCli(...argv: string[]): Promise<CliRun> {
  const stdout = new BufferStream();
  const stderr = new BufferStream();
  const code = await main(argv, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

export function temporaryFile(name: string, contents: string | Uint8Array): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cipherquant-cli-'));
  const file = path.join(dir, name);
  fs.writeFileSync(file, contents);
  return file;
}
