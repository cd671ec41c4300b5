/**
 * Sample Borough for tests, built once per run and copied (issue 11, point 2). Building a borough of
 * 20,000 households takes most of a minute; copying one takes a fraction of a second. The built
 * workspace, its files and its key are kept in a cache folder named by the borough's options and a
 * hash of every file under src/ (so any change to the generator or to what it runs through builds it
 * afresh), and each test gets its own copy to change as it likes. A test file that needs a borough
 * another file is building waits for it (a lock folder beside the borough names the builder's
 * process; one that has died leaves it to the next), so a run builds each borough once. Should two
 * builds still finish, the first keeps its borough and the other's is thrown away.
 * `test/demo/build.int.test.ts` tests the builder itself and builds its own.
 *
 * The cache lives in the system's temporary folder (CIVIC_TEST_FIXTURES overrides it); entries not
 * used for two days are removed when a new one is built.
 */
import { createHash, randomBytes } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSampleBorough, type DemoBuild } from '../../src/demo/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { loadPseudonymKey } from '../../src/intake/index.ts';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
/** Stands for the path of the borough (without its extension) in the stored build description. */
const HERE = '@@SAMPLE_BOROUGH@@';
const STALE_MS = 2 * 24 * 3600 * 1000;

let hashed: string | undefined;
/** A hash of every file under src/: a change anywhere means a new borough. */
export function sourceHash(): string {
  if (hashed) return hashed;
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else h.update(relative(SRC, p)).update('\u0000').update(readFileSync(p)).update('\u0000');
    }
  };
  walk(SRC);
  return (hashed = h.digest('hex').slice(0, 16));
}

function cacheRoot(): string {
  return process.env.CIVIC_TEST_FIXTURES ?? join(tmpdir(), 'civic-test-fixtures');
}

/** The borough's files beside a workspace path: PATH without its extension, plus -files and .key. */
const stemOf = (path: string) => resolve(path).replace(/\.[a-z]+$/i, '');

async function buildCached(dir: string, opts: { households: number; seed?: number }): Promise<void> {
  const root = cacheRoot();
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    const p = join(root, name);
    try {
      if (Date.now() - statSync(p).mtimeMs > STALE_MS) rmSync(p, { recursive: true, force: true });
    } catch {
      // another run removed it first
    }
  }
  const work = join(root, `building-${process.pid}-${randomBytes(4).toString('hex')}`);
  mkdirSync(work);
  try {
    const built = await buildSampleBorough(join(work, 'sb.civic'), opts);
    built.workspace.close();
    const description = JSON.stringify({
      manifest: built.manifest,
      datasets: built.datasets,
      segmentation: built.segmentation,
      addresses: built.addresses,
    });
    writeFileSync(join(work, 'build.json'), description.split(join(work, 'sb')).join(HERE));
    try {
      renameSync(work, dir);
    } catch (e) {
      // Another test file built the same borough first: keep theirs.
      if (!existsSync(join(dir, 'build.json'))) throw e;
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Builds the borough unless it is there, or waits while another test process builds it. */
async function buildOnce(dir: string, opts: { households: number; seed?: number }): Promise<void> {
  const lock = `${dir}.lock`;
  mkdirSync(cacheRoot(), { recursive: true });
  while (!existsSync(join(dir, 'build.json'))) {
    try {
      mkdirSync(lock);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      // Another process is building it: wait, unless that process has gone (or the lock is hours old).
      let pid = 0;
      try {
        pid = Number(readFileSync(join(lock, 'pid'), 'utf8'));
      } catch {
        // the builder has not written its process id yet
      }
      let old = false;
      try {
        old = Date.now() - statSync(lock).mtimeMs > 3600_000;
      } catch {
        continue; // the builder finished just now
      }
      if ((pid && !alive(pid)) || old) rmSync(lock, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
      continue;
    }
    try {
      writeFileSync(join(lock, 'pid'), String(process.pid));
      if (!existsSync(join(dir, 'build.json'))) await buildCached(dir, opts);
    } finally {
      rmSync(lock, { recursive: true, force: true });
    }
  }
}

/**
 * The boroughs the suite's files ask for. `scripts/run-tests.mjs` has them built at the start of a
 * run in a process of its own (test/helpers/prebuild-boroughs.ts), beside the two test files
 * running, so that no test file sits waiting for a borough while a processor is free. A file asking
 * for another borough still builds it itself.
 */
export const SUITE_BOROUGHS: readonly { households: number; seed: number }[] = [
  { households: 20_000, seed: 7 },
  { households: 10_000, seed: 23 },
  { households: 10_000, seed: 6 },
];

const cacheDir = (opts: { households: number; seed?: number }) =>
  join(cacheRoot(), `sb-${opts.households}-${opts.seed ?? 'default'}-${sourceHash()}`);

/**
 * Builds each of these boroughs unless it is in the cache: one at a time, taking first those no
 * other process is building (a test file that got there first builds its own, and this goes on to
 * the next). Returns once every one is built, by this process or another.
 */
export async function prebuildSampleBoroughs(list: readonly { households: number; seed?: number }[]): Promise<void> {
  const pending = [...list];
  while (pending.length) {
    const i = pending.findIndex(
      (o) => !existsSync(join(cacheDir(o), 'build.json')) && !existsSync(`${cacheDir(o)}.lock`),
    );
    if (i < 0) {
      // Each one left is built or being built: wait for those being built (buildOnce waits on the lock).
      const o = pending.shift()!;
      if (!existsSync(join(cacheDir(o), 'build.json'))) await buildOnce(cacheDir(o), o);
      continue;
    }
    const [o] = pending.splice(i, 1);
    await buildOnce(cacheDir(o), o);
  }
}

/**
 * A Sample Borough workspace at `path` (with its files and key beside it, as `buildSampleBorough`
 * leaves them), copied from the run's cache, open and ready to change.
 */
export async function sampleBorough(path: string, opts: { households: number; seed?: number }): Promise<DemoBuild> {
  const dir = cacheDir(opts);
  if (!existsSync(join(dir, 'build.json'))) await buildOnce(dir, opts);
  const now = new Date();
  utimesSync(dir, now, now);
  const full = resolve(path);
  const stem = stemOf(full);
  cpSync(join(dir, 'sb.civic'), full);
  if (existsSync(join(dir, 'sb.civic.wal'))) cpSync(join(dir, 'sb.civic.wal'), full + '.wal');
  cpSync(join(dir, 'sb-files'), `${stem}-files`, { recursive: true });
  const keyFile = `${stem}.key`;
  cpSync(join(dir, 'sb.key'), keyFile);
  chmodSync(keyFile, 0o600);
  const described = JSON.parse(readFileSync(join(dir, 'build.json'), 'utf8').split(HERE).join(stem)) as Pick<
    DemoBuild,
    'manifest' | 'datasets' | 'segmentation' | 'addresses'
  >;
  const workspace = await openWorkspace(full);
  return { ...described, workspace, key: loadPseudonymKey({ keyFile }).key!, keyFile };
}
