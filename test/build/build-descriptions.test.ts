// CMakeLists.txt (cmake-js: development, C++ tests, prebuilds) and binding.gyp (node-gyp: the
// install fallback) must build the same addon. Both read native/sources.json; this test fails
// when a source is missing from that list or the two descriptions disagree on what matters.
import test from 'ava';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');
const read = (file: string) => readFileSync(path.join(root, file), 'utf8');

interface SourceList {
  portable: string[];
  avx2: string[];
}
const sources = JSON.parse(read('native/sources.json')) as SourceList;

interface GypTarget {
  target_name: string;
  sources: string[];
  defines: string[];
  cflags_cc: string[];
}

// binding.gyp is a Python literal: drop comments and trailing commas to read it as JSON.
function readGyp(): { variables: Record<string, string[]>; targets: GypTarget[] } {
  const json = read('binding.gyp')
    .replace(/^\s*#.*$/gm, '')
    .replace(/,(\s*[}\]])/g, '$1');
  return JSON.parse(json);
}

function expandGyp(values: string[], variables: Record<string, string[]>): string[] {
  return values.flatMap((value) => {
    const variable = /^<@\((\w+)\)$/.exec(value);
    if (variable) return variables[variable[1]];
    const command = /^<!@\(node -p "require\('\.\/native\/sources\.json'\)\.(\w+)\.join\(' '\)"\)$/.exec(value);
    if (command) return sources[command[1] as keyof SourceList];
    return [value];
  });
}

function nativeSourceFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir)).flatMap((name) => {
    const file = `${dir}/${name}`;
    if (statSync(path.join(root, file)).isDirectory()) return file === 'native/tests' ? [] : nativeSourceFiles(file);
    return name.endsWith('.cc') ? [file] : [];
  });
}

test('native/sources.json lists every native source once, AVX2 files apart', (t) => {
  const listed = [...sources.portable, ...sources.avx2];
  t.deepEqual([...new Set(listed)].sort(), listed.sort(), 'no source is listed twice');
  t.deepEqual(listed.sort(), nativeSourceFiles('native').sort(), 'every .cc file outside native/tests is listed');
  t.deepEqual(
    sources.avx2,
    listed.filter((file) => file.endsWith('_avx2.cc')),
    'exactly the *_avx2.cc files are in the avx2 group',
  );
});

test('binding.gyp builds the listed sources with the AVX2 flags on the AVX2 files only', (t) => {
  const gyp = readGyp();
  const [avx2Target, addonTarget] = ['cipherquant_avx2', 'cipherquant'].map((name) => {
    const target = gyp.targets.find((candidate) => candidate.target_name === name);
    if (!target) throw new Error(`binding.gyp has no target ${name}`);
    return target;
  });
  t.deepEqual(expandGyp(avx2Target.sources, gyp.variables), sources.avx2);
  t.deepEqual(expandGyp(addonTarget.sources, gyp.variables), sources.portable);
  t.true(expandGyp(avx2Target.cflags_cc, gyp.variables).includes('-mavx2'));
  t.true(expandGyp(avx2Target.cflags_cc, gyp.variables).includes('-mfma'));
  t.false(expandGyp(addonTarget.cflags_cc, gyp.variables).some((flag) => flag.startsWith('-mavx')));
});

test('CMakeLists.txt reads the same list and sets the same flags and defines', (t) => {
  const cmake = read('CMakeLists.txt');
  const gyp = readGyp();
  t.regex(cmake, /file\(READ "\$\{CMAKE_CURRENT_SOURCE_DIR\}\/native\/sources\.json"/);
  t.regex(cmake, /read_source_list\(portable PORTABLE_SOURCES\)/);
  t.regex(cmake, /read_source_list\(avx2 AVX2_SOURCES\)/);
  t.regex(cmake, /set_source_files_properties\(\$\{AVX2_SOURCES\} PROPERTIES COMPILE_OPTIONS "-mavx2;-mfma"\)/);
  const cmakeDefines = /target_compile_definitions\(\$\{PROJECT_NAME\} PRIVATE ([^)]*)\)/.exec(cmake)?.[1].split(/\s+/);
  t.deepEqual(cmakeDefines?.sort(), [...gyp.variables.common_defines].sort());
  const napiVersion = (JSON.parse(read('package.json')) as { binary: { napi_versions: number[] } }).binary.napi_versions[0];
  t.true(gyp.variables.common_defines.includes(`NAPI_VERSION=${napiVersion}`), 'NAPI_VERSION matches package.json');
});
