/**
 * Reading a page's query (server/query.ts): each kind of field, its default, and the message and
 * fix for a bad value; fields read in the order declared; a form is null until it is sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ParameterError } from '../../src/core/index.ts';
import { field, formatOf, many, one, readForm, readQuery } from '../../src/server/query.ts';

/** The message and fix of the ParameterError fn throws. */
function refusal(fn: () => unknown): { message: string; fix?: string } {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ParameterError, `not a ParameterError: ${e}`);
    return { message: e.message, fix: e.fix };
  }
  assert.fail('nothing was refused');
}

test('one and many: trimmed, first of a repeat, empty as nothing; checkboxes or one comma-separated value', () => {
  assert.equal(one(['  a ', 'b']), 'a');
  assert.equal(one('  '), undefined);
  assert.equal(one(undefined), undefined);
  assert.equal(one(3), '3');
  assert.deepEqual(many(['a', 'b,c', ' a ']), ['a', 'b', 'c']);
  assert.deepEqual(many(undefined), []);
  assert.equal(formatOf('XLSX', ['csv', 'xlsx']), 'xlsx');
  assert.deepEqual(
    refusal(() => formatOf('pdf', ['csv', 'xlsx'])),
    { message: 'Cannot download as "pdf".', fix: 'Formats: csv, xlsx.' },
  );
});

test('text: undefined, a default, or the message when required', () => {
  const q = { a: ' x ', e: '' };
  assert.equal(field.text().read(q, 'a'), 'x');
  assert.equal(field.text().read(q, 'e'), undefined);
  assert.equal(field.text({ default: 'base' }).read(q, 'e'), 'base');
  assert.deepEqual(
    refusal(() => field.text({ required: { message: 'Choose one.', fix: 'From the list.' } }).read(q, 'b')),
    { message: 'Choose one.', fix: 'From the list.' },
  );
  assert.deepEqual(field.texts().read({ d: ['a', 'b'] }, 'd'), ['a', 'b']);
});

test('choice: the default when not sent; anything else not in the list is refused, quoting what was sent', () => {
  const f = field.choice(['car', 'walk'] as const, {
    default: 'car',
    message: (v) => `"${v}" is no mode.`,
    fix: 'Car.',
  });
  assert.equal(f.read({}, 'mode'), 'car');
  assert.equal(f.read({ mode: 'walk' }, 'mode'), 'walk');
  assert.deepEqual(
    refusal(() => f.read({ mode: 'boat' }, 'mode')),
    { message: '"boat" is no mode.', fix: 'Car.' },
  );
  assert.equal(
    refusal(() => field.choice(['a'], { default: 'a', message: () => 'No.' }).read({ x: 'b' }, 'x')).fix,
    undefined,
  );
});

test('wholeNumber: within its range, its default or undefined when not sent', () => {
  const bad = { message: (v: string) => `"${v}" is not a number of rounds.`, fix: '1 to 50.' };
  const rounds = field.wholeNumber({ min: 1, max: 50, default: 4, ...bad });
  assert.equal(rounds.read({}, 'r'), 4);
  assert.equal(rounds.read({ r: '50' }, 'r'), 50);
  for (const v of ['0', '51', '2.5', 'four'])
    assert.deepEqual(
      refusal(() => rounds.read({ r: v }, 'r')),
      { message: `"${v}" is not a number of rounds.`, fix: '1 to 50.' },
    );
  assert.equal(field.wholeNumber({ min: 1, max: 50, ...bad }).read({}, 'r'), undefined);
});

test('positiveNumber: above 0 and at most max; not sent and no default is refused with the same message', () => {
  const within = field.positiveNumber({ max: 240, default: 15, message: (v) => `"${v}" is no time.`, fix: '1–240.' });
  assert.equal(within.read({}, 'w'), 15);
  assert.equal(within.read({ w: '7.5' }, 'w'), 7.5);
  for (const v of ['0', '-1', '241', 'ten', 'Infinity'])
    assert.deepEqual(
      refusal(() => within.read({ w: v }, 'w')),
      { message: `"${v}" is no time.`, fix: '1–240.' },
    );
  const minutes = field.positiveNumber({ message: () => 'Enter the journey time in minutes.' });
  assert.equal(minutes.read({ m: '1000' }, 'm'), 1000);
  assert.equal(refusal(() => minutes.read({}, 'm')).message, 'Enter the journey time in minutes.');
});

