/**
 * Changing a journey a step at a time (src/journeys/edit.ts): a form's fields read with the
 * template's rules, every problem named by its field; steps added, changed, moved and deleted; and
 * the measures of the changed journey against figures worked by hand from the unit-cost table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  addStep,
  journeyUnitCosts,
  measureJourney,
  moveStep,
  readJourneyFields,
  readStepFields,
  removeStep,
  replaceStep,
  stepFieldsFrom,
  stepFieldsOf,
  JourneySchema,
  type JourneyStep,
} from '../../src/journeys/index.ts';

const kayAfter = JourneySchema.parse(
  JSON.parse(readFileSync(new URL('../../examples/journeys/kay-after.json', import.meta.url), 'utf8')),
);

const step = (fields: Record<string, string>): JourneyStep => {
  const r = readStepFields(stepFieldsFrom(fields));
  assert.equal(r.problems.length, 0, JSON.stringify(r.problems));
  return (r as { step: JourneyStep }).step;
};

test('a step from a form: the channel in the vocabulary, data items split, blanks as nothing', () => {
  const s = step({
    agency: ' Waste services ',
    service: 'Missed bin',
    channel: 'Tel',
    dataItems: 'name; address\npostcode',
    waitDays: '3',
    cost: '£1.44',
    count: '2',
    feeling: 'Fed up',
  });
  assert.deepEqual(s, {
    agency: 'Waste services',
    service: 'Missed bin',
    channel: 'phone',
    form: null,
    assessment: null,
    dataItems: ['name', 'address', 'postcode'],
    waitDays: 3,
    cost: 1.44,
    count: 2,
    feeling: 'Fed up',
    note: null,
    reconstructed: false,
  });
  assert.equal(
    step({ agency: 'A', service: 'B', channel: 'other', otherChannel: 'Internal email' }).channel,
    'internal email',
  );
  assert.equal(step({ agency: 'A', service: 'B', channel: '' }).channel, null, 'no channel: an event');
  assert.deepEqual(stepFieldsFrom(stepFieldsOf(s) as unknown as Record<string, unknown>).cost, '1.44');
});

test('every problem with a step at once, each by its field', () => {
  const r = readStepFields(stepFieldsFrom({ agency: '', service: ' ', waitDays: 'soon', cost: '1.445', count: '0' }));
  assert.deepEqual(
    r.problems.map((p) => p.field),
    ['agency', 'service', 'waitDays', 'cost', 'count'],
  );
  assert.match(r.problems[3].message, /pounds and pence, for example 1\.44/);
});

test("a journey's own fields: the short name, the stage and the unit costs checked", () => {
  const r = readJourneyFields(
    {
      name: 'Kay Again',
      title: '',
      customer: '',
      council: '',
      segment: '',
      stage: 'during',
      compareWith: 'kay again',
      unitCosts: 'nowhere',
      source: '',
      reconstruction: '',
    },
    kayAfter.steps,
    { unitCostSets: ['barking-dagenham'] },
  );
  assert.deepEqual(
    r.problems.map((p) => p.field),
    ['name', 'title', 'stage', 'compareWith', 'unitCosts'],
  );
  const reserved = readJourneyFields({ ...kayFields(), name: 'new' }, kayAfter.steps, {
    unitCostSets: ['barking-dagenham'],
    reserved: ['new', 'upload'],
  });
  assert.match(reserved.problems[0].message, /portal uses in its addresses/);
  const ok = readJourneyFields(kayFields(), kayAfter.steps, { unitCostSets: ['barking-dagenham'] });
  assert.equal(ok.problems.length, 0);
  assert.deepEqual((ok as { journey: unknown }).journey, kayAfter);
});

function kayFields() {
  return {
    name: kayAfter.name,
    title: kayAfter.title,
    customer: kayAfter.customer ?? '',
    council: kayAfter.council ?? '',
    segment: kayAfter.segment ?? '',
    stage: kayAfter.stage ?? '',
    compareWith: kayAfter.compareWith ?? '',
    unitCosts: kayAfter.unitCosts ?? '',
    source: kayAfter.source ?? '',
    reconstruction: kayAfter.reconstruction ?? '',
  };
}

test('adding a step of two emails costs them at the table: £2.00 + 2 × £1.50 = £5.00', () => {
  const set = journeyUnitCosts(kayAfter)!;
  assert.equal(measureJourney(kayAfter, set).cost.total, 2);
  const more = addStep(
    kayAfter,
    step({ agency: 'Waste services', service: 'Missed bin', channel: 'email', count: '2' }),
  );
  const m = measureJourney(more, set);
  assert.equal(m.steps, 4);
  assert.equal(m.contacts.total, 4, '1 call + 1 internal email + 2 emails');
  assert.equal(m.cost.total, 5);
  // A cost of its own wins over the table's: 2 × £0.75 instead of 2 × £1.50.
  const own = replaceStep(more, 4, { ...more.steps[3], cost: 0.75 });
  assert.equal(measureJourney(own, set).cost.total, 3.5);
});

test('moving a step up and down, deleting one, and the only step kept', () => {
  const a = addStep(kayAfter, step({ agency: 'X', service: 'Y' }));
  const last = a.steps.length;
  const up = moveStep(a, last, 'up');
  assert.equal(up.steps[last - 2].agency, 'X');
  assert.deepEqual(moveStep(up, last - 1, 'down'), a);
  assert.deepEqual(moveStep(a, 1, 'up'), a, 'the first step cannot go higher');
  assert.deepEqual(removeStep(a, last), kayAfter);
  assert.throws(() => removeStep(a, last + 1), /has no step/);
  const one = { ...kayAfter, steps: [kayAfter.steps[0]] };
  assert.throws(() => removeStep(one, 1), /only step .* delete the whole journey|at least one step/s);
});
