/**
 * A command pays only for what it uses (issue 11, point 1; decision 0015). Each case runs
 * bin/civic.js, as a person would, in a fresh process preloaded with test/helpers/record-loads.mjs,
 * which records every module the process loads (ES modules through a resolve hook, CommonJS ones
 * through Module._load); the test then looks at which packages and which of our own files were
 * loaded. bin/civic.js runs dist/ when it is up to date and the source through tsx otherwise: the
 * rules hold for both (tsx's own packages aside).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FIXTURES, tempDir } from '../helpers/workspace.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = join(ROOT, 'bin/civic.js');
const RECORD = fileURLToPath(new URL('../helpers/record-loads.mjs', import.meta.url));

/** The packages that make anything that loads them slow to start: none may load unless the command needs it. */
const HEAVY = ['exceljs', 'pdfkit', '@duckdb/node-api', 'fastify', 'highs'];
/** What running the TypeScript source through tsx loads, whatever the command. */
const TSX = /^(tsx|esbuild|@esbuild\/.*|get-tsconfig|resolve-pkg-maps)$/;

interface Loads {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Packages loaded (the name of the innermost node_modules folder of each file), tsx's own left out. */
  packages: Set<string>;
  /** Our own modules loaded, relative to the repository (src/... or dist/...). */
  own: string[];
}

function readLoads(file: string): Pick<Loads, 'packages' | 'own'> {
  const paths = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((p) => (p.startsWith('file:') ? fileURLToPath(p) : p));
  const packages = new Set<string>();
  const own = new Set<string>();
  for (const p of paths) {
    const m = /.*\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(p);
    if (m) {
      if (!TSX.test(m[1])) packages.add(m[1]);
    } else if (p.startsWith(ROOT) && /^(src|dist)\//.test(p.slice(ROOT.length))) own.add(p.slice(ROOT.length));
  }
  return { packages, own: [...own].sort() };
}

const env = (file: string) => ({
  ...process.env,
  CI: '1',
  CIVIC_PSEUDONYM_KEY: 'ab'.repeat(32),
  CIVIC_RECORD_LOADS: file,
});

/** Runs `civic ARGS` to the end, recording what it loads. */
function loads(dir: string, ...args: string[]): Loads {
  const file = join(dir, `loads-${Math.random().toString(36).slice(2)}.txt`);
  const r = spawnSync(process.execPath, ['--import', RECORD, BIN, ...args], { encoding: 'utf8', env: env(file) });
  const recorded = readLoads(file);
  rmSync(file);
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, ...recorded };
}

const heavyIn = (l: Loads) => HEAVY.filter((p) => l.packages.has(p));
/** Only command definitions, core and the folders' constants.ts: what every command loads. */
const LIGHT_OWN = /^(src|dist)\/(cli\/[^/]+|core\/[^/]+|[^/]+\/constants)\.(ts|js)$/;

test('civic --help and --version load commander and the command definitions only: no capability module, no heavy package', () => {
  const tmp = tempDir();
  try {
    for (const args of [['--help'], ['--version']]) {
      const l = loads(tmp.dir, ...args);
      assert.equal(l.status, 0, l.stderr);
      assert.deepEqual([...l.packages], ['commander'], `civic ${args.join(' ')} loaded ${[...l.packages].join(', ')}`);
      assert.deepEqual(
        l.own.filter((f) => !LIGHT_OWN.test(f)),
        [],
        `civic ${args.join(' ')} loaded more than the definitions`,
      );
      assert.ok(
        l.own.some((f) => /cli\/main\.(ts|js)$/.test(f)),
        'the recorder saw the program itself (so it records at all)',
      );
    }
  } finally {
    tmp.cleanup();
  }
});

test("a command's --help loads no more than civic --help: reference, key status, profile, location choose, serve", () => {
  const tmp = tempDir();
  try {
    for (const args of [
      ['reference', '--help'],
      ['key', 'status', '--help'],
      ['profile', '--help'],
      ['location', 'choose', '--help'],
      ['serve', '--help'],
    ]) {
      const l = loads(tmp.dir, ...args);
      assert.equal(l.status, 0, l.stderr);
      assert.match(l.stdout, /Usage: civic/);
      assert.deepEqual([...l.packages], ['commander'], `civic ${args.join(' ')} loaded ${[...l.packages].join(', ')}`);
      assert.deepEqual(
        l.own.filter((f) => !LIGHT_OWN.test(f)),
        [],
        `civic ${args.join(' ')}`,
      );
    }
  } finally {
    tmp.cleanup();
  }
});

