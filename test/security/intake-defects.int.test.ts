/**
 * Issue 10 ("Safe with personal data"), finding 9: intake defects found with a corpus of bad files.
 * Each test below is one of the finding's points and fails on commit 3307f74:
 *  - importing dataset X dropped the records table of an existing dataset named X__staging;
 *  - an unclosed quote swallowed every later record into one rejected row (careful path), while the
 *    fast path read them all: the two paths must agree and every record be accounted for;
 *  - duplicate area codes in --base / --classification were accepted and inflated every profile;
 *  - mixed CRLF/LF line endings merged records;
 *  - Windows-1252 bytes 0x80–0x9F were stored as control characters;
 *  - "Unexpected error" crashes (exit 1, stack trace) for internal column names, --map "name=",
 *    NUL bytes in a header, an OAC file without Subgroup, unreadable files, unwritable workspace
 *    folders, a truncated workspace; and a user's "_status" column silently renamed;
 *  - boundaries with null, empty or two-point geometry, or duplicate area codes, were accepted.
 * Everything runs through the real CLI entry (runCli) in process, except the fast/careful path
 * comparison, which needs the fast path's size threshold lowered.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace, type Engine } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { decodeText } from '../../src/intake/decode.ts';
import { smallWorkspace, snapshot, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civic, type CliRun } from '../helpers/cli.ts';

const tmp = tempDir('civic-intake-defects-');
let template: string;
let n = 0;
before(async () => {
  const ws = await smallWorkspace(tmp.dir, 'template.civic');
  template = ws.path;
  ws.close();
});
after(() => tmp.cleanup());

/** A fresh copy of the small workspace (6 postcodes, base and classification "small"). */
function freshWorkspace(): string {
  const p = join(tmp.dir, `w${++n}.civic`);
  copyFileSync(template, p);
  return p;
}
function file(name: string, content: string | Uint8Array): string {
  const p = join(tmp.dir, `${n}-${name}`);
  writeFileSync(p, content);
  return p;
}
async function withEngine<T>(path: string, fn: (e: Engine) => Promise<T>): Promise<T> {
  const ws = await openWorkspace(path);
  try {
    return await fn(ws.engine);
  } finally {
    ws.close();
  }
}

