/**
 * Importing a service file (C2): read it, map its columns, pseudonymise what is personal, match
 * every record's postcode to the directory, and keep every row with what happened to it. The whole
 * import is one transaction: a failure or a killed process leaves the workspace as it was.
 */
import { findColumn } from './columns.ts';
import { getMapping, saveMapping, validateMappingName } from './mappings.ts';
import { normaliseChannels, saveChannelNames, savedChannelNames, type ChannelSummary } from './channels.ts';
import {
  contactLogColumns,
  findContactColumns,
  summariseContactLog,
  type ContactLogSummary,
  type ContactRole,
} from './contacts.ts';
import { deriveOptions, type OptionsSpec, type OptionsSummary } from './options.ts';
import { basename } from 'node:path';
import { InputError, NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { randomInt } from 'node:crypto';
import {
  type Engine,
  type SqlValue,
  ident,
  getMeta,
  sqlFormatPostcode,
  RECORD_KEY_SQL,
  LEGACY_KEY_META,
  whileUnchanged,
} from '../store/index.ts';
import { checkPostcode } from '../geo/index.ts';
import { readSourceTable, stageCleanCsv, type StagedCsv } from './readers.ts';
import type { ReadOptions, SourceTable } from './table.ts';
import { stagePrepared, type PreparedTable } from './prepared.ts';
import { pseudonymise, missingKeyError, type PseudonymKey } from './pseudonymise.ts';
import { bloomEncode } from './bloom.ts';
import { propertyRows, type AddressingSummary } from './addressing.ts';
import { detectPersonalColumns, clearForMatching, PERSONAL_SAMPLE_ROWS, type PersonalColumn } from './personal.ts';

export interface DatasetImportOptions extends ReadOptions {
  /** Files at least this big that are clean CSV are read by DuckDB directly (tests lower it). */
  fastCsvMinBytes?: number;
  /** The column holding postcodes; found by name when not given. */
  postcodeColumn?: string;
  /**
   * Import without geography (a file used only for record linkage): no postcode is looked for and
   * every record is accounted as not placed ("unmatched", with that reason). No postcode directory is needed.
   */
  noPostcode?: boolean;
  /** The column holding the records' own identifiers (unique, never blank); the row numbers when not given. */
  idColumn?: string;
  /**
   * The address's columns, in order (one or several): each record gets a property reference from
   * them (the gazetteer's UPRN, or a key from postcode and flat and building number), so that its
   * household can be counted. They are personal, so pseudonymised unless kept in clear.
   */
  addressColumns?: string[];
  /** The records' own UPRNs: a valid one is the record's property reference. */
  uprnColumn?: string;
  /** Renames: source column → name in the workspace. */
  map?: Record<string, string>;
  /**
   * Columns to replace by a keyed hash, besides those that look personal (names, NI numbers, dates
   * of birth, email, phone, addresses, free text), which are pseudonymised unless kept in clear.
   */
  pseudonymise?: string[];
  /** Columns that look personal but are to stay readable: a deliberate choice, recorded with who made it. */
  keepInClear?: string[];
  /**
   * Columns (names, most often) to store as a keyed Bloom filter of their letter pairs instead of a
   * keyed hash: they can then be linked despite spelling differences, without being readable.
   */
  encodeForLinkage?: string[];
  /** The pseudonymisation key (kept outside the workspace); needed whenever a column is pseudonymised. */
  key?: PseudonymKey | null;
  /** Who chose what to pseudonymise, for the dataset's record and the audit log. */
  decidedBy?: { username: string | null; role: string | null; ip?: string | null };
  /** Replace an existing dataset of the same name. */
  replace?: boolean;
  title?: string;
  partner?: string;
  /** The salt of the records' keys for disclosure control; random unless given (the demo gives one for the same seed). */
  recordKeySalt?: number;
  /** The file's name to record (default: its own name), e.g. the name an upload had on the person's computer. */
  sourceName?: string;
  onProgress?: (p: { stage: string; done: number; total: number }) => void;
  /** Options columns: yes/no columns, and columns listing several options (each option becomes a yes/no column). */
  options?: OptionsSpec;
  /** The column holding how each customer made contact; found by its name when not given. */
  channelColumn?: string;
  /** `contacts`: a contact log, one row per contact (its parts found or named with contactColumns). */
  kind?: 'contacts';
  /** A contact log's parts and their columns, where their names do not say. */
  contactColumns?: Partial<Record<ContactRole, string>>;
  /** Names this council's systems give channels, beyond the vocabulary (as written → channel); kept for later imports. */
  channelNames?: ReadonlyMap<string, string>;
  /** A contact log's plain-number handling times are minutes (default) or seconds. */
  handlingUnit?: 'minutes' | 'seconds';
  /** A saved mapping of this organisation's (opts.partner, or the council's) to start from; options given here win. */
  mapping?: string;
  /** Save this import's choices as a mapping of this name (replacing one of the same name), in the same transaction. */
  saveMapping?: string;
  /** Reads the file somewhere else (the portal: a worker with bounded memory) when it is not a clean CSV. */
  prepare?: () => Promise<PreparedTable>;
}

/** What happened to one column that looked personal, was asked for, or was kept for matching. */
export interface ColumnPrivacy {
  column: string;
  decision: 'pseudonymised' | 'encoded for linkage' | 'kept in clear' | 'needed for matching';
  /** Plain English, never quoting a value, e.g. "its name says it holds people's names". */
  reason: string;
}

export interface RowIssue {
  row: number;
  status: 'unmatched' | 'rejected' | 'corrected';
  column: string | null;
  value: string | null;
  reason: string;
}

export interface DatasetImportResult {
  dataset: string;
  file: string;
  format: string;
  encoding: string | null;
  /** null when imported without geography (--no-postcode) */
  postcodeColumn: string | null;
  /** The column of the records' own identifiers (--id-column), or null: their row numbers are. */
  idColumn: string | null;
  columns: string[];
  pseudonymised: string[];
  /** Columns that looked personal and were kept readable on purpose (see privacy for why). */
  keptInClear: string[];
  /** Every personal-looking, asked-for and matching column, with what was done and why. */
  privacy: ColumnPrivacy[];
  /** The fingerprint of the key that made this dataset's pseudonyms (null when none were made). */
  keyId: string | null;
  /** Things to know that did not stop the import (e.g. other datasets made with another key). */
  warnings: string[];
  read: number;
  matched: number;
  unmatched: number;
  rejected: number;
  /** matched after correcting a typing slip (O for 0, missing space ...) */
  corrected: number;
  /** matched to a postcode that has since been terminated */
  terminated: number;
  reasons: { status: string; reason: string; rows: number }[];
  /** Options columns read as yes/no, and the columns made from lists of options (null when none were asked for). */
  options?: OptionsSummary | null;
  /** The channel column found or named, written in the vocabulary (null when there is none). */
  channels?: ChannelSummary | null;
  /** A contact log's parts, and what of them could not be read (kind contacts; null otherwise). */
  contactLog?: ContactLogSummary | null;
  /** The name these choices were saved under (--save-mapping), or null. */
  savedMapping?: string | null;
  /** Property references given from addresses or UPRNs (null when neither was named). */
  addressing?: AddressingSummary | null;
}

const NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;
let stagingCounter = 0;
const POSTCODE_HEADER = [
  /^post\s*code$/i,
  /^postcode$/i,
  /^post_code$/i,
  /^pcds?$/i,
  /^pc$/i,
  /postcode/i,
  /post\s*code/i,
];

export function validateDatasetName(name: string): void {
  if (!name.trim())
    throw new ParameterError(
      'Enter a name for the dataset.',
      'Use lower-case letters, digits, "-" and "_", starting with a letter (e.g. green_waste_2024).',
    );
  if (!NAME_RE.test(name)) {
    throw new ParameterError(
      `"${name}" cannot be used as a dataset name.`,
      'Use lower-case letters, digits, "-" and "_", starting with a letter (e.g. green_waste_2024).',
    );
  }
}

export function tableNameFor(name: string): string {
  // Always quoted with ident(), so "green-waste" and "green_waste" get tables of their own.
  return 'ds_' + name;
}

function applyMapping(
  table: { header: string[]; file: string },
  map: Record<string, string>,
  mapping?: string,
): string[] {
  const header = [...table.header];
  for (const [from, to] of Object.entries(map)) {
    const i =
      header.findIndex((h) => h === from) >= 0
        ? header.findIndex((h) => h === from)
        : header.findIndex((h) => h.toLowerCase() === from.toLowerCase());
    if (i < 0) {
      throw new InputError(
        mapping
          ? `The saved mapping "${mapping}" renames a column "${from}" that is not in the file.`
          : `--map names a column "${from}" that is not in the file.`,
        {
          location: { file: table.file, column: from },
          fix: mapping
            ? `Columns in the file: ${table.header.join(', ')}. If the extract's columns have changed, import it with new choices and --save-mapping ${mapping} to replace the mapping.`
            : `Columns in the file: ${table.header.join(', ')}.`,
        },
      );
    }
    header[i] = to;
  }
  const blank = Object.entries(map).find(([, to]) => !to.trim());
  if (blank)
    throw new InputError(`--map "${blank[0]}=" gives the column no new name.`, {
      location: { file: table.file, column: blank[0] },
      fix: `Write it as --map "${blank[0]}=new_name".`,
    });
  const dup = header.find((h, i) => header.findIndex((x) => x.toLowerCase() === h.toLowerCase()) !== i);
  if (dup)
    throw new InputError(`Two columns would both be called "${dup}".`, {
      location: { file: table.file, column: dup },
      fix: 'Change the --map so every column has its own name.',
    });
  // Names starting with "_" belong to the Observatory's own columns (_row, _status, _pc_key ...):
  // a user's column is never renamed behind their back nor confused with one of them.
  const reserved = header.findIndex((h) => h.startsWith('_'));
  if (reserved >= 0) {
    const original = table.header[reserved];
    throw new InputError(
      `The column "${header[reserved]}" starts with "_", which is kept for the Observatory's own columns.`,
      {
        location: { file: table.file, column: original },
        code: 'input_reserved_column',
        fix: `Rename it on the way in, e.g. --map "${original}=${header[reserved].replace(/^_+/, '') || 'column'}_source".`,
      },
    );
  }
  return header;
}

export async function importDataset(
  engine: Engine,
  name: string,
  file: string,
  opts: DatasetImportOptions = {},
): Promise<DatasetImportResult> {
  validateDatasetName(name);
  if (opts.saveMapping) validateMappingName(opts.saveMapping);
  if (opts.mapping) {
    // The saved choices, under whatever was given for this import.
    const saved = await getMapping(engine, opts.mapping, opts.partner);
    const given = Object.fromEntries(
      Object.entries(opts).filter(
        ([k, v]) =>
          v !== undefined &&
          !(k === 'encoding' && v === 'auto') &&
          !(Array.isArray(v) && !v.length) &&
          !(k === 'map' && !Object.keys(v as object).length),
      ),
    );
    opts = { ...saved, ...given };
  }
  const progress = opts.onProgress ?? (() => {});
  if (opts.noPostcode && opts.postcodeColumn)
    throw new ParameterError(
      'A postcode column was named for an import without geography.',
      'Give either --postcode-column or --no-postcode, not both.',
    );
  const pcCount = opts.noPostcode
    ? { n: 1 }
    : await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM postcode`);
  if (!pcCount || pcCount.n === 0) {
    throw new WorkspaceStateError(
      'The workspace has no postcode directory yet, so records cannot be placed.',
      'Import one first: civic reference import WORKSPACE --postcodes FILE',
    );
  }
  const existing = await engine.one(`SELECT name FROM dataset WHERE name = $1`, [name]);
  if (existing && !opts.replace) {
    throw new WorkspaceStateError(
      `A dataset called "${name}" already exists.`,
      'Choose another name, or add --replace to replace it.',
    );
  }

  progress({ stage: 'reading', done: 0, total: 1 });
  const staged =
    (await stageCleanCsv(engine, file, opts)) ??
    (opts.prepare ? await stagePrepared(engine, await opts.prepare()) : null);
  try {
    return await importRead(engine, name, file, opts, staged, existing !== undefined);
  } finally {
    if (staged) await engine.run(`DROP TABLE IF EXISTS ${ident(staged.table)}`);
  }
}

async function importRead(
  engine: Engine,
  name: string,
  file: string,
  opts: DatasetImportOptions,
  staged: StagedCsv | null,
  existing: boolean,
): Promise<DatasetImportResult> {
  const progress = opts.onProgress ?? (() => {});
  const table: SourceTable | StagedCsv = staged ?? (await readSourceTable(file, opts, engine));
  const format = staged ? (staged.format ?? 'csv') : (table as SourceTable).format;
  progress({ stage: 'reading', done: 1, total: 1 });
  const header = applyMapping(table, opts.map ?? {}, opts.mapping);
  const pcIndex = opts.noPostcode ? -1 : findColumn(header, opts.postcodeColumn, POSTCODE_HEADER);
  if (pcIndex < 0 && !opts.noPostcode) {
    throw new InputError(
      opts.postcodeColumn
        ? `The file has no column "${opts.postcodeColumn}".`
        : 'No postcode column was found in the file.',
      {
        location: { file: table.file, column: opts.postcodeColumn },
        code: 'input_no_postcode',
        fix: `Name the postcode column with --postcode-column, or, if the column names are not on the first row, give their row with --header-row; a file used only for record linkage can be imported with --no-postcode. Columns read: ${header.join(', ')}.`,
      },
    );
  }
  const named = (option: string, cols: string[]) =>
    cols.map((c) => {
      const i = findColumn(header, c, []);
      if (i < 0)
        throw new InputError(`${option} names a column "${c}" that is not in the file.`, {
          location: { file: table.file, column: c },
          fix: `Columns in the file: ${header.join(', ')}.`,
        });
      return i;
    });
  const contactColumns =
    opts.kind === 'contacts'
      ? findContactColumns(header, { channel: opts.channelColumn, ...opts.contactColumns }, table.file)
      : null;
  // A contact log's customer reference is pseudonymised unless it is named to be kept in clear.
  const customerCol = contactColumns?.customer ?? null;
  const askedIdx = named('--pseudonymise', [
    ...(opts.pseudonymise ?? []),
    ...(customerCol &&
    !(opts.keepInClear ?? []).some((c) => c.toLowerCase() === customerCol.toLowerCase()) &&
    !(opts.pseudonymise ?? []).some((c) => c.toLowerCase() === customerCol.toLowerCase())
      ? [customerCol]
      : []),
  ]);
  const idIndex = opts.idColumn ? named('--id-column', [opts.idColumn])[0] : -1;
  const addrIdx = named('--address-columns', opts.addressColumns ?? []);
  const uprnIdx = opts.uprnColumn ? named('--uprn-column', [opts.uprnColumn])[0] : -1;
  if (askedIdx.includes(pcIndex))
    throw new ParameterError('The postcode column cannot be pseudonymised: it is needed to place each record.');
  const clearIdx = new Set(named('--keep-in-clear', opts.keepInClear ?? []));
  const both = askedIdx.find((i) => clearIdx.has(i));
  if (both !== undefined)
    throw new ParameterError(
      `"${header[both]}" is named both to pseudonymise and to keep in clear.`,
      'Name each column in only one of --pseudonymise and --keep-in-clear.',
    );
  const encodeIdx = new Set(named('--encode-for-linkage', opts.encodeForLinkage ?? []));
  if (encodeIdx.has(pcIndex))
    throw new ParameterError(
      'The postcode column cannot be encoded for linkage: it is needed to place each record.',
      'Name the columns holding names (or other text to link on) instead.',
    );
  const twice = [...encodeIdx].find((i) => clearIdx.has(i) || askedIdx.includes(i));
  if (twice !== undefined)
    throw new ParameterError(
      `"${header[twice]}" is named both to encode for linkage and to ${clearIdx.has(twice) ? 'keep in clear' : 'pseudonymise'}.`,
      'Name each column in only one of --encode-for-linkage, --pseudonymise and --keep-in-clear: an encoded column is pseudonymised too, as a Bloom filter instead of a hash.',
    );

  // Columns that look personal, from their names (as in the file, and as renamed) and a sample of values.
  const sample = staged
    ? (
        await engine.all(
          `SELECT ${staged.columns.map((c) => ident(c)).join(', ')} FROM ${ident(staged.table)} ORDER BY _row LIMIT ${PERSONAL_SAMPLE_ROWS}`,
        )
      ).map((r) => staged.columns.map((c) => r[c] as string | null))
    : (table as SourceTable).rows.slice(0, PERSONAL_SAMPLE_ROWS).map((r) => r.values);
  const detected = new Map<number, PersonalColumn>();
  for (const names of [table.header, header]) {
    for (const d of detectPersonalColumns(names, sample, { exclude: pcIndex >= 0 ? [names[pcIndex]] : [] })) {
      const i = names.indexOf(d.column);
      if (!detected.has(i)) detected.set(i, { ...d, column: header[i] });
    }
  }
  const privacy: ColumnPrivacy[] = [];
  const matching = pcIndex >= 0 ? clearForMatching(header, header[pcIndex]) : [];
  for (const m of matching)
    if (!askedIdx.includes(header.indexOf(m.column)))
      privacy.push({ column: m.column, decision: 'needed for matching', reason: m.reason });
  const pseudoIdx: number[] = [];
  header.forEach((h, i) => {
    const d = detected.get(i);
    if (encodeIdx.has(i)) {
      pseudoIdx.push(i);
      privacy.push({
        column: h,
        decision: 'encoded for linkage',
        reason: `a keyed Bloom filter of its letter pairs, so that it links despite spelling differences but cannot be read${d ? `; ${d.reason}` : ''}`,
      });
    } else if (askedIdx.includes(i)) {
      pseudoIdx.push(i);
      privacy.push({ column: h, decision: 'pseudonymised', reason: d ? d.reason : 'asked for at import' });
    } else if (d && clearIdx.has(i))
      privacy.push({ column: h, decision: 'kept in clear', reason: `kept readable on purpose, though ${d.reason}` });
    else if (d && !matching.some((m) => m.column === h)) {
      pseudoIdx.push(i);
      privacy.push({ column: h, decision: 'pseudonymised', reason: d.reason });
    }
  });
  const key = opts.key ?? null;
  if (pseudoIdx.length && !key) throw missingKeyError(pseudoIdx.map((i) => header[i]));
  if (pseudoIdx.length && (await getMeta(engine, LEGACY_KEY_META))) {
    throw new WorkspaceStateError(
      'This workspace still holds its old pseudonymisation key inside the file, where a copy of the workspace would give it away.',
      'Move it out first: civic key export-from-workspace WORKSPACE --out KEYFILE, then import with --key-file KEYFILE.',
    );
  }
  const warnings: string[] = [];
  if (pseudoIdx.length) {
    const others = await engine.all<{ name: string }>(
      `SELECT name FROM dataset WHERE pseudonym_key_id IS NOT NULL AND pseudonym_key_id <> $1 AND name <> $2 ORDER BY name`,
      [key!.id, name],
    );
    if (others.length)
      warnings.push(
        `${others.map((o) => o.name).join(', ')} ${others.length === 1 ? 'was' : 'were'} pseudonymised with a different key, so ${others.length === 1 ? 'its' : 'their'} pseudonyms will not match this dataset's. Re-import with the same key to link them.`,
      );
  }
  const keptInClear = privacy.filter((p) => p.decision === 'kept in clear').map((p) => p.column);

  const attrIdx = header.map((_, i) => i).filter((i) => i !== pcIndex);
  const tableName = tableNameFor(name);
  // Named so that no dataset's table ("ds_" + a name) can ever be the staging table, and only
  // ever created here: an import never drops a table it did not make.
  // A table DuckDB has already read becomes the staging table itself, its columns renamed below.
  const staging = staged ? staged.table : `import_staging_${process.pid}_${++stagingCounter}`;
  const total = staged ? staged.rows : (table as SourceTable).rows.length;

  // The staging table is filled before the transaction: temporary tables made inside one are
  // much slower to read back (measured: the matching join took twice as long).
  const attrCols = attrIdx.map((i) => `${ident(header[i])} VARCHAR`).join(', ');
  if (!staged)
    await engine.run(
      `CREATE TEMP TABLE ${ident(staging)} (_row BIGINT, _postcode_raw VARCHAR, _problem VARCHAR, _problem_column VARCHAR${attrCols ? ', ' + attrCols : ''})`,
    );

  // Property references from the values as read, before any column is pseudonymised.
  let addressing: { rows: SqlValue[][]; summary: AddressingSummary } | null = null;
  if (addrIdx.length || uprnIdx >= 0) {
    progress({ stage: 'addresses', done: 0, total });
    const cols = [...addrIdx, ...(uprnIdx >= 0 ? [uprnIdx] : []), ...(pcIndex >= 0 ? [pcIndex] : [])];
    const values: Iterable<{ rowNo: number; values: (string | null)[] }> = staged
      ? (
          await engine.all(
            `SELECT _row, ${cols.map((i) => ident(staged.columns[i])).join(', ')} FROM ${ident(staged.table)} ORDER BY _row`,
          )
        ).map((r) => {
          const v: (string | null)[] = [];
          for (const i of cols) v[i] = (r[staged.columns[i]] as string | null) ?? null;
          return { rowNo: Number(r._row), values: v };
        })
      : (table as SourceTable).rows;
    addressing = await propertyRows(
      engine,
      (function* () {
        for (const r of values)
          yield {
            row: r.rowNo,
            fields: addrIdx.map((i) => r.values[i] || null),
            // A blank postcode column: the postcode is looked for at the end of the address instead.
            postcode: pcIndex >= 0 && r.values[pcIndex] ? r.values[pcIndex] : undefined,
            uprn: uprnIdx >= 0 ? r.values[uprnIdx] || null : null,
          };
      })(),
      { addressColumns: addrIdx.map((i) => header[i]), uprnColumn: uprnIdx >= 0 ? header[uprnIdx] : null },
      (n) => progress({ stage: 'addresses', done: n, total }),
    );
  }
  const propertyTable = addressing ? `${staging}_property` : null;
  const decisionTable = `${staging}_postcode`;
  if (propertyTable) {
    await engine.run(
      `CREATE TEMP TABLE ${ident(propertyTable)} (_row BIGINT, _property VARCHAR, _property_kind VARCHAR, _property_note VARCHAR)`,
    );
    await engine.append(propertyTable, addressing!.rows);
  }

  const pseudoSet = new Set(pseudoIdx);
  // A pseudonymised column's values become keyed hashes, or keyed Bloom filters when encoded for linkage.
  const protect = (i: number, v: string | null) =>
    encodeIdx.has(i) ? bloomEncode(v, key!.secret) : pseudonymise(v, key!.secret);
  const source = table as SourceTable;
  function* rows(): Generator<SqlValue[]> {
    for (const r of source.rows) {
      // Empty fields are stored as NULL, as DuckDB's reader stores them on the fast path.
      const raw = (pcIndex >= 0 && r.values[pcIndex]) || null;
      const out: SqlValue[] = [r.rowNo, raw, r.problem?.reason ?? null, r.problem?.column ?? null];
      for (const i of attrIdx) {
        const v = r.values[i] || null;
        out.push(pseudoSet.has(i) ? protect(i, v) : v);
      }
      yield out;
    }
  }
  progress({ stage: 'loading', done: 0, total });
  if (staged) {
    // Already read by DuckDB: its columns renamed into the staging layout (no copy of the rows),
    // then each distinct value of a pseudonymised column protected once.
    await toStagingLayout(
      engine,
      staging,
      [
        ...(pcIndex >= 0 ? [[staged.columns[pcIndex], '_postcode_raw']] : []),
        ...attrIdx.map((i) => [staged.columns[i], header[i]]),
      ] as [string, string][],
      [...(pcIndex >= 0 ? [] : ['_postcode_raw']), ...(staged.problems ? [] : ['_problem', '_problem_column'])],
    );
    for (const i of pseudoIdx) {
      const col = ident(header[i]);
      const values = await engine.all<{ v: string }>(
        `SELECT DISTINCT ${col} AS v FROM ${ident(staging)} WHERE ${col} IS NOT NULL`,
      );
      await engine.run(`CREATE TEMP TABLE pseudonym_map (v VARCHAR, p VARCHAR)`);
      await engine.append(
        'pseudonym_map',
        values.map(({ v }) => [v, protect(i, v)]),
      );
      await engine.run(
        `UPDATE ${ident(staging)} SET ${col} = m.p FROM pseudonym_map m WHERE ${ident(staging)}.${col} = m.v`,
      );
      await engine.run(`DROP TABLE pseudonym_map`);
    }
  } else {
    await engine.append(staging, rows(), (n) => progress({ stage: 'loading', done: n, total }));
  }
  progress({ stage: 'loading', done: total, total });
  try {
    const optionCols =
      opts.options && (opts.options.flags?.length || opts.options.listed?.length)
        ? await deriveOptions(
            engine,
            staging,
            header,
            opts.options,
            table.file,
            pseudoIdx.map((i) => header[i]),
          )
        : null;
    const channel = await normaliseChannels(
      engine,
      staging,
      header,
      opts.channelColumn ?? contactColumns?.channel ?? undefined,
      table.file,
      pseudoIdx.map((i) => header[i]),
      new Map([...(await savedChannelNames(engine)), ...(opts.channelNames ?? [])]),
    );
    const contactColumnsRead = contactColumns && {
      ...contactColumns,
      channel: channel.summary?.column ?? contactColumns.channel,
    };
    // A contact log's hidden columns are computed as the dataset's table is written (below).
    const computed = contactColumnsRead
      ? contactLogColumns(contactColumnsRead, { file: table.file, header, handlingUnit: opts.handlingUnit })
      : [];
    const added = [...(optionCols?.added ?? []), ...channel.added];
    progress({ stage: 'matching', done: 0, total: 1 });
    await decidePostcodes(engine, staging, decisionTable, Boolean(opts.noPostcode));
    return await engine.transaction(async () => {
      if (existing) {
        await engine.run(`DROP TABLE IF EXISTS ${ident(tableName)}`);
        await engine.run(`DELETE FROM dataset_issue WHERE dataset = $1`, [name]);
        await engine.run(`DELETE FROM dataset WHERE name = $1`, [name]);
        await engine.run(`DELETE FROM dataset_disclosure WHERE dataset = $1`, [name]);
      }
      // Every record gets a fixed random key (0-255) for the cell key method; the salt is kept so
      // a customer reference can be keyed the same way when distinct customers are counted.
      const keySalt = opts.recordKeySalt ?? randomInt(1, 2 ** 47);

      // Exact matches (ignoring case and spaces) and the decisions made above, in one statement.
      await engine.run(
        `CREATE TABLE ${ident(tableName)} AS
        SELECT s._row, s._postcode_raw,
          CASE WHEN s._problem IS NOT NULL THEN NULL WHEN p.pc_key IS NOT NULL THEN p.pc_key ELSE d.pc_key END AS _pc_key,
          CASE WHEN s._problem IS NOT NULL THEN NULL WHEN p.pc_key IS NOT NULL THEN ${sqlFormatPostcode('p.pc_key')} ELSE d.postcode END AS _postcode,
          CASE WHEN s._problem IS NOT NULL THEN 'rejected' WHEN p.pc_key IS NOT NULL THEN 'matched' WHEN $1 THEN 'unmatched' ELSE d.status END AS _status,
          CASE WHEN s._problem IS NOT NULL THEN s._problem WHEN p.pc_key IS NOT NULL THEN (CASE WHEN p.status = 'terminated' THEN 'terminated postcode' END) WHEN $1 THEN $2 ELSE d.note END AS _note,
          s._problem_column AS _note_column, ${RECORD_KEY_SQL('s._row', keySalt)} AS _rkey
          ${attrIdx.length ? ', ' + attrIdx.map((i) => 's.' + ident(header[i])).join(', ') : ''}
          ${added.map((c) => ', s.' + ident(c)).join('')}
          ${computed.map((c) => `, ${c.sql('s')} AS ${ident(c.name)}`).join('')}
          ${propertyTable ? ', pr._property, pr._property_kind, pr._property_note' : ''}
        FROM ${ident(staging)} s LEFT JOIN postcode p ON p.pc_key = upper(replace(s._postcode_raw, ' ', ''))
          LEFT JOIN ${ident(decisionTable)} d ON d.raw IS NOT DISTINCT FROM s._postcode_raw
          ${propertyTable ? `LEFT JOIN ${ident(propertyTable)} pr ON pr._row = s._row` : ''}
        ORDER BY s._row`,
        [Boolean(opts.noPostcode), NOT_PLACED_REASON],
      ); // in file order: it also writes faster (measured)
      if (idIndex >= 0) await checkIdentifiers(engine, tableName, header[idIndex], table.file);
      const contactLog = contactColumnsRead
        ? await summariseContactLog(engine, tableName, contactColumnsRead, opts.handlingUnit)
        : null;
      // Fault injection for the killed-import test: hold the transaction open so it can be killed.
      if (process.env.CIVIC_FAULT_PAUSE_MS)
        await new Promise((r) => setTimeout(r, Number(process.env.CIVIC_FAULT_PAUSE_MS)));
      progress({ stage: 'matching', done: 1, total: 1 });

      const pcName = pcIndex >= 0 ? header[pcIndex] : null;
      await engine.run(
        `INSERT INTO dataset_issue
        SELECT $1, _row, _status, coalesce(_note_column, $2), _postcode_raw, _note
        FROM ${ident(tableName)} WHERE _status IN ('unmatched', 'rejected') ORDER BY _row`,
        [name, pcName],
      );

      const counts = (await engine.one<Record<string, number>>(`SELECT count(*)::BIGINT AS read,
          count(*) FILTER (WHERE _status = 'matched')::BIGINT AS matched,
          count(*) FILTER (WHERE _status = 'unmatched')::BIGINT AS unmatched,
          count(*) FILTER (WHERE _status = 'rejected')::BIGINT AS rejected,
          count(*) FILTER (WHERE _status = 'matched' AND _note LIKE 'postcode corrected%')::BIGINT AS corrected,
          count(*) FILTER (WHERE _status = 'matched' AND _note LIKE '%terminated postcode')::BIGINT AS terminated,
          count(*) FILTER (WHERE _status IS NULL)::BIGINT AS undecided
        FROM ${ident(tableName)}`))!;
      const a = addressing?.summary;
      if (
        counts.undecided > 0 ||
        counts.read !== total ||
        (a && (a.records !== total || a.uprn + a.matchedUprn + a.derived + a.none !== total)) ||
        counts.matched + counts.unmatched + counts.rejected !== counts.read
      ) {
        // Never let a row go missing silently: this would be a defect, so stop and keep the workspace as it was.
        throw new Error(
          `Row accounting failed for ${name}: read ${counts.read} of ${total}, undecided ${counts.undecided}`,
        );
      }
      const reasons = await engine.all<{ status: string; reason: string; rows: number }>(
        `SELECT status, CASE WHEN reason LIKE 'postcode (read as%' THEN 'postcode is not in the postcode directory' ELSE reason END AS reason,
          count(*)::BIGINT AS rows FROM dataset_issue WHERE dataset = $1 GROUP BY ALL ORDER BY rows DESC, reason`,
        [name],
      );
      const columns = [...attrIdx.map((i) => header[i]), ...added, ...computed.map((c) => c.name)];
      const pseudonymised = pseudoIdx.map((i) => header[i]);
      const now = new Date().toISOString();
      const keyId = pseudonymised.length ? key!.id : null;
      const by = opts.decidedBy ?? { username: null, role: null };
      await engine.run(
        `INSERT INTO dataset (name, title, table_name, source_file, format, encoding, postcode_column, columns, pseudonymised, partner,
          read_count, matched, unmatched, rejected, corrected, terminated, imported_at, pseudonym_key_id, privacy, id_column, addressing,
          kind, contact_log)
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23)`,
        [
          name,
          opts.title ?? null,
          tableName,
          opts.sourceName ?? basename(file),
          format,
          table.encoding ?? null,
          pcName,
          JSON.stringify(columns),
          JSON.stringify(pseudonymised),
          opts.partner ?? null,
          counts.read,
          counts.matched,
          counts.unmatched,
          counts.rejected,
          counts.corrected,
          counts.terminated,
          now,
          keyId,
          JSON.stringify({ keyId, decidedBy: by.username, role: by.role, decidedAt: now, columns: privacy }),
          idIndex >= 0 ? header[idIndex] : null,
          a ? JSON.stringify(a) : null,
          opts.kind ?? null,
          contactLog ? JSON.stringify(contactLog) : null,
        ],
      );
      await engine.run(`INSERT INTO dataset_disclosure VALUES ($1, $2, '{}')`, [name, keySalt]);
      if (opts.channelNames?.size) await saveChannelNames(engine, opts.channelNames);
      // Keeping a personal column readable is a choice someone made: the audit log says who and when.
      for (const p of privacy.filter((x) => x.decision === 'kept in clear')) {
        await engine.run(`INSERT INTO audit_log VALUES ($1, $2, $3, 'kept in clear', $4, $5)`, [
          now,
          by.username,
          by.role,
          `${name}: column "${p.column}" kept readable, though it looks personal`,
          by.ip ?? null,
        ]);
      }
      if (opts.saveMapping)
        await saveMapping(
          engine,
          opts.saveMapping,
          opts.partner,
          {
            postcodeColumn: pcName ?? undefined,
            map: opts.map,
            pseudonymise: opts.pseudonymise,
            keepInClear: opts.keepInClear,
            encodeForLinkage: opts.encodeForLinkage,
            addressColumns: opts.addressColumns,
            uprnColumn: opts.uprnColumn,
            options: opts.options,
            channelColumn: opts.channelColumn,
            kind: opts.kind,
            contactColumns: opts.contactColumns,
            handlingUnit: opts.handlingUnit,
            sheet: opts.sheet,
            headerRow: opts.headerRow,
            delimiter: opts.delimiter,
            encoding: opts.encoding,
          },
          by.username,
        );
      await engine.run(
        `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'dataset', $1, $2, $3, $4)`,
        [name, opts.sourceName ?? basename(file), counts.read, new Date().toISOString()],
      );
      return {
        dataset: name,
        file: opts.sourceName ?? basename(file),
        format,
        encoding: table.encoding ?? null,
        postcodeColumn: pcName,
        idColumn: idIndex >= 0 ? header[idIndex] : null,
        columns,
        pseudonymised,
        keptInClear,
        privacy,
        keyId,
        warnings,
        read: counts.read,
        matched: counts.matched,
        unmatched: counts.unmatched,
        rejected: counts.rejected,
        corrected: counts.corrected,
        terminated: counts.terminated,
        reasons,
        options: optionCols?.summary ?? null,
        savedMapping: opts.saveMapping ?? null,
        channels: channel.summary,
        contactLog: contactLog ?? null,
        addressing: a ?? null,
      };
    });
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${ident(staging)}`).catch(() => {});
    if (propertyTable) await engine.run(`DROP TABLE IF EXISTS ${ident(propertyTable)}`).catch(() => {});
    await engine.run(`DROP TABLE IF EXISTS ${ident(decisionTable)}`).catch(() => {});
  }
}

/**
 * The postcodes that do not match the directory as written (ignoring case and spaces), each
 * distinct value decided once: corrected and matched, not in the directory, or rejected with its
 * reason. Written to `into` (raw, status, pc_key, postcode, note) for the dataset's one statement.
 */
async function decidePostcodes(engine: Engine, staging: string, into: string, noPostcode: boolean): Promise<void> {
  await engine.run(
    `CREATE TEMP TABLE ${ident(into)} (raw VARCHAR, status VARCHAR, pc_key VARCHAR, postcode VARCHAR, note VARCHAR)`,
  );
  if (noPostcode) return;
  const pending = await engine.all<{ raw: string | null }>(
    `SELECT DISTINCT s._postcode_raw AS raw FROM ${ident(staging)} s
      LEFT JOIN postcode p ON p.pc_key = upper(replace(s._postcode_raw, ' ', ''))
      WHERE s._problem IS NULL AND p.pc_key IS NULL`,
  );
  const decisions: SqlValue[][] = [];
  const candidates = new Map<string, string>();
  for (const { raw } of pending) {
    const c = checkPostcode(raw);
    if (c.kind === 'corrected' || c.kind === 'valid') candidates.set(raw ?? '', c.key);
    else
      decisions.push([
        raw,
        'rejected',
        null,
        null,
        c.kind === 'blank' ? 'missing postcode' : 'not a valid UK postcode',
      ]);
  }
  if (candidates.size) {
    const candidateTable = `${into}_candidate`;
    await engine.run(`CREATE TEMP TABLE ${ident(candidateTable)} (raw VARCHAR, pc_key VARCHAR)`);
    try {
      await engine.append(
        candidateTable,
        [...candidates].map(([raw, k]) => [raw, k]),
      );
      const found = await engine.all<{ raw: string; pc_key: string; postcode: string; status: string }>(
        `SELECT c.raw, p.pc_key, ${sqlFormatPostcode('p.pc_key')} AS postcode, p.status FROM ${ident(candidateTable)} c JOIN postcode p ON p.pc_key = c.pc_key`,
      );
      const foundByRaw = new Map(found.map((f) => [f.raw, f]));
      for (const [raw, k] of candidates) {
        const f = foundByRaw.get(raw);
        if (f) {
          const note =
            `postcode corrected from "${raw.trim()}" to "${f.postcode}"` +
            (f.status === 'terminated' ? '; terminated postcode' : '');
          decisions.push([raw, 'matched', f.pc_key, f.postcode, note]);
        } else {
          decisions.push([
            raw,
            'unmatched',
            null,
            null,
            `postcode ${checkPostcode(raw).kind === 'corrected' ? `(read as ${k}) ` : ''}is not in the postcode directory`,
          ]);
        }
      }
    } finally {
      await engine.run(`DROP TABLE IF EXISTS ${ident(candidateTable)}`);
    }
  }
  await engine.append(into, decisions);
}

/**
 * Renames a staged table's columns (each [from, to]) and adds the missing VARCHAR columns. In two
 * steps, through names no file has, since DuckDB's names ignore case and one column's new name
 * may be another's old one.
 */
async function toStagingLayout(
  engine: Engine,
  table: string,
  renames: [string, string][],
  add: string[],
): Promise<void> {
  const moving = renames.filter(([from, to]) => from !== to);
  for (const [k, [from]] of moving.entries())
    await engine.run(`ALTER TABLE ${ident(table)} RENAME COLUMN ${ident(from)} TO ${ident(`__civic_staging_${k}`)}`);
  for (const [k, [, to]] of moving.entries())
    await engine.run(`ALTER TABLE ${ident(table)} RENAME COLUMN ${ident(`__civic_staging_${k}`)} TO ${ident(to)}`);
  for (const c of add) await engine.run(`ALTER TABLE ${ident(table)} ADD COLUMN ${ident(c)} VARCHAR`);
}

/** The reason every record of a dataset imported without geography is not placed. */
export const NOT_PLACED_REASON = 'not placed: imported without geography (--no-postcode)';

/**
 * The records' own identifiers must tell them apart: none blank, none shared. Refused with the
 * counts (never a value), and the import leaves the workspace as it was.
 */
async function checkIdentifiers(engine: Engine, table: string, column: string, file: string): Promise<void> {
  const c = (await engine.one<{ blank: number; repeated: number }>(
    `SELECT count(*) FILTER (WHERE nullif(trim(${ident(column)}), '') IS NULL)::BIGINT AS blank,
      (count(${ident(column)}) - count(DISTINCT ${ident(column)}))::BIGINT AS repeated FROM ${ident(table)}`,
  ))!;
  if (c.blank || c.repeated)
    throw new InputError(
      `The identifier column "${column}" does not tell every record apart: ${c.blank} blank and ${c.repeated} repeated.`,
      {
        location: { file, column },
        code: 'input_identifiers',
        fix: 'Name a column whose values are unique and never blank with --id-column, or leave it out to use the row numbers.',
      },
    );
}

export interface DatasetSummary {
  name: string;
  title: string | null;
  file: string | null;
  format: string | null;
  partner: string | null;
  read: number;
  matched: number;
  unmatched: number;
  rejected: number;
  matchRate: number;
  importedAt: string;
  /** the cell keys of the row accounts (cell key method), for the boundary to perturb them for non-owners */
  keys: { read: number; matched: number; unmatched: number; rejected: number };
}

export async function listDatasets(engine: Engine): Promise<DatasetSummary[]> {
  const rows = await engine.all(`SELECT * FROM dataset ORDER BY name`);
  const keys = new Map<string, DatasetSummary['keys']>();
  for (const r of rows) {
    const k = (await engine.one<Record<string, number>>(`SELECT (coalesce(sum(_rkey), 0) % 256)::BIGINT AS read,
      (coalesce(sum(_rkey) FILTER (WHERE _status = 'matched'), 0) % 256)::BIGINT AS matched,
      (coalesce(sum(_rkey) FILTER (WHERE _status = 'unmatched'), 0) % 256)::BIGINT AS unmatched,
      (coalesce(sum(_rkey) FILTER (WHERE _status = 'rejected'), 0) % 256)::BIGINT AS rejected FROM ${ident(r.table_name as string)}`))!;
    keys.set(r.name as string, { read: k.read, matched: k.matched, unmatched: k.unmatched, rejected: k.rejected });
  }
  return rows.map((r) => ({
    keys: keys.get(r.name as string)!,
    name: r.name as string,
    title: r.title as string | null,
    file: r.source_file as string | null,
    format: r.format as string | null,
    partner: r.partner as string | null,
    read: r.read_count as number,
    matched: r.matched as number,
    unmatched: r.unmatched as number,
    rejected: r.rejected as number,
    matchRate: (r.read_count as number) ? ((r.matched as number) / (r.read_count as number)) * 100 : 0,
    importedAt: r.imported_at as string,
  }));
}

export async function datasetIssues(
  engine: Engine,
  name: string,
  opts: { status?: 'unmatched' | 'rejected' | 'corrected'; limit?: number } = {},
): Promise<RowIssue[]> {
  const ds = await engine.one<{ table_name: string; postcode_column: string }>(
    `SELECT table_name, postcode_column FROM dataset WHERE name = $1`,
    [name],
  );
  if (!ds) throw await missingDataset(engine, name);
  if (opts.status === 'corrected') {
    // Matched rows keep their note in the dataset's own table.
    const rows = await engine.all<{ row_no: number; value: string | null; reason: string }>(
      `SELECT _row AS row_no, _postcode_raw AS value, _note AS reason FROM ${ident(ds.table_name)} WHERE _status = 'matched' AND _note LIKE 'postcode corrected%' ORDER BY _row ${opts.limit ? `LIMIT ${Math.floor(opts.limit)}` : ''}`,
    );
    return rows.map((r) => ({
      row: r.row_no,
      status: 'corrected',
      column: ds.postcode_column,
      value: r.value,
      reason: r.reason,
    }));
  }
  const rows = await engine.all<{
    row_no: number;
    status: string;
    column_name: string | null;
    value: string | null;
    reason: string;
  }>(
    `SELECT row_no, status, column_name, value, reason FROM dataset_issue WHERE dataset = $1 ${opts.status ? 'AND status = $2' : ''} ORDER BY row_no ${opts.limit ? `LIMIT ${Math.floor(opts.limit)}` : ''}`,
    opts.status ? [name, opts.status] : [name],
  );
  return rows.map((r) => ({
    row: r.row_no,
    status: r.status as RowIssue['status'],
    column: r.column_name,
    value: r.value,
    reason: r.reason,
  }));
}

/** The one error for a dataset that is not there, naming those that are. */
export async function missingDataset(engine: Engine, name: string): Promise<NotFoundError> {
  const names = (await engine.all<{ name: string }>(`SELECT name FROM dataset ORDER BY name`)).map((r) => r.name);
  return new NotFoundError(
    `There is no dataset called "${name}".`,
    names.length
      ? `Datasets in this workspace: ${names.join(', ')}.`
      : 'Import one with: civic dataset import WORKSPACE NAME FILE',
  );
}

/** Removes a dataset, its records and its row issues, in one transaction. */
export async function removeDataset(engine: Engine, name: string): Promise<{ dataset: string; rows: number }> {
  const ds = await engine.one<{ table_name: string; read_count: number }>(
    `SELECT table_name, read_count FROM dataset WHERE name = $1`,
    [name],
  );
  if (!ds) throw await missingDataset(engine, name);
  return engine.transaction(async () => {
    await engine.run(`DROP TABLE IF EXISTS ${ident(ds.table_name)}`);
    await engine.run(`DELETE FROM dataset_issue WHERE dataset = $1`, [name]);
    await engine.run(`DELETE FROM dataset WHERE name = $1`, [name]);
    await engine.run(`DELETE FROM dataset_disclosure WHERE dataset = $1`, [name]);
    await engine.run(
      `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'dataset removed', $1, NULL, $2, $3)`,
      [name, ds.read_count, new Date().toISOString()],
    );
    return { dataset: name, rows: ds.read_count };
  });
}

/**
 * The categories a dataset's owner has published: columns whose values others may filter its
 * profiles by (e.g. payment_method: Direct Debit, Cash). Nothing else in a dataset is open to
 * anyone but its owner's filters.
 */
export async function publishedCategories(engine: Engine, name: string): Promise<Record<string, string[]>> {
  const r = await engine.one<{ published: string }>(`SELECT published FROM dataset_disclosure WHERE dataset = $1`, [
    name,
  ]);
  return r ? (JSON.parse(r.published) as Record<string, string[]>) : {};
}

/**
 * Publishes a column's values as categories others may filter on: the values given, or every value
 * the column has. Only the owner does this, deliberately, for columns of a few categories (never
 * names, references or free text); `values: []` withdraws the column.
 */
export async function publishCategories(
  engine: Engine,
  name: string,
  column: string,
  values?: string[],
): Promise<{ column: string; values: string[] }> {
  const ds = await engine.one<{ table_name: string; columns: string }>(
    `SELECT table_name, columns FROM dataset WHERE name = $1`,
    [name],
  );
  if (!ds) throw await missingDataset(engine, name);
  const col = datasetColumn(ds.columns, column);
  const have = (
    await engine.all<{ v: string }>(
      `SELECT DISTINCT trim(${ident(col)}) AS v FROM ${ident(ds.table_name)} WHERE nullif(trim(${ident(col)}), '') IS NOT NULL ORDER BY 1`,
    )
  ).map((r) => r.v);
  const chosen = values === undefined ? have : [...new Set(values.map((v) => v.trim()).filter(Boolean))];
  if (values === undefined && have.length > 50) {
    throw new ParameterError(
      `The column ${col} has ${have.length} different values: too many to be categories.`,
      'Publish a column of a few categories (a payment method, a service type), or name the values to publish with --values.',
    );
  }
  const published = await publishedCategories(engine, name);
  if (chosen.length) published[col] = chosen;
  else delete published[col];
  await engine.run(`UPDATE dataset_disclosure SET published = $2 WHERE dataset = $1`, [
    name,
    JSON.stringify(published),
  ]);
  return { column: col, values: chosen };
}

/**
 * A dataset's column by the name someone typed: exactly, or else ignoring case. The columns are the
 * dataset's `columns` (JSON, as stored) or a list; refuses with the columns there are.
 */
export function datasetColumn(columns: string | readonly string[], wanted: string): string {
  const cols: readonly string[] = typeof columns === 'string' ? JSON.parse(columns) : columns;
  const col = cols.find((c) => c === wanted) ?? cols.find((c) => c.toLowerCase() === wanted.toLowerCase());
  if (!col) throw new ParameterError(`The dataset has no column "${wanted}".`, `Columns: ${cols.join(', ')}.`);
  return col;
}

/** Every dataset's owning partner (null: the council's), by dataset name. */
export async function datasetPartners(engine: Engine): Promise<Map<string, string | null>> {
  // Read on nearly every request, and decisive for who sees what: kept only while the dataset table
  // is unchanged, which the engine knows of every write (store/changes.ts).
  const rows = await whileUnchanged(engine, 'dataset partners', ['dataset'], () =>
    engine.all<{ name: string; partner: string | null }>(`SELECT name, partner FROM dataset`),
  );
  return new Map(rows.map((d) => [d.name, d.partner]));
}

/** Each dataset's name, title and partner, ordered by title, for the portal's choices. */
export async function datasetChoices(
  engine: Engine,
): Promise<{ name: string; title: string | null; partner: string | null }[]> {
  const rows = await whileUnchanged(engine, 'dataset choices', ['dataset'], () =>
    engine.all<{ name: string; title: string | null; partner: string | null }>(
      `SELECT name, title, partner FROM dataset ORDER BY coalesce(title, name), name`,
    ),
  );
  return rows.map((r) => ({ ...r }));
}

/** Whether there is a dataset of this name. */
export async function datasetExists(engine: Engine, name: string): Promise<boolean> {
  return !!(await engine.one(`SELECT name FROM dataset WHERE name = $1`, [name]));
}
