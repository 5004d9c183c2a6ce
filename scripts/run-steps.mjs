// Runs named command steps in order, printing the time of each; stops at the first failure.
import { spawnSync } from 'node:child_process';

export function runSteps(steps) {
  const started = performance.now();
  for (const { name, command, args = [], when = () => true } of steps) {
    if (!when()) continue;
    const stepStarted = performance.now();
    console.log(`\n▶ ${name}: ${[command, ...args].join(' ')}`);
    const result = spawnSync(command, args, { stdio: 'inherit', shell: process.platform === 'win32' });
    const seconds = ((performance.now() - stepStarted) / 1000).toFixed(1);
    if (result.status !== 0) {
      console.error(`✖ ${name} failed after ${seconds} s`);
      process.exit(result.status ?? 1);
    }
    console.log(`✔ ${name} (${seconds} s)`);
  }
  console.log(`\nall steps passed in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
