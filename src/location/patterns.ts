/**
 * Access patterns (C7): for a service file with an outlet column (library members and their home
 * branch), where each outlet's users come from, how use falls away with distance, and how many
 * travel past a nearer outlet of the same kind to get there (Dover's Whitfield office). Outlet
 * names in the file are matched to facilities of one kind, ignoring case, punctuation and a
 * trailing "Library"; names that match nothing are reported with their users, never dropped.
 */
import { z } from 'zod';
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import { parseLevel } from '../geo/index.ts';
import { getDataset } from '../profiling/index.ts';
import {
  metresBetween,
  straightLineCosts,
  TRAVEL_MODES,
  type CostSource,
  type Place,
  type TravelMode,
} from './costs.ts';
import { facilitiesOfKind, matchFacilityName, normaliseKind } from './facilities.ts';
import type { LocationProgress } from './accessibility.ts';

export const PATTERNS_RESULT_VERSION = 1;
export const DEFAULT_KM_BANDS = [1, 2, 3, 5] as const;

const BandSchema = z.object({
  label: z.string(),
  from: z.number(),
  to: z.number().nullable(),
  users: z.number().nullable(),
  share: z.number().nullable(),
});

export const OutletPatternSchema = z.object({
  /** the facility's name ("All outlets" for the overall row) */
  outlet: z.string(),
  facilityId: z.string().nullable(),
  /** how the outlet is written in the file */
  spellings: z.array(z.string()),
  /** users whose postcode places them */
  users: z.number().nullable(),
  byArea: z.array(
    z.object({ code: z.string(), name: z.string().nullable(), users: z.number().nullable(), suppressed: z.boolean() }),
  ),
  bands: z.array(BandSchema),
  meanKm: z.number().nullable(),
  medianKm: z.number().nullable(),
  /** users for whom this outlet is the nearest of its kind */
  usesNearest: z.number().nullable(),
  /** users with a nearer outlet of the same kind than the one they use */
  passedNearer: z.number().nullable(),
  passedShare: z.number().nullable(),
  suppressed: z.boolean(),
});
export type OutletPattern = z.infer<typeof OutletPatternSchema>;

export const PatternsResultSchema = z.object({
  version: z.literal(PATTERNS_RESULT_VERSION),
  dataset: z.string(),
  outletColumn: z.string(),
  kind: z.string(),
  mode: z.enum(['car', 'walk', 'cycle']),
  costSource: z.string(),
  level: z.string(),
  bandUnit: z.enum(['km', 'minutes']),
  bandEdges: z.array(z.number()),
  outlets: z.array(OutletPatternSchema),
  overall: OutletPatternSchema,
  /** outlet names in the file that match no facility of the kind, with their records */
  unmatchedOutlets: z.array(z.object({ value: z.string(), records: z.number() })),
  /** facilities of the kind that nobody in the file uses */
  unusedFacilities: z.array(z.string()),
  notPlaced: z.object({ postcodeNotMatched: z.number(), noOutlet: z.number(), noCoordinates: z.number() }),
  disclosure: z.object({ minCell: z.number(), primary: z.number(), secondary: z.number() }).nullable(),
});
export type PatternsResult = z.infer<typeof PatternsResultSchema>;

export interface PatternsRequest {
  dataset: string;
  outletColumn: string;
  kind: string;
  /** areas for "where users come from"; wards when the directory has them */
  level?: string;
  /** band edges in km (default 1, 2, 3, 5) … */
  bandsKm?: number[];
  /** … or in minutes of travel */
  bandsMinutes?: number[];
  mode?: TravelMode;
  onProgress?: LocationProgress;
}

function bandLabels(edges: readonly number[], unit: string): { label: string; from: number; to: number | null }[] {
  const out = edges.map((to, k) => ({
    label: `${k ? edges[k - 1] : 0}–${to} ${unit}`,
    from: k ? edges[k - 1] : 0,
    to: to as number | null,
  }));
  out.push({ label: `${edges[edges.length - 1]}+ ${unit}`, from: edges[edges.length - 1], to: null });
  return out;
}

/** The band a value falls in: from ≤ value < to. */
function bandOf(edges: readonly number[], v: number): number {
  let k = 0;
  while (k < edges.length && v >= edges[k]) k++;
  return k;
}

interface Tally {
  users: number;
  byArea: Map<string, number>;
  bands: number[];
  kmSum: number;
  km: [number, number][];
  nearest: number;
  passed: number;
}
const newTally = (nBands: number): Tally => ({
  users: 0,
  byArea: new Map(),
  bands: new Array(nBands).fill(0),
  kmSum: 0,
  km: [],
  nearest: 0,
  passed: 0,
});

