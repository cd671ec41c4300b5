/**
 * Accessibility indicators (C7): for every area, the minutes to the nearest facility of each kind
 * and how many are reachable within each threshold; for the borough, the share of households
 * within each threshold of their nearest facility and the average minimum journey (the shape of
 * the DfT Journey Time Statistics); and two-step floating catchment ratios (2SFCA, E2SFCA).
 *
 * 2SFCA (Luo & Wang 2003), with a decay weight W(d) that is 0 beyond the catchment d0:
 *   step 1, for each facility j:  R_j = S_j / Σ_k W(d_kj) · P_k       (supply per unit of demand it can reach)
 *   step 2, for each area i:      A_i = Σ_j W(d_ij) · R_j              (what its residents can reach, per head)
 * Classic 2SFCA has W = 1 inside the catchment. E2SFCA (Luo & Qi 2009) steps W down by zone; the
 * Gaussian variant (Dai 2010) uses W(d) = (e^(−½(d/d0)²) − e^(−½)) / (1 − e^(−½)), which is 1 at
 * the door and 0 at the catchment's edge. Since Σ_i A_i P_i = Σ_j S_j over facilities with any
 * demand in reach, the ratios share out the supply exactly: a check the tests make.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import {
  straightLineCosts,
  TRAVEL_MODES,
  type CostMatrix,
  type CostSource,
  type Place,
  type TravelMode,
} from './costs.ts';
import { facilitiesOfKind, facilityKinds, normaliseKind, type Facility } from './facilities.ts';
import { areaOrigins, type Origin } from './origins.ts';

export type LocationProgress = (p: { stage: string; done: number; total: number }) => void;

export const DEFAULT_THRESHOLDS = [15, 30, 45, 60] as const;

// ---------------------------------------------------------------- pure arithmetic

export interface NearestAndReach {
  /** minutes to the nearest destination per origin (Infinity when none is reachable) */
  nearestMinutes: Float64Array;
  /** its column in the matrix, −1 when none */
  nearestIndex: Int32Array;
  /** per threshold, per origin: destinations reachable within it (minutes ≤ threshold) */
  reachable: Int32Array[];
}

export function nearestAndReach(m: CostMatrix, thresholds: readonly number[]): NearestAndReach {
  const no = m.origins.length,
    nd = m.destinations.length;
  const nearestMinutes = new Float64Array(no).fill(Infinity);
  const nearestIndex = new Int32Array(no).fill(-1);
  const reachable = thresholds.map(() => new Int32Array(no));
  for (let o = 0; o < no; o++) {
    for (let d = 0; d < nd; d++) {
      const t = m.minutes[o * nd + d];
      if (t < nearestMinutes[o]) {
        nearestMinutes[o] = t;
        nearestIndex[o] = d;
      }
      for (let k = 0; k < thresholds.length; k++) if (t <= thresholds[k]) reachable[k][o]++;
    }
  }
  return { nearestMinutes, nearestIndex, reachable };
}

export interface ShareWithin {
  /** all demand (households or people) */
  total: number;
  /** demand whose nearest facility is within each threshold */
  within: number[];
  /** within ÷ total (0 to 1) */
  share: number[];
  /** demand-weighted mean of the minutes to the nearest facility, over demand that can reach one */
  meanMinutes: number | null;
  /** demand that cannot reach any facility */
  unreachable: number;
}

export function shareWithin(
  nearestMinutes: ArrayLike<number>,
  demand: ArrayLike<number>,
  thresholds: readonly number[],
): ShareWithin {
  let total = 0,
    reached = 0,
    minuteSum = 0,
    unreachable = 0;
  const within = thresholds.map(() => 0);
  for (let i = 0; i < demand.length; i++) {
    const p = demand[i],
      t = nearestMinutes[i];
    total += p;
    if (!Number.isFinite(t)) {
      unreachable += p;
      continue;
    }
    reached += p;
    minuteSum += p * t;
    thresholds.forEach((th, k) => {
      if (t <= th) within[k] += p;
    });
  }
  return {
    total,
    within,
    share: within.map((w) => (total > 0 ? w / total : 0)),
    meanMinutes: reached > 0 ? minuteSum / reached : null,
    unreachable,
  };
}

