/**
 * Reads what site choice and scenarios need from a workspace: demand points (areas at the base's
 * level, at the mean position of their live postcodes, weighted by households or population, or by
 * the households of chosen segments only), an optional group label per area (its segment), candidate
 * sites (facilities of a kind, a grid over the borough, hypothetical points) and the travel costs
 * between them. The analyses in sites.ts, highs.ts and scenarios.ts stay pure; this is the only
 * part that touches the database.
 */
import { NotFoundError, ParameterError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { parseLevel, type AreaLevel } from '../geo/index.ts';
import { baseLevel, getDataset, resolveClassification } from '../profiling/index.ts';
import {
  metresBetween,
  straightLineCosts,
  type CostMatrix,
  type CostSource,
  type Place,
  type TravelMode,
} from './costs.ts';
import { facilitiesOfKind, outletKey } from './facilities.ts';
import { areaOrigins } from './origins.ts';
import { readCostFile, readDemandFile } from './cost-file.ts';

/** A place a site could be: an existing facility, a grid point or a point someone named. */
export interface SiteCandidate extends Place {
  name: string;
  source: 'facility' | 'grid' | 'point' | 'file';
  /** Open today (an existing facility of the kind). */
  existing: boolean;
}

export interface SiteInputRequest {
  /** Facility kind: its facilities are the existing sites and candidates. */
  kind?: string;
  /** Add candidate sites on a square grid with this spacing (metres) over the demand's extent. */
  gridMetres?: number;
  /** Leave out the facilities as candidates (other than those open today, which scenarios need). */
  gridOnly?: boolean;
  /** Extra named points, e.g. a proposed site. */
  points?: readonly { name: string; lon: number; lat: number }[];
  /** Demand areas' level (default: the classification's level when one is used, else the base's finest). */
  level?: string;
  measure?: 'households' | 'population';
  /** Demand = this dataset's matched records per area (e.g. blue badge holders for vulnerable households) instead of the base. */
  weightDataset?: string;
  /** Classification and tier for the group labels (default: the first classification's top tier, if any). */
  classification?: string;
  tier?: string;
  /** Count only the demand in these segments (codes at the tier), e.g. one target segment. */
  segments?: readonly string[];
  mode?: TravelMode;
}

export interface SiteInputs {
  /** The demand areas' level; null when demand comes from a cost file's origins. */
  level: AreaLevel | null;
  measure: 'households' | 'population' | null;
  /** What the weights count, in words: "households", "population" or "blue_badge records". */
  demand: string;
  /** Demand points (areas) with their weights and labels, in cost-matrix order. */
  weights: Float64Array;
  groups: string[] | undefined;
  classification: { name: string; tier: string } | null;
  candidates: SiteCandidate[];
  /** Candidate indexes of the sites open today. */
  existing: number[];
  /** With --grid-only: the candidates that may be newly opened (today's sites may only be kept). */
  onlyNew?: number[];
  costs: CostMatrix;
  /** How the inputs were made, in words, for the notes under a table. */
  notes: string[];
}

/** Largest grid accepted: beyond it, site choice would be slow and the matrix large. */
export const MAX_GRID_CANDIDATES = 5000;

/** Points on a square grid (spacing in metres) over a box, ids "grid-ROW-COL" from the south-west corner. */
export function gridCandidates(
  bbox: { minLon: number; minLat: number; maxLon: number; maxLat: number },
  spacingMetres: number,
): Place[] {
  if (!(spacingMetres > 0) || !Number.isFinite(spacingMetres))
    throw new ParameterError(`The grid spacing must be a number of metres above 0 (it was ${spacingMetres}).`);
  const midLat = (bbox.minLat + bbox.maxLat) / 2;
  const dLat = spacingMetres / 111_320;
  const dLon = spacingMetres / (111_320 * Math.cos((midLat * Math.PI) / 180));
  const rows = Math.floor((bbox.maxLat - bbox.minLat) / dLat) + 1;
  const cols = Math.floor((bbox.maxLon - bbox.minLon) / dLon) + 1;
  if (rows * cols > MAX_GRID_CANDIDATES * 4)
    throw new ParameterError(
      `A ${spacingMetres} m grid over this area has ${(rows * cols).toLocaleString('en-GB')} points, too many to choose among.`,
      'Use a wider spacing, e.g. --grid 500.',
    );
  const out: Place[] = [];
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++)
      out.push({ id: `grid-${r}-${c}`, lon: bbox.minLon + c * dLon, lat: bbox.minLat + r * dLat });
  return out;
}

