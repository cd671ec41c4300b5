/**
 * The GDS address-matching test cases (230 messy Land Registry addresses with the AddressBase
 * address and UPRN they belong to) made into a gazetteer as a council's would look: each true
 * address plus generated distractors on the same postcodes and streets — other house numbers,
 * other flats in the same building, named houses, and the same street in a neighbouring postcode.
 * Deterministic for a seed. A distractor never reuses a number or a name that one of the test
 * case's own addresses (messy or matched) uses on that street, so no distractor is in truth the
 * same property as the label.
 */
import { readFileSync } from 'node:fs';
import { createRandom } from '../../src/core/index.ts';
import { addressIds, standardiseAddress, type AddressLookups, type GazetteerAddress } from '../../src/linkage/index.ts';

export interface GdsCase {
  id: string;
  uprn: string;
  messy: string;
  matched: string;
  category: string;
}

/** A tiny CSV reader for these two files (quoted fields, no line breaks inside). */
export function readCsv(path: string): string[][] {
  return readFileSync(path, 'utf8')
    .split(/\r?\n/)
    .filter((l) => l.trim())
    .map((line) => {
      const out: string[] = [];
      let cur = '';
      let q = false;
      for (let i = 0; i < line.length; i++) {
        const ch = line[i];
        if (q) {
          if (ch === '"' && line[i + 1] === '"') {
            cur += '"';
            i++;
          } else if (ch === '"') q = false;
          else cur += ch;
        } else if (ch === '"') q = true;
        else if (ch === ',') {
          out.push(cur);
          cur = '';
        } else cur += ch;
      }
      out.push(cur);
      return out;
    });
}

export function readGdsCases(path: string): GdsCase[] {
  const [header, ...rows] = readCsv(path);
  const col = (n: string) => header.indexOf(n);
  return rows.map((r) => ({
    id: r[col('id')],
    uprn: r[col('UPRN')],
    messy: r[col('address')],
    matched: r[col('MATCHED_ABP_E32_ADDRESS')],
    category: r[header.length - 1] ?? '',
  }));
}

const HOUSE_NAMES = [
  'ROSE COTTAGE',
  'THE LAURELS',
  'IVY HOUSE',
  'THE OLD RECTORY',
  'HOLLY LODGE',
  'WILLOW BANK',
  'THE BEECHES',
  'MEADOW VIEW',
  'ORCHARD HOUSE',
  'THE COACH HOUSE',
  'SUNNYSIDE',
  'WOODLANDS',
  'THE PADDOCK',
  'FERN LEA',
  'HILLCREST',
  'BRAMBLE COTTAGE',
  'THE GRANARY',
  'STONE LEIGH',
  'APPLE TREE COTTAGE',
  'THE OLD SCHOOL',
  'OAKLANDS',
  'ELM TREE HOUSE',
  'THE STABLES',
  'GREEN GABLES',
  'LILAC COTTAGE',
  'THE HAVEN',
  'SPRINGFIELD',
  'BIRCH HOUSE',
  'THE CHESTNUTS',
  'LARCH LODGE',
  'POPLAR FARM',
  'THE MALTINGS',
  'KINGSMEAD',
  'HAWTHORNS',
];

function postcodeText(pcKey: string): string {
  return `${pcKey.slice(0, -3)} ${pcKey.slice(-3)}`;
}

