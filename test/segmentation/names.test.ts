/**
 * Proposed names for built segments (src/segmentation/names.ts), on a small example worked by hand:
 * six segments of one tier with the indices of their distinctive variables.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { proposeSegmentName, proposeSegmentNames, isPlaceholderName } from '../../src/segmentation/index.ts';

const LABELS: Record<string, string> = {
  students: 'Full-time students',
  private_rented: 'Private-rented households',
  owner_occupied: 'Owner-occupied households',
  age_65_plus: 'People aged 65 and over',
  no_car: 'Households with no car',
  lone_parent: 'Lone-parent households',
  age_0_15: 'Children aged 0–15',
};
/** A variable at `index` against an overall mean of 20. */
const v = (variable: string, index: number) => ({
  variable,
  label: LABELS[variable],
  mean: (20 * index) / 100,
  overall: 20,
  index,
});
/** Facts as portraitFacts gives them: distinctive highest first, lowest lowest first. */
const facts = (distinctive: [string, number][], lowest: [string, number][]) => ({
  distinctive: distinctive.map(([n, i]) => v(n, i)),
  lowest: lowest.map(([n, i]) => v(n, i)),
});

const tier = [
  // 1: two variables well above average, one well below.
  {
    code: '1',
    facts: facts(
      [
        ['students', 310],
        ['private_rented', 205],
        ['age_0_15', 100],
      ],
      [
        ['owner_occupied', 40],
        ['age_65_plus', 60],
      ],
    ),
  },
  // 2: a label with "and" in it is joined with a comma.
  {
    code: '2',
    facts: facts(
      [
        ['age_65_plus', 190],
        ['owner_occupied', 150],
      ],
      [['students', 30]],
    ),
  },
  // 3: nothing at 120 or more (115 is not enough): named by what it has less of.
  { code: '3', facts: facts([['lone_parent', 115]], [['no_car', 70]]) },
  // 4: close to average on everything.
  { code: '4', facts: facts([['students', 110]], [['no_car', 90]]) },
  // 5: the same two highs as 1: its name takes its lowest variable too.
  {
    code: '5',
    facts: facts(
      [
        ['students', 250],
        ['private_rented', 180],
      ],
      [['lone_parent', 50]],
    ),
  },
  // 6: the same as 5 again: its code tells it apart.
  {
    code: '6',
    facts: facts(
      [
        ['students', 240],
        ['private_rented', 170],
      ],
      [['lone_parent', 55]],
    ),
  },
];

test('one segment: the name from its two highest variables, the description with every index', () => {
  assert.deepEqual(proposeSegmentName(tier[0].facts), {
    name: 'Full-time students and private-rented households',
    description:
      'More full-time students (index 310) and private-rented households (index 205), and fewer owner-occupied households (index 40), than the whole area.',
  });
  assert.deepEqual(proposeSegmentName(tier[1].facts), {
    name: 'People aged 65 and over, owner-occupied households',
    description:
      'More people aged 65 and over (index 190) and owner-occupied households (index 150), and fewer full-time students (index 30), than the whole area.',
  });
  assert.deepEqual(proposeSegmentName(tier[2].facts), {
    name: 'Fewer households with no car',
    description: 'Fewer households with no car (index 70) than the whole area.',
  });
  assert.equal(proposeSegmentName(tier[3].facts).name, 'Close to the average');
  assert.match(proposeSegmentName(tier[3].facts).description, /no index is above 120 or below 80/);
});

test('a whole tier: no two names alike, the first keeps a shared name', () => {
  const names = proposeSegmentNames(tier);
  assert.deepEqual(
    tier.map((s) => names.get(s.code)!.name),
    [
      'Full-time students and private-rented households',
      'People aged 65 and over, owner-occupied households',
      'Fewer households with no car',
      'Close to the average',
      'Full-time students and private-rented households, fewer lone-parent households',
      'Full-time students and private-rented households (6)',
    ],
  );
  assert.equal(new Set([...names.values()].map((p) => p.name)).size, tier.length);
  // The description is the segment's own, whatever its name became.
  assert.match(names.get('6')!.description, /^More full-time students \(index 240\)/);
});

test('a name given by a build ("Group 1", "Type 7a", the bare code) is a placeholder; a chosen one is not', () => {
  assert.equal(isPlaceholderName('Group 1', 'group', '1'), true);
  assert.equal(isPlaceholderName('Type 7a', 'type', '7a'), true);
  assert.equal(isPlaceholderName('7a', 'type', '7a'), true);
  assert.equal(isPlaceholderName('Students and renters', 'group', '1'), false);
});