/** Demand, labels, candidates and costs for site choice or scenarios. */
export async function loadSiteInputs(
  engine: Engine,
  req: SiteInputRequest,
  costSource: CostSource = straightLineCosts(),
): Promise<SiteInputs> {
  const measure = req.measure ?? 'households';
  const notes: string[] = [];
  const cls = await resolveClassification(engine, req.classification, req.tier);
  if (req.segments?.length && !cls)
    throw new ParameterError(
      'Demand limited to segments needs a classification, and the workspace has none.',
      'Import or build a classification first, or leave out --segments.',
    );
  let level: AreaLevel;
  if (req.level) {
    const l = parseLevel(req.level);
    if (!l) throw new ParameterError(`Unknown area level "${req.level}".`);
    level = l;
  } else level = cls ? (parseLevel(cls.level) ?? (await baseLevel(engine, measure))) : await baseLevel(engine, measure);
  if (cls && cls.level !== level) {
    throw new ParameterError(
      `The classification ${cls.name} labels ${cls.level} areas, but demand is by ${level}.`,
      `Use --level ${cls.level}, or leave out --level.`,
    );
  }
  const origins = await areaOrigins(engine, { level });
  notes.push(
    `Demand: ${measure} in ${origins.origins.length.toLocaleString('en-GB')} ${level} areas, placed at the ${origins.method}.`,
  );
  if (origins.unplaced.length)
    notes.push(
      `${origins.unplaced.length} areas could not be placed (no postcodes, no boundary) and are left out: ${origins.unplaced.slice(0, 5).join(', ')}${origins.unplaced.length > 5 ? ' …' : ''}.`,
    );

  let labels: Map<string, string> | null = null;
  if (cls) {
    const rows = await engine.all<{ area_code: string; code: string }>(
      `SELECT area_code, code FROM area_segment WHERE classification = $1 AND tier = $2`,
      [cls.name, cls.tier],
    );
    labels = new Map(rows.map((r) => [r.area_code, r.code]));
    notes.push(`Groups: ${cls.name} ${cls.tier} segments.`);
  }
  const wanted = req.segments?.length ? new Set(req.segments) : null;
  if (wanted && labels) {
    const known = new Set(labels.values());
    const unknown = [...wanted].filter((s) => !known.has(s));
    if (unknown.length)
      throw new NotFoundError(
        `No ${cls!.name} ${cls!.tier} area is in segment ${unknown.join(', ')}.`,
        `Segments at this tier: ${[...known].sort().join(', ')}.`,
      );
    notes.push(
      `Only the ${measure} in segment${wanted.size > 1 ? 's' : ''} ${[...wanted].join(', ')} count as demand.`,
    );
  }
  let records: Map<string, number> | null = null;
  if (req.weightDataset) {
    const ds = await getDataset(engine, req.weightDataset);
    const rows = await engine.all<{ code: string; n: number }>(
      `SELECT p.${ident(level)} AS code, count(*)::BIGINT AS n FROM ${ident(ds.table_name)} d JOIN postcode p ON p.pc_key = d._pc_key
       WHERE d._status = 'matched' AND p.${ident(level)} IS NOT NULL GROUP BY 1`,
    );
    records = new Map(rows.map((r) => [r.code, r.n]));
    notes.push(
      `Demand: the ${req.weightDataset} records in each area (${[...records.values()].reduce((a, b) => a + b, 0).toLocaleString('en-GB')} matched), not ${measure}.`,
    );
  }
  const weights = Float64Array.from(origins.origins, (o) => {
    const v = records ? (records.get(o.id) ?? 0) : ((measure === 'households' ? o.households : o.population) ?? 0);
    if (wanted && !wanted.has(labels?.get(o.id) ?? '')) return 0;
    return v;
  });
  const groups = labels ? origins.origins.map((o) => labels!.get(o.id) ?? 'unclassified') : undefined;

  const candidates: SiteCandidate[] = [];
  if (req.kind) {
    for (const f of await facilitiesOfKind(engine, req.kind))
      candidates.push({ id: f.id, name: f.name, lon: f.lon, lat: f.lat, source: 'facility', existing: true });
  }
  if (req.gridMetres !== undefined) {
    const lons = origins.origins.map((o) => o.lon),
      lats = origins.origins.map((o) => o.lat);
    const grid = gridCandidates(
      { minLon: Math.min(...lons), maxLon: Math.max(...lons), minLat: Math.min(...lats), maxLat: Math.max(...lats) },
      req.gridMetres,
    );
    // Only grid points with some demand point within one spacing: the rest lie outside the borough.
    const kept = grid.filter((g) => origins.origins.some((o) => metresBetween(o, g) <= req.gridMetres!));
    if (kept.length > MAX_GRID_CANDIDATES)
      throw new ParameterError(
        `A ${req.gridMetres} m grid gives ${kept.length.toLocaleString('en-GB')} candidate sites, more than ${MAX_GRID_CANDIDATES.toLocaleString('en-GB')}.`,
        'Use a wider spacing.',
      );
    for (const g of kept) candidates.push({ ...g, name: g.id, source: 'grid', existing: false });
    notes.push(
      `Candidates: ${kept.length.toLocaleString('en-GB')} points on a ${req.gridMetres} m grid${req.kind ? ` and the ${req.kind} sites` : ''}.`,
    );
  } else if (req.kind)
    notes.push(
      `Candidates: the ${candidates.length} ${req.kind} sites${(req.points ?? []).length ? ` and ${req.points!.length} proposed point${req.points!.length > 1 ? 's' : ''}` : ''}.`,
    );
  for (const p of req.points ?? []) {
    // Anywhere on Earth: straight-line costs need no map, and a site may sit over a border.
    if (!(p.lon >= -180 && p.lon <= 180 && p.lat >= -90 && p.lat <= 90))
      throw new ParameterError(
        `${p.lon}, ${p.lat} (${p.name}) is not a longitude (−180 to 180) and latitude (−90 to 90).`,
        'Give it as NAME@LON,LAT, longitude first, e.g. "New hub@-2.35,53.39".',
      );
    if (candidates.some((c) => c.id === p.name))
      throw new ParameterError(`"${p.name}" is already a site; give the new point another name.`);
    candidates.push({ id: p.name, name: p.name, lon: p.lon, lat: p.lat, source: 'point', existing: false });
  }
  // --grid-only: today's sites stay in the matrix (fixed sites and scenarios need them) but are not
  // offered as new places to open; callers keep or close them explicitly.
  if (req.gridOnly && req.gridMetres === undefined && !(req.points ?? []).length) {
    throw new ParameterError(
      '--grid-only needs a grid or proposed points to choose from.',
      'Add --grid METRES or --point "NAME@LON,LAT".',
    );
  }
  if (!candidates.length)
    throw new ParameterError(
      'There are no candidate sites.',
      'Name a facility kind (--kind library), a grid (--grid 500), or points (--point "NAME@LON,LAT").',
    );
  const existing = candidates.flatMap((c, j) => (c.existing ? [j] : []));
  const onlyNew = req.gridOnly ? candidates.flatMap((c, j) => (c.existing ? [] : [j])) : undefined;
  const mode = req.mode ?? 'car';
  const costs = await costSource.matrix(origins.origins, candidates, mode);
  notes.push(`Travel: ${costs.source}.`);
  return {
    level,
    measure,
    demand: req.weightDataset ? `${req.weightDataset} records` : measure,
    weights,
    groups,
    classification: cls ? { name: cls.name, tier: cls.tier } : null,
    candidates,
    existing,
    onlyNew,
    costs,
    notes,
  };
}