test('a command loads the heavy packages it uses and no others: DuckDB to open a workspace, exceljs only for XLSX', () => {
  const tmp = tempDir();
  try {
    const ws = join(tmp.dir, 'w.civic');
    const init = loads(tmp.dir, 'init', ws);
    assert.equal(init.status, 0, init.stderr);
    assert.deepEqual(heavyIn(init), ['@duckdb/node-api']);

    const status = loads(tmp.dir, 'key', 'status', ws);
    assert.equal(status.status, 0, status.stderr);
    assert.deepEqual(heavyIn(status), ['@duckdb/node-api']);

    const ref = loads(
      tmp.dir,
      'reference',
      'import',
      ws,
      '--postcodes',
      FIXTURES + 'postcodes-small.csv',
      '--base',
      FIXTURES + 'base-small.csv',
      '--classification',
      FIXTURES + 'classification-small.csv',
      '--classification-name',
      'small',
    );
    assert.equal(ref.status, 0, ref.stderr);
    assert.deepEqual(heavyIn(ref), ['@duckdb/node-api']);

    // Reading a workbook needs exceljs; profiling as JSON does not; writing a workbook does again.
    const xlsxIn = loads(tmp.dir, 'dataset', 'import', ws, 'messy', FIXTURES + 'messy.xlsx');
    assert.equal(xlsxIn.status, 0, xlsxIn.stderr);
    assert.deepEqual(heavyIn(xlsxIn).sort(), ['@duckdb/node-api', 'exceljs']);

    const asJson = loads(tmp.dir, 'profile', ws, 'messy', '--format', 'json');
    assert.equal(asJson.status, 0, asJson.stderr);
    assert.equal(JSON.parse(asJson.stdout).dataset, 'messy');
    assert.deepEqual(heavyIn(asJson), ['@duckdb/node-api']);

    const xlsxOut = loads(tmp.dir, 'profile', ws, 'messy', '--format', 'xlsx', '--out', join(tmp.dir, 'p.xlsx'));
    assert.equal(xlsxOut.status, 0, xlsxOut.stderr);
    assert.deepEqual(heavyIn(xlsxOut).sort(), ['@duckdb/node-api', 'exceljs']);
  } finally {
    tmp.cleanup();
  }
});

test('civic serve loads Fastify (the recorder sees a package that only the portal loads)', async () => {
  const tmp = tempDir();
  try {
    const ws = join(tmp.dir, 'w.civic');
    assert.equal(loads(tmp.dir, 'init', ws).status, 0);
    const file = join(tmp.dir, 'serve-loads.txt');
    const child = spawn(process.execPath, ['--import', RECORD, BIN, 'serve', ws, '--port', '0'], { env: env(file) });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`civic serve did not start: ${stderr}`)), 120_000);
      child.stderr.on('data', (d: Buffer) => {
        stderr += d;
        if (/running at/.test(stderr)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`civic serve exited with ${code}: ${stderr}`));
      });
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    const l = readLoads(file);
    assert.ok(l.packages.has('fastify'));
    assert.ok(l.packages.has('@duckdb/node-api'));
    assert.ok(!l.packages.has('exceljs') && !l.packages.has('pdfkit') && !l.packages.has('highs'));
  } finally {
    tmp.cleanup();
  }
});

test('output piped into a program that stops reading early ends quietly, with no stack trace', async () => {
  // `civic dataset import --help | head -1`: here the reader has gone before anything is written.
  const child = spawn(process.execPath, [BIN, 'dataset', 'import', '--help'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  child.stdout.destroy();
  const code = await new Promise<number | null>((done) => child.on('close', (c) => done(c)));
  assert.equal(stderr.includes('EPIPE') || stderr.includes('    at '), false, stderr);
  assert.equal(code, 0);
});
