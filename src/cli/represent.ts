import type { Command } from 'commander';
import { DEFAULT_MIN_CELL } from '../core/index.ts';
import { formatOption, lazy, tierOption, tierAlias } from './io.ts';

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
    .addOption(tierOption('tier of the classification, e.g. group, type (default: the top tier)'))
    .addOption(tierAlias())
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
  civic represent borough.civic respondents --tier type --base population
  civic represent borough.civic respondents --against council_tax_payment --format xlsx --out respondents.xlsx`,
    )
    .action(lazy(() => import('./actions/represent.ts'), 'represent'));
}
