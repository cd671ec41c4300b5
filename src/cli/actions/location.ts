/**
 * `civic location access`, `sfca`, `catchment` and `patterns`; and the travel-cost source that
 * every command pricing journeys uses.
 */
import { withWorkspace } from '../../store/index.ts';
import { areaBoundaries } from '../../reference/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import {
  accessibility,
  sfca as floatingCatchment,
  catchment as catchmentProfile,
  accessPatterns,
  parseSteps,
  defaultSteps,
  straightLineCosts,
  loadRoadNetwork,
  networkCosts,
  loadValhalla,
  valhallaCosts,
  type CostSource,
  type Decay,
  type TravelMode,
} from '../../location/index.ts';
import {
  accessToTable,
  accessToCsv,
  accessToXlsx,
  accessToGeoJson,
  sfcaToTable,
  sfcaToCsv,
  sfcaToXlsx,
  sfcaToGeoJson,
  discloseCatchment,
  catchmentToTable,
  catchmentToCsv,
  catchmentToXlsx,
  catchmentToGeoJson,
  disclosePatterns,
  patternsToTable,
  patternsToCsv,
  patternsToXlsx,
  locationToJson,
} from '../../outputs/index.ts';
import { emit } from '../io.ts';
import { progressBar } from './progress.ts';

/** Numbers from "15,30,45,60". */
function numbers(spec: string, what: string): number[] {
  const out = spec.split(',').map((s) => Number(s.trim()));
  if (!out.length || out.some((n) => !Number.isFinite(n)))
    throw new ParameterError(`Cannot read ${what} "${spec}".`, `Give numbers separated by commas, e.g. 15,30,45,60.`);
  return out;
}

function positive(v: string | undefined, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!(n > 0) || !Number.isFinite(n)) throw new ParameterError(`${what} must be a number above 0, not "${v}".`);
  return n;
}

/**
 * Straight-line costs unless --network names an OpenStreetMap extract (.osm.pbf), in which case
 * journeys are timed along its roads and paths (Dijkstra); places more than 2 km from a usable road
 * count as unreachable.
 */
export async function costSourceFor(o: {
  circuity?: string;
  network?: string;
  valhalla?: string;
}): Promise<CostSource> {
  if (o.network && o.valhalla) throw new ParameterError('Give either --network or --valhalla, not both.');
  if (o.valhalla) {
    if (o.circuity !== undefined)
      throw new ParameterError(
        '--circuity is for straight-line costs; Valhalla gives road distances itself.',
        'Leave out --circuity.',
      );
    return valhallaCosts(await loadValhalla(o.valhalla), { label: o.valhalla });
  }
  if (o.network) {
    if (o.circuity !== undefined)
      throw new ParameterError(
        '--circuity is for straight-line costs; a road network gives road distances itself.',
        'Leave out --circuity, or leave out --network.',
      );
    return networkCosts(await loadRoadNetwork(o.network));
  }
  return straightLineCosts({ circuity: o.circuity === undefined ? undefined : Number(o.circuity) });
}

function needsFile(format: string, out: string | undefined): void {
  if (format === 'xlsx' && !out) throw new ParameterError('An XLSX file needs somewhere to go.', 'Add --out FILE.xlsx');
}

/** The owner's own screen is unsuppressed by default; anything written to a file or in a machine format is an export. */
function minCellFor(o: { minCell?: string; format: string; out?: string }): number {
  const n = o.minCell !== undefined ? Number(o.minCell) : o.format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(n) || n < 0) throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  return n;
}

