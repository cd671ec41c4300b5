/**
 * The social geography of Sample Borough: households per OA, which segment each OA belongs to,
 * the census-like counts behind the segments, and deprivation by LSOA.
 *
 * Segments are placed the way towns are laid out (young renters in the centre, students by the
 * campus, estates on one side, affluent families on the leafy side, older owners at the edges),
 * with smooth random fields on top so neighbouring OAs tend to share a group, and then calibrated
 * so each group's share of households is close to its target.
 */
import type { Random } from '../core/index.ts';
import type { Geography, Point } from './geography.ts';
import {
  AREA_VARIABLES,
  GROUPS,
  TYPES,
  groupOf,
  typeProfile,
  type AreaVariable,
  type GroupCode,
  type Profile,
  type TypeDef,
} from './segments.ts';
import { clamp, uniform } from './util.ts';

export const IMD_LSOAS_IN_ENGLAND = 33_755;

/** A sum of Gaussian bumps: a cheap smooth random field over the borough. */
function bumpField(rng: Random, R: number, count: number, amplitude: number): (p: Point) => number {
  const bumps = Array.from({ length: count }, () => ({
    x: uniform(rng, -1.1, 1.1) * R,
    y: uniform(rng, -1, 1) * R,
    w: uniform(rng, 0.15, 0.35) * R,
    a: rng.normal() * amplitude,
  }));
  return (p) => bumps.reduce((s, b) => s + b.a * Math.exp(-((p.x - b.x) ** 2 + (p.y - b.y) ** 2) / (b.w * b.w)), 0);
}

/** Households per OA: 80–200, summing exactly to the requested total. */
export function assignHouseholds(rng: Random, geo: Geography, total: number): void {
  const w = geo.oas.map(() => clamp(1 + 0.18 * rng.normal(), 0.68, 1.45));
  const sumW = w.reduce((a, b) => a + b, 0);
  const hh = w.map((x) => clamp(Math.round((x * total) / sumW), 80, 200));
  let diff = total - hh.reduce((a, b) => a + b, 0);
  if (total < 80 * hh.length || total > 200 * hh.length)
    throw new Error(`${total} households cannot fill ${hh.length} OAs with 80–200 each`);
  for (let k = 0; diff !== 0; k = (k + 1) % hh.length) {
    const step = Math.sign(diff);
    if (hh[k] + step >= 80 && hh[k] + step <= 200) {
      hh[k] += step;
      diff -= step;
    }
  }
  geo.oas.forEach((o, k) => {
    o.households = hh[k];
  });
}

/**
 * Calibrates additive offsets so that argmax(score + offset) gives each option about its target
 * share of households (a few hundred rounds of a multiplicative "price" update).
 */
function calibratedArgmax(scores: number[][], weights: number[], targets: number[]): number[] {
  const k = targets.length;
  const offset = new Array(k).fill(0);
  let best: number[] = [];
  let bestErr = Infinity;
  const total = weights.reduce((a, b) => a + b, 0);
  for (let it = 0; it < 400; it++) {
    const choice = scores.map((s) => {
      let arg = 0;
      for (let g = 1; g < k; g++) if (s[g] + offset[g] > s[arg] + offset[arg]) arg = g;
      return arg;
    });
    const share = new Array(k).fill(0);
    choice.forEach((c, i) => {
      share[c] += weights[i] / total;
    });
    const err = Math.max(...share.map((s, g) => Math.abs(s - targets[g])));
    if (err < bestErr) {
      bestErr = err;
      best = choice;
    }
    if (err < 0.004) break;
    const step = 0.4 * Math.pow(0.992, it);
    for (let g = 0; g < k; g++) offset[g] += step * Math.log(targets[g] / Math.max(share[g], 0.002));
  }
  return best;
}