test('by: a tier or an area level, from the select or the separate parameters scripts send', () => {
  const by = field.by();
  assert.deepEqual(by.read({ by: 'seg:oac:sub:group' }, 'by'), {
    classification: 'oac',
    tier: 'sub:group',
    value: 'seg:oac:sub:group',
  });
  assert.deepEqual(by.read({ by: 'area:ward' }, 'by'), { byArea: 'ward', value: 'area:ward' });
  assert.deepEqual(by.read({ classification: 'oac', tier: 'group' }, 'by'), {
    classification: 'oac',
    tier: 'group',
    value: 'seg:oac:group',
  });
  assert.deepEqual(by.read({ classification: 'oac' }, 'by'), {
    classification: 'oac',
    tier: undefined,
    value: undefined,
  });
  assert.deepEqual(by.read({ byArea: 'lsoa' }, 'by'), { byArea: 'lsoa', value: 'area:lsoa' });
  assert.deepEqual(by.read({}, 'by'), {});
  for (const v of ['seg:oac', 'area:', 'ward'])
    assert.deepEqual(
      refusal(() => by.read({ by: v }, 'by')),
      {
        message: `Cannot read "${v}" as what to profile by.`,
        fix: 'Choose a classification tier or an area level from the list.',
      },
    );
});

test('tier: an area level is refused, in the page’s own words when it gives them', () => {
  assert.deepEqual(field.tier().read({ by: 'seg:oac:group' }, 'by'), { classification: 'oac', tier: 'group' });
  assert.deepEqual(field.tier().read({}, 'by'), { classification: undefined, tier: undefined });
  assert.deepEqual(
    refusal(() => field.tier().read({ by: 'area:ward' }, 'by')),
    { message: 'Cannot read "area:ward" as a classification tier.', fix: 'Choose a tier from the list.' },
  );
  const byArea = { message: 'By segment, not by area.', fix: 'Choose a tier.' };
  assert.deepEqual(
    refusal(() => field.tier({ byArea }).read({ area: 'ward' }, 'by')),
    byArea,
  );
});

test('base and segment', () => {
  assert.equal(field.base().read({}, 'base'), 'households');
  assert.equal(field.base().read({ base: 'population' }, 'base'), 'population');
  assert.deepEqual(
    refusal(() => field.base().read({ base: 'dogs' }, 'base')),
    { message: 'Unknown base "dogs".', fix: 'Choose households or population.' },
  );
  const seg = field.segment();
  assert.deepEqual(seg.read({ target: 'oac:1a', classification: 'x', segment: 'y' }, 't'), {
    classification: 'oac',
    segment: '1a',
  });
  assert.deepEqual(seg.read({ classification: 'x', segment: 'y' }, 't'), { classification: 'x', segment: 'y' });
  assert.deepEqual(
    refusal(() => seg.read({ target: ':1a' }, 't')),
    { message: 'Cannot read the segment ":1a".', fix: 'Choose a segment from the list.' },
  );
});

test('fields are read in the order declared (the first mistake is the one shown); a form is null until sent', () => {
  const fields = {
    dataset: field.text(),
    base: field.base(),
    rounds: field.wholeNumber({ min: 1, max: 9, default: 1, message: () => 'Bad rounds.' }),
  };
  assert.equal(refusal(() => readQuery({ rounds: 'x', base: 'x' }, fields)).message, 'Unknown base "x".');
  assert.deepEqual(readQuery({ dataset: 'd' }, fields), { dataset: 'd', base: 'households', rounds: 1 });
  // Before the form is sent, nothing else is read (so nothing is refused).
  assert.equal(readForm({ rounds: 'x', base: 'x' }, 'dataset', fields), null);
  assert.equal(readForm({ dataset: ' ' }, 'dataset', fields), null);
  assert.equal(refusal(() => readForm({ dataset: 'd', rounds: 'x' }, 'dataset', fields)).message, 'Bad rounds.');
});
