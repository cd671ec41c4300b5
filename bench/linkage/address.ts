/**
 * bench/linkage/address — matching 100,000 messy addresses to a gazetteer (issue 13, point 2).
 *
 * A made-up borough's gazetteer (seeded): streets of numbered houses, some split into flats (FLAT A,
 * FLAT 1 …), some named houses, about 15 addresses a postcode. The messy file draws 100,000 of them
 * as service files write them: ROAD as RD, FLAT A 6 as 6A, the locality left out, lower case and
 * commas, 5% with the postcode's last letter wrong, 2% with no postcode, and 5% of homes not in the
 * gazetteer at all (their right answer is no UPRN).
 *
 * Ours: `reference import --address-lookups --addresses` (timed) and `address match` through the
 * library, as the CLI runs it (file read, standardised, matched, result built). The peer: a bare-node
 * exact-string baseline, a Map from the upper-cased, punctuation-free address and postcode to the
 * UPRN (what a spreadsheet VLOOKUP on cleaned text gives). Both are scored on the same truth:
 * recall (share of gazetteer homes given their UPRN) and precision (share right of those given any).
 *
 * Also timed: the same file imported as a dataset without addresses, and with --address-columns
 * (intake standardises, matches and stores each record's property reference): the difference is
 * what property references cost at import.
 *
 * Run: npx tsx bench/linkage/address.ts [--addresses 100000] [--seed 13]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../src/core/index.ts';
import { createWorkspace } from '../../src/store/index.ts';
import {
  importAddressLookups,
  importGazetteer,
  loadAddressLookups,
  matchAddressFile,
} from '../../src/linkage/index.ts';
import { csvRow } from '../../src/outputs/index.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const N = Number(arg('addresses', '100000'));
const rnd = createRandom(Number(arg('seed', '13')));
const LOOKUPS = new URL('../../../shared/data/linkage/lookups/', import.meta.url).pathname;
const out = new URL('../out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

// ---- the gazetteer ----
const NAMES = [
  'ASH',
  'BEECH',
  'CEDAR',
  'ELM',
  'HAZEL',
  'HOLLY',
  'LARCH',
  'MAPLE',
  'OAK',
  'ROWAN',
  'WILLOW',
  'YEW',
  'ABBEY',
  'BRIDGE',
  'CHURCH',
  'MILL',
  'STATION',
  'PARK',
  'MANOR',
  'GRANGE',
  'HALL',
  'FARM',
  'KING',
  'QUEEN',
  'VICTORIA',
  'ALBERT',
  'NORTH',
  'SOUTH',
  'EAST',
  'WEST',
  'HIGH',
  'MARKET',
  'SPRING',
  'MEADOW',
  'BROOK',
  'HILL',
  'ORCHARD',
  'WESTFIELD',
  'FAIRFIELD',
  'RIVERSIDE',
  'ST MARYS',
  'ST JOHNS',
  'HARTLEY',
  'ASHBY',
  'BARKER',
  'DACRE',
];
const TYPES: [string, string][] = [
  ['ROAD', 'RD'],
  ['STREET', 'ST'],
  ['AVENUE', 'AVE'],
  ['LANE', 'LN'],
  ['CLOSE', 'CL'],
  ['DRIVE', 'DR'],
  ['GARDENS', 'GDNS'],
  ['CRESCENT', 'CRES'],
  ['TERRACE', 'TERR'],
  ['GROVE', 'GR'],
];
const LOCALITIES = ['HEADINGLEY', 'ARMLEY', 'BRAMLEY', 'KIRKSTALL', 'CHAPELTOWN', 'WOODHOUSE', 'HUNSLET', 'BEESTON'];
const HOUSES = [
  'ROSE COTTAGE',
  'THE LAURELS',
  'IVY HOUSE',
  'THE OLD RECTORY',
  'HOLLY LODGE',
  'THE BEECHES',
  'SUNNYSIDE',
];
const INWARD = 'ABDEFGHJLNPQRSTUWXYZ';

interface Home {
  uprn: string;
  flat: string | null;
  number: number | null;
  name: string | null;
  street: string;
  streetAbbrev: string;
  locality: string;
  postcode: string;
}
const homes: Home[] = [];
let uprn = 10_000_000;
let pcSerial = 0;
const target = Math.round(N * 1.4);
for (let s = 0; homes.length < target; s++) {
  const [type, abbrev] = TYPES[s % TYPES.length];
  const base = `${NAMES[s % NAMES.length]}${s >= NAMES.length ? ` ${NAMES[Math.floor(s / NAMES.length) % NAMES.length]}` : ''}`;
  const street = `${base} ${type}`;
  const locality = LOCALITIES[s % LOCALITIES.length];
  const houses = 20 + rnd.int(60);
  let postcode = '';
  for (let n = 1; n <= houses; n++) {
    if ((n - 1) % 15 === 0) {
      const k = pcSerial++;
      postcode = `LS${1 + (k % 29)} ${k % 10}${INWARD[Math.floor(k / 10) % 20]}${INWARD[Math.floor(k / 200) % 20]}`;
    }
    const r = rnd.next();
    const home = { street, streetAbbrev: `${base} ${abbrev}`, locality, postcode, name: null, number: n };
    if (r < 0.15) {
      const flats = 2 + rnd.int(5);
      const letters = rnd.next() < 0.5;
      for (let f = 0; f < flats; f++)
        homes.push({ ...home, uprn: String(uprn++), flat: letters ? 'ABCDEFG'[f] : String(f + 1) });
    } else if (r < 0.2)
      homes.push({ ...home, uprn: String(uprn++), flat: null, number: null, name: `${rnd.pick(HOUSES)}` });
    else homes.push({ ...home, uprn: String(uprn++), flat: null });
  }
}
const gazetteerText = (h: Home) =>
  [
    h.flat ? `FLAT ${h.flat}` : '',
    h.name ?? '',
    h.number !== null ? String(h.number) : '',
    h.street,
    h.locality,
    'LEEDS',
  ]
    .filter(Boolean)
    .join(' ');
// Named houses repeat on a street: keep one of each name a street has, so every home is one property.
const seenName = new Set<string>();
const unique = homes.filter((h) => {
  if (!h.name) return true;
  const k = `${h.postcode}|${h.name}`;
  if (seenName.has(k)) return false;
  seenName.add(k);
  return true;
});
// 5% of homes are left out of the gazetteer: their right answer is no UPRN.
const inGazetteer = unique.filter(() => rnd.next() >= 0.05);
const inSet = new Set(inGazetteer.map((h) => h.uprn));
const gazFile = join(out, 'address-gazetteer.csv');
writeFileSync(
  gazFile,
  [
    csvRow(['UPRN', 'ADDRESS', 'POSTCODE']),
    ...inGazetteer.map((h) => csvRow([h.uprn, gazetteerText(h), h.postcode])),
  ].join('\r\n') + '\r\n',
);

// ---- the messy file ----
const cap = (s: string) => s.toLowerCase().replace(/\b\w/g, (c) => c.toUpperCase());
const wrongLast = (pc: string) => pc.slice(0, -1) + INWARD[(INWARD.indexOf(pc.slice(-1)) + 1) % INWARD.length];
const drawn: { id: string; home: Home; a1: string; a2: string; pc: string }[] = [];
for (let i = 0; i < N; i++) {
  const h = unique[rnd.int(unique.length)];
  const street = rnd.next() < 0.5 ? h.streetAbbrev : h.street;
  let first: string;
  if (h.flat && /^[A-G]$/.test(h.flat) && rnd.next() < 0.5) first = `${h.number}${h.flat} ${street}`;
  else if (h.flat) first = `${rnd.next() < 0.3 ? 'Apt' : 'Flat'} ${h.flat}, ${h.number} ${street}`;
  else if (h.name) first = `${h.name}, ${street}`;
  else first = `${h.number} ${street}`;
  const a2 = rnd.next() < 0.5 ? `${h.locality}, Leeds` : 'Leeds';
  const p = rnd.next();
  const pc = p < 0.02 ? '' : p < 0.07 ? wrongLast(h.postcode) : h.postcode;
  drawn.push({ id: String(i + 1), home: h, a1: cap(first), a2: cap(a2), pc: rnd.next() < 0.5 ? pc.toLowerCase() : pc });
}
const messyFile = join(out, 'address-messy.csv');
writeFileSync(
  messyFile,
  [csvRow(['id', 'Address 1', 'Address 2', 'Postcode']), ...drawn.map((d) => csvRow([d.id, d.a1, d.a2, d.pc]))].join(
    '\r\n',
  ) + '\r\n',
);

const score = (answers: (string | null)[]) => {
  let given = 0;
  let right = 0;
  let should = 0;
  answers.forEach((a, i) => {
    const truth = inSet.has(drawn[i].home.uprn) ? drawn[i].home.uprn : null;
    if (truth) should++;
    if (a) {
      given++;
      if (a === truth) right++;
    }
  });
  return { recall: right / should, precision: right / given };
};

// ---- ours ----
const wsPath = join(out, `address-${N}.civic`);
const { rmSync } = await import('node:fs');
rmSync(wsPath, { force: true });
const ws = await createWorkspace(wsPath);
const cpu = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};
const c0 = cpu();
const t0 = performance.now();
await importAddressLookups(ws.engine, LOOKUPS);
const g = await importGazetteer(ws.engine, await loadAddressLookups(ws.engine), { file: gazFile });
const tImport = (performance.now() - t0) / 1000;
const cImport = cpu() - c0;
const c1 = cpu();
const t1 = performance.now();
const r = await matchAddressFile(ws.engine, {
  file: messyFile,
  addressColumns: ['Address 1', 'Address 2'],
  postcodeColumn: 'Postcode',
  idColumn: 'id',
});
const tMatch = (performance.now() - t1) / 1000;
const cMatch = cpu() - c1;
const ours = score(r.records.map((x) => x.uprn));

// ---- ours at intake: the same file imported as a dataset, without and with property references ----
const { importDataset } = await import('../../src/intake/index.ts');
const importOnce = async (name: string, withAddresses: boolean) => {
  const c = cpu();
  const t = performance.now();
  await importDataset(ws.engine, name, messyFile, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['Address 1', 'Address 2'],
    ...(withAddresses ? { addressColumns: ['Address 1', 'Address 2', 'Postcode'] } : {}),
  });
  return { wall: (performance.now() - t) / 1000, cpu: cpu() - c };
};
const plain = await importOnce('messy_plain', false);
const addressed = await importOnce('messy_addressed', true);
const intakeKeys = await ws.engine.all<{ id: string; p: string | null; k: string | null }>(
  `SELECT id, _property AS p, _property_kind AS k FROM ds_messy_addressed ORDER BY _row`,
);
const intake = score(intakeKeys.map((x) => (x.k === 'matched_uprn' ? x.p : null)));
ws.close();

// ---- peer: exact string on cleaned text ----
const clean = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
const c2 = cpu();
const t2 = performance.now();
const map = new Map<string, string>();
for (const h of inGazetteer) map.set(`${clean(gazetteerText(h))}|${clean(h.postcode)}`, h.uprn);
const peerAnswers = drawn.map((d) => map.get(`${clean(`${d.a1} ${d.a2}`)}|${clean(d.pc)}`) ?? null);
const tPeer = (performance.now() - t2) / 1000;
const cPeer = cpu() - c2;
const peer = score(peerAnswers);

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const rate = (n: number, t: number) => new Intl.NumberFormat('en-GB').format(Math.round(n / t));
console.log(
  `Gazetteer ${g.imported} addresses (${g.rejected} rejected); ${N} messy addresses; peak RSS ${Math.round(process.memoryUsage().rss / 1e6)} MB`,
);
console.log(
  `load average ${(await import('node:os'))
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')} on ${(await import('node:os')).cpus().length} cores`,
);
console.log('| | wall time | CPU time | addresses per CPU second | recall | precision |');
console.log('|---|---|---|---|---|---|');
console.log(
  `| ours: import gazetteer + lookups | ${tImport.toFixed(1)} s | ${cImport.toFixed(1)} s | ${rate(g.imported, cImport)} | | |`,
);
console.log(
  `| ours: address match (read, standardise, match) | ${tMatch.toFixed(1)} s | ${cMatch.toFixed(1)} s | ${rate(N, cMatch)} | ${pct(ours.recall)} | ${pct(ours.precision)} |`,
);
console.log(
  `| ours: dataset import without addresses (the baseline) | ${plain.wall.toFixed(1)} s | ${plain.cpu.toFixed(1)} s | ${rate(N, plain.cpu)} | | |`,
);
console.log(
  `| ours: dataset import with --address-columns (property references at intake) | ${addressed.wall.toFixed(1)} s | ${addressed.cpu.toFixed(1)} s | ${rate(N, addressed.cpu)} | ${pct(intake.recall)} | ${pct(intake.precision)} |`,
);
console.log(
  `| peer: exact string on cleaned text (bare node Map) | ${tPeer.toFixed(2)} s | ${cPeer.toFixed(2)} s | ${rate(N, cPeer)} | ${pct(peer.recall)} | ${pct(peer.precision)} |`,
);
console.log(`steps ${JSON.stringify(r.counts.byStep)}; ${r.counts.ambiguous} ambiguous, ${r.counts.noMatch} no match`);
