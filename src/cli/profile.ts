import type { Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { profileDataset, checkFilterMatches } from '../profiling/index.ts';
import { discloseProfile, profileToCsv, profileToJson, profileToTable, profileToXlsx } from '../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError, parseBands } from '../core/index.ts';
import { action, emit, parseFormat, formatOption } from './io.ts';

export function registerProfile(program: Command): void {
  program
    .command('profile')
    .description(
      'Profile a dataset against the base: count, % of file, % of base, penetration, index, confidence interval, band',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset name')
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .option('--level <tier>', 'tier of the classification, e.g. supergroup, group (default: the top tier)')
    .option('--by-area <level>', 'profile by area instead: oa, lsoa, msoa, ward, lad (or oa11, lsoa11 ...)')
    .option('--base <measure>', 'households or population', 'households')
    .option(
      '--where <column=value>',
      'only records with this value, e.g. --where "payment_method=Direct Debit" (values separated by |)',
    )
    .option(
      '--distinct <column>',
      'count distinct values of a column (a customer or household reference) instead of records, e.g. --distinct caller_ref',
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
  civic profile borough.civic stop_smoking --level group
  civic profile borough.civic green_waste --by-area ward --format xlsx --out green_waste_wards.xlsx
  civic profile borough.civic council_tax --where "payment_method=Direct Debit" --format json`,
    )
    .action(
      action(async (workspace: string, dataset: string, o: Record<string, string | undefined>) => {
        const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'xlsx', 'json']);
        if (o.level && o.byArea) throw new ParameterError('Give either --level or --by-area, not both.');
        if (format === 'xlsx' && !o.out)
          throw new ParameterError('An XLSX profile needs a file to go to.', 'Add --out FILE.xlsx');
        // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
        const minCell =
          o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
        if (!Number.isInteger(minCell) || minCell < 0)
          throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
        let where: { column: string; values: string[] } | undefined;
        if (o.where) {
          const i = o.where.indexOf('=');
          if (i <= 0) throw new ParameterError(`Cannot read --where "${o.where}".`, 'Write it as column=value.');
          where = {
            column: o.where.slice(0, i).trim(),
            values: o.where
              .slice(i + 1)
              .split('|')
              .map((v) => v.trim()),
          };
        }
        let bands;
        try {
          bands = o.bands ? parseBands(o.bands) : undefined;
        } catch (e) {
          throw new ParameterError((e as Error).message);
        }
        await withWorkspace(workspace, async (ws) => {
          // On the owner's own machine a filter that matches nothing is a mistake worth explaining.
          if (where) await checkFilterMatches(ws.engine, dataset, where);
          const truth = await profileDataset(ws.engine, {
            dataset,
            classification: o.classification,
            tier: o.level,
            byArea: o.byArea,
            base: o.base as 'households' | 'population',
            where,
            bands,
            distinct: o.distinct,
          });
          const shown = discloseProfile(truth, minCell);
          if (format === 'json') emit(profileToJson(shown), o.out);
          else if (format === 'csv') emit(profileToCsv(shown), o.out);
          else if (format === 'xlsx') emit(await profileToXlsx(shown), o.out);
          else emit(profileToTable(shown), o.out);
        });
      }),
    );
}
