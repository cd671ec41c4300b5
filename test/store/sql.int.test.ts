/** The store's SQL helpers run on an in-memory DuckDB: each gives what it says. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  columnsOf,
  DuckDbEngine,
  ident,
  literal,
  sqlAnyValue,
  sqlFirstPerKey,
  sqlReadCsv,
  sqlReadParquet,
  sqlTextList,
  textList,
} from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';

let engine: DuckDbEngine;
const tmp = tempDir();
before(async () => {
  engine = await DuckDbEngine.open(':memory:');
});
after(() => {
  engine.close();
  tmp.cleanup();
});

test('sqlAnyValue: one of the values a group shares', async () => {
  await engine.run(`CREATE TEMP TABLE area_t (code VARCHAR, name VARCHAR)`);
  await engine.run(`INSERT INTO area_t VALUES ('W1', 'Abbey'), ('W1', 'Abbey'), ('W2', NULL), ('W2', 'Brook')`);
  const rows = await engine.all(`SELECT code, ${sqlAnyValue('name')} AS name FROM area_t GROUP BY code ORDER BY code`);
  assert.deepEqual(rows, [
    { code: 'W1', name: 'Abbey' },
    { code: 'W2', name: 'Brook' },
  ]);
});

test('sqlFirstPerKey: the first row of each key by the ordering, of the rows picked', async () => {
  await engine.run(`CREATE TEMP TABLE versions (code VARCHAR, version INTEGER, cls VARCHAR)`);
  await engine.run(
    `INSERT INTO versions VALUES ('a', 1, 'x'), ('a', 3, 'x'), ('a', 2, 'x'), ('b', 1, 'x'), ('b', 9, 'y')`,
  );
  const rows = await engine.all(
    `SELECT v.code, v.version FROM ${sqlFirstPerKey({ from: 'versions', where: `cls = $1`, key: 'code', order: 'version DESC' })} v ORDER BY v.code`,
    ['x'],
  );
  assert.deepEqual(rows, [
    { code: 'a', version: 3 },
    { code: 'b', version: 1 },
  ]);
  // A live row is kept over a terminated one (the postcode directory's duplicates).
  const live = await engine.all(
    `SELECT k, doterm FROM ${sqlFirstPerKey({ from: `(VALUES ('K', '202001'), ('K', NULL)) t(k, doterm)`, key: 'k', order: '(doterm IS NULL) DESC' })} r`,
  );
  assert.deepEqual(live, [{ k: 'K', doterm: null }]);
});

test('sqlReadCsv and columnsOf: every column as text under its header, short rows padded when asked', async () => {
  const forgiving = join(tmp.dir, 'published.csv');
  writeFileSync(forgiving, 'code,count,name\nE01,0012,Abbey\nE02,7\n');
  const source = sqlReadCsv(forgiving, { strict: false, padShortRows: true });
  assert.deepEqual(await columnsOf(engine, source), ['code', 'count', 'name']);
  assert.deepEqual(await engine.all(`SELECT * FROM ${source} ORDER BY code`), [
    { code: 'E01', count: '0012', name: 'Abbey' },
    { code: 'E02', count: '7', name: null },
  ]);

  const semi = join(tmp.dir, 'service.csv');
  writeFileSync(semi, 'Post Code;Ref\nM15 4AB;001\n');
  assert.deepEqual(
    await engine.all(
      `SELECT * FROM ${sqlReadCsv(semi, { fromFirstLine: true, delimiter: ';', strict: true, padShortRows: false })}`,
    ),
    [{ 'Post Code': 'M15 4AB', Ref: '001' }],
  );

  const prepared = join(tmp.dir, 'prepared.csv');
  writeFileSync(prepared, '_row,_problem,c0\n2,,"say ""hi"", then"\n3,too short,\n');
  assert.deepEqual(
    await engine.all(
      `SELECT * FROM ${sqlReadCsv(prepared, { delimiter: ',', quote: '"', columns: ['_row', '_problem', 'c0'] })}`,
    ),
    [
      { _row: '2', _problem: null, c0: 'say "hi", then' },
      { _row: '3', _problem: 'too short', c0: null },
    ],
  );
});

test('columnsOf: a table and a Parquet file, in order, without reading their rows', async () => {
  await engine.run(`CREATE TEMP TABLE wide ("b" INTEGER, "a" VARCHAR, "_row" BIGINT)`);
  assert.deepEqual(await columnsOf(engine, ident('wide')), ['b', 'a', '_row']);
  const parquet = join(tmp.dir, 'oac.parquet');
  await engine.run(`COPY (SELECT 'E00' AS oa21cd, 1 AS supergroup) TO ${literal(parquet)} (FORMAT parquet)`);
  assert.deepEqual(await columnsOf(engine, sqlReadParquet(parquet)), ['oa21cd', 'supergroup']);
});

test('sqlTextList: the rows of a bound list of text', async () => {
  const keys = ['M154AB', "O'NEIL", 'a"b', ''];
  const rows = await engine.all<{ k: string }>(`SELECT ${sqlTextList('$1')} AS k`, [textList(keys)]);
  assert.deepEqual(
    rows.map((r) => r.k),
    keys,
  );
  assert.deepEqual(await engine.all(`SELECT ${sqlTextList('$1')} AS k`, [textList([])]), []);
});
