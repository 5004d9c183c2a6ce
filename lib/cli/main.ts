// cipherquant's command line: `cipherquant <command> [options]`. main() returns the exit code;
// user errors are one line on stderr, never a stack trace (CIPHERQUANT_DEBUG=1 shows it).

import { compileCommand, COMPILE_HELP } from './compile';
import { demoCommand, DEMO_HELP } from './demo';
import { CliError, EXIT_FAILURE, EXIT_USAGE } from './errors';
import { type CliIo, println, processIo } from './io';
import { reportCommand, REPORT_HELP } from './report';
import { serveCommand, SERVE_HELP } from './serve';

type Command = (argv: readonly string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { run: Command; help: readonly string[] }> = {
  demo: { run: demoCommand, help: DEMO_HELP },
  compile: { run: compileCommand, help: COMPILE_HELP },
  report: { run: reportCommand, help: REPORT_HELP },
  serve: { run: serveCommand, help: SERVE_HELP },
};

export function usage(): string {
  return [
    'usage: cipherquant <command> [options]     (cipherquant <command> --help for its options)',
    '',
    ...Object.values(COMMANDS).flatMap(({ help }) => [...help.slice(0, 2), '']),
    'exit codes: 0 done, 1 the model could not be built/compiled/run, 2 bad arguments, 3 unreadable file',
  ].join('\n');
}

export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    println(name === undefined ? io.stderr : io.stdout, usage());
    return name === undefined ? EXIT_USAGE : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    println(io.stderr, `cipherquant: unknown command '${name}' (commands: ${Object.keys(COMMANDS).join(', ')})`);
    return EXIT_USAGE;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    println(io.stdout, command.help.join('\n'));
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    return reportError(error, io);
  }
}

function reportError(error: unknown, io: CliIo): number {
  const message = error instanceof Error ? error.message : String(error);
  println(io.stderr, `cipherquant: ${message}`);
  if (process.env.CIPHERQUANT_DEBUG === '1' && error instanceof Error && error.stack) println(io.stderr, error.stack);
  return error instanceof CliError ? error.exitCode : EXIT_FAILURE;
}

if (require.main === module) {
  main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
}
