import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

export function registerPostcodes(program: Command): void {
  const postcodes = program.command('postcodes').description('Postcodes in bulk: enrich a file of them offline');
  postcodes
    .command('enrich')
    .description(
      'Look up every postcode of a file: as it should be written, its status, its area codes and its segment at every tier. Offline, with no limit on how many',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'a CSV with a column named postcode (or --column), or a text file with one postcode a line')
    .option('--column <name>', 'the column holding the postcodes (default: one called postcode, pcd or pcds)')
    .option('--segmentation <name>', 'only this segmentation or classification (default: every one)')
    .addOption(formatOption(['csv', 'json', 'ndjson']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
The answers are those of the API's POST /api/postcodes, in the order of the file; a blank or
unreadable postcode is answered "not a postcode".

Examples:
  civic postcodes enrich borough.civic customers.csv --out customers-enriched.csv
  civic postcodes enrich borough.civic list.txt --segmentation borough --format ndjson`,
    )
    .action(lazy(() => import('./actions/postcodes.ts'), 'enrich'));
}
