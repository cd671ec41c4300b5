/** `civic dataset import`, `list`, `rejects`, `remove` and `publish`. */
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { InputError, ParameterError } from '../../core/index.ts';
import { withWorkspace } from '../../store/index.ts';
import {
  importDataset,
  listDatasets,
  datasetIssues,
  removeDataset,
  publishCategories,
  publishedCategories,
  resolveReadLimits,
  describeOptions,
  describeChannels,
  describeAddressing,
  describeContactLog,
  parseContactColumns,
  readChannelNames,
  listMappings,
  removeMapping,
  type DatasetImportResult,
} from '../../intake/index.ts';
import { parseMapSpec } from '../../reference/index.ts';
import { fmtCount, fmtInt, fmtPct, safeCellText } from '../../outputs/index.ts';
import { emit, json, parseFormat } from '../io.ts';
import { keyFor } from './key.ts';
import { progressBar } from './progress.ts';

/** Who is running the command, for the record of what was kept in clear. */
function operator(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

function describe(r: DatasetImportResult, workspace: string, saved?: string): string {
  const lines = [
    `Imported ${r.dataset} from ${r.file} (${r.format}${r.encoding ? ', ' + r.encoding : ''}); ${r.postcodeColumn ? `postcodes in "${r.postcodeColumn}"` : 'without geography (--no-postcode)'}${r.idColumn ? `; records identified by "${r.idColumn}"` : ''}`,
    `  read ${fmtInt(r.read)} = matched ${fmtInt(r.matched)} + unmatched ${fmtInt(r.unmatched)} + rejected ${fmtInt(r.rejected)}`,
  ];
  if (r.corrected) lines.push(`  ${fmtInt(r.corrected)} matched after correcting a typing slip in the postcode`);
  if (r.terminated) lines.push(`  ${fmtInt(r.terminated)} matched to terminated postcodes`);
  const by = (d: string) => r.privacy.filter((p) => p.decision === d);
  if (by('pseudonymised').length)
    lines.push(`  pseudonymised (key ${r.keyId}):`, ...by('pseudonymised').map((p) => `    ${p.column}: ${p.reason}`));
  else lines.push('  pseudonymised: nothing');
  if (by('encoded for linkage').length)
    lines.push(
      `  encoded for linkage (key ${r.keyId}):`,
      ...by('encoded for linkage').map((p) => `    ${p.column}: ${p.reason}`),
    );
  if (by('kept in clear').length)
    lines.push(
      '  kept in clear, as asked (recorded in the audit log):',
      ...by('kept in clear').map((p) => `    ${p.column}: ${p.reason}`),
    );
  for (const p of by('needed for matching')) lines.push(`  ${p.column}: ${p.reason}`);
  if (r.options) lines.push('  options:', ...describeOptions(r.options).map((l) => `    ${l}`));
  if (r.channels) lines.push(`  ${describeChannels(r.channels)}`);
  if (r.contactLog) lines.push(...describeContactLog(r.contactLog).map((l) => `  ${l}`));
  if (r.addressing) lines.push(...describeAddressing(r.addressing).map((l) => `  ${l}`));
  if (saved)
    lines.push(`  choices saved as the mapping "${saved}": next time, civic dataset import … --mapping ${saved}`);
  for (const w of r.warnings) lines.push(`  Warning: ${w}`);
  for (const x of r.reasons) lines.push(`  ${x.status}: ${fmtInt(x.rows)} × ${x.reason}`);
  if (r.unmatched + r.rejected) lines.push(`  See every row with: civic dataset rejects ${workspace} ${r.dataset}`);
  if (r.corrected)
    lines.push(
      `  See the corrected postcodes with: civic dataset rejects ${workspace} ${r.dataset} --status corrected`,
    );
  return lines.join('\n') + '\n';
}

/** --kind, --contact-columns, --handling-unit and --channel-names as import options. */
function contactOptions(o: Record<string, unknown>) {
  const kind = o.kind as string | undefined;
  if (kind !== undefined && kind !== 'contacts')
    throw new ParameterError(`--kind is contacts (a contact log), not "${kind}".`, 'Leave it out for any other file.');
  const unit = (o.handlingUnit as string | undefined) ?? 'minutes';
  if (unit !== 'minutes' && unit !== 'seconds')
    throw new ParameterError(`--handling-unit is minutes or seconds, not "${unit}".`);
  if ((o.contactColumns || unit !== 'minutes') && kind !== 'contacts')
    throw new ParameterError('--contact-columns and --handling-unit are for a contact log.', 'Add --kind contacts.');
  const file = o.channelNames as string | undefined;
  let text = '';
  if (file)
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new InputError('Cannot read the channel names file.', { location: { file }, fix: 'Check the path.' });
    }
  return {
    ...(kind ? { kind: 'contacts' as const } : {}),
    ...(o.contactColumns ? { contactColumns: parseContactColumns(o.contactColumns as string) } : {}),
    ...(kind ? { handlingUnit: unit as 'minutes' | 'seconds' } : {}),
    ...(file ? { channelNames: readChannelNames(text, file) } : {}),
  };
}