/** The gazetteer for the GDS cases: their matched addresses plus `perCase` distractors each. */
export function gdsGazetteer(
  cases: readonly GdsCase[],
  lookups: AddressLookups,
  o: { seed: number; perCase: number },
): { addresses: { uprn: string; address: string }[]; distractors: number } {
  const rnd = createRandom(o.seed);
  const out: { uprn: string; address: string }[] = cases.map((c) => ({ uprn: c.uprn, address: c.matched }));
  const seen = new Set(out.map((a) => standardiseAddress(a.address, lookups).text));
  // Numbers and names used by any case on a postcode or street are not given to distractors there.
  const reserved = new Map<string, Set<string>>();
  const reserve = (key: string, ids: string[]) => {
    const set = reserved.get(key) ?? new Set<string>();
    for (const id of ids) set.add(id);
    reserved.set(key, set);
  };
  const parsed = cases.map((c) => {
    const t = standardiseAddress(c.matched, lookups);
    const m = standardiseAddress(c.messy, lookups);
    const ids = [...addressIds(t.text), ...addressIds(m.text)];
    // Interiors of ranges too: 19-25 reserves 19 to 25.
    for (const text of [t.text, m.text])
      for (const r of text.matchAll(/\b(\d+)[A-Z]?-(\d+)/g))
        for (let n = Number(r[1]); n <= Number(r[2]) && n - Number(r[1]) < 200; n++) ids.push(String(n));
    const names = [t.parts.buildingName, m.parts.buildingName].filter((x): x is string => !!x);
    for (const key of [t.pcKey, t.parts.street, m.pcKey].filter(Boolean) as string[]) reserve(key, [...ids, ...names]);
    return { c, t };
  });
  let serial = 0;
  const add = (address: string) => {
    const text = standardiseAddress(address, lookups).text;
    if (seen.has(text)) return false;
    seen.add(text);
    out.push({ uprn: String(900000000000 + ++serial), address });
    return true;
  };
  for (const { t } of parsed) {
    if (!t.pcKey) continue;
    const words = t.text.split(' ');
    const street = t.parts.street;
    // What follows the property in the matched address: the street and the rest, or the locality.
    let tail: string;
    const at = street ? t.text.indexOf(` ${street} `) : -1;
    if (street && (at >= 0 || t.text.startsWith(`${street} `))) tail = t.text.slice(at >= 0 ? at + 1 : 0);
    else tail = words.slice(Math.max(1, (t.parts.buildingName ?? '').split(' ').length)).join(' ');
    const taken = new Set([...(reserved.get(t.pcKey) ?? []), ...(street ? (reserved.get(street) ?? []) : [])]);
    const freeNumber = () => {
      for (;;) {
        const n = String(1 + rnd.int(240));
        if (!taken.has(n)) return n;
      }
    };
    const pc = postcodeText(t.pcKey);
    const last = t.pcKey.slice(-1);
    const nearPc = postcodeText(
      t.pcKey.slice(0, -1) + (last === 'Z' ? 'Y' : String.fromCharCode(last.charCodeAt(0) + 1)),
    );
    let made = 0;
    let tries = 0;
    const ids = addressIds([t.parts.subBuilding, t.parts.buildingNumber].filter(Boolean).join(' '));
    const flatBuilding = !!t.parts.subBuilding || ids.length > 1;
    const building = t.parts.buildingNumber ?? t.parts.buildingName;
    while (made < o.perCase && tries++ < o.perCase * 20) {
      const kind = made % 5;
      let address: string;
      if (kind === 0 || kind === 1) {
        // Another house on the street, sometimes with a letter (12 A) as AddressBase writes it.
        address = `${freeNumber()}${rnd.next() < 0.25 ? ` ${'ABCD'[rnd.int(4)]}` : ''} ${tail} ${pc}`;
      } else if (kind === 2) {
        // Another flat: in the same building when the case is a flat, else in another house.
        const flat = rnd.next() < 0.5 ? String(1 + rnd.int(30)) : 'ABCDEFGH'[rnd.int(8)];
        if (flatBuilding && building && !ids.includes(flat) && !taken.has(flat))
          address = `FLAT ${flat} ${t.parts.buildingName && t.parts.buildingNumber ? `${t.parts.buildingName} ` : ''}${building} ${tail} ${pc}`;
        else address = `FLAT ${flat} ${freeNumber()} ${tail} ${pc}`;
      } else if (kind === 3) {
        const name = rnd.pick(HOUSE_NAMES);
        if (taken.has(name)) continue;
        address = `${name} ${tail} ${pc}`;
      } else {
        // The same street in the next postcode.
        address = `${freeNumber()} ${tail} ${nearPc}`;
      }
      if (add(address)) made++;
    }
  }
  return { addresses: out, distractors: serial };
}

export type { GazetteerAddress };
