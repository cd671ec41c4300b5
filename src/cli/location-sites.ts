/**
 * `civic location choose` and `civic location scenario`: which sites to open (set cover, maximal
 * coverage, p-median; exact with HiGHS where the size allows, heuristics beyond), and what closing,
 * opening or moving sites does to coverage and travel time, overall and for each segment.
 */
import { Option, type Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { SITE_PROBLEM_KINDS, TRAVEL_MODES, DEFAULT_TIME_LIMIT_SECONDS } from '../location/constants.ts';
import { formatOption, lazy, list, repeat } from './io.ts';
import { addCostOptions } from './location.ts';

function commonOptions(cmd: Command): Command {
  return addCostOptions(cmd)
    .option('--kind <kind>', 'facility kind whose sites are open today and are candidates, e.g. library')
    .option('--grid <metres>', 'also consider sites on a square grid with this spacing over the borough')
    .option('--point <NAME@LON,LAT>', 'a proposed site (repeatable)', repeat)
    .addOption(new Option('--mode <mode>', 'how people travel').choices([...TRAVEL_MODES]).default('car'))
    .option(
      '--level <level>',
      "demand areas: the classification's level when one is used (the only level allowed then), else the finest level of the base",
    )
    .addOption(
      new Option('--measure <measure>', 'demand: households or population')
        .choices(['households', 'population'])
        .default('households'),
    )
    .option('--segments <codes>', 'count only the demand in these segments, e.g. a target group', list)
    .option(
      '--weight-dataset <dataset>',
      "demand = this dataset's records per area instead of households, e.g. blue badge holders for vulnerable households",
    )
    .option(
      '--min-cell <n>',
      `with --weight-dataset: hide record counts under n (default ${DEFAULT_MIN_CELL} in files, csv and json; 0 to switch off for your own use)`,
    )
    .option('--classification <name>', 'classification for the per-segment figures (default: the first imported)')
    .option('--tier <tier>', 'its tier (default: the top tier)');
}

export function registerSiteCommands(location: Command): void {
  commonOptions(
    location
      .command('choose')
      .description(
        'Choose sites: the fewest covering everyone within a standard (set cover), p sites covering the most (maximal coverage), p sites with the least total travel (p-median), or p sites with the shortest longest trip (p-center); from a workspace, or from a cost matrix file with --costs',
      )
      .argument('[workspace]', 'workspace file (not needed with --costs)'),
  )
    .addOption(new Option('--problem <problem>', 'what to optimise').choices([...SITE_PROBLEM_KINDS]).default('mclp'))
    .option(
      '--sites <n>',
      'how many sites to open in all, existing ones kept open included (maximal coverage and p-median)',
    )
    .option('--standard <minutes>', 'coverage standard in minutes (needed for set cover and maximal coverage)')
    .option(
      '--costs <file>',
      'choose from this cost matrix (CSV or XLSX) instead of a workspace: long form with columns origin,destination,cost (one row per pair), or wide form with origins down the first column and one column per candidate site; "unreachable" marks a pair with no route',
    )
    .option(
      '--demand <file>',
      'with --costs: demand weights, columns origin,weight, one row for every origin (default: each origin weighs 1)',
    )
    .option('--keep-existing', "keep today's sites of --kind open and choose the rest")
    .option('--keep <sites>', 'keep these sites open (ids or names)', list)
    .option(
      '--grid-only',
      "open new sites only at grid points and --point sites; today's sites count only if kept (--keep-existing, --keep)",
    )
    .addOption(
      new Option('--method <method>', 'exact (HiGHS), heuristic, or auto: exact where the model is small enough')
        .choices(['auto', 'exact', 'heuristic'])
        .default('auto'),
    )
    .option('--time-limit <seconds>', `time limit for the exact solver (default ${DEFAULT_TIME_LIMIT_SECONDS})`)
    .addOption(formatOption(['table', 'json', 'csv', 'xlsx']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Examples:
  civic location choose trafford.civic --kind library --problem mclp --sites 8 --standard 15 --mode walk
  civic location choose trafford.civic --kind library --problem p-median --sites 12 --keep-existing --grid 800
  civic location choose borough.civic --grid 500 --problem set-cover --standard 10 --mode car --segments B,C
  civic location choose borough.civic --kind customer_service_point --problem p-median --sites 2 --weight-dataset blue_badge
  civic location choose trafford.civic --kind library --problem mclp --sites 6 --method exact --time-limit 120 --format json
  civic location choose --costs times.csv --demand households.csv --problem p-center --sites 3
  civic location choose --costs matrix.csv --problem set-cover --standard 20 --format json

A cost file (--costs) is CSV or XLSX in either form:
  long:  origin,destination,cost          wide:  origin,Library A,Library B
         E00001,Library A,12.5                   E00001,12.5,30
         E00001,Library B,30                     E00002,8,unreachable
Every origin-site pair needs a cost (0 or more, any one unit, or "unreachable"); a blank, negative or
non-numeric cost, a repeated or missing pair is refused with its row and column. Demand (--demand) is a
file with columns origin,weight covering every origin; without it each origin weighs 1.`,
    )
    .action(lazy(() => import('./actions/location-sites.ts'), 'choose'));

  commonOptions(
    location
      .command('scenario')
      .description(
        'What closing, opening or moving sites does to coverage within a standard and to travel time, overall and for each segment, and who loses coverage',
      )
      .argument('<workspace>', 'workspace file'),
  )
    .requiredOption('--standard <minutes>', 'coverage standard in minutes')
    .option('--close <site>', 'close a site (id or name; repeatable)', repeat)
    .option('--open <site>', 'open a site: a --point, a grid point or a facility (repeatable)', repeat)
    .option('--move <FROM>TO>', 'move a site, e.g. "Sale Library>New hub" (repeatable)', repeat)
    .option('--current <sites>', 'the sites open today (default: every site of --kind)', list)
    .option('--losers <n>', 'areas losing coverage to list in the table', '20')
    .addOption(formatOption(['table', 'json', 'csv', 'xlsx']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Examples:
  civic location scenario trafford.civic --kind library --standard 15 --mode walk --close "Hale Library"
  civic location scenario trafford.civic --kind library --standard 15 --mode walk --point "Hub@-2.33,53.42" --move "Sale Library>Hub"
  civic location scenario borough.civic --kind customer_service_point --standard 20 --close "Town Hall Customer Service Centre" --point "Library hub@-2.35,53.39" --open "Library hub" --format csv --out change.csv`,
    )
    .action(lazy(() => import('./actions/location-sites.ts'), 'scenario'));
}
