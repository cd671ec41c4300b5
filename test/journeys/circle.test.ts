/**
 * The Circle of Need (Chorley 2007, used by Greater Manchester): needs → services → providers for
 * one segment, read from a CSV, and linked to a Service Delivery Framework so that each need lists
 * the segments with high take-up of its services.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { circleOfNeed, JourneyFileError, readCircleFile } from '../../src/journeys/index.ts';
import { SDF_RESULT_VERSION, type SdfResult } from '../../src/profiling/index.ts';
import { circleToSvg, circleToTable } from '../../src/outputs/index.ts';
import { tempDir } from '../helpers/workspace.ts';

const EXAMPLE = fileURLToPath(
  new URL('../../examples/journeys/circle-of-need-low-income-families.csv', import.meta.url),
);
const tmp = tempDir('civic-circle-');
after(() => tmp.cleanup());

test("the low-income families' circle: Chorley's eight needs, each with its services and providers", async () => {
  const c = await readCircleFile(EXAMPLE);
  assert.equal(c.segment, 'Families with low incomes and young children');
  assert.deepEqual(
    c.needs.map((n) => n.need),
    [
      'Economic security',
      'Education',
      'Healthcare',
      'Housing',
      'Nutrition',
      'Significant relationships with others',
      'Access to justice and democracy',
      'Physical security',
    ],
  );
  const r = circleOfNeed(c);
  // Housing Benefit meets two needs: counted once among the services.
  assert.deepEqual(r.counts, { needs: 8, services: 16, providers: 10 });
  const sureStart = r.providers.find((p) => p.provider === "Sure Start Children's Centre")!;
  assert.deepEqual(sureStart.needs, [
    'Economic security',
    'Education',
    'Nutrition',
    'Significant relationships with others',
  ]);
  assert.deepEqual(r.needs[0].services.at(-1)?.providers, ["Sure Start Children's Centre", 'Jobcentre Plus']);
  assert.equal(r.sdf, null);
  assert.ok(r.needs.every((n) => n.usedBy === null));
  const svg = circleToSvg(r);
  assert.match(svg, /^<svg [^>]*role="img"/);
  assert.equal((svg.match(/<circle [^>]*r="58"/g) ?? []).length, 8, 'a node for each need');
  assert.match(circleToTable(r), /8 needs, 16 services, 10 providers/);
});

function sdf(): SdfResult {
  const cell = (index: number | null, suppressed = false) => ({
    count: suppressed ? null : 50,
    penetration: 1,
    index,
    band: index === null ? null : index >= 120 ? 'High' : index >= 110 ? 'Above average' : 'Average',
    significant: true,
    suppressed,
  });
  const service = (dataset: string, cells: ReturnType<typeof cell>[]) => ({
    key: dataset,
    dataset,
    title: null,
    label: null,
    filter: null,
    countOf: null,
    partner: 'Council',
    cells,
    total: { count: 150, penetration: 1 },
    unmatched: 0,
    disclosure: null,
  });
  return {
    version: SDF_RESULT_VERSION,
    classification: 'borough',
    level: 'group',
    baseMeasure: 'households',
    baseMethod: 'households per output area',
    segments: [
      { code: '1', name: 'Young families', base: 100, basePct: 25 },
      { code: '2', name: 'Retired', base: 100, basePct: 25 },
      { code: '3', name: 'Students', base: 100, basePct: 50 },
    ],
    services: [
      service('housing_benefit', [cell(180), cell(60), cell(130, true)]),
      service('childrens_centre_users', [cell(240), cell(20), cell(110)]),
    ],
    sheets: [],
    bands: [],
    disclosure: { minCell: 10 },
  };
}

test('linked to the SDF: a service lists the segments with high take-up; a need, those of any of its services', async () => {
  const file = join(tmp.dir, 'families.csv');
  writeFileSync(
    file,
    [
      'need,service,provider,dataset',
      'Economic security,Housing Benefit,Council,housing_benefit',
      'Economic security,Welfare advice,Citizens Advice,',
      "Education,Children's centre activities,Sure Start,childrens_centre_users",
      'Housing,Housing Benefit,Council,housing_benefit',
      'Nutrition,Food bank,Trussell Trust,food_bank',
    ].join('\n'),
  );
  const c = await readCircleFile(file, { segment: 'Young families' });
  const r = circleOfNeed(c, sdf());
  const econ = r.needs[0];
  // Students' 130 is a suppressed cell: never shown as a user.
  assert.deepEqual(econ.services[0].usedBy, [{ code: '1', name: 'Young families', index: 180, band: 'High' }]);
  assert.equal(econ.services[1].usedBy, null, 'a service with no dataset is not linked');
  assert.deepEqual(econ.usedBy, [{ code: '1', name: 'Young families', services: 1 }]);
  assert.deepEqual(
    r.needs[1].services[0].usedBy?.map((u) => [u.code, u.index]),
    [
      ['1', 240],
      ['3', 110],
    ],
  );
  assert.deepEqual(r.sdf, { classification: 'borough', level: 'group', minIndex: 110, missing: ['food_bank'] });
  const higher = circleOfNeed(c, sdf(), 200);
  assert.deepEqual(higher.needs[0].services[0].usedBy, []);
  assert.match(circleToTable(r), /High take-up \(index ≥ 110\)/);
});

test('a circle without a segment, or with a blank need, is refused with the row and column', async () => {
  const file = join(tmp.dir, 'bad.csv');
  writeFileSync(file, 'need,service,provider\n,Housing Benefit,Council\nHousing,Social housing,Landlord\n');
  await assert.rejects(readCircleFile(file), (e: unknown) => {
    assert.ok(e instanceof JourneyFileError);
    assert.deepEqual(
      e.problems.map((p) => [p.row, p.column]),
      [
        [2, 'need'],
        [undefined, 'segment'],
      ],
    );
    return true;
  });
});