export type Decay =
  | { kind: 'none' }
  | { kind: 'gaussian' }
  /** weights by zone: `upTo` minutes (inclusive), the last zone ending at the catchment */
  | { kind: 'stepped'; steps: { upTo: number; weight: number }[] };

/** Luo & Qi's E2SFCA weights for three equal zones of the catchment (Gaussian with β = 100 at 5, 15 and 25 of 30 minutes). */
export const LUO_QI_WEIGHTS = [1, 0.68, 0.22] as const;

export function defaultSteps(catchment: number): { upTo: number; weight: number }[] {
  return LUO_QI_WEIGHTS.map((weight, k) => ({ upTo: (catchment * (k + 1)) / 3, weight }));
}

const E_HALF = Math.exp(-0.5);

/** The decay weight of a journey of `minutes` in a catchment of `catchment` minutes. */
export function decayWeight(decay: Decay, minutes: number, catchment: number): number {
  if (!(minutes <= catchment)) return 0;
  switch (decay.kind) {
    case 'none':
      return 1;
    case 'gaussian':
      return (Math.exp(-0.5 * (minutes / catchment) ** 2) - E_HALF) / (1 - E_HALF);
    case 'stepped': {
      for (const s of decay.steps) if (minutes <= s.upTo) return s.weight;
      return 0;
    }
  }
}

export function describeDecay(decay: Decay, catchment: number): string {
  switch (decay.kind) {
    case 'none':
      return `2SFCA: every facility within ${catchment} minutes counts in full`;
    case 'gaussian':
      return `E2SFCA, Gaussian decay: W(d) = (e^(−½(d/${catchment})²) − e^(−½)) ÷ (1 − e^(−½)) up to ${catchment} minutes`;
    case 'stepped':
      return `E2SFCA, stepped decay: ${decay.steps.map((s, k) => `${k ? decay.steps[k - 1].upTo : 0}–${round2(s.upTo)} min × ${s.weight}`).join(', ')}`;
  }
}
const round2 = (x: number) => Math.round(x * 100) / 100;

export interface FloatingCatchment {
  /** Σ_k W(d_kj) · P_k per facility */
  facilityDemand: Float64Array;
  /** R_j per facility (0 when no demand is in reach) */
  facilityRatio: Float64Array;
  /** A_i per origin */
  areaRatio: Float64Array;
  /** facilities within the catchment of each origin */
  facilitiesWithin: Int32Array;
}

/** Both steps of the floating catchment over a cost matrix (origins = areas, destinations = facilities). */
export function floatingCatchment(
  m: CostMatrix,
  demand: ArrayLike<number>,
  supply: ArrayLike<number>,
  catchment: number,
  decay: Decay,
): FloatingCatchment {
  const no = m.origins.length,
    nd = m.destinations.length;
  if (demand.length !== no || supply.length !== nd)
    throw new Error('floatingCatchment: demand and supply must match the matrix');
  const weights = new Float64Array(no * nd);
  for (let i = 0; i < no * nd; i++) weights[i] = decayWeight(decay, m.minutes[i], catchment);
  const facilityDemand = new Float64Array(nd);
  for (let o = 0; o < no; o++) for (let d = 0; d < nd; d++) facilityDemand[d] += weights[o * nd + d] * demand[o];
  const facilityRatio = new Float64Array(nd);
  for (let d = 0; d < nd; d++) facilityRatio[d] = facilityDemand[d] > 0 ? supply[d] / facilityDemand[d] : 0;
  const areaRatio = new Float64Array(no);
  const facilitiesWithin = new Int32Array(no);
  for (let o = 0; o < no; o++) {
    for (let d = 0; d < nd; d++) {
      const w = weights[o * nd + d];
      areaRatio[o] += w * facilityRatio[d];
      if (m.minutes[o * nd + d] <= catchment) facilitiesWithin[o]++;
    }
  }
  return { facilityDemand, facilityRatio, areaRatio, facilitiesWithin };
}

// ---------------------------------------------------------------- results

