import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { createWorkspace, whileUnchanged } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';

test('a reading kept while its tables are unchanged is read again after any write to them, committed or rolled back', async () => {
  const tmp = tempDir();
  const ws = await createWorkspace(join(tmp.dir, 'w.civic'));
  try {
    const e = ws.engine;
    await e.run(`CREATE TABLE t (v VARCHAR)`);
    await e.run(`CREATE TABLE other (v VARCHAR)`);
    let reads = 0;
    const values = () =>
      whileUnchanged(e, 't values', ['t'], async () => {
        reads++;
        return (await e.all<{ v: string }>(`SELECT v FROM t ORDER BY v`)).map((r) => r.v);
      });
    assert.deepEqual(await values(), []);
    assert.deepEqual(await values(), []);
    assert.equal(reads, 1, 'kept while nothing changed');
    await e.run(`INSERT INTO other VALUES ('x')`);
    await values();
    assert.equal(reads, 1, 'a write to another table keeps it');
    await e.run(`INSERT INTO t VALUES ('a')`);
    assert.deepEqual(await values(), ['a']);
    await e.append('t', [['b']]);
    assert.deepEqual(await values(), ['a', 'b'], 'an append counts as a write');
    // Read inside a transaction that is then rolled back: what it saw must not be kept.
    await e
      .transaction(async () => {
        await e.run(`INSERT INTO t VALUES ('never')`);
        assert.deepEqual(await values(), ['a', 'b', 'never']);
        throw new Error('undo');
      })
      .catch(() => {});
    assert.deepEqual(await values(), ['a', 'b']);
    // A statement the engine cannot read for certain changes everything.
    const before = reads;
    await e.run(`CREATE SEQUENCE s`);
    await values();
    assert.equal(reads, before + 1);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});

test('read() runs beside a transaction without waiting for it, sees only what is committed, and refuses writes', async () => {
  const tmp = tempDir();
  const ws = await createWorkspace(join(tmp.dir, 'r.civic'));
  try {
    const e = ws.engine;
    await e.run(`CREATE TABLE t (v VARCHAR)`);
    await e.run(`INSERT INTO t VALUES ('committed')`);
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let inside: string[] = [];
    const tx = e.transaction(async () => {
      await e.run(`INSERT INTO t VALUES ('pending')`);
      inside = (await e.read<{ v: string }>(`SELECT v FROM t ORDER BY v`)).map((r) => r.v);
      await held;
    });
    await new Promise((r) => setTimeout(r, 20));
    // Outside: answered while the transaction still holds the main connection, without its write.
    const outside = (await e.read<{ v: string }>(`SELECT v FROM t ORDER BY v`)).map((r) => r.v);
    assert.deepEqual(outside, ['committed']);
    assert.deepEqual(inside, ['committed', 'pending'], 'inside a transaction, read() is part of it');
    release();
    await tx;
    assert.deepEqual(
      (await e.read<{ v: string }>(`SELECT v FROM t ORDER BY v`)).map((r) => r.v),
      ['committed', 'pending'],
    );
    await assert.rejects(e.read(`INSERT INTO t VALUES ('x')`), /only read/);
    assert.equal((await e.all<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM t`))[0].n, 2);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});
