import { InvalidArgumentError, Option, type Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import {
  importDataset,
  listDatasets,
  datasetIssues,
  removeDataset,
  publishCategories,
  publishedCategories,
  resolveReadLimits,
  DEFAULT_READ_LIMITS,
  READ_LIMIT_ENV,
  type DatasetImportResult,
} from '../intake/index.ts';
import { parseMapSpec } from '../reference/index.ts';
import { fmtCount, fmtInt, fmtPct, safeCellText } from '../outputs/index.ts';
import { action, emit, json, list, progressBar, repeat, parseFormat, formatOption } from './io.ts';
import { keyFileOption, keyFor } from './key.ts';
import { userInfo } from 'node:os';

/** Who is running the command, for the record of what was kept in clear. */
function operator(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

function describe(r: DatasetImportResult, workspace: string): string {
  const lines = [
    `Imported ${r.dataset} from ${r.file} (${r.format}${r.encoding ? ', ' + r.encoding : ''}); postcodes in "${r.postcodeColumn}"`,
    `  read ${fmtInt(r.read)} = matched ${fmtInt(r.matched)} + unmatched ${fmtInt(r.unmatched)} + rejected ${fmtInt(r.rejected)}`,
  ];
  if (r.corrected) lines.push(`  ${fmtInt(r.corrected)} matched after correcting a typing slip in the postcode`);
  if (r.terminated) lines.push(`  ${fmtInt(r.terminated)} matched to terminated postcodes`);
  const by = (d: string) => r.privacy.filter((p) => p.decision === d);
  if (by('pseudonymised').length)
    lines.push(`  pseudonymised (key ${r.keyId}):`, ...by('pseudonymised').map((p) => `    ${p.column}: ${p.reason}`));
  else lines.push('  pseudonymised: nothing');
  if (by('kept in clear').length)
    lines.push(
      '  kept in clear, as asked (recorded in the audit log):',
      ...by('kept in clear').map((p) => `    ${p.column}: ${p.reason}`),
    );
  for (const p of by('needed for matching')) lines.push(`  ${p.column}: ${p.reason}`);
  for (const w of r.warnings) lines.push(`  Warning: ${w}`);
  for (const x of r.reasons) lines.push(`  ${x.status}: ${fmtInt(x.rows)} × ${x.reason}`);
  if (r.unmatched + r.rejected) lines.push(`  See every row with: civic dataset rejects ${workspace} ${r.dataset}`);
  if (r.corrected)
    lines.push(
      `  See the corrected postcodes with: civic dataset rejects ${workspace} ${r.dataset} --status corrected`,
    );
  return lines.join('\n') + '\n';
}

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
    .addOption(keyFileOption())
    .option('--encoding <encoding>', 'auto, utf-8, windows-1252, utf-16le or utf-16be', 'auto')
    .option('--delimiter <char>', 'field delimiter for text files (detected when not given)')
    .option('--sheet <name>', 'worksheet to read from an XLSX workbook (first non-empty sheet by default)')
    .option('--header-row <n>', 'row holding the column names, when not the first', (v) => Number(v))
    .option('--title <text>', 'a readable title for the dataset')
    .option('--partner <name>', 'partner organisation that owns the data')
    .option('--replace', 'replace an existing dataset of the same name')
    .option(
      '--max-rows <n>',
      `refuse a file with more records than this (default ${fmtInt(DEFAULT_READ_LIMITS.maxRows)}, or $${READ_LIMIT_ENV.maxRows})`,
      positiveNumber('--max-rows'),
    )
    .option(
      '--max-cells <n>',
      `refuse a file with more cells (rows × columns) than this (default ${fmtInt(DEFAULT_READ_LIMITS.maxCells)}, or $${READ_LIMIT_ENV.maxCells})`,
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
  civic dataset import borough.civic visits visits.csv --key-file /secure/council.key --keep-in-clear "Officer name"`,
    )
    .action(
      action(async (workspace: string, name: string, file: string, o: Record<string, unknown>) => {
        const limits = resolveReadLimits({
          maxRows: o.maxRows as number | undefined,
          maxCells: o.maxCells as number | undefined,
          maxUnpackedBytes: o.maxUnpackedMb === undefined ? undefined : (o.maxUnpackedMb as number) * 1024 * 1024,
        });
        const key = keyFor(o as { keyFile?: string });
        const bar = progressBar(o.format !== 'json');
        await withWorkspace(workspace, async (ws) => {
          try {
            const r = await importDataset(ws.engine, name, file, {
              postcodeColumn: o.postcodeColumn as string | undefined,
              map: parseMapSpec(o.map as string[] | undefined),
              pseudonymise: o.pseudonymise as string[] | undefined,
              keepInClear: o.keepInClear as string[] | undefined,
              key,
              decidedBy: { username: operator(), role: 'command line' },
              encoding: o.encoding as string,
              delimiter: o.delimiter as string | undefined,
              sheet: o.sheet as string | undefined,
              headerRow: o.headerRow as number | undefined,
              title: o.title as string | undefined,
              partner: o.partner as string | undefined,
              replace: Boolean(o.replace),
              limits,
              onProgress: (p) => bar.update(p),
            });
            bar.stop();
            process.stdout.write(o.format === 'json' ? json(r) : describe(r, workspace));
          } finally {
            bar.stop();
          }
        });
      }),
    );
  ds.command('list')
    .description('Datasets in the workspace with their row accounts and match rates')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, o: { format: string }) => {
        await withWorkspace(workspace, async (ws) => {
          const all = await listDatasets(ws.engine);
          if (o.format === 'json') return void process.stdout.write(json(all));
          if (!all.length)
            return void process.stdout.write(
              'No datasets yet. Import one with: civic dataset import WORKSPACE NAME FILE\n',
            );
          const w = Math.max(8, ...all.map((d) => d.name.length));
          process.stdout.write(
            `${'Dataset'.padEnd(w)}  ${'Read'.padStart(9)}  ${'Matched'.padStart(9)}  ${'Unmatched'.padStart(9)}  ${'Rejected'.padStart(9)}  Match %\n`,
          );
          for (const d of all)
            process.stdout.write(
              `${d.name.padEnd(w)}  ${fmtInt(d.read).padStart(9)}  ${fmtInt(d.matched).padStart(9)}  ${fmtInt(d.unmatched).padStart(9)}  ${fmtInt(d.rejected).padStart(9)}  ${fmtPct(d.matchRate).padStart(7)}\n`,
            );
        });
      }),
    );
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
    .action(
      action(
        async (
          workspace: string,
          name: string,
          o: { status?: 'unmatched' | 'rejected' | 'corrected'; format: string; out?: string },
        ) => {
          const format = parseFormat(o.format, ['table', 'csv', 'json']);
          await withWorkspace(workspace, async (ws) => {
            const issues = await datasetIssues(ws.engine, name, { status: o.status });
            if (format === 'json') return emit(json(issues), o.out);
            if (format === 'csv') {
              const q = (s: string | number | null) => {
                const v = safeCellText(String(s ?? ''));
                return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
              };
              return emit(
                [
                  'row,status,column,value,reason',
                  ...issues.map((i) => [i.row, i.status, i.column, i.value, i.reason].map(q).join(',')),
                ].join('\r\n') + '\r\n',
                o.out,
              );
            }
            if (!issues.length)
              return emit(
                o.status === 'corrected'
                  ? `No postcode in ${name} needed correcting.\n`
                  : o.status
                    ? `No row of ${name} is ${o.status}.\n`
                    : `Every row of ${name} was matched.\n`,
                o.out,
              );
            emit(
              [
                'Row      Status     Value            Reason',
                ...issues.map(
                  (i) =>
                    `${String(i.row).padEnd(8)} ${i.status.padEnd(10)} ${JSON.stringify(i.value ?? '').padEnd(16)} ${i.reason}`,
                ),
              ].join('\n') + '\n',
              o.out,
            );
          });
        },
      ),
    );
  ds.command('remove')
    .description('Remove a dataset and every record and row issue it holds')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'dataset name')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, name: string, o: { format: string }) => {
        await withWorkspace(workspace, async (ws) => {
          const r = await removeDataset(ws.engine, name);
          process.stdout.write(o.format === 'json' ? json(r) : `Removed ${r.dataset} (${fmtCount(r.rows, 'row')}).\n`);
        });
      }),
    );
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
    .action(
      action(
        async (
          workspace: string,
          name: string,
          column: string | undefined,
          o: { values?: string; withdraw?: boolean; format: string },
        ) => {
          await withWorkspace(workspace, async (ws) => {
            if (column)
              await publishCategories(
                ws.engine,
                name,
                column,
                o.withdraw ? [] : o.values === undefined ? undefined : o.values.split('|'),
              );
            const published = await publishedCategories(ws.engine, name);
            if (o.format === 'json') {
              process.stdout.write(json({ dataset: name, published }));
              return;
            }
            const cols = Object.keys(published);
            process.stdout.write(
              cols.length
                ? `Published categories of ${name}:\n${cols.map((c) => `  ${c}: ${published[c].join(', ')}`).join('\n')}\n`
                : `${name} has no published categories: others can profile it only as a whole.\n`,
            );
          });
        },
      ),
    );
}
