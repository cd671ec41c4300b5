import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_READ_LIMITS, READ_LIMIT_ENV } from '../intake/constants.ts';
import { formatOption, lazy, list, repeat, thousands } from './io.ts';
import { keyFileOption } from './key.ts';

const positiveNumber =
  (flag: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`${flag} must be a positive number, not "${v}".`);
    return n;
  };

export function registerDataset(program: Command): void {
  const ds = program
    .command('dataset')
    .description('Service files: import, list, and see the rows that could not be placed');
  ds.command('import')
    .description('Import a service file (CSV, XLSX, JSON or Parquet) and match its postcodes')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'short name for the dataset, e.g. green_waste')
    .argument('<file>', 'the file to import')
    .option('--postcode-column <column>', 'column holding postcodes (found by name when not given)')
    .option(
      '--no-postcode',
      'import without geography, for a file used only for record linkage: no postcode is looked for and every record is counted as not placed',
    )
    .option(
      '--id-column <column>',
      "column holding the records' own identifiers, unique and never blank (default: row numbers); linkage output names records by it",
    )
    .option(
      '--address-columns <columns>',
      'the address’s columns in order, e.g. "Address 1,Address 2,Town": each record gets a property reference (the gazetteer’s UPRN, or a key from postcode and flat and building number), so households can be counted',
      list,
    )
    .option(
      '--uprn-column <column>',
      'column holding the records’ own UPRNs: a valid one is the record’s property reference',
    )
    .option('--map <from=to>', 'rename a column, e.g. --map "Post Code=postcode" (repeatable)', repeat)
    .option(
      '--pseudonymise <columns>',
      'comma-separated columns to replace by a keyed hash, besides those that look personal (which always are)',
      list,
    )
    .option(
      '--keep-in-clear <columns>',
      'comma-separated columns that look personal but are to stay readable (recorded, with who chose it, in the audit log)',
      list,
    )
    .option(
      '--encode-for-linkage <columns>',
      'comma-separated columns (names, most often) to store as a keyed Bloom filter of their letter pairs instead of a keyed hash: they still link despite spelling differences, and cannot be read',
      list,
    )
    .addOption(keyFileOption())
    .option('--encoding <encoding>', 'auto, utf-8, windows-1252, utf-16le or utf-16be', 'auto')
    .option('--delimiter <char>', 'field delimiter for text files (detected when not given)')
    .option('--sheet <name>', 'worksheet to read from an XLSX workbook (first non-empty sheet by default)')
    .option('--header-row <n>', 'row holding the column names, when not the first', (v) => Number(v))
    .option('--title <text>', 'a readable title for the dataset')
    .option('--partner <name>', 'partner organisation that owns the data')
    .option('--replace', 'replace an existing dataset of the same name')
    .option(
      '--options <columns>',
      'comma-separated columns that list several options in one cell ("Garden waste; Recycling bags"): each option becomes a column of its own holding yes or no',
      list,
    )
    .option(
      '--option-columns <columns>',
      'comma-separated columns that each hold yes or no for one option (YES, Y, x, TRUE, 1; blank is no), written as yes or no',
      list,
    )
    .option(
      '--channel-column <column>',
      'column holding how each customer made contact (found by its name when not given): written as face to face, phone, web, email, sms, post, kiosk, self-serve, social media or app',
    )
    .option('--kind <kind>', 'contacts: a contact log, one row per contact (see civic contacts --help)')
    .option(
      '--contact-columns <parts>',
      'a contact log\'s parts whose columns\' names do not say, e.g. "request=Case No,handling=Talk time" (parts: channel, customer, request, reason, service, datetime, handling, resolved)',
    )
    .option('--handling-unit <unit>', "a contact log's plain-number handling times are minutes or seconds", 'minutes')
    .option(
      '--channel-names <file>',
      'a CSV file of written,channel: names your systems give channels beyond the vocabulary (IVR,phone), kept for later imports',
    )
    .option(
      '--mapping <name>',
      "start from a saved mapping (this organisation's, see civic dataset mappings); options given here win",
    )
    .option(
      '--save-mapping <name>',
      "save this import's column choices as a mapping for next time (replaces one of the same name)",
    )
    .option(
      '--max-rows <n>',
      `refuse a file with more records than this (default ${thousands(DEFAULT_READ_LIMITS.maxRows)}, or $${READ_LIMIT_ENV.maxRows})`,
      positiveNumber('--max-rows'),
    )
    .option(
      '--max-cells <n>',
      `refuse a file with more cells (rows × columns) than this (default ${thousands(DEFAULT_READ_LIMITS.maxCells)}, or $${READ_LIMIT_ENV.maxCells})`,
      positiveNumber('--max-cells'),
    )
    .option(
      '--max-unpacked-mb <n>',
      `refuse an XLSX workbook that unpacks to more than this many MB (default ${DEFAULT_READ_LIMITS.maxUnpackedBytes / 1024 / 1024}, or $${READ_LIMIT_ENV.maxUnpackedBytes})`,
      positiveNumber('--max-unpacked-mb'),
    )
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Columns that look personal (names, NI numbers, dates of birth, email, phone, addresses, free-text
notes), from their names and values, are pseudonymised with the key unless named in --keep-in-clear.
The postcode stays readable: it places each record.

