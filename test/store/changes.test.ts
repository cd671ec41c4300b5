import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ANY_TABLE, ChangeCounts, tableKey, tablesWritten } from '../../src/store/index.ts';

test('reads change nothing; a read that mentions a write word counts as a change to everything', () => {
  assert.deepEqual(tablesWritten(`SELECT name, partner FROM dataset`), []);
  assert.deepEqual(tablesWritten(`  \n WITH a AS (SELECT 1) SELECT * FROM a`), []);
  assert.deepEqual(tablesWritten(`(SELECT 1) UNION (SELECT 2)`), []);
  assert.deepEqual(tablesWritten(`-- a note\nSELECT 1`), []);
  assert.deepEqual(tablesWritten(`DESCRIBE SELECT * FROM t`), []);
  assert.deepEqual(tablesWritten(`SELECT last_updated, updated_by FROM t`), []);
  assert.deepEqual(tablesWritten(`WITH x AS (SELECT 1) INSERT INTO t SELECT * FROM x`), [ANY_TABLE]);
  assert.deepEqual(tablesWritten(`SELECT 'delete' AS action`), [ANY_TABLE]);
  assert.deepEqual(tablesWritten(`COPY (SELECT * FROM t) TO '/tmp/x.csv'`), []);
  assert.deepEqual(tablesWritten(`COPY t TO '/tmp/x.csv'`), []);
});

test('each kind of write names its table, unquoted, without its schema, in lower case', () => {
  assert.deepEqual(tablesWritten(`INSERT INTO audit_log VALUES ($1, $2)`), ['audit_log']);
  assert.deepEqual(tablesWritten(`insert or replace into "Dataset" VALUES (1)`), ['dataset']);
  assert.deepEqual(tablesWritten(`UPDATE main."ds_x" SET a = 1`), ['ds_x']);
  assert.deepEqual(tablesWritten(`DELETE FROM app_session WHERE expires_at < $1`), ['app_session']);
  assert.deepEqual(tablesWritten(`CREATE TEMP TABLE "base_cov_1" AS SELECT 1`), ['base_cov_1']);
  assert.deepEqual(tablesWritten(`CREATE OR REPLACE TABLE t AS SELECT 1`), ['t']);
  assert.deepEqual(tablesWritten(`CREATE TABLE IF NOT EXISTS "a ""b""" (v INT)`), ['a "b"']);
  assert.deepEqual(tablesWritten(`CREATE UNIQUE INDEX i ON facility (id)`), ['facility']);
  assert.deepEqual(tablesWritten(`DROP TABLE IF EXISTS "ds_old"`), ['ds_old']);
  assert.deepEqual(tablesWritten(`ALTER TABLE dataset ADD COLUMN x VARCHAR`), ['dataset']);
  assert.deepEqual(tablesWritten(`TRUNCATE boundary`), ['boundary']);
  assert.deepEqual(tablesWritten(`COPY facility FROM '/tmp/f.csv'`), ['facility']);
});

test('several statements: every one counts; anything not understood changes everything', () => {
  assert.deepEqual([...tablesWritten(`INSERT INTO a VALUES (1); UPDATE b SET v = 2;`)].sort(), ['a', 'b']);
  // A ; inside a literal can only add parts, never hide a statement.
  assert.deepEqual(tablesWritten(`INSERT INTO a VALUES ('x;SELECT 1')`), ['a']);
  assert.deepEqual(tablesWritten(`BEGIN TRANSACTION`), []);
  assert.deepEqual(tablesWritten(`CHECKPOINT`), []);
  assert.deepEqual(tablesWritten(`ATTACH '/tmp/x' AS y`), [ANY_TABLE]);
  assert.deepEqual(tablesWritten(`CREATE SEQUENCE s`), [ANY_TABLE]);
  assert.deepEqual(tablesWritten(`PRAGMA something`), [ANY_TABLE]);
  assert.deepEqual(tablesWritten(`SELECT 1; DROP TABLE t`), ['t']);
});

test('a stamp moves when one of its tables, or everything, changes, and not otherwise', () => {
  const c = new ChangeCounts();
  const s0 = c.stamp(['dataset']);
  c.note(['audit_log']);
  assert.equal(c.stamp(['dataset']), s0);
  c.note(['dataset']);
  const s1 = c.stamp(['Dataset']);
  assert.notEqual(s1, s0);
  c.note([ANY_TABLE]);
  assert.notEqual(c.stamp(['dataset']), s1);
  assert.equal(tableKey('main."Ds_X"'), 'ds_x');
});
