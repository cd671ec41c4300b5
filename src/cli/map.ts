import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

export function registerMap(program: Command): void {
  program
    .command('map')
    .description(
      "Any measure the portal's map offers, at any level with boundaries: GeoJSON, CSV, XLSX, JSON or a table, with the portal's disclosure control",
    )
    .argument('<workspace>', 'workspace file')
    .option(
      '--measure <measure>',
      "what to map, as on the portal: households, deprivation, segment:CLASSIFICATION:TIER:CODE, penetration:DATASET, index:DATASET, access:KIND:car|walk (default: the portal's first)",
    )
    .option('--level <level>', 'area level with boundaries: oa, lsoa, msoa, ward, lad (default: the finest)')
    .option('--list', 'list the measures and levels this workspace can map, and stop')
    .addOption(formatOption(['table', 'geojson', 'csv', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .addHelpText(
      'after',
      `
Counts under 10 are hidden, with enough others that none can be worked out, and a dataset's counts
carry the cell key method's noise: the same map every viewer of the portal gets (decision 0013).

Examples:
  civic map borough.civic --list
  civic map borough.civic --measure segment:borough:group:1 --level lsoa --format geojson --out group1.geojson
  civic map borough.civic --measure index:green_waste --level ward --format csv`,
    )
    .action(lazy(() => import('./actions/map.ts'), 'map'));
}
