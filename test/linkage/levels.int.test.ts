/**
 * Every comparison level worked by hand on pairs of values; the SQL a spec generates checked as
 * text; a term-frequency adjustment worked by hand; and a Splink settings file giving, here, the
 * weights its stored m and u say (acceptance 3).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, sqlCompare, type Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  blockedPairsSql,
  comparisonGammaSql,
  comparisonWeightSql,
  dateColumn,
  explainPair,
  fromSplinkSettings,
  getModel,
  levelConditionSql,
  modelPairs,
  parseLinkSpec,
  predictModel,
  ruleCountSql,
  saveModel,
  type Comparison,
  type Level,
  linkSources,
  trainModel,
  sharedMeasures,
  withGammasSql,
} from '../../src/linkage/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-link-levels-');
let ws: Workspace;
before(async () => {
  ws = await createWorkspace(join(tmp.dir, 'l.civic'));
});
after(() => {
  ws.close();
  tmp.cleanup();
});

/** Whether a level holds for each pair of values (null: the condition is unknown). */
async function holds(level: Level, pairs: [string | null, string | null][]): Promise<(boolean | null)[]> {
  const c: Comparison = { name: 'x', column: 'x', levels: [level, { kind: 'else' }] };
  const values = pairs.map((_, i) => `($${2 * i + 1}::VARCHAR, $${2 * i + 2}::VARCHAR, ${i})`).join(', ');
  // Dates are read once per record, into a column of the records table of their own.
  const dates =
    level.kind === 'date_within' || level.kind === 'date_swap'
      ? (['l', 'r'] as const)
          .map((s) => `, ${sqlCompare.date(`x_${s}`, level.format)} AS "${dateColumn('x', level.format)}_${s}"`)
          .join('')
      : '';
  const rows = await ws.engine.all<{ h: boolean | null }>(
    `SELECT ${levelConditionSql(c, level)} AS h FROM (SELECT *${dates} FROM (VALUES ${values}) AS t(x_l, x_r, i)) p ORDER BY i`,
    pairs.flat(),
  );
  return rows.map((r) => r.h);
}

test('null: either side missing', async () => {
  assert.deepEqual(
    await holds({ kind: 'null' }, [
      [null, 'a'],
      ['a', null],
      ['a', 'b'],
    ]),
    [true, true, false],
  );
});

test('exact, on the whole value, its first characters, or either side of the @', async () => {
  assert.deepEqual(
    await holds({ kind: 'exact' }, [
      ['smith', 'smith'],
      ['smith', 'smyth'],
    ]),
    [true, false],
  );
  assert.deepEqual(
    await holds({ kind: 'exact', transform: { prefix: 3 } }, [
      ['M15 4AB', 'M15 9ZZ'],
      ['M15', 'M16'],
    ]),
    [true, false],
  );
  assert.deepEqual(
    await holds({ kind: 'exact', transform: 'email_local' }, [
      ['jo.bloggs@a.org', 'jo.bloggs@b.net'],
      ['jo@a.org', 'jon@a.org'],
    ]),
    [true, false],
  );
  assert.deepEqual(await holds({ kind: 'exact', transform: 'email_domain' }, [['jo@a.org', 'ann@a.org']]), [true]);
});

test('Jaro-Winkler: MARTHA and MARHTA are 0.961 alike (the published example), DIXON and DICKSONX 0.813', async () => {
  assert.deepEqual(
    await holds({ kind: 'jaro_winkler', threshold: 0.96 }, [
      ['martha', 'marhta'],
      ['dixon', 'dicksonx'],
    ]),
    [true, false],
  );
  assert.deepEqual(await holds({ kind: 'jaro_winkler', threshold: 0.81 }, [['dixon', 'dicksonx']]), [true]);
  assert.deepEqual(await holds({ kind: 'jaro_winkler', threshold: 0.82 }, [['dixon', 'dicksonx']]), [false]);
});

test('Damerau-Levenshtein counts a swap of neighbours as one edit; Levenshtein as two', async () => {
  const pairs: [string, string][] = [
    ['19710624', '19716024'],
    ['smith', 'smiht'],
    ['smith', 'smithers'],
  ];
  assert.deepEqual(await holds({ kind: 'damerau_levenshtein', max: 1 }, pairs), [true, true, false]);
  assert.deepEqual(await holds({ kind: 'levenshtein', max: 1 }, pairs), [false, false, false]);
  assert.deepEqual(await holds({ kind: 'levenshtein', max: 2 }, pairs), [true, true, false]);
});

