/**
 * Council and health facilities, each at a live postcode. Most are placed by weighted k-means over
 * postcodes (weights = households, boosted where a facility's users live), which spreads them the
 * way services follow population; the central library and the main customer service point sit in
 * the town centre, and the tip is on the edge of the borough by the estates.
 */
import type { Random } from '../core/index.ts';
import { lonLat, metresBetween, type Geography } from './geography.ts';
import type { Postcode } from './postcodes.ts';
import { TYPES, type GroupCode } from './segments.ts';

export type FacilityType =
  | 'library'
  | 'childrens_centre'
  | 'gp_surgery'
  | 'customer_service_point'
  | 'hwrc'
  | 'leisure_centre';

export interface Facility {
  name: string;
  type: FacilityType;
  /** Index into the postcode directory. */
  postcode: number;
  lon: number;
  lat: number;
  /**
   * Size in the unit natural to the type: study places (library), places (children's centre),
   * registered patients (GP), appointments a day (customer service point), vehicles an hour
   * (recycling centre), people at once (leisure centre).
   */
  capacity: number;
  openingHours: string;
}

export function placeFacilities(
  rng: Random,
  geo: Geography,
  postcodes: readonly Postcode[],
  typeOfOa: readonly number[],
): Facility[] {
  const live = postcodes.map((_, i) => i).filter((i) => postcodes[i].households > 0);
  const groupAt = (i: number) => TYPES[typeOfOa[postcodes[i].oa]].group;
  const weight = (boost: Partial<Record<GroupCode, number>>) =>
    live.map((i) => postcodes[i].households * (boost[groupAt(i)] ?? 1));
  const [tcLon, tcLat] = lonLat(geo.landmarks.townCentre);
  const central = nearestTo(postcodes, live, tcLon, tcLat);

  const sites = (k: number, w: number[], fixed: number[] = []) => kMeansSites(rng, postcodes, live, w, k, fixed);
  const usedNames = new Set<string>();
  const wardName = (pc: number) => geo.wards[geo.oas[postcodes[pc].oa].ward].name;
  const nameFor = (pc: number, suffixes: string[]) => {
    for (const s of suffixes) {
      const n = `${wardName(pc)} ${s}`;
      if (!usedNames.has(n)) {
        usedNames.add(n);
        return n;
      }
    }
    const n = `${wardName(pc)} ${suffixes[0]} (${postcodes[pc].pcds})`;
    usedNames.add(n);
    return n;
  };
  const out: Facility[] = [];
  const add = (type: FacilityType, pc: number, name: string, capacity: number, openingHours: string) => {
    out.push({ name, type, postcode: pc, lon: postcodes[pc].lon, lat: postcodes[pc].lat, capacity, openingHours });
  };

  sites(8, weight({}), [central]).forEach((pc, k) => {
    if (k === 0) add('library', pc, 'Central Library', 120, 'Mon-Fri 09:00-19:00; Sat 09:00-17:00; Sun 11:00-15:00');
    else
      add(
        'library',
        pc,
        nameFor(pc, ['Library', 'Community Library']),
        20 + 5 * rng.int(8),
        'Mon, Wed, Fri 09:30-17:00; Sat 09:30-12:30',
      );
  });
  sites(5, weight({ E: 4, D: 2, C: 1.5, A: 0.5, B: 0.2, F: 0.2, G: 0.2 })).forEach((pc) =>
    add(
      'childrens_centre',
      pc,
      nameFor(pc, ["Children's Centre", 'Family Hub']),
      30 + 10 * rng.int(4),
      'Mon-Fri 08:30-17:00',
    ),
  );
  sites(15, weight({})).forEach((pc, k) =>
    add(
      'gp_surgery',
      pc,
      nameFor(pc, [
        ['Medical Centre', 'Surgery', 'Health Centre', 'Medical Practice'][k % 4],
        'Family Practice',
        'Surgery',
        'Health Centre',
      ]),
      4000 + 500 * rng.int(20),
      'Mon-Fri 08:00-18:30',
    ),
  );
  sites(3, weight({ E: 3, F: 3 }), [central]).forEach((pc, k) => {
    if (k === 0)
      add(
        'customer_service_point',
        pc,
        'Town Hall Customer Service Centre',
        160,
        'Mon-Fri 09:00-17:00; Sat 09:00-12:00',
      );
    else
      add(
        'customer_service_point',
        pc,
        nameFor(pc, ['Customer Service Point', 'Council Help Point']),
        40 + 10 * rng.int(4),
        'Mon-Fri 09:30-16:30',
      );
  });
  // The tip: the live postcode furthest out towards the estates (the borough's industrial side).
  const b = geo.landmarks.estatesBearing;
  const tip = live.reduce(
    (best, i) => (along(postcodes[i], tcLon, tcLat, b) > along(postcodes[best], tcLon, tcLat, b) ? i : best),
    live[0],
  );
  add('hwrc', tip, 'Marsh Lane Household Waste Recycling Centre', 90, 'Daily 08:00-18:00 (winter 08:00-16:00)');
  sites(2, weight({ A: 1.2, D: 1.3, G: 1.3 })).forEach((pc) =>
    add(
      'leisure_centre',
      pc,
      nameFor(pc, ['Leisure Centre', 'Sports Centre']),
      600 + 100 * rng.int(5),
      'Mon-Fri 06:30-22:00; Sat-Sun 08:00-20:00',
    ),
  );
  return out;
}