export const ACCESS_RESULT_VERSION = 1;

export const AccessKindSchema = z.object({
  kind: z.string(),
  facilities: z.number(),
  borough: z.object({
    demand: z.number(),
    within: z.array(z.number()),
    share: z.array(z.number()),
    meanMinutes: z.number().nullable(),
    unreachable: z.number(),
  }),
});

export const AccessAreaSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  households: z.number().nullable(),
  population: z.number().nullable(),
  lon: z.number(),
  lat: z.number(),
  kinds: z.array(
    z.object({
      kind: z.string(),
      /** null when no facility of the kind can be reached */
      nearestMinutes: z.number().nullable(),
      nearestId: z.string().nullable(),
      nearestName: z.string().nullable(),
      /** facilities reachable within each threshold, in the order of `thresholds` */
      reachable: z.array(z.number()),
    }),
  ),
});

export const AccessResultSchema = z.object({
  version: z.literal(ACCESS_RESULT_VERSION),
  level: z.string(),
  mode: z.enum(['car', 'walk', 'cycle']),
  costSource: z.string(),
  measure: z.enum(['households', 'population']),
  thresholds: z.array(z.number()),
  originMethod: z.string(),
  kinds: z.array(AccessKindSchema),
  areas: z.array(AccessAreaSchema),
});
export type AccessResult = z.infer<typeof AccessResultSchema>;
export type AccessArea = z.infer<typeof AccessAreaSchema>;

export interface AccessRequest {
  /** facility kinds; all kinds in the workspace when not given */
  kinds?: string[];
  level?: string;
  thresholds?: number[];
  mode?: TravelMode;
  measure?: 'households' | 'population';
  /** a household dataset whose records per postcode weight the area centroids */
  weightDataset?: string;
  onProgress?: LocationProgress;
}

export function checkThresholds(thresholds: readonly number[]): number[] {
  if (!thresholds.length || thresholds.some((t) => !(t > 0) || !Number.isFinite(t))) {
    throw new ParameterError(
      `Thresholds must be minutes above 0 (they were ${thresholds.join(', ') || 'none'}).`,
      'Give them as --thresholds 15,30,45,60.',
    );
  }
  return [...new Set(thresholds)].sort((a, b) => a - b);
}

function checkMode(mode: string): TravelMode {
  if (!(TRAVEL_MODES as readonly string[]).includes(mode))
    throw new ParameterError(`Unknown travel mode "${mode}".`, `Use one of: ${TRAVEL_MODES.join(', ')}.`);
  return mode as TravelMode;
}

const demandOf = (o: Origin, measure: 'households' | 'population') =>
  (measure === 'households' ? o.households : o.population) ?? 0;
export const placeOf = (f: Facility): Place => ({ id: f.id, lon: f.lon, lat: f.lat });

