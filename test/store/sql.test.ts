/** The store's SQL helpers, as text: what each writes in DuckDB's words (run on DuckDB in sql.int.test.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  sqlAnyValue,
  sqlColumnsOf,
  sqlFirstPerKey,
  sqlReadCsv,
  sqlReadParquet,
  sqlTextList,
  textList,
} from '../../src/store/index.ts';

test('sqlAnyValue: an aggregate of any one value', () => {
  assert.equal(sqlAnyValue('a.name'), 'any_value(a.name)');
  assert.equal(sqlAnyValue('trim("Ward Name")'), 'any_value(trim("Ward Name"))');
});

test('sqlFirstPerKey: a ranked subquery, with and without rows picked first', () => {
  assert.equal(
    sqlFirstPerKey({ from: 'pen_portrait', where: 'classification = $1', key: 'code', order: 'version DESC' }),
    '(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY code ORDER BY version DESC) AS first_per_key FROM pen_portrait WHERE classification = $1) ranked WHERE first_per_key = 1)',
  );
  assert.equal(
    sqlFirstPerKey({ from: 't', key: 'k', order: '(doterm IS NULL) DESC' }),
    '(SELECT * FROM (SELECT *, row_number() OVER (PARTITION BY k ORDER BY (doterm IS NULL) DESC) AS first_per_key FROM t) ranked WHERE first_per_key = 1)',
  );
});

test('sqlReadCsv: the three ways the Observatory reads a CSV, word for word as they were written before the helper', () => {
  // A published reference file (reference/csv.ts): forgiving, in its own encoding.
  assert.equal(
    sqlReadCsv("/data/O'Neill.csv", { strict: false, padShortRows: true }),
    "read_csv('/data/O''Neill.csv', all_varchar = true, header = true, auto_detect = true, strict_mode = false, null_padding = true)",
  );
  assert.equal(
    sqlReadCsv('/d/onspd.csv', { strict: false, padShortRows: true, encoding: 'latin-1' }),
    "read_csv('/d/onspd.csv', all_varchar = true, header = true, auto_detect = true, strict_mode = false, null_padding = true, encoding = 'latin-1')",
  );
  // A big, clean service file (intake's fast path): from the first line, the delimiter the careful reader found, strict.
  assert.equal(
    sqlReadCsv('/d/s.csv', { fromFirstLine: true, delimiter: ';', strict: true, padShortRows: false }),
    "read_csv('/d/s.csv', all_varchar = true, header = true, skip = 0, delim = ';', auto_detect = true, strict_mode = true, null_padding = false)",
  );
  // A table the Observatory wrote itself (intake/prepared.ts): its shape known, nothing sniffed.
  assert.equal(
    sqlReadCsv('/d/p.csv', { delimiter: ',', quote: '"', columns: ['_row', 'c0'] }),
    `read_csv('/d/p.csv', header = true, delim = ',', quote = '"', escape = '"', auto_detect = false, columns = {'_row': 'VARCHAR', 'c0': 'VARCHAR'})`,
  );
  assert.equal(sqlReadCsv('/d/a.csv'), "read_csv('/d/a.csv', all_varchar = true, header = true, auto_detect = true)");
});

test('sqlColumnsOf, sqlReadParquet, sqlTextList and textList', () => {
  assert.equal(sqlColumnsOf('"t"'), 'SELECT column_name FROM (DESCRIBE SELECT * FROM "t")');
  assert.equal(sqlReadParquet('/d/oac.parquet'), "read_parquet('/d/oac.parquet')");
  assert.equal(sqlTextList('$1'), `unnest(from_json($1, '["VARCHAR"]'))`);
  assert.equal(textList(['M15 4AB', 'a"b']), '["M15 4AB","a\\"b"]');
});
