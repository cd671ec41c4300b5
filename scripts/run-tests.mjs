// Runs every *.test.ts under test/ (or the files given) with Node's own test runner (through tsx),
// so the closing "# pass / # fail" lines are Node's: two files at a time, the slowest first
// (scripts/test-order.txt, through scripts/run-files.mjs).
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { spawn } from 'node:child_process';

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
// --unit: only the unit tests, the files not named *.int.test.ts (those open a database, start a
// server or a process, or build a borough).
const args = process.argv.slice(2);
const unit = args.includes('--unit');
const only = args.filter((a) => a !== '--unit');
const files = order(only.length ? only : find('test').sort()).filter((f) => !unit || !f.endsWith('.int.test.ts'));

/** The slowest files first, as scripts/test-order.txt lists them, then the rest as given. */
function order(given) {
  const listed = readFileSync(new URL('./test-order.txt', import.meta.url), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const key = (f) => f.replace(/\\/g, '/').replace(/^\.\//, '');
  const rank = new Map(listed.map((f, i) => [f, i]));
  const first = given.filter((f) => rank.has(key(f))).sort((a, b) => rank.get(key(a)) - rank.get(key(b)));
  return [...first, ...given.filter((f) => !rank.has(key(f)))];
}
// CIVIC_TEST_TIMES=FILE also writes how long each file's process took, longest first (scripts/test-clock.mjs).
const timesFile = process.env.CIVIC_TEST_TIMES;
const raw = timesFile ? `${timesFile}.raw` : null;
if (raw) rmSync(raw, { force: true });
const started = Date.now();
// The whole suite: the Sample Boroughs its files share are built by a process of their own from the
// start (test/helpers/prebuild-boroughs.ts), so no file waits for one with a processor idle.
const prebuild =
  !only.length && !unit
    ? spawn(
        process.execPath,
        ['--import', 'tsx', fileURLToPath(new URL('../test/helpers/prebuild-boroughs.ts', import.meta.url))],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      )
    : null;
const prebuildErr = [];
prebuild?.stderr.on('data', (d) => prebuildErr.push(d));
const r = await new Promise((done) =>
  spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      ...(raw ? ['--import', './scripts/test-clock.mjs'] : []),
      fileURLToPath(new URL('./run-files.mjs', import.meta.url)),
      ...files,
    ],
    { stdio: 'inherit', env: raw ? { ...process.env, CIVIC_TEST_TIMES_RAW: raw } : process.env },
  ).on('exit', (status) => done({ status })),
);
if (prebuild && prebuild.exitCode === null)
  prebuild.kill(); // the tests are done: what it was building is not needed
else if (prebuild?.exitCode)
  // Nothing failed for it (each file builds what it lacks), but say why the boroughs were not prebuilt.
  process.stderr.write(`test/helpers/prebuild-boroughs.ts failed:\n${Buffer.concat(prebuildErr)}\n`);
if (raw && existsSync(raw)) {
  const rows = readFileSync(raw, 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split('\t'))
    .sort((a, b) => Number(b[0]) - Number(a[0]));
  const sum = rows.reduce((t, [s]) => t + Number(s), 0);
  const cpu = rows.reduce((t, [, , c]) => t + Number(c ?? 0), 0);
  writeFileSync(
    timesFile,
    `${rows.length} files, ${((Date.now() - started) / 1000).toFixed(0)} s wall clock, ${sum.toFixed(0)} s of file processes (two at a time), ${cpu.toFixed(0)} s of processor time (with their children); load average ${loadAverage()}\n` +
      rows.map(([s, f, c]) => `${s.padStart(7)} s  ${(c ?? '').padStart(7)} s cpu  ${f}`).join('\n') +
      '\n',
  );
  rmSync(raw, { force: true });
}
process.exit(r.status ?? 1);

function loadAverage() {
  return existsSync('/proc/loadavg') ? readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ') : 'n/a';
}
