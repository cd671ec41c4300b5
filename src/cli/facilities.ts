/** `civic facilities`: import, list and remove the service points that travel is measured to. */
import { Option, type Command } from 'commander';
import { lazy } from './io.ts';

const formatOf = (choices: string[]) =>
  new Option('--format <format>', 'output format').choices(choices).default(choices[0]);

export function registerFacilities(program: Command): Command {
  const group = program
    .command('facilities')
    .description("Facilities (libraries, GP surgeries, children's centres …): import, list and remove");
  group
    .command('import')
    .description(
      'Import facilities from a CSV, XLSX or GeoJSON file of points (lon/lat columns, point geometry, or postcodes)',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'the file to import')
    .option('--kind <kind>', 'the kind of every facility in the file, e.g. library, gp_surgery, pharmacy')
    .option('--kind-column <column>', "or the column holding each row's kind")
    .option('--name-column <column>', 'column holding the names (found by name when not given)')
    .option('--capacity-column <column>', "column holding each facility's capacity (used as supply in 2SFCA)")
    .option('--postcode-column <column>', 'column holding postcodes (used to place rows without coordinates)')
    .option('--lon-column <column>', 'column holding longitude (WGS84)')
    .option('--lat-column <column>', 'column holding latitude (WGS84)')
    .option('--opening-hours-column <column>', 'column holding opening hours')
    .option('--id <prefix>', "prefix for the facilities' ids (the kind by default)")
    .option('--sheet <name>', 'worksheet to read from an XLSX workbook')
    .option('--strict', 'refuse the whole file if any row cannot be imported')
    .addOption(formatOf(['table', 'json']))
    .addHelpText(
      'after',
      `
Rows with no usable position (no coordinates, and a postcode that is not in the workspace's directory) or
with coordinates outside the UK are not imported: each is listed with its row, column and reason. Importing
the same file for the same kind again replaces what it brought before.

Examples:
  civic facilities import trafford.civic trafford_libraries.csv --kind library
  civic facilities import trafford.civic trafford_pharmacies.geojson --kind pharmacy
  civic facilities import borough.civic facilities.csv --kind-column type --capacity-column capacity`,
    )
    .action(lazy(() => import('./actions/facilities.ts'), 'importFile'));
  group
    .command('list')
    .description('Facilities in the workspace')
    .argument('<workspace>', 'workspace file')
    .option('--kind <kind>', 'only this kind')
    .addOption(formatOf(['table', 'csv', 'json', 'geojson']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Examples:
  civic facilities list trafford.civic --kind library
  civic facilities list trafford.civic --format geojson --out facilities.geojson`,
    )
    .action(lazy(() => import('./actions/facilities.ts'), 'list'));
  group
    .command('remove')
    .description('Remove facilities: every one of a kind, those from one file, or one by id')
    .argument('<workspace>', 'workspace file')
    .option('--kind <kind>', 'remove every facility of this kind')
    .option('--file <file>', 'remove the facilities imported from this file')
    .option('--id <id>', 'remove one facility')
    .addOption(formatOf(['table', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  civic facilities remove trafford.civic --kind pharmacy
  civic facilities remove trafford.civic --id library-coppice-library`,
    )
    .action(lazy(() => import('./actions/facilities.ts'), 'remove'));
  return group;
}
