/**
 * DuckDB-specific SQL stays behind the small helpers in src/store (ARCHITECTURE.md, "SQL is
 * parameterised"), so that another engine can be added without touching the analyses: no file in
 * src outside src/store names one of these DuckDB-only functions or clauses.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const SRC = new URL('../../src/', import.meta.url).pathname;

/** Each construct, with the helper in src/store that writes it. */
const DUCKDB_ONLY: [RegExp, string][] = [
  [/\bany_value\s*\(/i, 'sqlAnyValue'],
  [/\bQUALIFY\b/i, 'sqlFirstPerKey'],
  [/\bDESCRIBE\b/, 'columnsOf'],
  [/\bpragma_\w+\s*\(|\bPRAGMA\b/i, 'columnsOf'],
  [/\bread_csv\w*\s*\(/i, 'sqlReadCsv'],
  [/\bread_parquet\s*\(/i, 'sqlReadParquet'],
  [/\bfrom_json\s*\(/i, 'sqlTextList'],
  [/\b(jaro_winkler_similarity|damerau_levenshtein|levenshtein|jaccard|try_strptime|date_diff)\s*\(/i, 'sqlCompare'],
];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? files(p) : p.endsWith('.ts') ? [p] : [];
  });
}

test('no file in src outside src/store uses DuckDB-only SQL: each construct has its helper in store', () => {
  const outside = files(SRC).filter((f) => !relative(SRC, f).startsWith('store/'));
  assert.ok(outside.length > 100);
  const found: string[] = [];
  for (const f of outside) {
    const lines = readFileSync(f, 'utf8').split('\n');
    lines.forEach((line, i) => {
      for (const [re, helper] of DUCKDB_ONLY)
        if (re.test(line)) found.push(`${relative(SRC, f)}:${i + 1} matches ${re} (use ${helper} from store)`);
    });
  }
  assert.deepEqual(found, []);
});

test('the check would see them (the patterns match the SQL they are for, not the words of the code)', () => {
  const hits = (s: string) => DUCKDB_ONLY.filter(([re]) => re.test(s)).length;
  for (const sql of [
    'SELECT any_value(name) FROM area',
    'FROM t QUALIFY row_number() OVER (PARTITION BY k) = 1',
    'SELECT column_name FROM (DESCRIBE SELECT * FROM t)',
    "SELECT name FROM pragma_table_info('t')",
    "FROM read_csv('a.csv', header = true)",
    "FROM read_csv_auto('a.csv')",
    "FROM read_parquet('a.parquet')",
    `unnest(from_json($1, '["VARCHAR"]'))`,
    'jaro_winkler_similarity(a, b) >= 0.9',
  ])
    assert.equal(hits(sql), 1, sql);
  for (const code of [
    "z.string().describe('A name')",
    'const describe = (r) => r.name;',
    'describeReferenceCsv(engine, path)',
  ])
    assert.equal(hits(code), 0, code);
});
