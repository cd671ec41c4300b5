/**
 * The records a model links, as one working table: every record of the dataset (or of both
 * datasets) that was not rejected at import, numbered, with its own identifier, the columns the
 * model reads cleaned the same way (spaces trimmed, blanks null, lower case unless the spec says
 * not), and for each term-frequency column the share of records holding each value.
 */
import { NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident, sqlBloomBits } from '../store/index.ts';
import { REC_ID, REC_N, REC_SRC } from './blocking.ts';
import { bloomColumns, dateColumns, tfColumns } from './comparisons.ts';
import { sqlCompare } from '../store/index.ts';
import { type LinkSpec, specColumns } from './spec.ts';

/** A dataset as linkage reads it. */
export interface LinkSource {
  dataset: string;
  table: string;
  /** the column of its own identifiers, or null (row numbers) */
  idColumn: string | null;
  columns: string[];
  pseudonymised: string[];
}

/** The datasets of a model, checked: one to deduplicate, two to link. */
export async function linkSources(engine: Engine, datasets: readonly string[]): Promise<LinkSource[]> {
  if (datasets.length < 1 || datasets.length > 2)
    throw new ParameterError(
      `A model links one dataset (to find its duplicates) or two (to link them), not ${datasets.length}.`,
      'Name one dataset, or two separated by a comma.',
    );
  if (datasets.length === 2 && datasets[0] === datasets[1])
    throw new ParameterError(
      'The two datasets to link are the same one.',
      'To find duplicates within it, name it once.',
    );
  const out: LinkSource[] = [];
  for (const name of datasets) {
    const d = await engine.one<{
      table_name: string;
      id_column: string | null;
      columns: string;
      pseudonymised: string;
    }>(`SELECT table_name, id_column, columns, pseudonymised FROM dataset WHERE name = $1`, [name]);
    if (!d) {
      const names = (await engine.all<{ name: string }>(`SELECT name FROM dataset ORDER BY name`)).map((r) => r.name);
      throw new NotFoundError(
        `There is no dataset called "${name}".`,
        names.length
          ? `Datasets in this workspace: ${names.join(', ')}.`
          : 'Import one with: civic dataset import WORKSPACE NAME FILE --no-postcode',
      );
    }
    out.push({
      dataset: name,
      table: d.table_name,
      idColumn: d.id_column,
      columns: JSON.parse(d.columns) as string[],
      pseudonymised: JSON.parse(d.pseudonymised ?? '[]') as string[],
    });
  }
  return out;
}

/** The columns both datasets have (or the one dataset's), the model's to choose from. */
export function commonColumns(sources: readonly LinkSource[]): string[] {
  const [a, b] = sources;
  return b ? a.columns.filter((c) => b.columns.some((x) => x.toLowerCase() === c.toLowerCase())) : [...a.columns];
}

let counter = 0;
/** A working table's name, unique to this process and call (never a dataset's "ds_" name). */
export function workTable(kind: string): string {
  return `lk_${kind}_${process.pid}_${++counter}`;
}

export interface RecordsTable {
  table: string;
  columns: string[];
  /** the select list putting each column of both records of a pair side by side (pairColumnsSql) */
  pairColumns: string;
  /** per dataset: records read at import, used here, and left out as rejected at import */
  counts: { dataset: string; read: number; used: number; leftOut: number }[];
  drop(): Promise<void>;
}

/** How a column is cleaned before it is compared. */
export function cleanSql(expr: string, lowerCase: boolean): string {
  const t = `trim(CAST(${expr} AS VARCHAR))`;
  return `nullif(${lowerCase ? `lower(${t})` : t}, '')`;
}

/**
 * A record's number is its row number in its dataset, plus this for the second dataset: unique and
 * in order (first dataset, then second, each in file order) without numbering the rows afresh, which
 * at 1,000,000 records took 12 of the 13 seconds that making the records table took.
 */
const SOURCE_STRIDE = 2 ** 40;

