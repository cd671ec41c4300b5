/**
 * C1: a base given as records, not counts — one row per household or person, as a council's own
 * property list, a register extract or a census microdata-like file gives it, with the area code
 * in a column. The rows are counted per area (`--base-rows households`: each row counts 1), or
 * their 0/1 columns are added up per area (`--base-sum population=resident`). Every row is
 * accounted for: rows with no area code, with something that is not an area code of the file's
 * level, or in an area the workspace does not have are left out and counted, with their reasons.
 *
 * A file is read this way only when it lists some area more than once; a file with one row per
 * area is a file of counts, read as before (see docs/decisions/0024-a-base-from-records.md).
 */
import { InputError, ParameterError } from '../core/index.ts';
import { type Engine, ident, sqlTextList, textList } from '../store/index.ts';
import { levelFamilyOfCode, type AreaLevel } from '../geo/index.ts';
import type { LoadedCsv } from './csv.ts';

export type BaseMeasure = 'households' | 'population';
type Family = NonNullable<ReturnType<typeof levelFamilyOfCode>>;

/** Reads `--base-rows households` (or population). */
export function parseBaseRows(spec: string): BaseMeasure {
  const s = spec.trim().toLowerCase();
  if (s === 'households' || s === 'population') return s;
  throw new ParameterError(
    `Cannot read --base-rows "${spec}".`,
    'Say what each row of the base file is: --base-rows households (a property or household list) or --base-rows population (a list of people).',
  );
}

/** Why rows of a base file were not counted in any area. */
export type LeftOutReason = 'no area code' | 'not an area code of the level' | 'area not in the workspace';

/** How a base file with one row per household or person became counts per area. */
export interface BaseRowCount {
  /** rows in the file; read = counted + every leftOut's rows */
  read: number;
  /** rows added into areas */
  counted: number;
  /** areas the counted rows fall in */
  areas: number;
  /** what each count is: 'rows' (each row counts 1) or the 0/1 columns added up */
  measures: { field: BaseMeasure; from: 'rows' | string[]; total: number }[];
  leftOut: {
    reason: LeftOutReason;
    rows: number;
    /** the first few rows' numbers in the file */
    firstRows: number[];
    /** for areas not in the workspace: the first few area codes (public reference codes) */
    codes?: string[];
  }[];
  /** whether the codes were checked against the workspace's list of areas (false when it has none of that level yet) */
  checkedAgainstAreas: boolean;
}

export interface RepeatedCodes {
  /** how many areas appear on more than one row */
  areas: number;
  /** the first areas repeated, each with its first three rows and how many rows it has */
  examples: { code: string; rows: string; n: number }[];
}

const codeOf = (col: string) => `upper(trim(${ident(col)}))`;
const GSS = `'[EWSNKL][0-9]{8}'`;