/** Asserts a plain refusal: exit 2, no stack trace, the message naming the file and saying what to do; nothing changed. */
async function refused(ws: string, args: string[], message: RegExp, opts: { file?: string } = {}): Promise<CliRun> {
  const before = await withEngine(ws, snapshot);
  const r = await civic(...args);
  assert.equal(r.code, 2, `expected exit 2, got ${r.code}: ${r.stderr}`);
  assert.doesNotMatch(r.stderr, /Unexpected error|\n\s+at /, 'a stack trace was printed');
  assert.match(r.stderr, message);
  if (opts.file) assert.match(r.stderr, new RegExp(`file ${opts.file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  assert.match(r.stderr, /What to do: /);
  assert.deepEqual(await withEngine(ws, snapshot), before, 'a refused import changed the workspace');
  return r;
}

const POSTCODES = ['M15 4AB', 'M15 4AD', 'M1 1AE', 'SW1A 2AA', 'SB4 0QD'];
/** count records ref,postcode,note; line ending per record from eol(i); record `bad` (1-based) gets an unclosed quote. */
function generate(count: number, eol: (i: number) => string, bad?: number): string {
  const lines = ['ref,postcode,note'];
  for (let i = 1; i <= count; i++)
    lines.push(`R${i},${POSTCODES[i % POSTCODES.length]},${i === bad ? '"never closed' : 'ok'}`);
  return lines.map((l, i) => l + eol(i)).join('');
}

test('importing dataset X leaves a dataset called X__staging alone', async () => {
  const ws = freshWorkspace();
  const f = file('a.csv', 'ref,postcode\nR1,M15 4AB\nR2,M1 1AE\n');
  assert.equal((await civic('dataset', 'import', ws, 'lib__staging', f)).code, 0);
  const r = await civic('dataset', 'import', ws, 'lib', f);
  assert.equal(r.code, 0, r.stderr);
  await withEngine(ws, async (e) => {
    assert.equal((await e.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM "ds_lib__staging"`))!.n, 2);
    assert.equal((await e.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM "ds_lib"`))!.n, 2);
  });
  const list = JSON.parse((await civic('dataset', 'list', ws, '--format', 'json')).stdout).datasets;
  assert.deepEqual(
    list.map((d: { name: string; read: number }) => [d.name, d.read]),
    [
      ['lib', 2],
      ['lib__staging', 2],
    ],
  );
});

test('an unclosed quote costs one rejected row, not every record after it, on both the careful and the fast path', async () => {
  const N = 20_000;
  const f = file(
    'unclosed.csv',
    generate(N, () => '\n', 1000),
  );
  const results = [];
  for (const fastCsvMinBytes of [Number.MAX_SAFE_INTEGER, 0]) {
    const ws = await openWorkspace(freshWorkspace());
    try {
      const r = await importDataset(ws.engine, 'q', f, { fastCsvMinBytes, key: TEST_KEY, keepInClear: ['note'] }); // the test reads the notes back
      results.push([r.read, r.matched, r.unmatched, r.rejected]);
      const issues = await ws.engine.all<{ row_no: number; reason: string }>(
        `SELECT row_no, reason FROM dataset_issue WHERE dataset = 'q'`,
      );
      assert.deepEqual(
        issues.map((i) => i.row_no),
        [1001],
        'the record with the unclosed quote is row 1001 (the header is row 1)',
      );
      assert.match(issues[0].reason, /quote/);
      assert.equal((await ws.engine.one<{ n: number }>(`SELECT max(_row)::BIGINT AS n FROM ds_q`))!.n, N + 1);
    } finally {
      ws.close();
    }
  }
  assert.deepEqual(results[0], [N, N - 1, 0, 1]);
  assert.deepEqual(results[1], results[0], 'the fast path and the careful path disagree');
});

test('mixed CRLF and LF line endings: every record read, on both paths', async () => {
  const N = 20_000;
  const f = file(
    'mixed-eol.csv',
    generate(N, (i) => (i % 100 === 7 ? '\n' : '\r\n')),
  );
  for (const fastCsvMinBytes of [Number.MAX_SAFE_INTEGER, 0]) {
    const ws = await openWorkspace(freshWorkspace());
    try {
      const r = await importDataset(ws.engine, 'eol', f, { fastCsvMinBytes, key: TEST_KEY, keepInClear: ['note'] }); // the test reads the notes back
      assert.deepEqual([r.read, r.matched, r.rejected], [N, N, 0], `fastCsvMinBytes ${fastCsvMinBytes}`);
      const notes = await ws.engine.all<{ note: string }>(`SELECT DISTINCT note FROM ds_eol`);
      assert.deepEqual(notes, [{ note: 'ok' }], 'a line ending was kept inside a value');
    } finally {
      ws.close();
    }
  }
  // Old Mac files end lines with CR alone.
  const ws = freshWorkspace();
  const r = await civic(
    'dataset',
    'import',
    ws,
    'cr',
    file(
      'cr.csv',
      generate(50, () => '\r'),
    ),
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).read, 50);
});

test('a base file listing an area twice is refused with the rows, and nothing changes', async () => {
  const ws = freshWorkspace();
  const f = file(
    'base-dup.csv',
    'area_code,households,population\nE00000001,120,260\nE00000002,200,450\nE00000001,120,260\n',
  );
  const r = await refused(ws, ['reference', 'import', ws, '--base', f], /more than once.*E00000001 on rows 2, 4/, {
    file: `${n}-base-dup.csv`,
  });
  assert.match(r.stderr, /row 2, column "area_code"/);
});

test('a classification listing an area twice is refused with the rows, and nothing changes', async () => {
  const ws = freshWorkspace();
  const f = file(
    'cls-dup.csv',
    'area_code,group,type\nE00000001,A,A1\nE00000002,A,A2\nE00000003,B,B1\nE00000002,B,B1\n',
  );
  await refused(
    ws,
    ['reference', 'import', ws, '--classification', f, '--classification-name', 'small'],
    /more than once.*E00000002 on rows 3, 5/,
  );
});

test('Windows-1252: every byte 0x80–0x9F decodes to its character; the five undefined bytes are refused with the row', async () => {
  // The code page's table, written out as characters (0x81, 0x8D, 0x8F, 0x90, 0x9D are undefined).
  const expected = '€\0‚ƒ„…†‡ˆ‰Š‹Œ\0Ž\0\0‘’“”•–—˜™š›œ\0žŸ';
  const undefinedBytes = [0x81, 0x8d, 0x8f, 0x90, 0x9d];
  for (let b = 0x80; b <= 0x9f; b++) {
    // "café" makes the file invalid UTF-8, so both auto-detection and an explicit encoding are exercised.
    const bytes = Uint8Array.from([...Buffer.from('ref,note\nR1,caf'), 0xe9, 0x20, b, 0x0a]);
    for (const requested of ['auto', 'windows-1252']) {
      if (undefinedBytes.includes(b)) {
        assert.throws(
          () => decodeText(bytes, 'x.csv', requested),
          (e: { code: string; location: { row: number } }) => e.code === 'input_encoding' && e.location.row === 2,
          `0x${b.toString(16)}`,
        );
      } else {
        const { text, encoding } = decodeText(bytes, 'x.csv', requested);
        assert.equal(encoding, 'windows-1252');
        assert.equal(text, `ref,note\nR1,café ${expected[b - 0x80]}\n`, `byte 0x${b.toString(16)} (${requested})`);
        assert.doesNotMatch(text, /[\u0080-\u009f]/);
      }
    }
  }
  // Through the CLI, into the workspace.
  const ws = freshWorkspace();
  const f = file(
    'cp1252.csv',
    Uint8Array.from([
      ...Buffer.from('ref,postcode,note\r\nR1,M15 4AB,'),
      0x93,
      ...Buffer.from('Caf'),
      0xe9,
      0x94,
      0x20,
      0x96,
      0x20,
      0x80,
      0x35,
      0x0d,
      0x0a,
    ]),
  );
  const r = await civic('dataset', 'import', ws, 'cp', f, '--keep-in-clear', 'note', '--format', 'json'); // the test reads the notes back
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).encoding, 'windows-1252');
  assert.deepEqual(await withEngine(ws, (e) => e.all(`SELECT note FROM ds_cp`)), [{ note: '“Café” – €5' }]);
  const bad = file(
    'cp1252-undefined.csv',
    Uint8Array.from([
      ...Buffer.from('ref,postcode,note\nR1,M15 4AB,caf'),
      0xe9,
      0x0a,
      ...Buffer.from('R2,M1 1AE,x'),
      0x81,
      0x0a,
    ]),
  );
  const refusedRun = await refused(ws, ['dataset', 'import', ws, 'cpbad', bad], /neither UTF-8 nor Windows-1252/);
  assert.match(refusedRun.stderr, /row 3/);
});

test('a column with an internal name (_row, _problem, _postcode_raw, _rkey, _status, _pc_key ...) is refused, never renamed or confused', async () => {
  const ws = freshWorkspace();
  for (const name of ['_row', '_problem', '_postcode_raw', '_rkey', '_status', '_pc_key', '_note', '_STATUS']) {
    const f = file(`internal${name}.csv`, `ref,postcode,${name}\nR1,M15 4AB,x\nR2,M1 1AE,y\n`);
    const r = await refused(ws, ['dataset', 'import', ws, 'internal', f], new RegExp(`"${name}" starts with "_"`));
    assert.match(r.stderr, new RegExp(`column "${name}"`));
    assert.match(r.stderr, /--map/);
  }
  // Renamed on the way in, the user's column is reachable by its own name and the internal one untouched.
  const f = file('status.csv', 'ref,postcode,_status\nR1,M15 4AB,x\nR2,M1 1AE,y\nR3,M15 4AD,x\n');
  const r = await civic('dataset', 'import', ws, 'st', f, '--map', '_status=status_source', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout).columns, ['ref', 'status_source']);
  const rows = await withEngine(ws, (e) => e.all(`SELECT _status, status_source FROM ds_st ORDER BY _row`));
  assert.deepEqual(rows, [
    { _status: 'matched', status_source: 'x' },
    { _status: 'matched', status_source: 'y' },
    { _status: 'matched', status_source: 'x' },
  ]);
});

test('--map with nothing after "=" (or before it) is refused plainly', async () => {
  const ws = freshWorkspace();
  const f = file('m.csv', 'name,postcode\nAnn,M15 4AB\n');
  await refused(ws, ['dataset', 'import', ws, 'm', f, '--map', 'name='], /--map "name="/);
  await refused(ws, ['dataset', 'import', ws, 'm', f, '--map', '=name'], /--map "=name"/);
  await refused(ws, ['reference', 'import', ws, '--postcodes', f, '--map', 'postcode= '], /--map/);
});

test('NUL bytes in a header do not crash the import', async () => {
  const ws = freshWorkspace();
  const f = file('nul-header.csv', 'ref\0,post\0code,note\nR1,M15 4AB,x\n');
  // Auto-detection refuses binary-looking text; naming the encoding reads it, without the NULs.
  await refused(ws, ['dataset', 'import', ws, 'nul', f], /NUL bytes/);
  const r = await civic(
    'dataset',
    'import',
    ws,
    'nul',
    f,
    '--encoding',
    'utf-8',
    '--postcode-column',
    'post code',
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual([out.read, out.matched, out.postcodeColumn, out.columns], [1, 1, 'post code', ['ref', 'note']]);
});

test('a 2021 OAC file without a Subgroup column is refused, naming what is missing', async () => {
  const ws = freshWorkspace();
  const f = file('oac-nosub.csv', 'Geography_Code,Supergroup,Group\nE00000001,1,1a\nE00000002,2,2b\n');
  await refused(ws, ['reference', 'import', ws, '--classification', f], /no Subgroup column/);
});

test('unreadable input files get a plain error: a folder, a file that fails to read', async () => {
  const ws = freshWorkspace();
  const folder = join(tmp.dir, 'folder.csv');
  mkdirSync(folder, { recursive: true });
  await refused(ws, ['dataset', 'import', ws, 'x', folder], /is a folder, not a file/);
  await refused(ws, ['reference', 'import', ws, '--base', folder], /is a folder, not a file/);
  await refused(ws, ['reference', 'import', ws, '--boundaries', folder, '--level', 'oa21'], /is a folder, not a file/);
  // /proc/self/mem is a regular file that cannot be read from the start (EIO).
  await refused(ws, ['dataset', 'import', ws, 'x', '/proc/self/mem'], /could not be read/);
  await refused(
    ws,
    ['reference', 'import', ws, '--boundaries', '/proc/self/mem', '--level', 'oa21'],
    /could not be read/,
  );
});

test('a workspace that cannot be made, or is truncated, gets a plain error', async () => {
  const notFolder = file('plain-file', 'x');
  const r = await civic('init', join(notFolder, 'w.civic'));
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /A workspace cannot be made .*part of the path is a file/);
  const ws = freshWorkspace();
  const bytes = readFileSync(ws);
  const truncated = file('truncated.civic', bytes.subarray(0, Math.floor(bytes.length / 3)));
  for (const args of [
    ['dataset', 'list', truncated],
    ['dataset', 'import', truncated, 'x', file('t.csv', 'postcode\nM15 4AB\n')],
    ['reference', 'status', truncated],
  ]) {
    const t = await civic(...args);
    assert.equal(t.code, 2, `${args.join(' ')}: ${t.stderr}`);
    assert.doesNotMatch(t.stderr, /Unexpected error/);
    assert.match(t.stderr, /could not be opened as a workspace|is not an Observatory workspace/);
  }
});

test('boundaries with null, empty or two-point geometry, or an area twice, are refused naming the feature', async () => {
  const ws = freshWorkspace();
  const square = (x: number) => ({
    type: 'Polygon',
    coordinates: [
      [
        [x, 53],
        [x + 0.01, 53],
        [x + 0.01, 53.01],
        [x, 53.01],
        [x, 53],
      ],
    ],
  });
  const fc = (geoms: unknown[], codes = ['E00000001', 'E00000002', 'E00000003']) =>
    JSON.stringify({
      type: 'FeatureCollection',
      features: geoms.map((g, i) => ({ type: 'Feature', properties: { OA21CD: codes[i] }, geometry: g })),
    });
  const cases: [string, string, RegExp][] = [
    ['null.geojson', fc([square(-2.3), null, square(-2.2)]), /Feature 2 \(E00000002\) has no geometry/],
    [
      'null-coords.geojson',
      fc([square(-2.3), { type: 'Polygon', coordinates: null }]),
      /Feature 2 \(E00000002\) has no usable boundary: it has no coordinates/,
    ],
    [
      'empty.geojson',
      fc([{ type: 'Polygon', coordinates: [] }, square(-2.3)]),
      /Feature 1 \(E00000001\) has no usable boundary/,
    ],
    [
      'empty-ring.geojson',
      fc([square(-2.3), { type: 'MultiPolygon', coordinates: [[[]]] }]),
      /Feature 2 .* only 0 points/,
    ],
    [
      'two-points.geojson',
      fc([
        square(-2.3),
        {
          type: 'Polygon',
          coordinates: [
            [
              [-2.2, 53],
              [-2.19, 53],
            ],
          ],
        },
      ]),
      /Feature 2 \(E00000002\) has no usable boundary: .*only 2 points/,
    ],
    [
      'duplicate.geojson',
      fc([square(-2.3), square(-2.2), square(-2.1)], ['E00000001', 'E00000002', 'E00000001']),
      /Features 1 and 3 both have the area code E00000001/,
    ],
  ];
  for (const [name, text, message] of cases) {
    const f = file(name, text);
    const r = await refused(ws, ['reference', 'import', ws, '--boundaries', f, '--level', 'oa21'], message, {
      file: `${n}-${name}`,
    });
    assert.match(r.stderr, /row \d/);
  }
});