/** The SQL making the records table (tested as text). */
export function recordsSql(
  spec: LinkSpec,
  sources: readonly LinkSource[],
  columns: readonly string[],
  tf: readonly string[],
  table: string,
): string {
  // Bloom-filter encodings are base64, whose case matters: never lower-cased.
  const encoded = new Set(
    spec.comparisons.flatMap((c) =>
      c.levels.flatMap((l) => (l.kind === 'bloom_dice' ? [(l.column ?? c.column ?? '').toLowerCase()] : [])),
    ),
  );
  const parts = sources.map((s, i) => {
    const id = s.idColumn ? `CAST(${ident(s.idColumn)} AS VARCHAR)` : 'CAST(_row AS VARCHAR)';
    const cols = columns.map(
      (c) => `${cleanSql(ident(c), spec.lowerCase && !encoded.has(c.toLowerCase()))} AS ${ident(c)}`,
    );
    return `SELECT ${i} AS ${REC_SRC}, _row AS _lk_row, (_row + ${i * SOURCE_STRIDE})::BIGINT AS ${REC_N}, ${id} AS ${REC_ID}${cols.length ? ', ' + cols.join(', ') : ''} FROM ${ident(s.table)} WHERE _status IS DISTINCT FROM 'rejected'`;
  });
  const dates = dateColumns(spec).map(
    (d) =>
      `${sqlCompare.date(ident(columns.find((c) => c.toLowerCase() === d.column.toLowerCase()) ?? d.column), d.format)} AS ${ident(d.name)}`,
  );
  // Each term frequency from one GROUP BY joined back: a window over every record per column
  // (count(*) OVER (PARTITION BY c)) took most of the 15 s of this table at 1,000,000 records.
  const tfJoins = tf.map(
    (c, k) =>
      ` LEFT JOIN (SELECT ${ident(c)} AS v, count(*)::DOUBLE / sum(count(*)) OVER () AS f FROM src WHERE ${ident(c)} IS NOT NULL GROUP BY 1) tf${k} ON tf${k}.v = src.${ident(c)}`,
  );
  const bits = bloomColumns(spec).map(
    (b) =>
      `${sqlBloomBits(`src.${ident(columns.find((c) => c.toLowerCase() === b.column.toLowerCase()) ?? b.column)}`)} AS ${ident(b.name)}`,
  );
  const derived = [...dates, ...bits, ...tf.map((c, k) => `tf${k}.f AS ${ident(`_tf_${c}`)}`)];
  return `CREATE TEMP TABLE ${ident(table)} AS WITH src AS MATERIALIZED (${parts.join(' UNION ALL ')}) SELECT src.*${derived.length ? ', ' + derived.join(', ') : ''} FROM src${tfJoins.join('')}`;
}

/** Builds the records table for a spec; drop() removes it. */
export async function buildRecords(
  engine: Engine,
  spec: LinkSpec,
  sources: readonly LinkSource[],
): Promise<RecordsTable> {
  if (spec.linkType === 'link' && sources.length !== 2)
    throw new ParameterError('This model links two datasets: name both.', 'Give --datasets A,B.');
  if (spec.linkType === 'dedupe' && sources.length !== 1)
    throw new ParameterError('This model finds duplicates within one dataset: name only one.');
  const available = commonColumns(sources);
  const columns = specColumns(spec, available);
  const tf = tfColumns(spec).map((t) => columns.find((c) => c.toLowerCase() === t.toLowerCase()) ?? t);
  const table = workTable('rec');
  await engine.run(recordsSql(spec, sources, columns, tf, table));
  const counts = [];
  for (const [i, s] of sources.entries()) {
    const c = (await engine.one<{ read: number; used: number }>(
      `SELECT (SELECT count(*) FROM ${ident(s.table)})::BIGINT AS read, (SELECT count(*) FROM ${ident(table)} WHERE ${REC_SRC} = ${i})::BIGINT AS used`,
    ))!;
    if (!c.used)
      throw new WorkspaceStateError(
        `The dataset ${s.dataset} has no records to link.`,
        'Import a file with records in it (civic dataset import … --no-postcode).',
      );
    counts.push({ dataset: s.dataset, read: c.read, used: c.used, leftOut: c.read - c.used });
  }
  return {
    table,
    columns,
    pairColumns: pairColumnsSql(
      columns,
      tf,
      [...dateColumns(spec), ...bloomColumns(spec)].map((d) => d.name),
    ),
    counts,
    drop: () => engine.run(`DROP TABLE IF EXISTS ${ident(table)}`),
  };
}

/** The select list putting each column of both records side by side: l."c" AS "c_l", r."c" AS "c_r", and their term frequencies. */
export function pairColumnsSql(
  columns: readonly string[],
  tf: readonly string[],
  derived: readonly string[] = [],
): string {
  const out: string[] = [];
  for (const c of [...columns, ...derived])
    out.push(`l.${ident(c)} AS ${ident(`${c}_l`)}`, `r.${ident(c)} AS ${ident(`${c}_r`)}`);
  for (const c of tf)
    out.push(`l.${ident(`_tf_${c}`)} AS ${ident(`_tf_${c}_l`)}`, `r.${ident(`_tf_${c}`)} AS ${ident(`_tf_${c}_r`)}`);
  return out.join(', ');
}
