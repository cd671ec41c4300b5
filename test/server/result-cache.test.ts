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

test('a write forgets only the results made from what it changed', async () => {
  const cache = new ResultCache();
  let n = 0;
  const count = async () => ++n;
  await cache.get('profile', 'x', count); // made from everything
  await cache.get('facilities', null, count); // made from the facilities only
  await cache.get('level bbox', 'ward', count); // made from the reference data only
  assert.equal(n, 3);
  cache.invalidate([]); // adding a person, sending a file for mapping, enriching postcodes
  assert.equal(cache.generation, 0);
  assert.equal(cache.size, 3);
  cache.invalidate(['datasets']); // an import finished
  assert.equal(await cache.get('facilities', null, count), 2, 'the facilities are kept');
  assert.equal(await cache.get('level bbox', 'ward', count), 3, 'the areas are kept');
  assert.equal(await cache.get('profile', 'x', count), 4, 'the profile is made again');
  cache.invalidate(['facilities']);
  assert.equal(await cache.get('facilities', null, count), 5);
  assert.equal(await cache.get('level bbox', 'ward', count), 3);
  cache.invalidate(); // a write that does not say what it changed: everything
  assert.equal(await cache.get('level bbox', 'ward', count), 6);
});

test('a result started before a write to one of its sources is handed to its callers but not kept', async () => {
  const cache = new ResultCache();
  let release!: () => void;
  const slow = cache.get(
    'facilities',
    null,
    () =>
      new Promise<string>((r) => {
        release = () => r('old');
      }),
  );
  cache.invalidate(['datasets']); // not a source of the facilities: the computation is kept
  cache.invalidate(['facilities']);
  release();
  assert.equal(await slow, 'old');
  assert.equal(await cache.get('facilities', null, async () => 'new'), 'new');
});
