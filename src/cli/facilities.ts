/** `civic facilities`: import, list and remove the service points that travel is measured to. */
import { Option, type Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { importFacilities, listFacilities, removeFacilities } from '../location/index.ts';
import {
  facilitiesToTable,
  facilitiesToCsv,
  facilitiesToGeoJson,
  facilityImportToTable,
  locationToJson,
} from '../outputs/index.ts';
import { ParameterError } from '../core/index.ts';
import { action, emit } from './io.ts';

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
    .action(
      action(async (workspace: string, file: string, o: Record<string, string | boolean | undefined>) => {
        await withWorkspace(workspace, async (ws) => {
          const r = await importFacilities(ws.engine, file, {
            kind: o.kind as string | undefined,
            kindColumn: o.kindColumn as string | undefined,
            nameColumn: o.nameColumn as string | undefined,
            capacityColumn: o.capacityColumn as string | undefined,
            postcodeColumn: o.postcodeColumn as string | undefined,
            lonColumn: o.lonColumn as string | undefined,
            latColumn: o.latColumn as string | undefined,
            openingHoursColumn: o.openingHoursColumn as string | undefined,
            idPrefix: o.id as string | undefined,
            sheet: o.sheet as string | undefined,
            strict: Boolean(o.strict),
          });
          emit(o.format === 'json' ? locationToJson(r) : facilityImportToTable(r));
        });
      }),
    );
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
    .action(
      action(async (workspace: string, o: { kind?: string; format: string; out?: string }) => {
        await withWorkspace(workspace, async (ws) => {
          const list = await listFacilities(ws.engine, { kind: o.kind });
          emit(
            o.format === 'json'
              ? locationToJson(list)
              : o.format === 'csv'
                ? facilitiesToCsv(list)
                : o.format === 'geojson'
                  ? facilitiesToGeoJson(list)
                  : facilitiesToTable(list),
            o.out,
          );
        });
      }),
    );
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
    .action(
      action(async (workspace: string, o: { kind?: string; file?: string; id?: string; format: string }) => {
        if (!o.kind && !o.file && !o.id)
          throw new ParameterError('Say which facilities to remove.', 'Add --kind KIND, --file FILE or --id ID.');
        await withWorkspace(workspace, async (ws) => {
          const r = await removeFacilities(ws.engine, { kind: o.kind, file: o.file, id: o.id });
          emit(
            o.format === 'json'
              ? locationToJson(r)
              : `Removed ${r.removed} ${r.removed === 1 ? 'facility' : 'facilities'}.\n`,
          );
        });
      }),
    );
  return group;
}