export async function importFile(
  workspace: string,
  name: string,
  file: string,
  o: Record<string, unknown>,
): Promise<void> {
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
        noPostcode: o.postcode === false,
        idColumn: o.idColumn as string | undefined,
        map: parseMapSpec(o.map as string[] | undefined),
        pseudonymise: o.pseudonymise as string[] | undefined,
        keepInClear: o.keepInClear as string[] | undefined,
        encodeForLinkage: o.encodeForLinkage as string[] | undefined,
        addressColumns: o.addressColumns as string[] | undefined,
        uprnColumn: o.uprnColumn as string | undefined,
        key,
        decidedBy: { username: operator(), role: 'command line' },
        encoding: o.encoding as string,
        delimiter: o.delimiter as string | undefined,
        sheet: o.sheet as string | undefined,
        headerRow: o.headerRow as number | undefined,
        title: o.title as string | undefined,
        partner: o.partner as string | undefined,
        replace: Boolean(o.replace),
        options:
          o.options || o.optionColumns
            ? { listed: o.options as string[] | undefined, flags: o.optionColumns as string[] | undefined }
            : undefined,
        channelColumn: o.channelColumn as string | undefined,
        ...contactOptions(o),
        mapping: o.mapping as string | undefined,
        saveMapping: o.saveMapping as string | undefined,
        limits,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      process.stdout.write(o.format === 'json' ? json(r) : describe(r, workspace, o.saveMapping as string | undefined));
    } finally {
      bar.stop();
    }
  });
}

export async function list(workspace: string, o: { format: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const all = await listDatasets(ws.engine);
    if (o.format === 'json') return void process.stdout.write(json({ datasets: all }));
    if (!all.length)
      return void process.stdout.write('No datasets yet. Import one with: civic dataset import WORKSPACE NAME FILE\n');
    const w = Math.max(8, ...all.map((d) => d.name.length));
    process.stdout.write(
      `${'Dataset'.padEnd(w)}  ${'Read'.padStart(9)}  ${'Matched'.padStart(9)}  ${'Unmatched'.padStart(9)}  ${'Rejected'.padStart(9)}  Match %\n`,
    );
    for (const d of all)
      process.stdout.write(
        `${d.name.padEnd(w)}  ${fmtInt(d.read).padStart(9)}  ${fmtInt(d.matched).padStart(9)}  ${fmtInt(d.unmatched).padStart(9)}  ${fmtInt(d.rejected).padStart(9)}  ${fmtPct(d.matchRate).padStart(7)}\n`,
      );
  });
}

export async function rejects(
  workspace: string,
  name: string,
  o: { status?: 'unmatched' | 'rejected' | 'corrected'; format: string; out?: string },
): Promise<void> {
  const format = parseFormat(o.format, ['table', 'csv', 'json']);
  await withWorkspace(workspace, async (ws) => {
    const issues = await datasetIssues(ws.engine, name, { status: o.status });
    if (format === 'json') return emit(json({ dataset: name, status: o.status ?? null, rows: issues }), o.out);
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
}

export async function remove(workspace: string, name: string, o: { format: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const r = await removeDataset(ws.engine, name);
    process.stdout.write(o.format === 'json' ? json(r) : `Removed ${r.dataset} (${fmtCount(r.rows, 'row')}).\n`);
  });
}

export async function publish(
  workspace: string,
  name: string,
  column: string | undefined,
  o: { values?: string; withdraw?: boolean; format: string },
): Promise<void> {
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
}

export async function mappings(
  workspace: string,
  o: { partner?: string; remove?: string; format: string },
): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    if (o.remove) await removeMapping(ws.engine, o.remove, o.partner);
    const all = await listMappings(ws.engine, o.partner);
    if (o.format === 'json')
      return void process.stdout.write(json({ owner: o.partner ?? null, removed: o.remove ?? null, mappings: all }));
    const lines: string[] = [];
    if (o.remove) lines.push(`Removed the mapping "${o.remove}".`);
    if (!all.length)
      lines.push(
        `No saved mappings${o.partner ? ` for ${o.partner}` : ''}. Save one when you import: civic dataset import WORKSPACE NAME FILE --save-mapping MAPPING`,
      );
    for (const m of all) {
      const x = m.mapping;
      const parts = [
        x.postcodeColumn ? `postcode in "${x.postcodeColumn}"` : null,
        x.map
          ? `renames ${Object.entries(x.map)
              .map(([a, b]) => `${a} → ${b}`)
              .join(', ')}`
          : null,
        x.pseudonymise ? `pseudonymise ${x.pseudonymise.join(', ')}` : null,
        x.keepInClear ? `keep in clear ${x.keepInClear.join(', ')}` : null,
        x.options?.listed ? `options listed in ${x.options.listed.join(', ')}` : null,
        x.options?.flags ? `yes/no options ${x.options.flags.join(', ')}` : null,
        x.sheet ? `sheet "${x.sheet}"` : null,
        x.headerRow ? `names on row ${x.headerRow}` : null,
      ].filter(Boolean);
      lines.push(
        `${m.name}: ${parts.join('; ') || 'no choices beyond the defaults'} (saved ${m.savedAt.slice(0, 10)}${m.savedBy ? ` by ${m.savedBy}` : ''})`,
      );
    }
    process.stdout.write(lines.join('\n') + '\n');
  });
}
