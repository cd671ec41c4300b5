/** The default map's choice (src/server/map-default.ts): the spread of areas over the key's classes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classSpread, chooseDefaultMeasure } from '../../src/server/map-default.ts';
import type { MapOptions } from '../../src/maps/index.ts';

const areas = (classes: number[]) => classes.map((cls) => ({ cls, value: cls < 0 ? null : cls }));

test('spread: 0 for one value everywhere, 1 bit for an even split in two, log2(5) for five equal classes', () => {
  assert.equal(classSpread(areas([0, 0, 0, 0])), 0);
  assert.equal(classSpread(areas([0, 1, 0, 1])), 1);
  assert.ok(Math.abs(classSpread(areas([0, 1, 2, 3, 4])) - Math.log2(5)) < 1e-12);
  // Areas not shown (small cells, no figure) do not count.
  assert.equal(classSpread(areas([0, 0, -1, -2])), 0);
  assert.equal(classSpread([]), 0);
});

test('the default is the candidate that varies most; dataset measures and journey times are not candidates', async () => {
  const options: MapOptions = {
    levels: [{ value: 'oa21', text: 'Output area (2021)' }],
    deprivationLevel: null,
    measures: [
      { group: 'Areas', items: [{ value: 'households', text: 'Households' }] },
      {
        group: 'Share',
        items: [
          { value: 'segment:c:group:1', text: '1' },
          { value: 'segment:c:group:2', text: '2' },
        ],
      },
      { group: 'Minutes', items: [{ value: 'access:library:walk', text: 'Library' }] },
      { group: 'Penetration', items: [{ value: 'penetration:ds', text: 'ds' }] },
    ],
  };
  const figures: Record<string, number[]> = {
    households: [0, 1, 2, 0, 1, 2], // three classes evenly: log2(3)
    'segment:c:group:1': [0, 1, 1, 0, 0, 1], // 0% or 100%: 1 bit
    'segment:c:group:2': [0, 1, 2, 3, 4, 0], // five classes, unevenly: about 2.25 bits
    'access:library:walk': [0, 1, 2, 3, 4, 5],
    'penetration:ds': [0, 1, 2, 3, 4, 5],
  };
  const asked: string[] = [];
  const chosen = await chooseDefaultMeasure(options, async (m) => {
    asked.push(m);
    return { areas: areas(figures[m]) };
  });
  assert.equal(chosen, 'segment:c:group:2');
  assert.deepEqual(asked, ['households', 'segment:c:group:1', 'segment:c:group:2']);
  // Nothing varies: no default.
  assert.equal(await chooseDefaultMeasure(options, async () => ({ areas: areas([0, 0]) })), null);
});