test('Jaccard of the characters: abcd and abce share 3 of 5', async () => {
  assert.deepEqual(
    await holds({ kind: 'jaccard', threshold: 0.6 }, [
      ['abcd', 'abce'],
      ['abcd', 'wxyz'],
    ]),
    [true, false],
  );
  assert.deepEqual(await holds({ kind: 'jaccard', threshold: 0.61 }, [['abcd', 'abce']]), [false]);
});

test('dates within N days, in the format they are written; day and month swapped', async () => {
  assert.deepEqual(
    await holds({ kind: 'date_within', format: '%Y-%m-%d', days: 31 }, [
      ['1971-06-24', '1971-05-24'],
      ['1971-06-24', '1971-07-26'],
      ['1971-06-24', 'not a date'],
    ]),
    [true, false, null],
  );
  assert.deepEqual(await holds({ kind: 'date_within', format: '%Y%m%d', days: 366 }, [['19081209', '19091209']]), [
    true,
  ]);
  assert.deepEqual(
    await holds({ kind: 'date_swap', format: '%d/%m/%Y' }, [
      ['03/07/1980', '07/03/1980'],
      ['03/07/1980', '03/07/1980'],
      ['03/07/1980', '07/03/1981'],
    ]),
    [true, false, false],
  );
});

test('numbers within a distance, absolute or relative to the larger', async () => {
  assert.deepEqual(
    await holds({ kind: 'numeric_within', max: 2 }, [
      ['40', '42'],
      ['40', '43'],
      ['1,000', '999'],
    ]),
    [true, false, true],
  );
  assert.deepEqual(
    await holds({ kind: 'numeric_within', max: 0.1, relative: true }, [
      ['100', '90'],
      ['100', '89'],
    ]),
    [true, false],
  );
});

test('the SQL a spec generates, as text', () => {
  const c: Comparison = {
    name: 'surname',
    column: 'surname',
    levels: [
      { kind: 'null' },
      { kind: 'exact', tf: true, m: 0.8, u: 0.01 },
      { kind: 'jaro_winkler', threshold: 0.9, m: 0.15, u: 0.04 },
      { kind: 'else', m: 0.05, u: 0.95 },
    ],
  };
  assert.equal(
    comparisonGammaSql(c),
    'CASE WHEN coalesce(("surname_l" IS NULL OR "surname_r" IS NULL), FALSE) THEN 0 ' +
      'WHEN coalesce(("surname_l" = "surname_r"), FALSE) THEN 1 ' +
      'WHEN coalesce((jaro_winkler_similarity("surname_l", "surname_r") >= 0.9), FALSE) THEN 2 ELSE 3 END',
  );
  assert.equal(
    comparisonWeightSql(c),
    `CASE "gamma_surname" WHEN 0 THEN 0 WHEN 1 THEN ${Math.log2(80)} + coalesce(1 * log2(0.01 / greatest("_tf_surname_l", "_tf_surname_r")), 0) ` +
      `WHEN 2 THEN ${Math.log2(0.15 / 0.04)} WHEN 3 THEN ${Math.log2(0.05 / 0.95)} ELSE 0 END`,
  );
  const rules = [{ on: ['surname', { column: 'dob', prefix: 4 }] }, { on: ['email'] }];
  assert.equal(
    blockedPairsSql(rules, 'dedupe', 'rec'),
    'SELECT l._lk_n AS n_l, r._lk_n AS n_r, 0 AS rule FROM "rec" l JOIN "rec" r ON (l."surname" = r."surname" AND left(l."dob", 4) = left(r."dob", 4)) AND l._lk_n < r._lk_n\n' +
      'UNION ALL\n' +
      'SELECT l._lk_n AS n_l, r._lk_n AS n_r, 1 AS rule FROM "rec" l JOIN "rec" r ON (l."email" = r."email") AND l._lk_n < r._lk_n' +
      ' AND NOT coalesce((l."surname" = r."surname" AND left(l."dob", 4) = left(r."dob", 4)), FALSE)',
  );
  assert.equal(
    ruleCountSql({ on: ['email'] }, 'link', 'rec'),
    'SELECT coalesce(sum(a * b), 0)::BIGINT AS pairs FROM (SELECT count(*) FILTER (WHERE l._lk_src = 0)::BIGINT AS a, count(*) FILTER (WHERE l._lk_src = 1)::BIGINT AS b FROM "rec" l WHERE l."email" IS NOT NULL GROUP BY l."email") g',
  );
});