/** Index into TYPES for every OA. */
export function classify(rng: Random, geo: Geography): number[] {
  const { landmarks: lm, oas } = geo;
  const R = lm.radius;
  const tc = lm.townCentre;
  const polar = (p: Point) => {
    const dx = p.x - tc.x,
      dy = p.y - tc.y;
    return { rho: Math.hypot(dx, dy) / R, theta: Math.atan2(dy, dx) };
  };
  const gauss = (d: number, w: number) => Math.exp(-(d * d) / (w * w));
  const estates = [-0.45, 0.4].map((db) => {
    const rho = uniform(rng, 0.35, 0.7),
      th = lm.estatesBearing + db;
    return { x: tc.x + rho * R * Math.cos(th), y: tc.y + rho * R * Math.sin(th) };
  });
  const nearEstate = (p: Point) => Math.max(...estates.map((e) => gauss(Math.hypot(p.x - e.x, p.y - e.y) / R, 0.2)));

  // How strongly each place suits each group, before noise.
  const shape: Record<GroupCode, (p: Point) => number> = {
    A: (p) => {
      const { rho, theta } = polar(p);
      return 1.1 * rho - 0.9 * Math.cos(theta) * Math.min(rho / 0.4, 1);
    },
    B: (p) => 1.7 * polar(p).rho ** 2,
    C: (p) => 2.2 * gauss(polar(p).rho, 0.28),
    D: (p) => 0.45 + gauss(polar(p).rho - 0.55, 0.3),
    E: (p) => {
      const { rho, theta } = polar(p);
      return 2.0 * nearEstate(p) + 0.6 * Math.cos(theta - lm.estatesBearing) * Math.min(rho / 0.4, 1);
    },
    F: (p) => 0.8 * gauss(polar(p).rho, 0.45) + 0.9 * nearEstate(p),
    G: (p) => 2.8 * gauss(Math.hypot(p.x - lm.campus.x, p.y - lm.campus.y) / R, 0.16),
  };
  const fields = GROUPS.map(() => bumpField(rng, R, 4, 0.6));
  const weights = oas.map((o) => o.households);
  const groupScores = oas.map((o) => GROUPS.map((g, k) => shape[g.code](o) + fields[k](o) + 0.3 * rng.normal()));
  const groupOfOa = calibratedArgmax(
    groupScores,
    weights,
    GROUPS.map((g) => g.share),
  );

  // Types within each group: their own smooth fields, a pull to or from the centre, and noise.
  const typeOfOa = new Array<number>(oas.length).fill(-1);
  GROUPS.forEach((g, gi) => {
    const types = TYPES.map((t, ti) => ({ t, ti })).filter(({ t }) => t.group === g.code);
    const tFields = types.map(() => bumpField(rng, R, 3, 0.7));
    const members = oas.filter((_, i) => groupOfOa[i] === gi);
    if (members.length === 0) return;
    const scores = members.map((o) =>
      types.map(({ t }, k) => t.radial * polar(o).rho + tFields[k](o) + 0.4 * rng.normal()),
    );
    const choice = calibratedArgmax(
      scores,
      members.map((o) => o.households),
      types.map(({ t }) => t.share),
    );
    members.forEach((o, i) => {
      typeOfOa[o.index] = types[choice[i]].ti;
    });
  });
  return typeOfOa;
}

export interface OaCensus {
  population: number;
  households: number;
  counts: Record<AreaVariable, number>;
}

/** Population and census-like counts per OA, drawn from each type's profile with noise. */
export function censusCounts(rng: Random, geo: Geography, typeOfOa: number[]): OaCensus[] {
  return geo.oas.map((o, i) => {
    const t = TYPES[typeOfOa[i]];
    const g = groupOf(t.group);
    const h = o.households;
    // People per household stays within 2.1–2.6, as in real OAs outside halls and care homes.
    const population = clamp(
      Math.round(h * g.householdSize * Math.exp(0.03 * rng.normal())),
      Math.ceil(2.1 * h),
      Math.floor(2.6 * h),
    );
    const expected = typeProfile(t);
    const rate = {} as Profile;
    for (const v of AREA_VARIABLES) rate[v.name] = clamp(expected[v.name] * Math.exp(0.15 * rng.normal()), 0, 0.95);
    // Tenures and age bands are shares of one whole: keep them from exceeding it.
    const tenure = rate.owner_occupied + rate.social_rented + rate.private_rented;
    if (tenure > 0.97)
      for (const k of ['owner_occupied', 'social_rented', 'private_rented'] as const) rate[k] *= 0.97 / tenure;
    const ages = rate.age_0_15 + rate.age_65_plus;
    if (ages > 0.95) {
      rate.age_0_15 *= 0.95 / ages;
      rate.age_65_plus *= 0.95 / ages;
    }
    const counts = {} as Record<AreaVariable, number>;
    for (const v of AREA_VARIABLES)
      counts[v.name] = Math.round(rate[v.name] * (v.per === 'population' ? population : h));
    return { population, households: h, counts };
  });
}

export interface Deprivation {
  rank: number;
  decile: number;
}

/**
 * IMD rank and decile per LSOA, driven by its OAs' segments (household-weighted national
 * percentile of each type) with some noise; ranks are made unique as in the real index.
 */
export function deprivation(rng: Random, geo: Geography, typeOfOa: number[]): Deprivation[] {
  const depOf = (t: TypeDef) => t.deprivation ?? groupOf(t.group).deprivation;
  const wanted = geo.lsoas.map((l) => {
    let s = 0,
      w = 0;
    for (const o of l.oas) {
      s += geo.oas[o].households * depOf(TYPES[typeOfOa[o]]);
      w += geo.oas[o].households;
    }
    // Stretched a little: a borough's LSOAs spread across more of the national range than their mix suggests.
    const pct = clamp(0.5 + (s / w - 0.5) * 1.2 + 0.05 * rng.normal(), 0.0003, 0.9997);
    return clamp(Math.round(pct * IMD_LSOAS_IN_ENGLAND), 1, IMD_LSOAS_IN_ENGLAND);
  });
  const taken = new Set<number>();
  const order = wanted.map((_, i) => i).sort((a, b) => wanted[a] - wanted[b] || a - b);
  const ranks = new Array<number>(wanted.length);
  for (const i of order) {
    let r = wanted[i];
    while (taken.has(r)) r = r < IMD_LSOAS_IN_ENGLAND ? r + 1 : 1;
    taken.add(r);
    ranks[i] = r;
  }
  return ranks.map((rank) => ({ rank, decile: imdDecile(rank) }));
}

export const imdDecile = (rank: number) => clamp(Math.ceil(rank / (IMD_LSOAS_IN_ENGLAND / 10)), 1, 10);
