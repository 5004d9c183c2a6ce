// C++ unit tests (GoogleTest through ctest), built with plain cmake in build/cpp-tests
// (no addon, just the core library and the tests). `--sanitize` builds and runs them under
// AddressSanitizer + UndefinedBehaviorSanitizer in build/cpp-tests-sanitize instead.
// Where GoogleTest is missing the tests are skipped with a message, not failed.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const sanitize = process.argv.includes('--sanitize');
const dir = sanitize ? 'build/cpp-tests-sanitize' : 'build/cpp-tests';

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { stdio: 'inherit', env });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

const configure = ['-S', '.', '-B', dir, '-DCIPHERQUANT_TESTS=ON', `-DCIPHERQUANT_SANITIZE=${sanitize ? 'ON' : 'OFF'}`];
configure.push(`-DCMAKE_BUILD_TYPE=${sanitize ? 'RelWithDebInfo' : 'Release'}`);
// The generator can only be chosen when the folder is first configured.
const firstConfigure = !existsSync(`${dir}/CMakeCache.txt`);
if (firstConfigure && spawnSync('ninja', ['--version'], { stdio: 'ignore' }).status === 0) configure.push('-G', 'Ninja');
run('cmake', configure);
if (!existsSync(`${dir}/gtest-found`)) {
  console.log('C++ tests skipped: GoogleTest was not found (Debian: apt-get install libgtest-dev).');
  process.exit(0);
}
run('cmake', ['--build', dir, '--parallel', '2']);
const env = { ...process.env, UBSAN_OPTIONS: 'print_stacktrace=1:halt_on_error=1' };
run('ctest', ['--test-dir', dir, '--output-on-failure', '--timeout', '600'], env);