/** Nearest-facility minutes and counts within thresholds for every area, and the borough's shares. */
export async function accessibility(
  engine: Engine,
  req: AccessRequest = {},
  costs: CostSource = straightLineCosts(),
): Promise<AccessResult> {
  const progress = req.onProgress ?? (() => {});
  const thresholds = checkThresholds(req.thresholds ?? [...DEFAULT_THRESHOLDS]);
  const mode = checkMode(req.mode ?? 'car');
  const measure = req.measure ?? 'households';
  const kinds = req.kinds?.length ? req.kinds.map(normaliseKind) : (await facilityKinds(engine)).map((k) => k.kind);
  if (!kinds.length)
    throw new ParameterError(
      'The workspace has no facilities yet.',
      'Import some first: civic facilities import WORKSPACE FILE --kind library',
    );
  const lists = await Promise.all(kinds.map((k) => facilitiesOfKind(engine, k)));
  const origins = await areaOrigins(engine, { level: req.level, weightDataset: req.weightDataset });
  const demand = origins.origins.map((o) => demandOf(o, measure));
  const perKind: { kind: string; list: Facility[]; nr: NearestAndReach; share: ShareWithin }[] = [];
  for (let k = 0; k < kinds.length; k++) {
    progress({ stage: 'travel', done: k, total: kinds.length });
    const m = await costs.matrix(origins.origins, lists[k].map(placeOf), mode);
    const nr = nearestAndReach(m, thresholds);
    perKind.push({ kind: kinds[k], list: lists[k], nr, share: shareWithin(nr.nearestMinutes, demand, thresholds) });
  }
  progress({ stage: 'travel', done: kinds.length, total: kinds.length });
  return {
    version: ACCESS_RESULT_VERSION,
    level: origins.level,
    mode,
    costSource: costs.description,
    measure,
    thresholds,
    originMethod: origins.method,
    kinds: perKind.map((p) => ({
      kind: p.kind,
      facilities: p.list.length,
      borough: {
        demand: p.share.total,
        within: p.share.within,
        share: p.share.share,
        meanMinutes: p.share.meanMinutes,
        unreachable: p.share.unreachable,
      },
    })),
    areas: origins.origins.map((o, i) => ({
      code: o.id,
      name: o.name,
      households: o.households,
      population: o.population,
      lon: o.lon,
      lat: o.lat,
      kinds: perKind.map((p) => {
        const j = p.nr.nearestIndex[i];
        return {
          kind: p.kind,
          nearestMinutes: j >= 0 ? p.nr.nearestMinutes[i] : null,
          nearestId: j >= 0 ? p.list[j].id : null,
          nearestName: j >= 0 ? p.list[j].name : null,
          reachable: p.nr.reachable.map((r) => r[i]),
        };
      }),
    })),
  };
}

export const SFCA_RESULT_VERSION = 1;

export const SfcaResultSchema = z.object({
  version: z.literal(SFCA_RESULT_VERSION),
  kind: z.string(),
  level: z.string(),
  mode: z.enum(['car', 'walk', 'cycle']),
  costSource: z.string(),
  catchmentMinutes: z.number(),
  decay: z.object({
    kind: z.enum(['none', 'gaussian', 'stepped']),
    steps: z.array(z.object({ upTo: z.number(), weight: z.number() })).nullable(),
    description: z.string(),
  }),
  supplyMeasure: z.enum(['capacity', 'count']),
  demandMeasure: z.enum(['households', 'population']),
  originMethod: z.string(),
  facilities: z.array(
    z.object({
      id: z.string(),
      name: z.string(),
      supply: z.number(),
      /** Σ W(d) × demand over the areas in its catchment */
      demandInReach: z.number(),
      /** supply ÷ demandInReach (R_j); 0 when no demand is in reach */
      ratio: z.number(),
    }),
  ),
  areas: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      demand: z.number(),
      lon: z.number(),
      lat: z.number(),
      /** A_i: supply per unit of demand (per household or person) */
      ratio: z.number(),
      per1000: z.number(),
      facilitiesWithin: z.number(),
    }),
  ),
  totals: z.object({
    supply: z.number(),
    /** supply of facilities with some demand in reach: Σ ratio × demand equals this */
    supplyReached: z.number(),
    demand: z.number(),
    /** demand with at least one facility in its catchment */
    demandCovered: z.number(),
    /** overall supply ÷ demand, the benchmark for the areas' ratios */
    overallRatio: z.number().nullable(),
  }),
});
export type SfcaResult = z.infer<typeof SfcaResultSchema>;

export interface SfcaRequest {
  kind: string;
  level?: string;
  mode?: TravelMode;
  /** the catchment, in minutes (default 30) */
  catchment?: number;
  decay?: Decay;
  /** supply per facility: capacity (when every facility has one) or 1 each; 'auto' chooses */
  supply?: 'capacity' | 'count' | 'auto';
  demand?: 'households' | 'population';
  weightDataset?: string;
  onProgress?: LocationProgress;
}

