/**
 * `civic location`: accessibility indicators, floating-catchment ratios, catchment profiles and
 * access patterns. registerLocation returns the group so that more subcommands can join it.
 */
import { Option, type Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../core/index.ts';
import {
  accessibility,
  sfca,
  catchment,
  accessPatterns,
  areaBoundaries,
  parseSteps,
  defaultSteps,
  straightLineCosts,
  loadRoadNetwork,
  networkCosts,
  loadValhalla,
  valhallaCosts,
  TRAVEL_MODES,
  type CostSource,
  type Decay,
  type TravelMode,
} from '../location/index.ts';
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
} from '../outputs/index.ts';
import { action, emit, list, progressBar } from './io.ts';

const formatOf = (choices: string[]) =>
  new Option('--format <format>', 'output format').choices(choices).default(choices[0]);
const modeOption = () => new Option('--mode <mode>', 'how people travel').choices([...TRAVEL_MODES]).default('car');

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

/** The travel-cost source the options ask for (straight line for now; the road network joins here). */
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

/** How journeys are priced, the same on every command that needs it: straight line, a road network or Valhalla. */
export function addCostOptions(cmd: Command): Command {
  return cmd
    .option('--circuity <factor>', 'straight-line distance × this for the road distance (default 1.3)')
    .option(
      '--network <file>',
      'time journeys along the roads of this OpenStreetMap extract (.osm.pbf) instead of straight lines',
    )
    .option(
      '--valhalla <config>',
      'time journeys with Valhalla, from this configuration file (needs @valhallajs/valhallajs installed and tiles built)',
    );
}

