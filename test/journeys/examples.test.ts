/**
 * The seeds' worked examples, measured from their inputs (examples/journeys): Kay's late bin at
 * Barking & Dagenham (seed 004) before and after, costed at the published barking-dagenham unit
 * costs, and the Rochdale couple (seed 000): 9 agencies, 25 services, 16 application forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { unitCosts } from '../../src/channels/index.ts';
import {
  compareJourneys,
  journeyUnitCosts,
  measureJourney,
  readJourneyFile,
  type Journey,
} from '../../src/journeys/index.ts';

const EXAMPLES = fileURLToPath(new URL('../../examples/journeys/', import.meta.url));
const read = async (f: string): Promise<Journey> => {
  const js = await readJourneyFile(EXAMPLES + f);
  assert.equal(js.length, 1);
  return js[0];
};

test('the barking-dagenham unit costs: a call £1.44, an email £1.50, an internal email £0.56 with its source', () => {
  const set = unitCosts('barking-dagenham');
  const cost = (c: string) => set.costs.find((x) => x.channel === c);
  assert.equal(cost('phone')?.cost, 1.44);
  assert.equal(cost('email')?.cost, 1.5);
  assert.equal(cost('internal email')?.cost, 0.56);
  assert.match(cost('internal email')?.source ?? '', /£2\.00/);
});

test('Kay before: 15 calls to 3 departments, 5 calls back and 6 emails cost £37.80, over 3 weeks', async () => {
  const kay = await read('kay-before.json');
  const m = measureJourney(kay, journeyUnitCosts(kay));
  assert.equal(m.unitCosts, 'barking-dagenham');
  const phone = m.contacts.byChannel.find((c) => c.channel === 'phone')!;
  const email = m.contacts.byChannel.find((c) => c.channel === 'email')!;
  assert.equal(phone.contacts, 20); // 15 calls made + 5 calls back
  assert.equal(phone.cost, 28.8); // £21.60 + £7.20
  assert.equal(email.contacts, 6);
  assert.equal(email.cost, 9);
  assert.equal(m.contacts.total, 26);
  assert.equal(m.cost.total, 37.8);
  assert.equal(m.cost.complete, true);
  assert.equal(m.wait.totalDays, 21);
  // The 15 calls Kay made went to 3 council departments (the calls back come from the council).
  const made = kay.steps.filter((s) => s.channel === 'phone' && !/^Calls? back/i.test(s.note ?? ''));
  assert.equal(
    made.reduce((t, s) => t + s.count, 0),
    15,
  );
  assert.equal(new Set(made.map((s) => s.agency)).size, 3);
  // Her name and address are asked for again at every call the steps say asked for them.
  const name = m.repeatedDataItems.find((d) => d.name === 'name')!;
  assert.equal(name.times, 13);
  assert.deepEqual(
    m.services.map((s) => s.name),
    ['Refuse collection', 'Street cleansing'],
  );
  assert.ok(m.reconstructedSteps > 0 && m.reconstructedSteps < m.steps, 'what was worked out is marked');
});

test('Kay after: one call and one internal email, £2.00; the redesign saves 24 contacts and £35.80', async () => {
  const before = await read('kay-before.json');
  const after = await read('kay-after.json');
  assert.equal(before.compareWith, 'kay-after');
  const a = measureJourney(after, journeyUnitCosts(after));
  assert.deepEqual(
    a.contacts.byChannel.map((c) => [c.channel, c.contacts, c.cost]),
    [
      ['internal email', 1, 0.56],
      ['phone', 1, 1.44],
    ],
  );
  assert.equal(a.cost.total, 2);
  assert.deepEqual(a.contacts.outsideVocabulary, ['internal email']);
  const c = compareJourneys(measureJourney(before, journeyUnitCosts(before)), a);
  assert.equal(c.contactsSaved, 24);
  assert.equal(c.costSaved, 35.8);
  assert.equal(c.costComplete, true);
  assert.equal(c.waitDaysSaved, 21);
  assert.deepEqual(c.agenciesRemoved, ['Ward councillors', 'Environment and Enforcement', 'Dagenham Post']);
  assert.deepEqual(
    c.byChannel.map((x) => [x.channel, x.before, x.after]),
    [
      ['phone', 20, 1],
      ['email', 6, 0],
      ['internal email', 0, 1],
    ],
  );
  assert.equal(c.dataRepeatsSaved, before.steps.length ? c.before.dataItems.repeats - c.after.dataItems.repeats : 0);
  assert.ok(c.dataRepeatsSaved > 30, `${c.dataRepeatsSaved} data items asked again saved`);
});

test('the Rochdale couple: 9 agencies, 25 services, 16 application forms', async () => {
  const j = await read('rochdale-couple.json');
  const m = measureJourney(j, journeyUnitCosts(j));
  assert.equal(m.agencies.length, 9);
  assert.equal(m.services.length, 25);
  assert.equal(m.forms.length, 16);
  // Every step is reconstructed, and the file says so.
  assert.equal(m.reconstructedSteps, m.steps);
  assert.match(j.reconstruction ?? '', /Figure 8 is a picture/);
  // The duplication the project found: the means test made again and again, the same facts asked for.
  const means = m.repeatedAssessments.find((a) => a.name === 'means test (income and savings)')!;
  assert.equal(means.times, 5);
  assert.deepEqual(means.agencies, ['Rochdale Council', 'Jobcentre Plus', 'HMRC', 'Adult education college']);
  const income = m.repeatedDataItems.find((d) => d.name === 'income')!;
  assert.deepEqual([income.times, income.agencies.length], [10, 6]);
  // Their names are asked for 24 times, by every one of the 9 agencies.
  assert.deepEqual(
    [m.repeatedDataItems[0].name, m.repeatedDataItems[0].times, m.repeatedDataItems[0].agencies.length],
    ['name', 24, 9],
  );
  assert.deepEqual(m.dataItems, { asked: 149, distinct: 22, repeats: 127 });
  // Costed at Bolton's £3.45 a call and £8.38 face to face; post has no cost there.
  assert.equal(m.cost.complete, false);
  assert.deepEqual(m.cost.uncostedChannels, ['post']);
  const phone = m.contacts.byChannel.find((c) => c.channel === 'phone')!;
  assert.equal(phone.cost, Math.round(phone.contacts * 345) / 100);
});
