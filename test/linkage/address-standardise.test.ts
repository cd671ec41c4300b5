/**
 * Address standardisation and parsing, worked by hand: flats (FLAT 2, 2A, APARTMENT 3), number
 * ranges (12-14), building names, a missing street; the lookups read as data from their files; the
 * property key the same for the same dwelling written differently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  addressIds,
  buildLookups,
  derivedPropertyKey,
  lookupsFromFolder,
  NO_LOOKUPS,
  propertyKey,
  readLookupFiles,
  standardiseAddress,
  validUprn,
  type AddressLookups,
} from '../../src/linkage/index.ts';
import { ObservatoryError } from '../../src/core/index.ts';

/** A small set of lookups written as the published files are, so the test needs no shared data. */
function smallLookups(): AddressLookups {
  const dir = mkdtempSync(join(tmpdir(), 'civic-lookups-'));
  try {
    writeFileSync(join(dir, 'ons_synonyms.csv'), 'from,to\nRD,ROAD\nAPPT,APARTMENT\nSTR,STREET\nHANTS,HAMPSHIRE\n');
    writeFileSync(
      join(dir, 'ukam_address_abbreviations.json'),
      JSON.stringify([
        { token: 'APARTMENT', replacement: 'FLAT' },
        { token: 'ST', replacement: 'STREET' },
        { token: 'STR', replacement: 'STREAM' },
        { token: 'GDNS', replacement: 'GARDENS' },
        { token: 'RM', replacement: 'FLAT' },
      ]),
    );
    writeFileSync(join(dir, 'ons_counties.csv'), 'county\nHAMPSHIRE\nWEST YORKSHIRE\n');
    return lookupsFromFolder(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const L = smallLookups();

test('the lookups are read from their files; where the lists disagree the ONS synonym wins', () => {
  assert.deepEqual(L.counts, { synonym: 4, abbreviation: 5, county: 2 });
  assert.deepEqual(L.replacements.get('RD'), ['ROAD']);
  assert.deepEqual(L.replacements.get('STR'), ['STREET']); // ONS STREET over uk_address_matcher's STREAM
  assert.ok(L.counties.has('WEST YORKSHIRE'));
  // Without lookups only the structural rules apply: RD stays RD.
  assert.equal(standardiseAddress('12 High Rd, Leeds LS1 4AB', NO_LOOKUPS).text, '12 HIGH RD LEEDS');
  assert.equal(standardiseAddress('12 High Rd, Leeds LS1 4AB', L).text, '12 HIGH ROAD LEEDS');
  assert.notEqual(L.fingerprint, NO_LOOKUPS.fingerprint);
});

test('a lookups folder without its files is refused with what to do', () => {
  const dir = mkdtempSync(join(tmpdir(), 'civic-lookups-'));
  try {
    assert.throws(
      () => readLookupFiles(dir),
      (e: unknown) => e instanceof ObservatoryError && /ons_synonyms\.csv/.test(e.message) && !!e.fix,
    );
    writeFileSync(join(dir, 'ons_synonyms.csv'), 'word,becomes\nRD,ROAD\n');
    writeFileSync(join(dir, 'ukam_address_abbreviations.json'), '[]');
    assert.throws(
      () => readLookupFiles(dir),
      (e: unknown) => e instanceof ObservatoryError && e.location.file === 'ons_synonyms.csv' && e.location.row === 1,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('case, punctuation and abbreviations: apartment 3 is FLAT 3, the postcode is taken from the end', () => {
  const a = standardiseAddress('Appt. 3, Rose Court, 12 High St., Leeds, ls1 4ab', L);
  assert.equal(a.text, 'FLAT 3 ROSE COURT 12 HIGH STREET LEEDS');
  assert.equal(a.pcKey, 'LS14AB');
  assert.deepEqual(a.parts, {
    subBuilding: 'FLAT 3',
    buildingNumber: '12',
    buildingName: 'ROSE COURT',
    street: 'HIGH STREET',
    locality: null,
    town: 'LEEDS',
    postcode: 'LS1 4AB',
  });
  assert.deepEqual(a.problems, []);
});

test('flat 2 in a numbered house; 2A as a building number; the postcode from its own column', () => {
  const flat = standardiseAddress(['Flat 2', '45 Station Road', 'Otley'], L, { postcode: 'LS21 3HX' });
  assert.equal(flat.parts.subBuilding, 'FLAT 2');
  assert.equal(flat.parts.buildingNumber, '45');
  assert.equal(flat.parts.street, 'STATION ROAD');
  assert.equal(flat.parts.town, 'OTLEY');
  assert.equal(flat.parts.postcode, 'LS21 3HX');
  const a2 = standardiseAddress('2A High Street, Barwell, Leicester LE9 8DQ', L);
  assert.equal(a2.parts.buildingNumber, '2A');
  assert.equal(a2.parts.street, 'HIGH STREET');
  assert.equal(a2.parts.locality, 'BARWELL');
  assert.equal(a2.parts.town, 'LEICESTER');
  // AddressBase writes the letter apart: 2 A is the same 2A.
  assert.equal(standardiseAddress('2 A HIGH STREET BARWELL LEICESTER LE9 8DQ', L).parts.buildingNumber, '2A');
});

test('number ranges: 12-14, 12 - 14 and AddressBase’s 12 14 are the same range; 282 282 is 282', () => {
  for (const written of [
    '12-14 Market Street, Leicester LE1 6DP',
    '12 - 14 MARKET ST LEICESTER LE1 6DP',
    '12 14 MARKET STREET LEICESTER LE1 6DP',
  ])
    assert.equal(standardiseAddress(written, L).parts.buildingNumber, '12-14', written);
  assert.equal(standardiseAddress('282 282 BORDESLEY GREEN BIRMINGHAM B9 5NA', L).parts.buildingNumber, '282');
  // After a flat's number, the next number is the building's: FLAT 2 6-14.
  const f = standardiseAddress('FLAT 2 6 14 FISHPONDS ROAD EASTVILLE BRISTOL BS5 6SA', L);
  assert.equal(f.parts.subBuilding, 'FLAT 2');
  assert.equal(f.parts.buildingNumber, '6-14');
  assert.deepEqual(addressIds(f.text), ['2', '6', '14']);
});

test('building names: before a number, a flat in a named building, and a house with a name only', () => {
  const named = standardiseAddress('SAFFRON HOUSE 2A HIGH STREET BARWELL LEICESTER LE9 8DQ', L);
  assert.equal(named.parts.buildingName, 'SAFFRON HOUSE');
  assert.equal(named.parts.buildingNumber, '2A');
  const inBuilding = standardiseAddress('33 GAYHURST HOUSE 23 MALLORY STREET LONDON NW8 8SY', L);
  assert.equal(inBuilding.parts.subBuilding, '33');
  assert.equal(inBuilding.parts.buildingName, 'GAYHURST HOUSE');
  assert.equal(inBuilding.parts.buildingNumber, '23');
  assert.equal(inBuilding.parts.street, 'MALLORY STREET');
  const house = standardiseAddress('The Screes, Didgley Lane, Fillongley, Coventry CV7 8DQ', L);
  assert.equal(house.parts.buildingName, 'THE SCREES');
  assert.equal(house.parts.buildingNumber, null);
  assert.equal(house.parts.street, 'DIDGLEY LANE');
  assert.equal(house.parts.locality, 'FILLONGLEY');
  assert.equal(house.parts.town, 'COVENTRY');
});

test('a missing street: the house name, the village and the town are still told apart', () => {
  const a = standardiseAddress('Wold House, Cold Norton, Chelmsford CM3 6JG', L);
  assert.equal(a.parts.buildingName, 'WOLD HOUSE');
  assert.equal(a.parts.street, null);
  assert.equal(a.parts.locality, 'COLD NORTON');
  assert.equal(a.parts.town, 'CHELMSFORD');
  assert.deepEqual(a.problems, []);
  // The county at the end (from the counties list) is not taken for the town.
  const c = standardiseAddress('Rockleigh, Sowood Hill, Halifax, West Yorkshire HX4 9JX', L);
  assert.equal(c.parts.town, 'HALIFAX');
});

test('ST is SAINT where it starts a name and STREET where it ends one', () => {
  assert.equal(standardiseAddress('347A St John St, London EC1V 4LB', L).text, '347A SAINT JOHN STREET LONDON');
  assert.equal(standardiseAddress('39A AIR BALLOON ROAD ST. GEORGE BRISTOL BS5 8LD', L).parts.locality, 'SAINT GEORGE');
});

test('what cannot be parsed is said, with a reason', () => {
  assert.deepEqual(standardiseAddress('', L).problems, ['blank']);
  assert.deepEqual(standardiseAddress([null, '  ', ','], L).problems, ['blank']);
  assert.deepEqual(standardiseAddress('Leeds', L).problems, ['no_postcode', 'no_number_or_name']);
  assert.deepEqual(standardiseAddress('12 High Street, Leeds', L).problems, ['no_postcode']);
  assert.deepEqual(standardiseAddress(['12 High Street'], L, { postcode: 'NOT A CODE' }).problems, [
    'postcode_invalid',
  ]);
  // A postcode typed with O for 0 is corrected, and said to be.
  const fixed = standardiseAddress(['10 Downing Street'], L, { postcode: 'SW1A OAA' });
  assert.equal(fixed.pcKey, 'SW1A0AA');
  assert.equal(fixed.postcodeCorrected, true);
});

test('UPRNs: 1 to 12 digits, written without leading zeros; anything else is not one', () => {
  assert.equal(validUprn('100023336956'), '100023336956');
  assert.equal(validUprn(' 0010001 '), '10001');
  assert.equal(validUprn('100023336956.0'), '100023336956'); // as a spreadsheet writes it
  for (const bad of ['', '0', '1234567890123', '12A', '-5', null, undefined])
    assert.equal(validUprn(bad), null, String(bad));
});

test('the property key: the UPRN when valid, else the same key for the same dwelling written differently', () => {
  const key = (s: string | string[], pc?: string) =>
    derivedPropertyKey(standardiseAddress(s, L, pc === undefined ? {} : { postcode: pc }));
  // Flat A at number 6, written three ways.
  const k = key('FLAT A 6 HARTLEY GROVE WOODHOUSE LEEDS LS6 2LD');
  assert.match(k!, /^PK[0-9A-F]{16}$/);
  assert.equal(key('6A Hartley Grove, Leeds LS6 2LD'), k);
  assert.equal(key(['Flat A', '6 Hartley Grove', 'Leeds'], 'ls62ld'), k);
  // A range, with or without its hyphen; a named house with or without THE.
  assert.equal(key('12-14 Market St, Leicester LE1 6DP'), key('12 14 MARKET STREET LEICESTER LEICESTER CITY LE1 6DP'));
  assert.equal(
    key('Old Farm, West Newton, Hull HU11 4LP'),
    key('The Old Farm, West Newton Road, West Newton HU11 4LP'),
  );
  // Another flat, another house, another postcode: another key.
  assert.notEqual(key('FLAT B 6 HARTLEY GROVE LEEDS LS6 2LD'), k);
  assert.notEqual(key('6 HARTLEY GROVE LEEDS LS6 2LD'), k);
  assert.notEqual(key('FLAT A 6 HARTLEY GROVE LEEDS LS6 2LE'), k);
  // No postcode or nothing naming the property: no key.
  assert.equal(key('6A Hartley Grove, Leeds'), null);
  const a = standardiseAddress('6A Hartley Grove, Leeds LS6 2LD', L);
  assert.deepEqual(propertyKey(a, '72092461'), { key: '72092461', kind: 'uprn' });
  assert.deepEqual(propertyKey(a, 'n/a', '72534404'), { key: '72534404', kind: 'matched_uprn' });
  assert.deepEqual(propertyKey(a, 'n/a'), { key: k, kind: 'derived' });
});

test('lookups built from workspace rows behave as those read from files', () => {
  const rebuilt = buildLookups([
    { kind: 'synonym', token: 'RD', replacement: 'ROAD', source: 'x' },
    { kind: 'abbreviation', token: 'RD', replacement: 'RIDGE', source: 'y' },
  ]);
  assert.deepEqual(rebuilt.replacements.get('RD'), ['ROAD']);
});