test('a condition that is not an expression on the two records is refused', () => {
  for (const bad of [
    '"a_l" = "a_r"; DROP TABLE dataset',
    "a_l IN (SELECT x FROM read_csv('/etc/passwd'))",
    'a_l = a_r -- x',
  ])
    assert.throws(
      () =>
        parseLinkSpec({
          version: 1,
          linkType: 'dedupe',
          comparisons: [{ name: 'a', levels: [{ kind: 'sql', condition: bad }, { kind: 'else' }] }],
          blocking: { predict: [{ on: ['a'] }] },
        }),
      /not a valid linkage model/,
    );
});

// A small dataset: four people, two of them twice; three of the six records are smiths (a share of 0.5), two patels.
const PEOPLE = `id,first_name,surname,dob
a1,john,smith,1980-01-02
a2,jon,smith,1980-01-02
b1,mary,smith,1975-05-05
c1,anil,patel,1990-09-09
c2,anil,patel,1990-09-09
d1,sue,jones,1960-12-12
`;

/** A Splink 4 settings file (DuckDB), as Splink saves a trained model. */
const SPLINK = {
  link_type: 'dedupe_only',
  probability_two_random_records_match: 0.01,
  sql_dialect: 'duckdb',
  unique_id_column_name: 'id',
  blocking_rules_to_generate_predictions: [
    { blocking_rule: 'l.dob = r.dob', sql_dialect: 'duckdb' },
    'l.surname = r.surname',
  ],
  comparisons: [
    {
      output_column_name: 'first_name',
      comparison_levels: [
        {
          sql_condition: '"first_name_l" IS NULL OR "first_name_r" IS NULL',
          label_for_charts: 'Null',
          is_null_level: true,
        },
        {
          sql_condition: '"first_name_l" = "first_name_r"',
          label_for_charts: 'Exact',
          m_probability: 0.6,
          u_probability: 0.01,
        },
        {
          sql_condition: 'jaro_winkler_similarity("first_name_l", "first_name_r") >= 0.8',
          label_for_charts: 'JW 0.8',
          m_probability: 0.3,
          u_probability: 0.05,
        },
        { sql_condition: 'ELSE', label_for_charts: 'Else', m_probability: 0.1, u_probability: 0.94 },
      ],
    },
    {
      output_column_name: 'surname',
      comparison_levels: [
        { sql_condition: '"surname_l" IS NULL OR "surname_r" IS NULL', label_for_charts: 'Null', is_null_level: true },
        {
          sql_condition: '"surname_l" = "surname_r"',
          label_for_charts: 'Exact',
          m_probability: 0.9,
          u_probability: 0.02,
          tf_adjustment_column: 'surname',
          tf_adjustment_weight: 1.0,
        },
        { sql_condition: 'ELSE', label_for_charts: 'Else', m_probability: 0.1, u_probability: 0.98 },
      ],
    },
  ],
};

test('a Splink settings file gives the weights its stored m and u say, with the term-frequency adjustment worked by hand', async () => {
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE);
  await importDataset(ws.engine, 'people', file, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['first_name', 'surname', 'dob'],
  });
  const spec = fromSplinkSettings(SPLINK);
  assert.equal(spec.origin, 'splink');
  await saveModel(ws.engine, { name: 'splink', datasets: ['people'], spec });
  const model = await getModel(ws.engine, 'splink');
  const r = await predictModel(ws.engine, model);
  // dob: a1–a2 and c1–c2; surname adds a1–b1 and a2–b1 (smith) — c1–c2 already made by dob.
  assert.deepEqual(
    r.blocking.map((b) => [b.pairs, b.added]),
    [
      [2, 2],
      [4, 2],
    ],
  );
  const prior = Math.log2(0.01 / 0.99);
  // john/jon: Jaro-Winkler 0.9333 ≥ 0.8; smith exact, whose share is 3 of 6 records: u 0.02 becomes 0.5.
  const a = await explainPair(ws.engine, model, 'a1', 'a2');
  const expectA = prior + Math.log2(0.3 / 0.05) + Math.log2(0.9 / 0.02) + Math.log2(0.02 / 0.5);
  assert.ok(Math.abs(a.match_weight - expectA) < 1e-9, `${a.match_weight} vs ${expectA}`);
  assert.ok(Math.abs(a.comparisons[1].tfAdjustment - Math.log2(0.02 / 0.5)) < 1e-9);
  assert.deepEqual(a.foundBy, ['l.dob = r.dob', 'l.surname = r.surname']);
  // anil/anil exact; patel's share 2 of 6: u 0.02 becomes 1/3.
  const c = await explainPair(ws.engine, model, 'c1', 'c2');
  const expectC = prior + Math.log2(0.6 / 0.01) + Math.log2(0.9 / (2 / 6));
  assert.ok(Math.abs(c.match_weight - expectC) < 1e-9);
  // The saved pairs carry the same weights, and probability 2^w / (1 + 2^w).
  const pairs = await modelPairs(ws.engine, 'splink');
  const ac = pairs.find((p) => p.id_l === 'a1' && p.id_r === 'a2')!;
  assert.ok(Math.abs(ac.match_weight - expectA) < 1e-9);
  assert.ok(Math.abs(ac.match_probability - 2 ** expectA / (1 + 2 ** expectA)) < 1e-12);
  assert.equal(pairs.length, 4);
});