Examples:
  civic key generate --out /secure/council.key
  civic dataset import borough.civic green_waste green.csv --key-file /secure/council.key
  civic dataset import borough.civic visits visits.csv --key-file /secure/council.key --keep-in-clear "Officer name"
  civic dataset import borough.civic recycling recycling.xlsx --option-columns "Garden waste collection,Recycling bags request"
  civic dataset import borough.civic green_2025_04 april.csv --map "Post Code=postcode" --options Services --save-mapping green_monthly
  civic dataset import borough.civic green_2025_05 may.csv --mapping green_monthly
  civic dataset import borough.civic council_tax ctax.csv --address-columns "Address 1,Address 2,Town" --uprn-column UPRN --key-file /secure/council.key
  civic dataset import borough.civic housing housing.csv --no-postcode --id-column "Tenant ref" --keep-in-clear "Forename,Surname,DOB" --key-file /secure/council.key

With --address-columns (or --uprn-column) each record gets a property reference: its own valid UPRN;
else, with a gazetteer imported (civic reference import --addresses), the UPRN its address matches;
else a key from its postcode and its flat and building number or name. Records at one property
reference are one household: count them with --distinct household in profiles, SDF and targeting.
The address columns themselves are pseudonymised unless kept in clear.

A column that lists several options ("Garden waste; Recycling bags", or "garden waste: yes / bags:
no") gains one column per option, named after both (services_garden_waste), holding yes or no. Profile
one with --where "services_garden_waste=yes", or publish it for partners.`,
    )
    .action(lazy(() => import('./actions/dataset.ts'), 'importFile'));
  ds.command('mappings')
    .description("Saved column mappings (this organisation's): list them, or remove one")
    .argument('<workspace>', 'workspace file')
    .option('--partner <name>', "a partner organisation's mappings (the council's when not given)")
    .option('--remove <name>', 'remove this mapping')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/dataset.ts'), 'mappings'));
  ds.command('list')
    .description('Datasets in the workspace with their row accounts and match rates')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/dataset.ts'), 'list'));
  ds.command('rejects')
    .description(
      'Every unmatched or rejected row of a dataset, with its row number and reason (or, with --status corrected, every postcode corrected on the way in)',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'dataset name')
    .addOption(
      new Option(
        '--status <status>',
        'only unmatched or only rejected rows, or the matched rows whose postcode was corrected',
      ).choices(['unmatched', 'rejected', 'corrected']),
    )
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .action(lazy(() => import('./actions/dataset.ts'), 'rejects'));
  ds.command('remove')
    .description('Remove a dataset and every record and row issue it holds')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'dataset name')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/dataset.ts'), 'remove'));
  ds.command('publish')
    .description(
      "Publish a column's values as categories that partners and other viewers may filter the dataset's profiles by (only published categories; nothing else)",
    )
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'dataset name')
    .argument('[column]', 'a column of a few categories, e.g. payment_method; omit to list what is published')
    .option(
      '--values <list>',
      'publish only these values, separated by | (default: every value the column has, up to 50)',
    )
    .option('--withdraw', 'withdraw the column: nobody but the owner may filter by it any more')
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Others (partners, contact-centre agents, the public) can never filter a dataset by a value of their
own choosing, since the answer would tell them whether someone with that value is in the data.
Publish only columns of a few categories (a payment method, a service type), never names,
references, dates or free text.

Examples:
  civic dataset publish borough.civic council_tax payment_method
  civic dataset publish borough.civic council_tax payment_method --values "Direct Debit|Cash"
  civic dataset publish borough.civic council_tax`,
    )
    .action(lazy(() => import('./actions/dataset.ts'), 'publish'));
}