/** Areas listed on more than one row of a file (codes trimmed and upper-cased), or null when none is. */
export async function repeatedCodes(engine: Engine, loaded: LoadedCsv, codeCol: string): Promise<RepeatedCodes | null> {
  const t = ident(loaded.table);
  const c = codeOf(codeCol);
  const examples = await engine.all<{ code: string; rows: string; n: number }>(
    `SELECT code, string_agg(CAST(_row AS VARCHAR), ', ' ORDER BY _row) AS rows, max(n)::BIGINT AS n FROM (
       SELECT ${c} AS code, _row, count(*) OVER (PARTITION BY ${c}) AS n,
         row_number() OVER (PARTITION BY ${c} ORDER BY _row) AS k FROM ${t} WHERE ${c} IS NOT NULL AND ${c} <> '')
     WHERE n > 1 AND k <= 3 GROUP BY code ORDER BY min(_row) LIMIT 3`,
  );
  if (!examples.length) return null;
  const areas = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM (SELECT 1 FROM ${t} WHERE ${c} IS NOT NULL AND ${c} <> '' GROUP BY ${c} HAVING count(*) > 1)`,
  ))!.n;
  return { areas, examples };
}

const listed = (r: RepeatedCodes) => {
  const e = r.examples[0];
  return `${r.areas === 1 ? 'an area' : `${r.areas.toLocaleString('en-GB')} areas`} more than once, e.g. ${e.code} on rows ${e.rows}${e.n > 3 ? ` and ${(e.n - 3).toLocaleString('en-GB')} more` : ''}`;
};

/**
 * The refusal for a base file that repeats area codes when the command did not say how to count
 * its rows: it names both fixes (one row per area, or say what a row is).
 */
export function repeatedCodesError(
  file: string,
  codeCol: string,
  header: string[],
  r: RepeatedCodes,
  long: boolean,
  /** --base-sum terms given in the command that are no columns of this file */
  unmatched: string[] = [],
): InputError {
  const columns = header.filter((h) => h !== codeCol);
  const none = unmatched.length
    ? ` (--base-sum names ${unmatched.map((x) => `"${x}"`).join(', ')}, not ${unmatched.length === 1 ? 'a column' : 'columns'} of it)`
    : '';
  return new InputError(`The base file lists ${listed(r)}: each area would be counted more than once${none}.`, {
    location: { file, row: Number(r.examples[0].rows.split(',')[0]), column: codeCol },
    code: 'reference_duplicates',
    fix:
      (long
        ? 'It looks like a long file (one row per area and indicator): name the indicators to add up, e.g. --base-sum households=INDICATOR. '
        : '') +
      'If the file gives counts, keep one row per area and import it again. ' +
      'If each row is a household or a person (a property list or a register extract), say how to count the rows: ' +
      '--base-rows households (or population) counts the rows in each area; ' +
      `--base-sum households=COLUMN (or population=COLUMN) adds up a column of 1s and 0s in each area${columns.length ? ` (columns: ${columns.slice(0, 12).join(', ')}${columns.length > 12 ? ' …' : ''})` : ''}. ` +
      'Nothing was imported.',
  });
}

/** Which level family the file's codes are: the one most of its well-formed codes belong to. */
async function familyOf(engine: Engine, t: string, c: string, level?: AreaLevel | null): Promise<Family | null> {
  if (level) return level.replace(/[0-9]+$/, '') as Family;
  const prefixes = await engine.all<{ p: string; n: number }>(
    `SELECT left(${c}, 3) AS p, count(*)::BIGINT AS n, min(_row) AS first FROM ${t}
     WHERE regexp_full_match(${c}, ${GSS}) AND substr(${c}, 2) <> '99999999' GROUP BY 1 ORDER BY n DESC, first`,
  );
  const byFamily = new Map<Family, number>();
  for (const x of prefixes) {
    const f = levelFamilyOfCode(x.p);
    if (f) byFamily.set(f, (byFamily.get(f) ?? 0) + x.n);
  }
  return [...byFamily].sort((a, b) => b[1] - a[1])[0]?.[0] ?? null;
}

/**
 * Counts a file of households or people per area: `rows` (if given) counts each row as 1, and each
 * sum adds up its 0/1 columns. Rows with no area code, or with something that is not a code of the
 * file's level, are left out and counted. Returns the counts as an all-text table (`area_code` and
 * the measures, with `_row` the area's first row and `_rows_in_area` its rows) and the account so far.
 */
export async function countRowsPerArea(
  engine: Engine,
  loaded: LoadedCsv,
  codeCol: string,
  o: {
    rows?: BaseMeasure;
    sums: { field: BaseMeasure; terms: string[] }[];
    /** the areas listed more than once, as found */
    repeated: RepeatedCodes;
    /** whether --base-rows asked for this reading (else it was chosen because codes repeat and --base-sum names columns) */
    asked: boolean;
    level?: AreaLevel | null;
  },
): Promise<{ table: LoadedCsv; account: BaseRowCount }> {
  const t = ident(loaded.table);
  const file = loaded.file;
  const c = codeOf(codeCol);
  for (const sum of o.sums) {
    const absent = sum.terms.filter((x) => !loaded.header.includes(x));
    if (absent.length)
      throw new InputError(
        `--base-sum ${sum.field}= names ${absent.map((a) => `"${a}"`).join(', ')}, not columns of the base file.`,
        {
          location: { file },
          code: 'reference_columns',
          fix: `Name columns of 1s and 0s to add up, e.g. --base-sum ${sum.field}=${loaded.header.filter((h) => h !== codeCol).at(-1) ?? 'COLUMN'}. Columns found: ${loaded.header.join(', ')}.`,
        },
      );
  }
  // Every cell of a column added up must be 0 or 1: one row is one household or person.
  for (const sum of o.sums) {
    for (const col of sum.terms) {
      const v = ident(col);
      const bad = await engine.one<{ row: number; v: string | null; n: number }>(
        `SELECT min(_row) AS row, min_by(${v}, _row) AS v, count(*)::BIGINT AS n FROM ${t}
         WHERE ${v} IS NULL OR trim(${v}) NOT IN ('0', '1') HAVING count(*) > 0`,
      );
      if (bad) throw notOneHot(file, col, bad, o);
    }
    if (sum.terms.length > 1) {
      const both = await engine.one<{ row: number; n: number }>(
        `SELECT min(_row) AS row, count(*)::BIGINT AS n FROM ${t}
         WHERE ${sum.terms.map((x) => `CAST(trim(${ident(x)}) AS INTEGER)`).join(' + ')} > 1 HAVING count(*) > 0`,
      );
      if (both)
        throw new InputError(
          `Row ${both.row} of the base file has 1 in more than one of ${sum.terms.map((x) => `"${x}"`).join(', ')}: a ${sum.field === 'households' ? 'household' : 'person'} would be counted more than once${both.n > 1 ? ` (${both.n.toLocaleString('en-GB')} rows are like this)` : ''}.`,
          {
            location: { file, row: both.row, column: sum.terms[0] },
            code: 'reference_values',
            fix: `Each row is one ${sum.field === 'households' ? 'household' : 'person'}, so at most one of the columns added up with --base-sum ${sum.field}= may hold 1 on a row: correct those rows, or add up one column. Nothing was imported.`,
          },
        );
    }
  }
  const family = await familyOf(engine, t, c, o.level);
  const seen = (
    await engine.all<{ p: string }>(
      `SELECT DISTINCT left(${c}, 3) AS p FROM ${t} WHERE regexp_full_match(${c}, ${GSS})`,
    )
  ).map((x) => x.p);
  // The code prefixes of the file's level, as levelFamilyOfCode tells them (E00, W00 … for output areas).
  const ofLevel = seen.filter((p) => family && levelFamilyOfCode(p) === family);
  const isCode = `(regexp_full_match(${c}, ${GSS}) AND substr(${c}, 2) <> '99999999' AND left(${c}, 3) IN (SELECT ${sqlTextList('$1')}))`;
  const none = `(${ident(codeCol)} IS NULL OR trim(${ident(codeCol)}) = '')`;
  const first5 = (where: string) =>
    `(SELECT string_agg(CAST(_row AS VARCHAR), ',' ORDER BY _row) FROM (SELECT _row FROM ${t} WHERE ${where} ORDER BY _row LIMIT 5))`;
  const other = `NOT ${none} AND NOT ${isCode}`;
  const account = (await engine.one<{
    read: number;
    none: number;
    noneRows: string | null;
    other: number;
    otherRows: string | null;
  }>(
    `SELECT count(*)::BIGINT AS read,
       count(*) FILTER (WHERE ${none})::BIGINT AS none, ${first5(none)} AS "noneRows",
       count(*) FILTER (WHERE ${other})::BIGINT AS other, ${first5(other)} AS "otherRows"
     FROM ${t}`,
    [textList(ofLevel)],
  ))!;
  const rowList = (s: string | null) => (s ? s.split(',').map(Number) : []);
  const measures: string[] = [];
  if (o.rows) measures.push(`CAST(count(*) AS VARCHAR) AS ${ident(o.rows)}`);
  for (const sum of o.sums)
    measures.push(
      `CAST(${sum.terms.map((x) => `sum(CAST(trim(${ident(x)}) AS INTEGER))`).join(' + ')} AS VARCHAR) AS ${ident(sum.field)}`,
    );
  const table = `${loaded.table}_per_area`;
  await engine.run(
    `CREATE TEMP TABLE ${ident(table)} AS SELECT min(_row) AS _row, ${c} AS area_code, ${measures.join(', ')},
       count(*)::BIGINT AS _rows_in_area FROM ${t} WHERE NOT ${none} AND ${isCode} GROUP BY ${c} ORDER BY min(_row)`,
    [textList(ofLevel)],
  );
  const fields = [...(o.rows ? [o.rows] : []), ...o.sums.map((s) => s.field)];
  const leftOut: BaseRowCount['leftOut'] = [];
  if (account.none) leftOut.push({ reason: 'no area code', rows: account.none, firstRows: rowList(account.noneRows) });
  if (account.other)
    leftOut.push({
      reason: 'not an area code of the level',
      rows: account.other,
      firstRows: rowList(account.otherRows),
    });
  return {
    table: { table, header: ['area_code', ...fields], rows: 0, file },
    account: {
      read: account.read,
      counted: account.read - account.none - account.other,
      areas: 0,
      measures: [
        ...(o.rows ? [{ field: o.rows, from: 'rows' as const, total: 0 }] : []),
        ...o.sums.map((s) => ({ field: s.field, from: s.terms, total: 0 })),
      ],
      leftOut,
      checkedAgainstAreas: false,
    },
  };
}

function notOneHot(
  file: string,
  col: string,
  bad: { row: number; v: string | null; n: number },
  o: { repeated: RepeatedCodes; asked: boolean },
): InputError {
  const what = bad.v === null || bad.v.trim() === '' ? 'is empty' : `has "${bad.v}"`;
  const more = bad.n > 1 ? ` (${bad.n.toLocaleString('en-GB')} rows have something other than 0 or 1)` : '';
  const why = o.asked
    ? 'With --base-rows each row is one household or person'
    : `The base file lists ${listed(o.repeated)}, so each row was read as one household or person`;
  return new InputError(`${why}, but column "${col}" ${what} on row ${bad.row}, not 0 or 1${more}.`, {
    location: { file, row: bad.row, column: col },
    code: 'reference_values',
    fix:
      `A column added up with --base-sum must hold 1 (the row counts) or 0 (it does not) on every row: correct "${col}" on those rows. ` +
      (o.asked ? '' : 'If the file gives counts per area instead, keep one row per area and import it again. ') +
      'Nothing was imported.',
  });
}

/**
 * Once the level is known: leaves out the areas the workspace does not have (when it has a list
 * of areas at that level — areas, boundaries or a base), and completes the account.
 */
export async function leaveOutUnknownAreas(
  engine: Engine,
  perArea: LoadedCsv,
  level: AreaLevel,
  account: BaseRowCount,
): Promise<void> {
  const t = ident(perArea.table);
  const known = `(SELECT code FROM area WHERE level = $1 UNION SELECT area_code FROM boundary WHERE level = $1
    UNION SELECT area_code FROM area_base WHERE level = $1)`;
  const any = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${known}`, [level]))!.n;
  if (any) {
    account.checkedAgainstAreas = true;
    const unknown = (await engine.one<{ rows: number | null; firstRows: string | null; codes: string | null }>(
      `SELECT sum(_rows_in_area)::BIGINT AS rows,
         (SELECT string_agg(CAST(_row AS VARCHAR), ',' ORDER BY _row) FROM (SELECT _row FROM ${t} WHERE area_code NOT IN ${known} ORDER BY _row LIMIT 5)) AS "firstRows",
         (SELECT string_agg(area_code, ',' ORDER BY _row) FROM (SELECT _row, area_code FROM ${t} WHERE area_code NOT IN ${known} ORDER BY _row LIMIT 5)) AS codes
       FROM ${t} WHERE area_code NOT IN ${known}`,
      [level],
    ))!;
    if (unknown.rows) {
      account.leftOut.push({
        reason: 'area not in the workspace',
        rows: Number(unknown.rows),
        firstRows: (unknown.firstRows ?? '').split(',').map(Number),
        codes: (unknown.codes ?? '').split(','),
      });
      account.counted -= Number(unknown.rows);
      await engine.run(`DELETE FROM ${t} WHERE area_code NOT IN ${known}`, [level]);
    }
  }
  const totals = (await engine.one(
    `SELECT count(*)::BIGINT AS areas, ${account.measures.map((m, i) => `sum(CAST(${ident(m.field)} AS BIGINT))::BIGINT AS m${i}`).join(', ')} FROM ${t}`,
  ))!;
  account.areas = Number(totals.areas);
  account.measures.forEach((m, i) => (m.total = Number(totals[`m${i}`] ?? 0)));
}
