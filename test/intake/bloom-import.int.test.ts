import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importDataset, bloomDecode, bloomDice, bloomEncode } from '../../src/intake/index.ts';
import { sqlBloomDice } from '../../src/store/index.ts';
import { smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { civicRun as civic } from '../helpers/cli.ts';

const tmp = tempDir('civic-bloom-');
after(() => tmp.cleanup());

const NAMES = [
  ['Margaret', 'Smith'],
  ['Margret', 'Smyth'],
  ['John', 'Jones'],
  ['', 'Jones'],
];

function file(name: string): string {
  const rows = ['ref,first_name,surname,postcode'];
  NAMES.forEach(([f, s], i) => rows.push(`r${i + 1},${f},${s},M15 4AB`));
  const path = join(tmp.dir, name);
  writeFileSync(path, rows.join('\n') + '\n');
  return path;
}

test('--encode-for-linkage: names stored as keyed Bloom filters on both intake paths, compared in SQL as in TypeScript', async () => {
  const ws = await smallWorkspace(tmp.dir);
  try {
    for (const [name, fast] of [
      ['people_slow', Number.POSITIVE_INFINITY],
      ['people_fast', 0],
    ] as const) {
      const r = await importDataset(ws.engine, name, file(`${name}.csv`), {
        key: TEST_KEY,
        encodeForLinkage: ['first_name', 'surname'],
        fastCsvMinBytes: fast,
      });
      assert.deepEqual(
        r.privacy.filter((p) => p.decision === 'encoded for linkage').map((p) => p.column),
        ['first_name', 'surname'],
      );
      assert.match(r.privacy[1].reason, /Bloom filter of its letter pairs/);
      assert.deepEqual(r.pseudonymised, ['first_name', 'surname']);
      assert.equal(r.keyId, TEST_KEY.id);
      const rows = await ws.engine.all<{ first_name: string | null; surname: string }>(
        `SELECT first_name, surname FROM ${`ds_${name}`} ORDER BY _row`,
      );
      // Exactly the encodings of the values; a blank stays blank; no name can be read.
      assert.deepEqual(
        rows.map((x) => [x.first_name, x.surname]),
        NAMES.map(([f, s]) => [bloomEncode(f || null, TEST_KEY.secret), bloomEncode(s, TEST_KEY.secret)]),
      );
      const text = JSON.stringify(rows);
      for (const [f, s] of NAMES)
        for (const v of [f, s]) if (v) assert.ok(!text.toLowerCase().includes(v.toLowerCase()));
    }
    // The SQL helper gives the same Dice coefficient as the TypeScript one, for every pair.
    const pairs = await ws.engine.all<{ a: string; b: string; d: number | null }>(
      `SELECT x.surname AS a, y.surname AS b, ${sqlBloomDice('x.surname', 'y.surname')} AS d
       FROM ds_people_slow x, ds_people_fast y ORDER BY x._row, y._row`,
    );
    assert.equal(pairs.length, 16);
    for (const p of pairs) assert.ok(Math.abs(p.d! - bloomDice(bloomDecode(p.a)!, bloomDecode(p.b)!)) < 1e-12);
    const smithSmyth = pairs[1].d!;
    assert.ok(smithSmyth > 0.55 && smithSmyth < 0.8, `SMITH and SMYTH: ${smithSmyth}`);
    assert.equal(pairs[0].d, 1);
    const blank = await ws.engine.one<{ d: number | null }>(
      `SELECT ${sqlBloomDice('x.first_name', 'y.first_name')} AS d FROM ds_people_slow x, ds_people_fast y WHERE x.first_name IS NULL AND y.first_name IS NOT NULL LIMIT 1`,
    );
    assert.equal(blank!.d, null, 'a blank compares as unknown');

    await assert.rejects(
      importDataset(ws.engine, 'twice', file('twice.csv'), {
        key: TEST_KEY,
        encodeForLinkage: ['surname'],
        keepInClear: ['surname'],
      }),
      /"surname" is named both to encode for linkage and to keep in clear/,
    );
    await assert.rejects(
      importDataset(ws.engine, 'pc', file('pc.csv'), { key: TEST_KEY, encodeForLinkage: ['postcode'] }),
      /The postcode column cannot be encoded for linkage/,
    );
    await assert.rejects(
      importDataset(ws.engine, 'nokey', file('nokey.csv'), { encodeForLinkage: ['surname'] }),
      /need pseudonymising, but no pseudonymisation key was given/,
    );
  } finally {
    ws.close();
  }
});

test('civic dataset import --encode-for-linkage says what was encoded, and a saved mapping keeps the choice', async () => {
  const t = tempDir('civic-bloom-cli-');
  try {
    const ws = await smallWorkspace(t.dir);
    ws.close();
    const w = join(t.dir, 'small.civic');
    const r = await civic(
      'dataset',
      'import',
      w,
      'people',
      file('cli.csv'),
      '--encode-for-linkage',
      'first_name,surname',
      '--save-mapping',
      'people_monthly',
    );
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /encoded for linkage \(key key-[0-9a-f]{12}\):\n {4}first_name: a keyed Bloom filter/);
    const again = await civic('dataset', 'import', w, 'people2', file('cli2.csv'), '--mapping', 'people_monthly');
    assert.equal(again.status, 0, again.stderr);
    assert.match(again.stdout, /encoded for linkage/);
    const j = await civic('dataset', 'mappings', w, '--format', 'json');
    assert.equal(j.status, 0, j.stderr);
    assert.match(j.stdout, /"encodeForLinkage": \[\s*"first_name",\s*"surname"\s*\]/);
  } finally {
    t.cleanup();
  }
});
