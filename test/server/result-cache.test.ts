import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ResultCache, stableJson } from '../../src/server/result-cache.ts';

test('the same request computes once, whatever the order of its parameters, even when asked for at the same time', async () => {
  const cache = new ResultCache();
  let runs = 0;
  const compute = async () => {
    runs++;
    await new Promise((r) => setTimeout(r, 5));
    return { rows: [1, 2, 3] };
  };
  const [a, b] = await Promise.all([
    cache.get('profile', { dataset: 'x', tier: 'group' }, compute),
    cache.get('profile', { tier: 'group', dataset: 'x' }, compute),
  ]);
  assert.equal(runs, 1);
  assert.equal(a, b);
  await cache.get('profile', { dataset: 'x', tier: 'group', where: undefined }, compute);
  assert.equal(runs, 1, 'an undefined parameter is the same request as a missing one');
  await cache.get('profile', { dataset: 'y', tier: 'group' }, compute);
  await cache.get('sdf', { dataset: 'x', tier: 'group' }, compute);
  assert.equal(runs, 3, 'other parameters or another analysis compute again');
});

test('a write to the workspace forgets every result; failures are never kept', async () => {
  const cache = new ResultCache();
  let n = 0;
  assert.equal(await cache.get('k', 1, async () => ++n), 1);
  assert.equal(await cache.get('k', 1, async () => ++n), 1);
  cache.invalidate();
  assert.equal(cache.generation, 1);
  assert.equal(await cache.get('k', 1, async () => ++n), 2);
  await assert.rejects(
    cache.get('bad', 1, async () => {
      throw new Error('no such dataset');
    }),
    /no such dataset/,
  );
  assert.equal(await cache.get('bad', 1, async () => 'now there is'), 'now there is');
});

test('a result started before a write is not kept after it', async () => {
  const cache = new ResultCache();
  let release!: () => void;
  const slow = cache.get(
    'k',
    1,
    () =>
      new Promise<string>((r) => {
        release = () => r('old');
      }),
  );
  cache.invalidate();
  release();
  assert.equal(await slow, 'old');
  assert.equal(await cache.get('k', 1, async () => 'new'), 'new');
});

test('cached results are frozen, so no page can change what the next viewer gets', async () => {
  const cache = new ResultCache();
  const r = await cache.get('k', 1, async () => ({ rows: [{ count: 5 }] }));
  assert.throws(() => {
    (r.rows[0] as { count: number }).count = 0;
  }, TypeError);
  assert.throws(() => {
    r.rows.push({ count: 1 });
  }, TypeError);
  assert.equal(stableJson({ b: [1, { d: 2, c: 1 }], a: null }), '{"a":null,"b":[1,{"c":1,"d":2}]}');
});
