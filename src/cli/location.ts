/**
 * `civic location`: accessibility indicators, floating-catchment ratios, catchment profiles and
 * access patterns. registerLocation returns the group so that more subcommands can join it.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { TRAVEL_MODES } from '../location/constants.ts';
import { lazy, list } from './io.ts';

const formatOf = (choices: string[]) =>
  new Option('--format <format>', 'output format').choices(choices).default(choices[0]);
const modeOption = () => new Option('--mode <mode>', 'how people travel').choices([...TRAVEL_MODES]).default('car');

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
    .action(lazy(() => import('./actions/location.ts'), 'access'));

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
    .action(lazy(() => import('./actions/location.ts'), 'sfca'));

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
    .action(lazy(() => import('./actions/location.ts'), 'catchment'));

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
    .action(lazy(() => import('./actions/location.ts'), 'patterns'));
  for (const cmd of group.commands) addCostOptions(cmd);
  return group;
}
