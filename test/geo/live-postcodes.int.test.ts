import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countedPostcodesSql } from '../../src/geo/index.ts';
import { DuckDbEngine } from '../../src/store/index.ts';

test('the live-postcode rule is one SQL builder: a window over each area, standard SQL', () => {
  const sql = countedPostcodesSql('pc', 'b', "status = 'live'");
  assert.equal(
    sql,
    "(SELECT * FROM (SELECT s.*, max(CASE WHEN status = 'live' THEN 1 ELSE 0 END) OVER (PARTITION BY s.b) AS _area_has_live " +
      "FROM pc s WHERE s.b IS NOT NULL) WHERE (status = 'live') OR _area_has_live = 0)",
  );
  assert.doesNotMatch(sql, /QUALIFY|bool_or|EXCLUDE/i, 'nothing an engine other than DuckDB lacks');
});

test('the rule as it runs: an area counts its live postcodes, or every postcode when none is live; no area, not counted', async () => {
  const e = await DuckDbEngine.open(':memory:');
  try {
    await e.run(`CREATE TABLE pc AS SELECT * FROM (VALUES
      ('A1', 'A', 'live'), ('A2', 'A', 'terminated'), ('A3', 'A', 'live'),
      ('B1', 'B', 'terminated'), ('B2', 'B', 'terminated'),
      ('C1', NULL, 'live')) t(pc, b, status)`);
    const rows = await e.all<{ pc: string; b: string }>(
      `SELECT pc, b FROM ${countedPostcodesSql('pc', 'b', "status = 'live'")} x ORDER BY pc`,
    );
    // A: its two live postcodes; B: none live, so both; C1 has no area.
    assert.deepEqual(
      rows.map((r) => r.pc),
      ['A1', 'A3', 'B1', 'B2'],
    );
  } finally {
    await e.close();
  }
});