/**
 * Site-choice inputs from a cost matrix file (see cost-file.ts) instead of a workspace: its origins
 * are the demand points, weighted from the demand file or 1 each, and its destinations the candidates.
 */
export async function costFileInputs(
  costsPath: string,
  demandPath?: string,
  mode: TravelMode = 'car',
): Promise<SiteInputs> {
  const file = await readCostFile(costsPath, mode);
  const { costs } = file;
  const weights = demandPath
    ? await readDemandFile(demandPath, costs.origins)
    : new Float64Array(costs.origins.length).fill(1);
  const notes = [
    `Costs: ${costs.source}: ${file.rowsRead.toLocaleString('en-GB')} rows read, ${costs.origins.length.toLocaleString('en-GB')} origins × ${costs.destinations.length.toLocaleString('en-GB')} candidate sites = ${file.pairs.toLocaleString('en-GB')} pairs${file.unreachablePairs ? `, ${file.unreachablePairs.toLocaleString('en-GB')} of them unreachable` : ''}.`,
    demandPath
      ? `Demand: the weights in ${demandPath.split(/[\\/]/).pop()}, ${weights.reduce((a, b) => a + b, 0).toLocaleString('en-GB')} in all.`
      : 'Demand: each origin weighs 1 (give --demand FILE with columns origin,weight to weigh them).',
  ];
  return {
    level: null,
    measure: null,
    demand: demandPath ? 'demand' : 'origins',
    weights,
    groups: undefined,
    classification: null,
    candidates: costs.destinations.map((d) => ({ ...d, name: d.id, source: 'file', existing: false })),
    existing: [],
    costs,
    notes,
  };
}

