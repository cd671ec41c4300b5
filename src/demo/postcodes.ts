/**
 * Sample Borough's postcode directory, in the style of the ONS Postcode Directory.
 *
 * Postcodes are "SB<district> <sector><unit>". Districts are pairs of neighbouring MSOAs and
 * sectors groups of about four LSOAs, so both are spatially coherent; unit codes run through a
 * sector in north-to-south order with gaps, as Royal Mail's do. Each live postcode holds 12–20
 * households and sits strictly inside its OA. A sprinkling of terminated postcodes (no
 * households) remains in the directory, because councils' older records still use them.
 */
import type { Random } from '../core/index.ts';
import { bisect, makeContiguous, pointInCell, type Geography, type Point } from './geography.ts';
import { TYPES } from './segments.ts';
import { uniform, yyyymm } from './util.ts';

/** Letters Royal Mail uses in the unit part of a postcode. */
export const UNIT_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';
const UNIT_CODES = 400; // 20 × 20

export interface Postcode {
  pcds: string;
  district: number;
  sector: number;
  unit: string;
  dointr: string;
  /** Empty for live postcodes. */
  doterm: string;
  lon: number;
  lat: number;
  oa: number;
  /** 0 for terminated postcodes. */
  households: number;
}

const TERMINATION_DATES = ['199602', '200108', '200512', '201106', '201611', '202106'];

export function buildPostcodes(rng: Random, geo: Geography, typeOfOa: number[], totalHouseholds: number): Postcode[] {
  const { oas, lsoas, msoas } = geo;

  // Districts: about two MSOAs each, numbered north to south.
  const msoaPts: Point[] = msoas.map((m) => ({ x: m.x, y: m.y }));
  const districtSets = makeContiguous(
    bisect(
      rng,
      msoaPts,
      msoas.map((m) => m.index),
      Math.max(1, Math.round(msoas.length / 2)),
      1,
    ),
    geo.msoaNeighbours,
  )
    .map((set) => ({ set, c: mean(set.map((k) => msoaPts[k])) }))
    .sort((a, b) => b.c.y - a.c.y || a.c.x - b.c.x);

  // Sector of each LSOA: groups of about four LSOAs within a district, digits 1–9 then 0.
  const sectorOfLsoa = new Map<number, { district: number; sector: number }>();
  districtSets.forEach(({ set }, d) => {
    const lsoaIds = lsoas.filter((l) => set.includes(l.msoa)).map((l) => l.index);
    const nSectors = Math.min(10, Math.max(1, Math.round(lsoaIds.length / 4)));
    makeContiguous(bisect(rng, lsoas, lsoaIds, nSectors, 1), geo.lsoaNeighbours)
      .sort((a, b) => {
        const pa = mean(a.map((k) => lsoas[k])),
          pb = mean(b.map((k) => lsoas[k]));
        return pb.y - pa.y || pa.x - pb.x;
      })
      .forEach((sec, s) => {
        for (const l of sec) sectorOfLsoa.set(l, { district: d + 1, sector: (s + 1) % 10 });
      });
  });

  type Draft = Omit<Postcode, 'pcds' | 'unit'>;
  const drafts: Draft[] = [];
  const place = (oa: number, households: number, dointr: string, doterm: string) => {
    const { district, sector } = sectorOfLsoa.get(oas[oa].lsoa)!;
    const [lon, lat] = pointInCell(rng, geo, oas[oa].cells[0]);
    drafts.push({ district, sector, dointr, doterm, lon, lat, oa, households });
  };

  for (const o of oas) {
    // Split the OA's households into postcodes of about 15 (at least 5 each).
    const k = Math.max(1, Math.round(o.households / uniform(rng, 13.5, 17.5)));
    const w = Array.from({ length: k }, () => uniform(rng, 0.7, 1.3));
    const sumW = w.reduce((a, b) => a + b, 0);
    const sizes = w.map((x) => Math.max(5, Math.floor((x / sumW) * o.households)));
    let rest = o.households - sizes.reduce((a, b) => a + b, 0);
    for (let i = 0; rest !== 0; i = (i + 1) % k) {
      if (rest > 0) {
        sizes[i]++;
        rest--;
      } else if (sizes[i] > 5) {
        sizes[i]--;
        rest++;
      }
    }
    const newBuild = TYPES[typeOfOa[o.index]].newBuild === true;
    for (const size of sizes) place(o.index, size, introduced(rng, newBuild), '');
  }
  // About 1.5 terminated postcodes per 1,000 households, in OAs across the borough.
  const nTerminated = Math.round(totalHouseholds * 0.0015);
  for (let t = 0; t < nTerminated; t++) {
    place(rng.int(oas.length), 0, '198001', TERMINATION_DATES[rng.int(TERMINATION_DATES.length)]);
  }

  // Unit codes: in each sector, an ordered random subset of AA…ZZ, handed out north to south.
  const bySector = new Map<number, Draft[]>();
  for (const d of drafts) {
    const key = d.district * 10 + d.sector;
    const list = bySector.get(key);
    if (list) list.push(d);
    else bySector.set(key, [d]);
  }
  const out: Postcode[] = [];
  for (const key of [...bySector.keys()].sort((a, b) => a - b)) {
    const list = bySector.get(key)!.sort((a, b) => b.lat - a.lat || a.lon - b.lon);
    if (list.length > UNIT_CODES)
      throw new Error(`Sector ${key} needs ${list.length} postcodes; a sector holds at most ${UNIT_CODES}`);
    let needed = list.length;
    let next = 0;
    for (let code = 0; code < UNIT_CODES && needed > 0; code++) {
      // Selection sampling: each remaining code is taken with probability needed / remaining.
      if (rng.next() * (UNIT_CODES - code) < needed) {
        const d = list[next++];
        const unit = UNIT_LETTERS[Math.floor(code / 20)] + UNIT_LETTERS[code % 20];
        out.push({ ...d, unit, pcds: `SB${d.district} ${d.sector}${unit}` });
        needed--;
      }
    }
  }
  return out.sort((a, b) => a.district - b.district || a.sector - b.sector || (a.unit < b.unit ? -1 : 1));
}

/** Most postcodes date from the directory's start (1980); new-build estates got theirs later. */
function introduced(rng: Random, newBuild: boolean): string {
  if (newBuild) return yyyymm(1998 + rng.int(26), 1 + rng.int(12));
  if (rng.next() < 0.85) return '198001';
  return yyyymm(1981 + rng.int(35), 1 + rng.int(12));
}

function mean(pts: readonly Point[]): Point {
  let x = 0,
    y = 0;
  for (const p of pts) {
    x += p.x;
    y += p.y;
  }
  return { x: x / pts.length, y: y / pts.length };
}
