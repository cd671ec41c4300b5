import type { Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { formatOption, lazy, tierOption, tierAlias } from './io.ts';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      'Profile a dataset against the base: count, % of file, % of base, penetration, index, confidence interval, band',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset name')
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .addOption(tierOption('tier of the classification, e.g. supergroup, group (default: the top tier)'))
    .addOption(tierAlias())
    .option('--by-area <level>', 'profile by area instead: oa, lsoa, msoa, ward, lad (or oa11, lsoa11 ...)')
    .option('--base <measure>', 'households or population', 'households')
    .option(
      '--base-level <level>',
      'which base to use when the workspace has several, by its area level (e.g. oa21 or oa11); by default the finest level the postcode directory reaches',
    )
    .option(
      '--where <column=value>',
      'only records with this value, e.g. --where "payment_method=Direct Debit" (values separated by |; (blank) for blank cells), or in a period, e.g. --where "visit_date=2024-04-01..2025-03-31" or --where "visit_date=last 12 months"; several joined with ";" must all match, e.g. --where "payment_method=Direct Debit; visit_date=last 12 months"',
    )
    .option(
      '--distinct <household|column>',
      'count households (the records at one property reference: a dataset imported with --address-columns or --uprn-column) with --distinct household, or distinct values of a column (a customer reference) instead of records, e.g. --distinct caller_ref',
    )
    .option('--bands <spec>', 'index bands, e.g. "High:120,Above average:110,Average:90,Below average:80,Low"')
    .addOption(formatOption(['table', 'csv', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n (default ${DEFAULT_MIN_CELL} for anything written to a file and for csv, xlsx and json; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic profile borough.civic stop_smoking --tier group
  civic profile borough.civic green_waste --by-area ward --format xlsx --out green_waste_wards.xlsx
  civic profile borough.civic council_tax --where "payment_method=Direct Debit" --format json
  civic profile borough.civic council_tax --where "email=(blank)"
  civic profile borough.civic council_tax --distinct household
  civic profile borough.civic stop_smoking --where "referral_date=last 12 months"
  civic profile borough.civic stop_smoking --where "referral_date>=2024-04-01"
  civic profile borough.civic green_waste --where "paid_by=Online; start_date=last 12 months"

A period counts back from the latest date in the column ("last 12 months" of an extract ending
31 March 2025 is 1 April 2024 to 31 March 2025). Dates are read as 2025-03-31, 31/03/2025 or
31 Mar 2025; records whose date cannot be read are left out, and the profile says so.`,
    )
    .action(lazy(() => import('./actions/profile.ts'), 'profile'));
}