/** A candidate by id, by exact name or by a name as people write it ("Sale" for "Sale Library"). */
export function findCandidate(inputs: Pick<SiteInputs, 'candidates'>, idOrName: string): number {
  const want = idOrName.trim();
  const j = inputs.candidates.findIndex((c) => c.id === want);
  if (j >= 0) return j;
  const byName = inputs.candidates.flatMap((c, k) => (c.name.toLowerCase() === want.toLowerCase() ? [k] : []));
  const hits = byName.length
    ? byName
    : inputs.candidates.flatMap((c, k) => (outletKey(c.name) === outletKey(want) ? [k] : []));
  if (hits.length === 1) return hits[0];
  if (hits.length > 1)
    throw new ParameterError(
      `"${idOrName}" names ${hits.length} sites.`,
      `Give one of their ids: ${hits.map((k) => inputs.candidates[k].id).join(', ')}.`,
    );
  const some = inputs.candidates
    .filter((c) => c.source !== 'grid')
    .slice(0, 10)
    .map((c) => c.name);
  throw new NotFoundError(
    `There is no site called "${idOrName}".`,
    some.length
      ? `Sites include: ${some.join(', ')}. A new site can be added with --point "NAME@LON,LAT".`
      : 'Add a new site with --point "NAME@LON,LAT".',
  );
}

/**
 * The sites to keep open (today's, and any named) as fixed candidate indexes. With gridOnly, the
 * candidates are cut to the kept sites and the new ones, so nothing else of today's can be chosen.
 */
export function withKeptSites(
  all: SiteInputs,
  opts: { keepExisting?: boolean; keep?: readonly string[] },
): { inputs: SiteInputs; fixed: number[] } {
  const kept = new Set<number>(opts.keepExisting ? all.existing : []);
  for (const k of opts.keep ?? []) kept.add(findCandidate(all, k));
  const inputs = all.onlyNew ? restrictCandidates(all, [...kept, ...all.onlyNew]) : all;
  return { inputs, fixed: [...kept].map((j) => inputs.candidates.indexOf(all.candidates[j])) };
}

/** The same inputs with only some candidates (by index), their costs cut to match; `existing` follows. */
function restrictCandidates(inputs: SiteInputs, keep: readonly number[]): SiteInputs {
  const cols = [...new Set(keep)].sort((a, b) => a - b);
  const n = inputs.costs.destinations.length,
    rows = inputs.costs.origins.length;
  const minutes = new Float32Array(rows * cols.length);
  for (let o = 0; o < rows; o++)
    cols.forEach((j, k) => {
      minutes[o * cols.length + k] = inputs.costs.minutes[o * n + j];
    });
  const candidates = cols.map((j) => inputs.candidates[j]);
  return {
    ...inputs,
    candidates,
    onlyNew: undefined,
    existing: candidates.flatMap((c, k) => (c.existing ? [k] : [])),
    costs: { ...inputs.costs, destinations: candidates, minutes },
  };
}