function weightedMedian(pairs: [number, number][]): number | null {
  const total = pairs.reduce((s, p) => s + p[1], 0);
  if (!total) return null;
  const sorted = [...pairs].sort((a, b) => a[0] - b[0]);
  let acc = 0;
  for (const [v, w] of sorted) {
    acc += w;
    if (acc >= total / 2) return v;
  }
  return sorted[sorted.length - 1][0];
}

export async function accessPatterns(
  engine: Engine,
  req: PatternsRequest,
  costs: CostSource = straightLineCosts(),
): Promise<PatternsResult> {
  const progress = req.onProgress ?? (() => {});
  const mode = req.mode ?? 'car';
  if (!TRAVEL_MODES.includes(mode))
    throw new ParameterError(`Unknown travel mode "${mode}".`, `Use one of: ${TRAVEL_MODES.join(', ')}.`);
  if (req.bandsKm && req.bandsMinutes) throw new ParameterError('Give distance bands in km or in minutes, not both.');
  const unit = req.bandsMinutes ? 'minutes' : 'km';
  const edges = req.bandsMinutes ?? req.bandsKm ?? [...DEFAULT_KM_BANDS];
  if (!edges.length || edges.some((e, k) => !(e > 0) || (k > 0 && e <= edges[k - 1])))
    throw new ParameterError(
      `Band edges must be increasing numbers above 0 (they were ${edges.join(', ')}).`,
      'Give them as --bands 1,2,3,5.',
    );
  const kind = normaliseKind(req.kind);
  const ds = await getDataset(engine, req.dataset);
  const columns: string[] = JSON.parse(ds.columns);
  const col =
    columns.find((c) => c === req.outletColumn) ??
    columns.find((c) => c.toLowerCase() === req.outletColumn.toLowerCase());
  if (!col)
    throw new ParameterError(
      `The dataset ${ds.name} has no column "${req.outletColumn}".`,
      `Its columns: ${columns.join(', ')}.`,
    );
  const facilities = await facilitiesOfKind(engine, kind);
  let level = req.level ? parseLevel(req.level) : null;
  if (req.level && !level)
    throw new ParameterError(`Unknown area level "${req.level}".`, 'Use ward, lsoa, msoa or oa.');
  if (!level)
    level = (await engine.one(`SELECT 1 AS x FROM postcode WHERE ward IS NOT NULL LIMIT 1`)) ? 'ward' : 'oa21';

  const t = ident(ds.table_name),
    C = ident(col),
    L = ident(level);
  // Each spelling of an outlet in the file, matched to a facility.
  const values = await engine.all<{ v: string | null; n: number; matched: number }>(
    `SELECT trim(${C}) AS v, count(*)::BIGINT AS n, count(*) FILTER (WHERE _status = 'matched')::BIGINT AS matched FROM ${t} GROUP BY 1 ORDER BY 1`,
  );
  const indexOf = new Map(facilities.map((f, j) => [f.id, j]));
  const facilityOf = new Map<string, number>();
  const unmatchedOutlets: PatternsResult['unmatchedOutlets'] = [];
  let noOutlet = 0;
  for (const r of values) {
    if (r.v === null || r.v === '') {
      noOutlet += r.n;
      continue;
    }
    const f = matchFacilityName(r.v, facilities, kind);
    if (!f) unmatchedOutlets.push({ value: r.v, records: r.n });
    else facilityOf.set(r.v, indexOf.get(f.id)!);
  }
  if (!facilityOf.size) {
    throw new WorkspaceStateError(
      `None of the values of ${col} matches the name of a ${kind} facility.`,
      `Values in the file include: ${unmatchedOutlets
        .slice(0, 6)
        .map((u) => `"${u.value}"`)
        .join(', ')}; facilities: ${facilities
        .slice(0, 6)
        .map((f) => f.name)
        .join(', ')}. Import the facilities with the names the file uses, or choose the right --kind.`,
    );
  }
  const postcodeNotMatched = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM ${t} WHERE _status <> 'matched' AND nullif(trim(${C}), '') IS NOT NULL`,
  ))!.n;

  const rows = await engine.all<{
    v: string;
    pc_key: string;
    lon: number | null;
    lat: number | null;
    area: string | null;
    n: number;
  }>(
    `SELECT trim(d.${C}) AS v, p.pc_key, p.lon, p.lat, p.${L} AS area, count(*)::BIGINT AS n
     FROM ${t} d JOIN postcode p ON p.pc_key = d._pc_key WHERE d._status = 'matched' AND nullif(trim(d.${C}), '') IS NOT NULL GROUP BY ALL ORDER BY 2, 1`,
  );
  const located = rows.filter(
    (r) => facilityOf.has(r.v) && r.lat !== null && r.lon !== null && r.lat >= 49 && r.lat <= 61.5,
  );
  const noCoordinates = rows.filter((r) => facilityOf.has(r.v) && !located.includes(r)).reduce((s, r) => s + r.n, 0);
  const pcIndex = new Map<string, number>();
  const origins: Place[] = [];
  for (const r of located)
    if (!pcIndex.has(r.pc_key)) {
      pcIndex.set(r.pc_key, origins.length);
      origins.push({ id: r.pc_key, lon: r.lon!, lat: r.lat! });
    }
  progress({ stage: 'travel', done: 0, total: 1 });
  const m = await costs.matrix(
    origins,
    facilities.map((f) => ({ id: f.id, lon: f.lon, lat: f.lat })),
    mode,
  );
  progress({ stage: 'travel', done: 1, total: 1 });
  const nd = facilities.length;

  const nBands = edges.length + 1;
  const tallies = facilities.map(() => newTally(nBands));
  const spellings = facilities.map(() => new Set<string>());
  const overall = newTally(nBands);
  for (const r of located) {
    const j = facilityOf.get(r.v)!;
    spellings[j].add(r.v);
    const o = pcIndex.get(r.pc_key)!;
    const row = o * nd;
    let nearest = Infinity;
    for (let d = 0; d < nd; d++) nearest = Math.min(nearest, m.minutes[row + d]);
    const minutes = m.minutes[row + j];
    const km = metresBetween({ lon: r.lon!, lat: r.lat! }, facilities[j]) / 1000;
    // A journey no longer than the nearest (to float precision) is a journey to a nearest outlet.
    const passed = minutes > nearest * (1 + 1e-6) + 1e-6;
    const band = bandOf(edges, unit === 'km' ? km : minutes);
    for (const tl of [tallies[j], overall]) {
      tl.users += r.n;
      if (r.area) tl.byArea.set(r.area, (tl.byArea.get(r.area) ?? 0) + r.n);
      tl.bands[band] += r.n;
      tl.kmSum += km * r.n;
      tl.km.push([km, r.n]);
      if (passed) tl.passed += r.n;
      else tl.nearest += r.n;
    }
  }
  for (const v of facilityOf.keys()) spellings[facilityOf.get(v)!].add(v);

  const names = new Map(
    (
      await engine.all<{ code: string; name: string | null }>(
        `SELECT code, ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 GROUP BY code`,
        [level],
      )
    ).map((r) => [r.code, r.name]),
  );
  const labels = bandLabels(edges, unit);
  const summarise = (tl: Tally, outlet: string, facilityId: string | null, sp: string[]): OutletPattern => ({
    outlet,
    facilityId,
    spellings: sp,
    users: tl.users,
    byArea: [...tl.byArea]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([code, users]) => ({ code, name: names.get(code) ?? null, users, suppressed: false })),
    bands: labels.map((b, k) => ({ ...b, users: tl.bands[k], share: tl.users ? tl.bands[k] / tl.users : null })),
    meanKm: tl.users ? tl.kmSum / tl.users : null,
    medianKm: weightedMedian(tl.km),
    usesNearest: tl.nearest,
    passedNearer: tl.passed,
    passedShare: tl.users ? tl.passed / tl.users : null,
    suppressed: false,
  });
  const used = facilities.map((f, j) => ({ f, j })).filter(({ j }) => spellings[j].size > 0);
  return {
    version: PATTERNS_RESULT_VERSION,
    dataset: ds.name,
    outletColumn: col,
    kind,
    mode,
    costSource: costs.description,
    level,
    bandUnit: unit,
    bandEdges: edges,
    outlets: used.map(({ f, j }) => summarise(tallies[j], f.name, f.id, [...spellings[j]].sort())),
    overall: summarise(overall, 'All outlets', null, []),
    unmatchedOutlets: unmatchedOutlets.sort((a, b) => b.records - a.records || a.value.localeCompare(b.value)),
    unusedFacilities: facilities.filter((_, j) => spellings[j].size === 0).map((f) => f.name),
    notPlaced: { postcodeNotMatched, noOutlet, noCoordinates },
    disclosure: null,
  };
}
