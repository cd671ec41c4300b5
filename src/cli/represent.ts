import type { Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { representAnalysis } from '../profiling/index.ts';
import { discloseRepresent, representToJson, representToTable, representToXlsx } from '../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../core/index.ts';
import { action, emit, parseFormat, formatOption } from './io.ts';

export function registerRepresent(program: Command): void {
  program
    .command('represent')
    .description(
      'Representativeness: is a sample (consultation respondents, forum members) spread across the segments as the population is? Chi-square test and residuals',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<sample>', 'the sample dataset')
    .option('--against <reference>', '"base" (households per segment) or a dataset whose spread is expected', 'base')
    .option('--classification <name>', 'classification to compare by (default: the first imported)')
    .option('--level <tier>', 'tier of the classification, e.g. group, type (default: the top tier)')
    .option(
      '--base <measure>',
      'with --against base: households or population (use population when each record is a person)',
      'households',
    )
    .addOption(formatOption(['table', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n (default ${DEFAULT_MIN_CELL} for anything written to a file and for xlsx and json; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic represent borough.civic forum_members
  civic represent borough.civic respondents --level type --base population
  civic represent borough.civic respondents --against council_tax_payment --format xlsx --out respondents.xlsx`,
    )
    .action(
      action(async (workspace: string, sample: string, o: Record<string, string | undefined>) => {
        const format = parseFormat(o.format ?? 'table', ['table', 'xlsx', 'json']);
        if (format === 'xlsx' && !o.out)
          throw new ParameterError('An XLSX report needs a file to go to.', 'Add --out FILE.xlsx');
        const minCell =
          o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
        if (!Number.isInteger(minCell) || minCell < 0)
          throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
        if (o.base !== 'households' && o.base !== 'population')
          throw new ParameterError(`Unknown base "${o.base}".`, 'Use --base households or --base population.');
        await withWorkspace(workspace, async (ws) => {
          const truth = await representAnalysis(ws.engine, {
            sample,
            against: o.against,
            classification: o.classification,
            tier: o.level,
            base: o.base as 'households' | 'population',
          });
          const shown = discloseRepresent(truth, minCell);
          if (format === 'json') emit(representToJson(shown), o.out);
          else if (format === 'xlsx') emit(await representToXlsx(shown), o.out);
          else emit(representToTable(shown), o.out);
        });
      }),
    );
}
