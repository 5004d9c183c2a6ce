// npm install script: node-gyp-build loads a matching prebuilt binary, or else builds from
// source with node-gyp (binding.gyp). When the running Node ships its own headers
// (<prefix>/include/node), point node-gyp at them so the source build needs no download.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const env = { ...process.env };
const prefix = path.dirname(path.dirname(process.execPath));
if (!env.npm_config_nodedir && existsSync(path.join(prefix, 'include', 'node', 'node_api.h'))) {
  env.npm_config_nodedir = prefix;
}
const bin = path.join(path.dirname(require.resolve('node-gyp-build/package.json')), 'bin.js');
const result = spawnSync(process.execPath, [bin], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