test('training counts what each blocking rule adds to the union as predict does, with λ estimated or given', async () => {
  // The people dataset of the test above: dob makes a1–a2 and c1–c2; surname adds a1–b1 and a2–b1.
  const model = await getModel(ws.engine, 'splink');
  const sources = await linkSources(ws.engine, model.datasets);
  const estimated = await trainModel(ws.engine, model.spec, sources);
  const given = await trainModel(ws.engine, model.spec, sources, { prior: 0.01 });
  for (const t of [estimated, given]) {
    assert.deepEqual(
      t.report.blocking.map((b) => [b.pairs, b.added]),
      [
        [2, 2],
        [4, 2],
      ],
    );
    assert.equal(t.report.blockedPairs, 4);
    assert.equal(t.report.allPairs, 15);
  }
  assert.equal(estimated.report.priorEstimated, true);
  assert.equal(given.spec.prior, 0.01);
});

test('a measure that several levels use is computed once per pair, and every pair gets the level it got before', async () => {
  const spec = parseLinkSpec({
    version: 1,
    linkType: 'dedupe',
    comparisons: [
      {
        name: 'name',
        column: 'name',
        levels: [
          { kind: 'null' },
          { kind: 'exact' },
          { kind: 'jaro_winkler', threshold: 0.92 },
          { kind: 'jaro_winkler', threshold: 0.88 },
          { kind: 'jaro_winkler', threshold: 0.7 },
          { kind: 'damerau_levenshtein', max: 1 },
          { kind: 'damerau_levenshtein', max: 3 },
          { kind: 'else' },
        ],
      },
    ],
    blocking: { predict: [{ on: ['name'] }] },
  });
  const shared = sharedMeasures(spec);
  assert.deepEqual(
    shared.map((m) => m.column),
    ['"_m_name_0"', '"_m_name_1"'],
  );
  const words = [
    'martha',
    'marhta',
    'dixon',
    'dicksonx',
    'jones',
    'johns',
    'smith',
    'smyth',
    'a',
    'abcdefgh',
    'ab',
    'ba',
    'abc',
    'xyz',
    null,
  ];
  const values = words
    .flatMap((a, i) =>
      words.map((b, j) => `(${a === null ? 'NULL' : `'${a}'`}, ${b === null ? 'NULL' : `'${b}'`}, ${i * 100 + j})`),
    )
    .join(', ');
  const from = `SELECT * FROM (VALUES ${values}) AS t(name_l, name_r, i)`;
  const once = await ws.engine.all<{ i: number; g: number }>(
    `SELECT i, gamma_name AS g FROM (${withGammasSql(spec, from)}) x ORDER BY i`,
  );
  const each = await ws.engine.all<{ i: number; g: number }>(
    `SELECT i, ${comparisonGammaSql(spec.comparisons[0])} AS g FROM (${from}) x ORDER BY i`,
  );
  assert.equal(once.length, words.length ** 2);
  assert.deepEqual(once, each);
  // Every level is reached by some pair, so the comparison is a real check of each.
  assert.deepEqual(
    [...new Set(each.map((r) => Number(r.g)))].sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 6, 7],
  );
});
