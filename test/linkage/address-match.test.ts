/**
 * The matcher's rules on a gazetteer small enough to work by hand: word weights by rarity,
 * identifiers compared as sets (6A is FLAT A 6), a second building number that contradicts, a
 * near-miss spelling, the steps (exact, postcode, street) and the answers when nothing is clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  AddressIndex,
  DEFAULT_MATCH_PARAMETERS,
  NO_LOOKUPS,
  standardiseAddress,
  type GazetteerAddress,
} from '../../src/linkage/index.ts';

function entry(uprn: string, address: string): GazetteerAddress {
  const s = standardiseAddress(address, NO_LOOKUPS);
  return {
    uprn,
    address,
    standardised: s.text,
    pcKey: s.pcKey,
    street: s.parts.street,
    buildingNumber: s.parts.buildingNumber,
    buildingName: s.parts.buildingName,
  };
}

const G = [
  entry('1', '6 HARTLEY GROVE WOODHOUSE LEEDS LS6 2LD'),
  entry('2', 'FLAT A 6 HARTLEY GROVE WOODHOUSE LEEDS LS6 2LD'),
  entry('3', 'FLAT B 6 HARTLEY GROVE WOODHOUSE LEEDS LS6 2LD'),
  entry('4', '2 3 MARTIN CLOSE LEICESTER LE4 6EW'),
  entry('5', 'FLAT 2 155 MARTIN CLOSE LEICESTER LE4 6EW'),
  entry('6', 'OLD SPLOTT COTTAGE VILLAGE ROAD LITTLETON BS35 1NR'),
  entry('7', 'ROSE COTTAGE VILLAGE ROAD LITTLETON BS35 1NR'),
  entry('8', '22 OSWALDS COURT OSWALDS ROAD REDLAND BRISTOL BS6 7HX'),
  entry('9', '24 OSWALDS COURT OSWALDS ROAD REDLAND BRISTOL BS6 7HX'),
  entry('10', '8 DUPLICATE ROW LEEDS LS1 1AA'),
  entry('11', '8 DUPLICATE ROW LEEDS LS1 1AA'),
];
const index = new AddressIndex(G);
const match = (a: string) => index.match(standardiseAddress(a, NO_LOOKUPS));

test('a rarer word weighs more: ln(1 + N / addresses with it)', () => {
  assert.equal(index.size, 11);
  assert.ok(Math.abs(index.weight('HARTLEY') - Math.log(1 + 11 / 3)) < 1e-12);
  assert.ok(Math.abs(index.weight('LEEDS') - Math.log(1 + 11 / 5)) < 1e-12);
  assert.ok(index.weight('HARTLEY') > index.weight('LEEDS'));
  // A word the gazetteer has never seen weighs most.
  assert.ok(index.weight('ZANZIBAR') > index.weight('HARTLEY'));
});

test('the exact step: the same standardised address and postcode, one UPRN', () => {
  const m = match('6 Hartley Grove, Woodhouse, Leeds LS6 2LD');
  assert.deepEqual([m.status, m.uprn, m.step], ['matched', '1', 'exact']);
  // Two UPRNs with one address are not an exact match but ambiguous, both kept.
  const d = match('8 Duplicate Row, Leeds LS1 1AA');
  assert.equal(d.status, 'ambiguous');
  assert.deepEqual(d.candidates.map((c) => c.uprn).sort(), ['10', '11']);
  assert.equal(d.margin, 0);
});

test('identifiers as sets: 6A is FLAT A at 6, never FLAT B or the house', () => {
  const m = match('6A HARTLEY GROVE LEEDS LS6 2LD');
  assert.deepEqual([m.status, m.uprn, m.step], ['matched', '2', 'postcode']);
  // FLAT A at 6 shares 6 and A (4 + 2.5); FLAT B has B instead (4 - 2 - 2.5); the house lacks A (4 - 2).
  assert.ok(m.margin! >= DEFAULT_MATCH_PARAMETERS.minMargin);
  // 6 alone is the house: the flats each carry a letter the address does not.
  assert.equal(match('6 HARTLEY GROVE LEEDS LS6 2LD').uprn, '1');
});

test('a building number that shares nothing is another building: 2 is 2-3, not FLAT 2 155', () => {
  const m = match('2 MARTIN CLOSE LEICESTER LE4 6EW');
  assert.deepEqual([m.status, m.uprn], ['matched', '4']);
});

test('a spelling one letter out still counts (SPLOT for SPLOTT), less than the word itself', () => {
  const m = match('OLD SPLOT COTTAGE THE VILLAGE LITTLETON BS35 1NR');
  assert.deepEqual([m.status, m.uprn], ['matched', '6']);
});

test('a wrong postcode: the street in the district is searched, and the number decides', () => {
  // BS6 7HT has nothing in this gazetteer; OSWALDS ROAD in BS6 has 22 and 24.
  const m = match('22 OSWALDS ROAD REDLAND BRISTOL BS6 7HT');
  assert.deepEqual([m.status, m.uprn, m.step], ['matched', '8', 'street']);
});

test('nothing clear: no match keeps its best candidates; nothing at all keeps none', () => {
  const m = match('99 HARTLEY GROVE LEEDS LS6 2LD');
  assert.equal(m.status, 'no_match');
  assert.equal(m.uprn, null);
  assert.ok(m.candidates.length > 0 && m.candidates.length <= DEFAULT_MATCH_PARAMETERS.keepCandidates);
  const none = match('1 ELSEWHERE ROAD YORK YO1 7HH');
  assert.deepEqual([none.status, none.candidates.length, none.score], ['no_match', 0, null]);
});
