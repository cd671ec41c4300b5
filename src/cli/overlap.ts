import { Option, type Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { overlapAnalysis } from '../profiling/index.ts';
import { discloseOverlap, overlapToJson, overlapToSvg, overlapToTable, overlapToXlsx } from '../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../core/index.ts';
import { action, emit } from './io.ts';

const FORMATS = ['table', 'json', 'xlsx', 'svg'] as const;

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
      "the column linking services to the population's households, or DATASET.COLUMN for each, separated by commas",
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
any of its records is there.

Examples:
  civic overlap borough.civic --segment E --datasets housing_benefit,council_tax_support,childrens_centre_users,library_members
  civic overlap borough.civic --segment E --datasets council_tax_support,housing_benefit --population council_tax_payment \\
      --link-by council_tax_payment.account_ref,council_tax_payment.address,council_tax_support.account_ref,housing_benefit.address
  civic overlap borough.civic --segment E --datasets housing_benefit,library_members --format svg --out overlap.svg`,
    )
    .action(
      action(async (workspace: string, o: Record<string, string | undefined>) => {
        const format = o.format ?? 'table';
        if (!(FORMATS as readonly string[]).includes(format))
          throw new ParameterError(`Unknown format "${format}".`, `Use one of: ${FORMATS.join(', ')}.`);
        if (format === 'xlsx' && !o.out)
          throw new ParameterError('An XLSX report needs a file to go to.', 'Add --out FILE.xlsx');
        // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
        const minCell =
          o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
        if (!Number.isInteger(minCell) || minCell < 0)
          throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
        const split = (s: string | undefined) =>
          (s ?? '')
            .split(',')
            .map((x) => x.trim())
            .filter(Boolean);
        await withWorkspace(workspace, async (ws) => {
          const truth = await overlapAnalysis(ws.engine, {
            segment: o.segment!,
            datasets: split(o.datasets),
            classification: o.classification,
            population: o.population,
            linkBy: o.linkBy === undefined ? undefined : split(o.linkBy),
          });
          const shown = discloseOverlap(truth, minCell);
          if (format === 'json') emit(overlapToJson(shown), o.out);
          else if (format === 'xlsx') emit(await overlapToXlsx(shown), o.out);
          else if (format === 'svg') emit(overlapToSvg(shown), o.out);
          else emit(overlapToTable(shown), o.out);
        });
      }),
    );
}
