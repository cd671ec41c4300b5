import type { Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { serviceDeliveryFramework } from '../profiling/index.ts';
import { discloseProfile, sdfToJson, sdfToTable, sdfToXlsx } from '../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError, parseBands } from '../core/index.ts';
import { action, emit, list, parseFormat, formatOption } from './io.ts';

export function registerSdf(program: Command): void {
  program
    .command('sdf')
    .description(
      "Service Delivery Framework: segments × services, each cell the service's index band in the segment; a sheet per partner",
    )
    .argument('<workspace>', 'workspace file')
    .option('--datasets <names>', 'comma-separated datasets, in the order to show them (default: every dataset)', list)
    .option(
      '--partner <name>',
      'only this partner\'s datasets and sheet ("Council" for datasets imported without --partner)',
    )
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .option('--level <tier>', 'tier of the classification, e.g. supergroup, group (default: the top tier)')
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
  civic sdf borough.civic --datasets green_waste,library_members,leisure_card --level type
  civic sdf county.civic --partner "Kent Fire and Rescue" --format xlsx --out sdf_kfrs.xlsx
  civic sdf county.civic --format xlsx --out sdf.xlsx`,
    )
    .action(
      action(async (workspace: string, o: Record<string, unknown>) => {
        const format = parseFormat(String(o.format ?? 'table'), ['table', 'json', 'xlsx']);
        const out = o.out as string | undefined;
        if (format === 'xlsx' && !out)
          throw new ParameterError('An XLSX Service Delivery Framework needs a file to go to.', 'Add --out FILE.xlsx');
        // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
        const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !out ? 0 : DEFAULT_MIN_CELL;
        if (!Number.isInteger(minCell) || minCell < 0)
          throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
        let bands;
        try {
          bands = o.bands ? parseBands(String(o.bands)) : undefined;
        } catch (e) {
          throw new ParameterError((e as Error).message);
        }
        await withWorkspace(workspace, async (ws) => {
          const result = await serviceDeliveryFramework(
            ws.engine,
            {
              datasets: o.datasets as string[] | undefined,
              partner: o.partner as string | undefined,
              classification: o.classification as string | undefined,
              tier: o.level as string | undefined,
              base: o.base as 'households' | 'population',
              bands,
            },
            { disclose: (p) => discloseProfile(p, minCell) },
          );
          if (format === 'json') emit(sdfToJson(result), out);
          else if (format === 'xlsx') emit(await sdfToXlsx(result), out);
          else emit(sdfToTable(result), out);
        });
      }),
    );
}