export async function sfca(
  engine: Engine,
  req: SfcaRequest,
  costs: CostSource = straightLineCosts(),
): Promise<SfcaResult> {
  const progress = req.onProgress ?? (() => {});
  const catchment = req.catchment ?? 30;
  if (!(catchment > 0) || !Number.isFinite(catchment))
    throw new ParameterError(
      `The catchment must be minutes above 0 (it was ${catchment}).`,
      'Give it as --catchment 30.',
    );
  const decay = req.decay ?? { kind: 'none' };
  if (decay.kind === 'stepped') {
    if (
      !decay.steps.length ||
      decay.steps.some(
        (s, k) => !(s.weight >= 0 && s.weight <= 1) || !(s.upTo > 0) || (k > 0 && s.upTo <= decay.steps[k - 1].upTo),
      )
    ) {
      throw new ParameterError(
        'Stepped weights must be zones in increasing minutes, each with a weight from 0 to 1.',
        'Give them as --steps 10:1,20:0.68,30:0.22.',
      );
    }
  }
  const mode = checkMode(req.mode ?? 'car');
  const demandMeasure = req.demand ?? 'population';
  const kind = normaliseKind(req.kind);
  const list = await facilitiesOfKind(engine, kind);
  const allHaveCapacity = list.every((f) => f.capacity !== null && f.capacity > 0);
  const supplyMeasure = req.supply === 'capacity' || (req.supply !== 'count' && allHaveCapacity) ? 'capacity' : 'count';
  if (supplyMeasure === 'capacity' && !allHaveCapacity) {
    const f = list.find((x) => x.capacity === null || !(x.capacity > 0))!;
    throw new ParameterError(
      `${f.name} has no capacity, so supply cannot be measured by capacity.`,
      'Import the facilities with --capacity-column, or use --supply count (each facility counts as 1).',
    );
  }
  const supply = list.map((f) => (supplyMeasure === 'capacity' ? f.capacity! : 1));
  const origins = await areaOrigins(engine, { level: req.level, weightDataset: req.weightDataset });
  const demand = origins.origins.map((o) => demandOf(o, demandMeasure));
  progress({ stage: 'travel', done: 0, total: 1 });
  const m = await costs.matrix(origins.origins, list.map(placeOf), mode);
  progress({ stage: 'travel', done: 1, total: 1 });
  const fc = floatingCatchment(m, demand, supply, catchment, decay);
  const totalSupply = supply.reduce((a, b) => a + b, 0);
  const totalDemand = demand.reduce((a, b) => a + b, 0);
  return {
    version: SFCA_RESULT_VERSION,
    kind,
    level: origins.level,
    mode,
    costSource: costs.description,
    catchmentMinutes: catchment,
    decay: {
      kind: decay.kind,
      steps: decay.kind === 'stepped' ? decay.steps : null,
      description: describeDecay(decay, catchment),
    },
    supplyMeasure,
    demandMeasure,
    originMethod: origins.method,
    facilities: list.map((f, j) => ({
      id: f.id,
      name: f.name,
      supply: supply[j],
      demandInReach: fc.facilityDemand[j],
      ratio: fc.facilityRatio[j],
    })),
    areas: origins.origins.map((o, i) => ({
      code: o.id,
      name: o.name,
      demand: demand[i],
      lon: o.lon,
      lat: o.lat,
      ratio: fc.areaRatio[i],
      per1000: fc.areaRatio[i] * 1000,
      facilitiesWithin: fc.facilitiesWithin[i],
    })),
    totals: {
      supply: totalSupply,
      supplyReached: supply.reduce((s, x, j) => (fc.facilityDemand[j] > 0 ? s + x : s), 0),
      demand: totalDemand,
      demandCovered: demand.reduce((s, x, i) => (fc.facilitiesWithin[i] > 0 ? s + x : s), 0),
      overallRatio: totalDemand > 0 ? totalSupply / totalDemand : null,
    },
  };
}

/** Reads "10:1,20:0.68,30:0.22" as stepped weights. */
export function parseSteps(spec: string): { upTo: number; weight: number }[] {
  return spec.split(',').map((part) => {
    const [a, b] = part.split(':').map((x) => Number(x.trim()));
    if (!Number.isFinite(a) || !Number.isFinite(b))
      throw new ParameterError(
        `Cannot read the step "${part}".`,
        'Write steps as MINUTES:WEIGHT, e.g. 10:1,20:0.68,30:0.22.',
      );
    return { upTo: a, weight: b };
  });
}
