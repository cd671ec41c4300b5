/**
 * Issue 10, acceptance point 3: every kind of bad or odd file in test/fixtures/bad-inputs/ (see its
 * MANIFEST.json) goes through the real CLI entry (`civic dataset import` / `civic reference import`,
 * in process) and either accounts for every record — read = matched + unmatched + rejected, with
 * read the TRUE number of records in the file — or exits 2 naming the file and saying what to do,
 * leaving the workspace as it was. No case may end in exit 1 or a stack trace. Large-row cases are
 * generated here rather than stored.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace } from '../../src/store/index.ts';
import { smallWorkspace, snapshot, tempDir, FIXTURES } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';

const DIR = FIXTURES + 'bad-inputs/';
interface Case {
  file: string;
  kind?: 'dataset' | 'base' | 'classification' | 'boundaries';
  args?: string[];
  expect:
    | { read: number; matched?: number; unmatched?: number; rejected?: number; encoding?: string; format?: string }
    | { exit: 2; message: string };
}
const manifest = JSON.parse(readFileSync(DIR + 'MANIFEST.json', 'utf8')) as { cases: Case[] };

const tmp = tempDir('civic-bad-inputs-');
let template: string;
let n = 0;
before(async () => {
  const ws = await smallWorkspace(tmp.dir, 'template.civic');
  template = ws.path;
  ws.close();
});
after(() => tmp.cleanup());

async function tableCounts(path: string) {
  const ws = await openWorkspace(path);
  try {
    return await snapshot(ws.engine);
  } finally {
    ws.close();
  }
}

async function check(c: Case, path: string) {
  const ws = join(tmp.dir, `w${++n}.civic`);
  copyFileSync(template, ws);
  const kind = c.kind ?? 'dataset';
  const args =
    kind === 'dataset'
      ? ['dataset', 'import', ws, 'd', path, ...(c.args ?? []), '--format', 'json']
      : kind === 'boundaries'
        ? ['reference', 'import', ws, '--boundaries', path, '--level', 'oa21', ...(c.args ?? [])]
        : ['reference', 'import', ws, `--${kind}`, path, ...(c.args ?? [])];
  const before = await tableCounts(ws);
  const r = await civic(...args);
  assert.notEqual(r.code, 1, `exit 1 (a defect): ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Unexpected error|\n\s+at /, 'a stack trace was printed');
  if ('exit' in c.expect) {
    assert.equal(r.code, 2, `expected a refusal: ${r.stdout}`);
    assert.ok(r.stderr.includes(c.expect.message), `message ${JSON.stringify(c.expect.message)} not in: ${r.stderr}`);
    const name = path.split('/').pop()!;
    assert.ok(r.stderr.includes(`file ${name}`), `the message does not name the file: ${r.stderr}`);
    assert.match(r.stderr, /What to do: \S/);
    assert.deepEqual(await tableCounts(ws), before, 'a refused import changed the workspace');
    if (kind === 'dataset') assert.equal(JSON.parse(r.stdout).error.code.length > 0, true);
  } else {
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.read, c.expect.read, 'read is not the true number of records');
    assert.equal(out.read, out.matched + out.unmatched + out.rejected, 'the counts do not add up');
    for (const k of ['matched', 'unmatched', 'rejected', 'encoding', 'format'] as const)
      if (c.expect[k] !== undefined) assert.equal(out[k], c.expect[k], k);
    // Every unmatched and rejected record is kept with its row and reason.
    const issues = JSON.parse((await civic('dataset', 'rejects', ws, 'd', '--format', 'json')).stdout).rows as {
      row: number;
      reason: string;
    }[];
    assert.equal(issues.length, out.unmatched + out.rejected);
    assert.ok(issues.every((i) => i.row > 0 && i.reason));
  }
}

test('the corpus holds at least 40 kinds of bad or odd file, each in the manifest', () => {
  const files = new Set(manifest.cases.map((c) => c.file));
  assert.ok(files.size >= 40, `${files.size} files`);
  for (const f of files) assert.ok(readFileSync(DIR + f).length < 16 * 1024, `${f} is not small`);
});

for (const c of manifest.cases) {
  test(`${c.file}${c.args ? ' ' + c.args.join(' ') : ''}: ${'exit' in c.expect ? `refused (${c.expect.message})` : `${c.expect.read} records accounted for`}`, async () => {
    await check(c, DIR + c.file);
  });
}

// Generated: too big to store.
test('a 1 MB field is read whole', async () => {
  const p = join(tmp.dir, 'long-field.csv');
  writeFileSync(p, `ref,postcode,note\nR1,M15 4AB,"${'x'.repeat(1 << 20)}"\nR2,M1 1AE,short\n`);
  await check({ file: 'long-field.csv', expect: { read: 2, matched: 2 } }, p);
});

test('20,000 records with an unclosed quote at record 500 and mixed line endings: every record accounted for', async () => {
  const pcs = ['M15 4AB', 'M15 4AD', 'M1 1AE', 'SW1A 2AA', 'SB4 0QD'];
  const lines = ['ref,postcode,note'];
  for (let i = 1; i <= 20_000; i++) lines.push(`R${i},${pcs[i % 5]},${i === 500 ? '"oops' : 'ok'}`);
  const p = join(tmp.dir, 'big.csv');
  writeFileSync(p, lines.map((l, i) => l + (i % 3 ? '\n' : '\r\n')).join(''));
  await check({ file: 'big.csv', expect: { read: 20_000, matched: 19_999, rejected: 1 } }, p);
});
