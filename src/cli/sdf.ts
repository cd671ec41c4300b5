import type { Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { formatOption, lazy, list, tierOption, tierAlias } from './io.ts';

export function registerSdf(program: Command): void {
  program
    .command('sdf')
    .description(
      "Service Delivery Framework: segments × services, each cell the service's index band in the segment; a sheet per partner",
    )
    .argument('<workspace>', 'workspace file')
    .option('--datasets <names>', 'comma-separated datasets, in the order to show them (default: every dataset)', list)
    .option(
      '--measures <list>',
      'the columns instead of whole datasets: DATASET or DATASET:column=value, comma-separated, e.g. "garden_waste,council_tax:payment_method=Direct Debit" (a dataset may appear more than once)',
    )
    .option('--labels <list>', "comma-separated names for the measures' columns, in the same order")
    .option(
      '--where <column=value>',
      'only records with this value, for every measure without its own (values separated by |; (blank) for blank cells; or a period, e.g. visit_date=last 12 months)',
    )
    .option(
      '--distinct <household|column>',
      'count households (the records at one property reference: datasets imported with --address-columns or --uprn-column) with --distinct household, or distinct values of a column (a customer reference), instead of records',
    )
    .option(
      '--partner <name>',
      'only this partner\'s datasets and sheet ("Council" for datasets imported without --partner)',
    )
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .addOption(tierOption('tier of the classification, e.g. supergroup, group (default: the top tier)'))
    .addOption(tierAlias())
    .option('--base <measure>', 'households or population', 'households')
    .option('--bands <spec>', 'index bands, e.g. "High:120,Above average:110,Average:90,Below average:80,Low"')
    .addOption(formatOption(['table', 'json', 'xlsx']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n in each service's column (default ${DEFAULT_MIN_CELL} for anything written to a file and for json and xlsx; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic sdf borough.civic
  civic sdf borough.civic --datasets green_waste,library_members,leisure_card --tier type
  civic sdf county.civic --partner "Kent Fire and Rescue" --format xlsx --out sdf_kfrs.xlsx
  civic sdf county.civic --format xlsx --out sdf.xlsx
  civic sdf borough.civic --measures "council_tax,council_tax:payment_method=Direct Debit" --labels "Council tax,Direct Debit"
  civic sdf borough.civic --measures library,leisure --where "visit_date=last 12 months"`,
    )
    .action(lazy(() => import('./actions/sdf.ts'), 'sdf'));
}
