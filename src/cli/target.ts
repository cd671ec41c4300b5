import type { Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { DEFAULT_MIN_INDEX, DEFAULT_ROUNDS } from '../targeting/constants.ts';
import { formatOption, lazy, tierOption, tierAlias } from './io.ts';

export function registerTarget(program: Command): void {
  // `civic target evaluate` shares option names (--areas, --base, --format …) with `civic target`:
  // each command's options must stop at its subcommand's name, or the parent would take them.
  // (The program has no options of its own but --help and --version, which still work first.)
  const target = program
    .command('target')
    .enablePositionalOptions()
    .description(
      'Targeting: areas ranked by expected new customers among non-users in high-index segments, cut into delivery rounds, with postcode lists',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset of current users (e.g. green_waste)')
    .option(
      '--segments <which>',
      'auto (index at least --min-index and significant), all, or segment codes, e.g. A1,B2',
      'auto',
    )
    .option(
      '--where <column=value>',
      'only users whose records have this value, e.g. --where "payment_method=Direct Debit" (values separated by |; (blank) for blank cells), or in a period, e.g. --where "visit_date=last 12 months"',
    )
    .option(
      '--distinct <household|column>',
      'count users as households (the records at one property reference: a dataset imported with --address-columns or --uprn-column) with --distinct household, or as distinct values of a column, instead of records',
    )
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .addOption(tierOption('tier of the classification, e.g. group, type (default: the top tier)'))
    .addOption(tierAlias())
    .option('--min-index <n>', `the lowest index a segment needs for --segments auto (default ${DEFAULT_MIN_INDEX})`)
    .option('--areas <level>', 'rank ward, lsoa, oa, msoa or postcode', 'ward')
    .option('--base <measure>', 'households or population', 'households')
    .option('--within <minutes>', 'only areas within this many minutes of --of')
    .option(
      '--beyond <minutes>',
      'only areas more than this many minutes from --of (e.g. beyond a 10-minute drive of the tip)',
    )
    .option('--of <facility>', "a facility's name, or a kind meaning the nearest of that kind")
    .option('--mode <mode>', 'travel mode for --within/--beyond: car, walk or cycle', 'car')
    .option(
      '--network <file>',
      'time --within/--beyond along the roads of this OpenStreetMap extract (.osm.pbf) instead of straight lines',
    )
    .option(
      '--top <n>',
      'target the best n areas (default: the best areas holding --coverage of the expected new customers)',
    )
    .option('--coverage <percent>', 'target the fewest best areas that hold this % of all expected new customers', '50')
    .option('--rounds <n>', `cut the targeted areas into n delivery rounds (default ${DEFAULT_ROUNDS})`)
    .addOption(formatOption(['table', 'csv', 'xlsx', 'json']))
    .option('--list <what>', "for csv: areas (the ranking) or postcodes (the targeted areas' live postcodes)", 'areas')
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress users under n per area (default ${DEFAULT_MIN_CELL} for anything written to a file and for csv, xlsx and json; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic target borough.civic green_waste --tier type --areas postcode
  civic target borough.civic green_waste --tier type --areas oa --beyond 10 --of household_waste_site --rounds 6
  civic target borough.civic green_waste --segments A1,A3,B2 --format xlsx --out green_waste_targets.xlsx
  civic target borough.civic green_waste --areas postcode --format csv --list postcodes --out leaflets.csv
  civic target borough.civic council_tax --where "payment_method=Direct Debit" --areas lsoa
  civic target evaluate borough.civic green_waste_2026 --targeted targets.csv --areas oa`,
    )
    .action(lazy(() => import('./actions/target.ts'), 'target'));

  target
    .command('evaluate')
    .description(
      'Campaign evaluation: take-up in targeted against control areas, the uplift with a 95% interval, and the ratio',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset of new users, e.g. sign-ups during the campaign')
    .requiredOption(
      '--targeted <areas>',
      'targeted areas: codes separated by commas, or a file (the CSV or JSON civic target wrote, or one code a line)',
    )
    .option('--control <areas>', 'control areas, as --targeted (default: every other area)')
    .option('--areas <level>', 'level of the codes: ward, lsoa, oa, msoa or postcode', 'ward')
    .option('--base <measure>', 'households or population', 'households')
    .option('--date-column <column>', "the column holding each record's date, for --since and --until")
    .option('--since <date>', 'only records dated on or after this day (2025-03-01 or 01/03/2025)')
    .option('--until <date>', 'only records dated on or before this day')
    .addOption(formatOption(['table', 'csv', 'json', 'xlsx']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n (default ${DEFAULT_MIN_CELL} for anything written to a file and for csv, xlsx and json; 0 to switch off)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic target evaluate borough.civic green_waste --targeted E05900002,E05900004 --date-column start_date --since 2025-04-01
  civic target evaluate borough.civic green_waste --areas oa --targeted targets.csv --control controls.txt --format json`,
    )
    .action(lazy(() => import('./actions/target.ts'), 'evaluate'));
}