export function registerLocation(program: Command): Command {
  const group = program
    .command('location')
    .description(
      'Location planning: journey times to facilities, catchments, where users come from, choosing sites and what-if scenarios',
    );

  group
    .command('access')
    .description(
      'Minutes from every area to the nearest facility of each kind, facilities within each time, and the share of households within each time (DfT Journey Time Statistics shape)',
    )
    .argument('<workspace>', 'workspace file')
    .option('--kind <kinds>', 'facility kinds, comma-separated (all kinds when not given)', list)
    .option('--level <level>', 'areas to measure from: oa21, lsoa21, ward … (the finest level of the base by default)')
    .option('--thresholds <minutes>', 'journey-time thresholds in minutes', '15,30,45,60')
    .addOption(modeOption())
    .addOption(
      new Option('--measure <measure>', 'whose share: households or population')
        .choices(['households', 'population'])
        .default('households'),
    )
    .option(
      '--weight-dataset <dataset>',
      'a dataset with one record per household whose records per postcode weight the area centroids',
    )
    .addOption(formatOf(['table', 'csv', 'json', 'xlsx', 'geojson']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .addHelpText(
      'after',
      `
Examples:
  civic location access trafford.civic --kind library
  civic location access trafford.civic --kind library,gp_surgery --mode walk --thresholds 10,20,30
  civic location access trafford.civic --kind library --format geojson --out library_access.geojson`,
    )
    .action(
      action(
        async (
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
        ) => {
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
              else if (o.format === 'geojson')
                emit(accessToGeoJson(r, await areaBoundaries(ws.engine, r.level)), o.out);
              else emit(accessToTable(r), o.out);
            });
          } finally {
            bar.stop();
          }
        },
      ),
    );

  group
    .command('sfca')
    .description('Two-step floating catchment (2SFCA / E2SFCA): supply within reach per 1,000 people, for every area')
    .argument('<workspace>', 'workspace file')
    .requiredOption('--kind <kind>', 'facility kind, e.g. gp_surgery')
    .option('--catchment <minutes>', 'the catchment in minutes', '30')
    .addOption(
      new Option(
        '--decay <decay>',
        'none (classic 2SFCA), stepped (E2SFCA, weights 1, 0.68, 0.22 by thirds of the catchment) or gaussian',
      )
        .choices(['none', 'stepped', 'gaussian'])
        .default('none'),
    )
    .option('--steps <spec>', 'stepped weights as MINUTES:WEIGHT, e.g. 10:1,20:0.68,30:0.22')
    .addOption(
      new Option('--supply <supply>', 'capacity, count (1 per facility) or auto (capacity when every facility has one)')
        .choices(['auto', 'capacity', 'count'])
        .default('auto'),
    )
    .addOption(
      new Option('--demand <measure>', 'households or population')
        .choices(['households', 'population'])
        .default('population'),
    )
    .option('--level <level>', 'areas to measure from (the finest level of the base by default)')
    .addOption(modeOption())
    .option('--weight-dataset <dataset>', 'a dataset whose records per postcode weight the area centroids')
    .addOption(formatOf(['table', 'csv', 'json', 'xlsx', 'geojson']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .addHelpText(
      'after',
      `
Examples:
  civic location sfca trafford.civic --kind gp_surgery --catchment 15
  civic location sfca trafford.civic --kind library --decay gaussian --catchment 20 --format csv --out library_2sfca.csv
  civic location sfca borough.civic --kind library --decay stepped --steps 5:1,10:0.68,15:0.22 --catchment 15`,
    )
    .action(
      action(
        async (
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
        ) => {
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
              const r = await sfca(
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
        },
      ),
    );

  group
    .command('catchment')
    .description(
      'Who lives within a time or distance of a site, profiled by segment against the borough (households, % of catchment, % of borough, index)',
    )
    .argument('<workspace>', 'workspace file')
    .option('--site <name>', 'a facility, by name or id')
    .option('--kind <kind>', "the facility's kind, when its name is not unique")
    .option('--at <lon,lat>', 'or a point, as longitude,latitude')
    .option('--within <minutes>', 'the catchment in minutes of travel')
    .option('--metres <metres>', 'or in metres as the crow flies')
    .option('--classification <name>', 'classification to profile by (the first imported by default)')
    .option('--tier <tier>', 'tier of the classification (the top tier by default)')
    .addOption(
      new Option('--measure <measure>', 'households or population')
        .choices(['households', 'population'])
        .default('households'),
    )
    .addOption(modeOption())
    .option(
      '--min-cell <n>',
      `suppress segment counts under n (default ${DEFAULT_MIN_CELL} for files and csv, xlsx, json, geojson; 0 on screen)`,
    )
    .addOption(formatOf(['table', 'csv', 'json', 'xlsx', 'geojson']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .addHelpText(
      'after',
      `
The outline in the GeoJSON is a hull round the reached areas, for display only: the figures count whole
areas whose population-weighted centroid is within reach.

Examples:
  civic location catchment trafford.civic --site "Altrincham Library" --within 15 --classification oac2021 --tier supergroup
  civic location catchment trafford.civic --at -2.35,53.39 --metres 2000
  civic location catchment trafford.civic --site Sale --kind library --within 10 --format geojson --out sale.geojson`,
    )
    .action(
      action(
        async (
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
        ) => {
          needsFile(o.format, o.out);
          if (!o.site === !o.at)
            throw new ParameterError('Give the site as --site NAME or --at LON,LAT (one of them).');
          let site: { facility: string; kind?: string } | { lon: number; lat: number };
          if (o.at) {
            const [lon, lat] = numbers(o.at, '--at');
            site = { lon, lat };
          } else site = { facility: o.site!, kind: o.kind };
          const minCell = minCellFor(o);
          const bar = progressBar(o.format !== 'json');
          try {
            await withWorkspace(workspace, async (ws) => {
              const truth = await catchment(
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
        },
      ),
    );

  group
    .command('patterns')
    .description(
      "Where each outlet's users come from, how use falls with distance, and how many pass a nearer outlet of the same kind",
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'a dataset with an outlet column, e.g. library_members')
    .requiredOption('--outlet-column <column>', 'the column naming the outlet each record uses, e.g. Branch')
    .requiredOption('--kind <kind>', 'the facilities the outlets are, e.g. library')
    .option('--level <level>', 'areas users come from: ward, lsoa, msoa, oa (ward by default)')
    .option('--bands <km>', 'distance bands in km', '1,2,3,5')
    .option('--bands-minutes <minutes>', 'or bands in minutes of travel, e.g. 5,10,15,20')
    .addOption(modeOption())
    .option(
      '--min-cell <n>',
      `suppress counts of users under n (default ${DEFAULT_MIN_CELL} for files and csv, xlsx, json; 0 on screen)`,
    )
    .addOption(formatOf(['table', 'csv', 'json', 'xlsx']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .addHelpText(
      'after',
      `
Outlet names are matched to the facilities' names ignoring case, punctuation and a trailing "Library";
names that match nothing are listed with their records.

Examples:
  civic location patterns borough.civic library_members --outlet-column Branch --kind library
  civic location patterns borough.civic library_members --outlet-column Branch --kind library --bands-minutes 5,10,15 --format xlsx --out branches.xlsx`,
    )
    .action(
      action(
        async (
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
        ) => {
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
        },
      ),
    );
  for (const cmd of group.commands) addCostOptions(cmd);
  return group;
}
