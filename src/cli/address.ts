import type { Command } from 'commander';
import { formatOption, lazy, list } from './io.ts';

export function registerAddress(program: Command): void {
  const address = program
    .command('address')
    .description('Addresses: standardise, give each a property reference, and match them to the gazetteer’s UPRNs');
  address
    .command('match')
    .description(
      'Match every address of a file to a UPRN of the gazetteer (exact, then by word frequency in the postcode, then on the street), with a score, the step that decided and the candidates kept when none is clear',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'a CSV, XLSX, JSON or Parquet file of addresses')
    .requiredOption(
      '--address-columns <columns>',
      'the address’s columns in order, e.g. "Address 1,Address 2,Town"',
      list,
    )
    .option('--postcode-column <name>', 'the postcode’s own column (otherwise it is read from the end of the address)')
    .option('--uprn-column <name>', 'the records’ own UPRNs: a valid one is the record’s property reference')
    .option('--id-column <name>', 'the records’ own identifiers, repeated in the output')
    .option('--min-score <n>', 'lowest score a match may have (default 3)')
    .option('--min-margin <n>', 'how far the best must score above the next candidate (default 2)')
    .addOption(formatOption(['csv', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Import the address lookups and the gazetteer first:
  civic reference import borough.civic --address-lookups lookups/ --addresses llpg.csv

Each output row says: status (matched, ambiguous, no_match, unparsed), uprn, score, margin, step
(exact, postcode, street), the candidates, the property key (the record's own UPRN, the matched
UPRN, or a key made from its postcode and flat and building number), and the parsed address.

Examples:
  civic address match borough.civic council-tax.csv --address-columns "Address 1,Address 2,Town" \\
    --postcode-column Postcode --out council-tax-uprns.csv
  civic address match borough.civic tenants.xlsx --address-columns Address --format json`,
    )
    .action(lazy(() => import('./actions/address.ts'), 'match'));
}
