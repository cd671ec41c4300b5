import { Option, type Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { lazy } from './io.ts';

export const FORMATS = ['table', 'json', 'xlsx', 'svg'] as const;

export function registerOverlap(program: Command): void {
  program
    .command('overlap')
    .description(
      'Take-up overlap: among the households of a target segment, how many use none of a set of services, each combination, and only one',
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption(
      '--segment <code>',
      'the target segment: areas whose segment, at any tier, has this code (e.g. E or E2)',
    )
    .requiredOption('--datasets <names>', 'the services to compare, separated by commas (up to 12)')
    .option('--classification <name>', 'classification the segment belongs to (default: the first imported)')
    .option(
      '--population <dataset>',
      'a dataset listing every household (e.g. the council tax register): household level. Without it: postcode level',
    )
    .option(
      '--link-by <columns>',
      "the column linking services to the population's households, or DATASET.COLUMN for each, separated by commas; household (the default when every dataset was imported with --address-columns or --uprn-column) links them by property reference",
    )
    .addOption(new Option('--format <format>', 'output format').choices([...FORMATS]).default('table'))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n (default ${DEFAULT_MIN_CELL} for anything written to a file and for json, xlsx and svg; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
The report says which level it used. Household level links each service's records to the
population's households by the --link-by reference (trimmed, in capitals, spaces and punctuation
collapsed) and the postcode. Postcode level counts live postcodes: a postcode "uses" a service if
any of its records is there. Datasets imported with --address-columns (or --uprn-column) link by
property reference without --link-by: a household is one UPRN, or one address key.

Examples:
  civic overlap borough.civic --segment E --datasets housing_benefit,council_tax_support,childrens_centre_users,library_members
  civic overlap borough.civic --segment E --datasets council_tax_support,housing_benefit --population council_tax_payment \\
      --link-by council_tax_payment.account_ref,council_tax_payment.address,council_tax_support.account_ref,housing_benefit.address
  civic overlap borough.civic --segment E --datasets council_tax_support,housing_benefit --population council_tax_payment
  civic overlap borough.civic --segment E --datasets housing_benefit,library_members --format svg --out overlap.svg`,
    )
    .action(lazy(() => import('./actions/overlap.ts'), 'overlap'));
}
