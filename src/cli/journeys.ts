import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

const JOURNEY_ARG =
  'a journey file (.json, or a .csv or .xlsx from the template), or the name of a journey in --workspace';
const UNIT_COSTS =
  'cost steps without a cost of their own at this set (barking-dagenham, bristol, maidstone …) or your own CSV file of channel,cost; default: the journey’s own unit_costs';

export function registerJourneys(program: Command): void {
  const journey = program
    .command('journey')
    .description(
      'Customer journeys: steps, agencies, forms and contacts; what a journey costs and repeats, before and after a redesign; circles of need',
    );
  journey
    .command('template')
    .description('Write the spreadsheet template for a journey (one row per step), with an example to write over')
    .addOption(formatOption(['xlsx', 'csv', 'json']))
    .option('--out <file>', 'the file to write (needed for xlsx)')
    .addHelpText(
      'after',
      `
Examples:
  civic journey template --out journey-template.xlsx
  civic journey template --format csv --out journey-template.csv`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'templateCommand'));
  journey
    .command('import')
    .description(
      'Import journeys into a workspace: a JSON journey file, a filled-in template (CSV or XLSX), or a circle of need (a CSV of segment, need, service, provider)',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'the file to import')
    .option('--name <name>', 'the name to give the journey (or the circle of need) in the workspace')
    .option('--segment <segment>', 'for a circle of need without a segment column: the segment it is for')
    .option('--replace', 'replace a journey or circle of the same name')
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Every problem in a file is reported together, each with its row and column.

Examples:
  civic journey import borough.civic examples/journeys/kay-before.json
  civic journey import borough.civic our-journeys.xlsx
  civic journey import borough.civic examples/journeys/circle-of-need-low-income-families.csv`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'importCommand'));
  journey
    .command('show')
    .description('List the journeys in a workspace, or show one journey’s steps and measures (or draw its journey map)')
    .argument('[journey]', JOURNEY_ARG)
    .option('--workspace <file>', 'the workspace holding the journeys')
    .option('--unit-costs <set or file>', UNIT_COSTS)
    .addOption(formatOption(['table', 'json', 'csv', 'svg']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Examples:
  civic journey show --workspace borough.civic
  civic journey show examples/journeys/kay-before.json
  civic journey show kay-before --workspace borough.civic --format svg --out kay-before.svg`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'showCommand'));
  journey
    .command('measure')
    .description(
      'A journey’s measures: agencies, services, forms, contacts by channel, repeated assessments, data items asked more than once, total wait and cost',
    )
    .argument('<journey>', JOURNEY_ARG)
    .option('--workspace <file>', 'the workspace holding the journey')
    .option('--unit-costs <set or file>', UNIT_COSTS)
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Example (the Rochdale couple: 9 agencies, 25 services, 16 application forms):
  civic journey measure examples/journeys/rochdale-couple.json`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'measureCommand'));
  journey
    .command('compare')
    .description('A journey before and after a redesign: contacts saved, cost saved, forms removed')
    .argument('<before>', JOURNEY_ARG)
    .argument('[after]', 'the journey after (default: the one the before names in compare_with)')
    .option('--workspace <file>', 'the workspace holding the journeys')
    .option('--unit-costs <set or file>', UNIT_COSTS)
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Example (Kay's late bin at Barking & Dagenham: £37.80 before, £2.00 after):
  civic journey compare examples/journeys/kay-before.json examples/journeys/kay-after.json`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'compareCommand'));
  journey
    .command('export')
    .description(
      'Export journeys for a business case: XLSX (summary, steps, costs by step, before and after, data asked again, notes), CSV in the template’s columns, or JSON',
    )
    .argument(
      '<journeys...>',
      'journey files, or names of journeys in --workspace; a before and its after get a before-and-after sheet',
    )
    .option('--workspace <file>', 'the workspace holding the journeys')
    .option('--unit-costs <set or file>', UNIT_COSTS)
    .addOption(formatOption(['xlsx', 'csv', 'json']))
    .option('--out <file>', 'the file to write (needed for xlsx)')
    .addHelpText(
      'after',
      `
Example:
  civic journey export examples/journeys/kay-before.json examples/journeys/kay-after.json --out /tmp/kay.xlsx`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'exportCommand'));
  journey
    .command('circle')
    .description(
      'A circle of need for a segment: needs, the services meeting them and their providers, as a table or a diagram; with --workspace, the segments with high take-up of each service (from the SDF)',
    )
    .argument(
      '<circle>',
      'a circle-of-need CSV (segment, need, service, provider, dataset, note), or its name in --workspace',
    )
    .option('--workspace <file>', 'the workspace: its circles, and the SDF of the datasets the circle names')
    .option('--classification <name>', 'the classification the SDF is by (default: the first)')
    .option('--tier <tier>', 'its tier (default: the top one)')
    .option('--min-index <n>', 'take-up counts as high from this index', '110')
    .option('--min-cell <n>', 'hide counts under n in the SDF behind the links (default 10)', '10')
    .addOption(formatOption(['table', 'json', 'svg']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Examples:
  civic journey circle examples/journeys/circle-of-need-low-income-families.csv
  civic journey circle examples/journeys/circle-of-need-low-income-families.csv --format svg --out /tmp/circle.svg`,
    )
    .action(lazy(() => import('./actions/journeys.ts'), 'circleCommand'));
}