export async function access(
  workspace: string,
  o: {
    kind?: string[];
    level?: string;
    thresholds: string;
    mode: TravelMode;
    measure: 'households' | 'population';
    weightDataset?: string;
    circuity?: string;
    network?: string;
    valhalla?: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  needsFile(o.format, o.out);
  const bar = progressBar(o.format !== 'json');
  try {
    await withWorkspace(workspace, async (ws) => {
      const r = await accessibility(
        ws.engine,
        {
          kinds: o.kind,
          level: o.level,
          thresholds: numbers(o.thresholds, '--thresholds'),
          mode: o.mode,
          measure: o.measure,
          weightDataset: o.weightDataset,
          onProgress: (p) => bar.update(p),
        },
        await costSourceFor(o),
      );
      bar.stop();
      if (o.format === 'json') emit(locationToJson(r), o.out);
      else if (o.format === 'csv') emit(accessToCsv(r), o.out);
      else if (o.format === 'xlsx') emit(await accessToXlsx(r), o.out);
      else if (o.format === 'geojson') emit(accessToGeoJson(r, await areaBoundaries(ws.engine, r.level)), o.out);
      else emit(accessToTable(r), o.out);
    });
  } finally {
    bar.stop();
  }
}

export async function sfca(
  workspace: string,
  o: {
    kind: string;
    catchment: string;
    decay: string;
    steps?: string;
    supply: 'auto' | 'capacity' | 'count';
    demand: 'households' | 'population';
    level?: string;
    mode: TravelMode;
    weightDataset?: string;
    circuity?: string;
    network?: string;
    valhalla?: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  needsFile(o.format, o.out);
  const minutes = positive(o.catchment, '--catchment')!;
  if (o.steps && o.decay !== 'stepped') throw new ParameterError('--steps goes with --decay stepped.');
  const decay: Decay =
    o.decay === 'stepped'
      ? { kind: 'stepped', steps: o.steps ? parseSteps(o.steps) : defaultSteps(minutes) }
      : o.decay === 'gaussian'
        ? { kind: 'gaussian' }
        : { kind: 'none' };
  const bar = progressBar(o.format !== 'json');
  try {
    await withWorkspace(workspace, async (ws) => {
      const r = await floatingCatchment(
        ws.engine,
        {
          kind: o.kind,
          catchment: minutes,
          decay,
          supply: o.supply,
          demand: o.demand,
          level: o.level,
          mode: o.mode,
          weightDataset: o.weightDataset,
          onProgress: (p) => bar.update(p),
        },
        await costSourceFor(o),
      );
      bar.stop();
      if (o.format === 'json') emit(locationToJson(r), o.out);
      else if (o.format === 'csv') emit(sfcaToCsv(r), o.out);
      else if (o.format === 'xlsx') emit(await sfcaToXlsx(r), o.out);
      else if (o.format === 'geojson') emit(sfcaToGeoJson(r, await areaBoundaries(ws.engine, r.level)), o.out);
      else emit(sfcaToTable(r), o.out);
    });
  } finally {
    bar.stop();
  }
}

export async function catchment(
  workspace: string,
  o: {
    site?: string;
    kind?: string;
    at?: string;
    within?: string;
    metres?: string;
    classification?: string;
    tier?: string;
    measure: 'households' | 'population';
    mode: TravelMode;
    circuity?: string;
    network?: string;
    valhalla?: string;
    minCell?: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  needsFile(o.format, o.out);
  if (!o.site === !o.at) throw new ParameterError('Give the site as --site NAME or --at LON,LAT (one of them).');
  let site: { facility: string; kind?: string } | { lon: number; lat: number };
  if (o.at) {
    const [lon, lat] = numbers(o.at, '--at');
    site = { lon, lat };
  } else site = { facility: o.site!, kind: o.kind };
  const minCell = minCellFor(o);
  const bar = progressBar(o.format !== 'json');
  try {
    await withWorkspace(workspace, async (ws) => {
      const truth = await catchmentProfile(
        ws.engine,
        {
          site,
          minutes: positive(o.within, '--within'),
          metres: positive(o.metres, '--metres'),
          classification: o.classification,
          tier: o.tier,
          measure: o.measure,
          mode: o.mode,
          onProgress: (p) => bar.update(p),
        },
        await costSourceFor(o),
      );
      bar.stop();
      const r = discloseCatchment(truth, minCell);
      if (o.format === 'json') emit(locationToJson(r), o.out);
      else if (o.format === 'csv') emit(catchmentToCsv(r), o.out);
      else if (o.format === 'xlsx') emit(await catchmentToXlsx(r), o.out);
      else if (o.format === 'geojson') emit(catchmentToGeoJson(r), o.out);
      else emit(catchmentToTable(r), o.out);
    });
  } finally {
    bar.stop();
  }
}

export async function patterns(
  workspace: string,
  dataset: string,
  o: {
    outletColumn: string;
    kind: string;
    level?: string;
    bands: string;
    bandsMinutes?: string;
    mode: TravelMode;
    circuity?: string;
    network?: string;
    valhalla?: string;
    minCell?: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  needsFile(o.format, o.out);
  const minCell = minCellFor(o);
  const bar = progressBar(o.format !== 'json');
  try {
    await withWorkspace(workspace, async (ws) => {
      const truth = await accessPatterns(
        ws.engine,
        {
          dataset,
          outletColumn: o.outletColumn,
          kind: o.kind,
          level: o.level,
          mode: o.mode,
          bandsKm: o.bandsMinutes ? undefined : numbers(o.bands, '--bands'),
          bandsMinutes: o.bandsMinutes ? numbers(o.bandsMinutes, '--bands-minutes') : undefined,
          onProgress: (p) => bar.update(p),
        },
        await costSourceFor(o),
      );
      bar.stop();
      const r = disclosePatterns(truth, minCell);
      if (o.format === 'json') emit(locationToJson(r), o.out);
      else if (o.format === 'csv') emit(patternsToCsv(r), o.out);
      else if (o.format === 'xlsx') emit(await patternsToXlsx(r), o.out);
      else emit(patternsToTable(r), o.out);
    });
  } finally {
    bar.stop();
  }
}