/** How far a postcode lies from the centre in the direction `bearing` (metres). */
function along(p: Postcode, lon0: number, lat0: number, bearing: number): number {
  const dx = metresBetween(lon0, lat0, p.lon, lat0) * Math.sign(p.lon - lon0);
  const dy = metresBetween(lon0, lat0, lon0, p.lat) * Math.sign(p.lat - lat0);
  return dx * Math.cos(bearing) + dy * Math.sin(bearing);
}

function nearestTo(postcodes: readonly Postcode[], ids: readonly number[], lon: number, lat: number): number {
  let best = ids[0],
    bestD = Infinity;
  for (const i of ids) {
    const d = metresBetween(lon, lat, postcodes[i].lon, postcodes[i].lat);
    if (d < bestD) {
      bestD = d;
      best = i;
    }
  }
  return best;
}

/**
 * Weighted k-means over postcode points (k-means++ start, a few Lloyd rounds), keeping `fixed`
 * sites in place, then each centre snapped to its nearest unused postcode.
 */
function kMeansSites(
  rng: Random,
  postcodes: readonly Postcode[],
  ids: readonly number[],
  w: readonly number[],
  k: number,
  fixed: number[],
): number[] {
  const pts = ids.map((i) => [postcodes[i].lon, postcodes[i].lat] as [number, number]);
  const dist = (a: [number, number], b: [number, number]) => metresBetween(a[0], a[1], b[0], b[1]);
  const centres: [number, number][] = fixed.map((f) => [postcodes[f].lon, postcodes[f].lat]);
  while (centres.length < k) {
    const d2 = pts.map((p, j) => w[j] * Math.min(...centres.map((c) => dist(p, c))) ** 2);
    const total = d2.reduce((a, b) => a + b, 0);
    let r = rng.next() * total,
      j = 0;
    if (centres.length === 0) j = rng.int(pts.length);
    else while (j < pts.length - 1 && (r -= d2[j]) > 0) j++;
    centres.push([...pts[j]]);
  }
  for (let round = 0; round < 12; round++) {
    const sx = new Array(k).fill(0),
      sy = new Array(k).fill(0),
      sw = new Array(k).fill(0);
    pts.forEach((p, j) => {
      let best = 0,
        bestD = Infinity;
      centres.forEach((c, m) => {
        const d = dist(p, c);
        if (d < bestD) {
          bestD = d;
          best = m;
        }
      });
      sx[best] += w[j] * p[0];
      sy[best] += w[j] * p[1];
      sw[best] += w[j];
    });
    for (let m = fixed.length; m < k; m++) if (sw[m] > 0) centres[m] = [sx[m] / sw[m], sy[m] / sw[m]];
  }
  const taken = new Set<number>(fixed);
  return centres.map((c, m) => {
    if (m < fixed.length) return fixed[m];
    const pc = nearestTo(
      postcodes,
      ids.filter((i) => !taken.has(i)),
      c[0],
      c[1],
    );
    taken.add(pc);
    return pc;
  });
}
