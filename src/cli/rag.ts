import { Option, type Command } from 'commander';
import { DEFAULT_MIN_CELL, ParameterError } from '../core/index.ts';
import { DEFAULT_RAG_THRESHOLDS } from '../profiling/constants.ts';
import { lazy, tierOption, tierAlias } from './io.ts';

export const FORMATS = ['table', 'json', 'xlsx', 'html'] as const;

export function registerRag(program: Command): void {
  program
    .command('rag')
    .description(
      'RAG synopsis: two measures side by side per segment, each index Red, Amber or Green, for the whole area and one area',
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption(
      '--measures <list>',
      'comma-separated measures: DATASET or DATASET:column=value, e.g. "bookings,friends" or "bookings,bookings:member=yes"',
    )
    .option('--labels <list>', 'comma-separated names for the measures on the page, e.g. "Attendance,Membership"')
    .option('--area <level:code>', 'also show one area alone, e.g. ward:E05000001 or lad:E07000106')
    .option(
      '--where <column=value>',
      'only records with this value, for every measure without its own (values separated by |; (blank) for blank cells; or a period, e.g. visit_date=last 12 months)',
    )
    .option(
      '--green <index>',
      `index at or above which a segment is Green, well represented (default ${DEFAULT_RAG_THRESHOLDS.green})`,
    )
    .option(
      '--red <index>',
      `index below which a segment is Red, under-represented (default ${DEFAULT_RAG_THRESHOLDS.red}); Amber in between`,
    )
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .addOption(tierOption('tier of the classification, e.g. supergroup, group (default: the top tier)'))
    .addOption(tierAlias())
    .option('--base <measure>', 'households or population', 'households')
    .option('--bands <spec>', 'index bands carried in the JSON, as for civic profile')
    .addOption(
      new Option('--format <format>', 'output format: html is one printable page')
        .choices([...FORMATS])
        .default('table'),
    )
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n in each column (default ${DEFAULT_MIN_CELL} for anything written to a file and for json, xlsx and html; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
RAG rule (defaults): Green index ≥ 110 (well represented), Amber 90 to under 110, Red under 90 (under-represented).

Examples:
  civic rag borough.civic --measures theatre_bookings,friends --labels "Attendance,Membership"
  civic rag county.civic --measures theatre_bookings,friends --area lad:E07000106 --format html --out rag.html
  civic rag borough.civic --measures "leisure_card,leisure_card:card_type=Concession" --area ward:E05000001 --format xlsx --out rag.xlsx`,
    )
    .action(lazy(() => import('./actions/rag.ts'), 'rag'));
}
