/**
 * C1: the base — households and population per area, the denominators of every profile. Census
 * 2021 TS041 (households) and TS001 (usual residents) are read as published; a plain
 * `area_code, households[, population]` CSV works too.
 */
import { basename } from 'node:path';
import { InputError, ParameterError } from '../core/index.ts';
import { type Engine, ident, sqlTextList, sqlTryNumber, textList } from '../store/index.ts';
import { levelFamilyOfCode, levelFor, yearFromHeader, parseLevel, type AreaLevel } from '../geo/index.ts';
import {
  type LoadedCsv,
  loadQuery,
  loadReferenceCsv,
  dropLoaded,
  findHeader,
  gssColumns,
  refuseDuplicateCodes,
} from './csv.ts';
import { chooseAreaYear } from './years.ts';
import {
  type BaseMeasure,
  type BaseRowCount,
  countRowsPerArea,
  leaveOutUnknownAreas,
  repeatedCodes,
  repeatedCodesError,
} from './base-rows.ts';

function baseCodeColumn(header: string[]): string | null {
  return findHeader(header, [
    'area_code',
    'geography code',
    'geography_code',
    'OA',
    'OA21CD',
    'OA11CD',
    'code',
    'LSOA21CD',
    'LSOA11CD',
    'mnemonic',
  ]);
}

export interface BaseImportResult {
  file: string;
  level: AreaLevel;
  areas: number;
  households: number | null;
  population: number | null;
  rejected: { row: number; column: string; value: string | null }[];
  /** The census year its area codes were taken to be, and why (null when the level was given or has no year). */
  year?: { year: 2011 | 2021; reason: string } | null;
  /** whether a --base-sum made its counts */
  summed: boolean;
  /** for a file with one row per household or person: how its rows were counted per area, and the rows left out */
  rows: BaseRowCount | null;
}

/** A count of the base made by adding columns (`population=m+f`), or, in a long file, the rows of those indicators. */
export interface BaseSum {
  field: 'households' | 'population';
  terms: string[];
}

/** Reads `--base-sum population=m+f` (several terms joined with +). */
export function parseBaseSum(spec: string): BaseSum {
  const m = /^\s*(households|population)\s*=(.+)$/i.exec(spec);
  const terms = m ? m[2].split('+').map((x) => x.trim()) : [];
  if (!m || !terms.length || terms.some((x) => !x))
    throw new ParameterError(
      `Cannot read --base-sum "${spec}".`,
      'Write it as households=COLUMN+COLUMN or population=COLUMN+COLUMN, e.g. --base-sum population=m+f.',
    );
  return { field: m[1].toLowerCase() as BaseSum['field'], terms };
}

const INDICATOR = ['indicator', 'category', 'variable', 'measure name'];
const VALUE = ['value', 'count', 'observation', 'obs_value'];
const WHOLE = `'[0-9]{1,3}(,[0-9]{3})+|[0-9]+(\\.0+)?'`;

/**
 * Adds up the columns (or, in a long file with an indicator and a value column, the indicators)
 * each sum names into a table of area code and counts, after checking every term is a whole number.
 */
async function summedBase(engine: Engine, loaded: LoadedCsv, codeCol: string, sums: BaseSum[]): Promise<LoadedCsv> {
  const t = ident(loaded.table);
  const file = loaded.file;
  const indicator = findHeader(loaded.header, INDICATOR);
  const value = findHeader(loaded.header, VALUE);
  const exprs: string[] = [];
  for (const sum of sums) {
    const absent = sum.terms.filter((x) => !loaded.header.includes(x));
    if (!absent.length) {
      for (const col of sum.terms) {
        const bad = await engine.one<{ row: number; v: string | null }>(
          `SELECT _row AS row, ${ident(col)} AS v FROM ${t} WHERE ${ident(col)} IS NULL OR NOT regexp_full_match(trim(${ident(col)}), ${WHOLE}) ORDER BY _row LIMIT 1`,
        );
        if (bad)
          throw new InputError(`The base file has a count that is not a whole number, "${bad.v ?? ''}".`, {
            location: { file, row: bad.row, column: col },
            code: 'reference_values',
            fix: 'Correct or remove that row; nothing was imported.',
          });
      }
      // A wide file keeps its rows (and its other columns): the sum is written beside them.
      const target = findHeader(loaded.header, [sum.field]) ?? sum.field;
      if (!loaded.header.includes(target)) {
        await engine.run(`ALTER TABLE ${t} ADD COLUMN ${ident(target)} VARCHAR`);
        loaded.header.push(target);
      }
      await engine.run(
        `UPDATE ${t} SET ${ident(target)} = CAST(${sum.terms.map((c) => sqlTryNumber(ident(c))).join(' + ')} AS VARCHAR)`,
      );
      continue;
    }
    if (!indicator || !value)
      throw new InputError(
        `--base-sum ${sum.field}= names ${absent.map((a) => `"${a}"`).join(', ')}, not columns of the base file.`,
        {
          location: { file },
          code: 'reference_columns',
          fix: `Name columns to add up, e.g. --base-sum ${sum.field}=${loaded.header.slice(-2).join('+')}. Columns found: ${loaded.header.join(', ')}.`,
        },
      );
    // A long file (one row per area and indicator): the terms are indicators.
    const found = await engine.all<{ v: string }>(
      `SELECT DISTINCT trim(${ident(indicator)}) AS v FROM ${t} WHERE trim(${ident(indicator)}) IN (SELECT ${sqlTextList('$1')})`,
      [textList(sum.terms)],
    );
    const missing = sum.terms.filter((x) => !found.some((f) => f.v === x));
    if (missing.length) {
      const some = await engine.all<{ v: string }>(`SELECT DISTINCT trim(${ident(indicator)}) AS v FROM ${t} LIMIT 12`);
      throw new InputError(
        `--base-sum ${sum.field}= names ${missing.map((a) => `"${a}"`).join(', ')}, neither a column nor a value of "${indicator}".`,
        {
          location: { file, column: indicator },
          code: 'reference_columns',
          fix: `Values of ${indicator}: ${some.map((x) => x.v).join(', ')}.`,
        },
      );
    }
    const bad = await engine.one<{ row: number; v: string | null }>(
      `SELECT _row AS row, ${ident(value)} AS v FROM ${t} WHERE trim(${ident(indicator)}) IN (SELECT ${sqlTextList('$1')})
        AND (${ident(value)} IS NULL OR NOT regexp_full_match(trim(${ident(value)}), ${WHOLE})) ORDER BY _row LIMIT 1`,
      [textList(sum.terms)],
    );
    if (bad)
      throw new InputError(`The base file has a count that is not a whole number, "${bad.v ?? ''}".`, {
        location: { file, row: bad.row, column: value },
        code: 'reference_values',
        fix: 'Correct or remove that row; nothing was imported.',
      });
    exprs.push(
      `CAST(sum(${sqlTryNumber(ident(value))}) FILTER (WHERE trim(${ident(indicator)}) IN (${sum.terms.map((x) => `'${x.replace(/'/g, "''")}'`).join(', ')})) AS VARCHAR) AS ${sum.field}`,
    );
  }
  if (!exprs.length) return loaded;
  // A long file has a row per area and indicator: one row per area, with the sums.
  return loadQuery(
    engine,
    file,
    `SELECT trim(${ident(codeCol)}) AS area_code, ${exprs.join(', ')} FROM ${t} WHERE ${ident(codeCol)} IS NOT NULL GROUP BY 1 ORDER BY min(_row)`,
  );
}

export async function importBase(
  engine: Engine,
  path: string,
  opts: { areaYear?: '11' | '21'; level?: string; sum?: BaseSum[]; rows?: BaseMeasure } = {},
): Promise<BaseImportResult> {
  let loaded = await loadReferenceCsv(engine, path);
  const raw = loaded;
  const file = basename(path);
  let summed = false;
  let rowCount: BaseRowCount | null = null;
  let yearColumn: string | null = null;
  try {
    // A sum goes to the base files it fits: those with its columns, or a long file (indicator, value).
    const long = !!(findHeader(loaded.header, INDICATOR) && findHeader(loaded.header, VALUE));
    const sums = (opts.sum ?? []).filter((x) => long || x.terms.some((c) => loaded.header.includes(c)));
    const firstCode = baseCodeColumn(loaded.header) ?? (await gssColumns(engine, loaded))[0];
    // A file listing an area more than once is records (a household or a person a row), unless it is
    // a long file whose indicators are being added up.
    const byIndicator = long && sums.some((x) => x.terms.some((c) => !loaded.header.includes(c)));
    const repeated = firstCode && !byIndicator ? await repeatedCodes(engine, loaded, firstCode) : null;
    if (firstCode && repeated) {
      if (!opts.rows && !sums.length)
        throw repeatedCodesError(
          file,
          firstCode,
          loaded.header,
          repeated,
          long,
          (opts.sum ?? []).flatMap((x) => x.terms),
        );
      const level = opts.level ? parseLevel(opts.level, opts.areaYear) : null;
      const counted = await countRowsPerArea(engine, loaded, firstCode, {
        rows: opts.rows,
        sums,
        repeated,
        asked: !!opts.rows,
        level,
      });
      loaded = counted.table;
      rowCount = counted.account;
      yearColumn = firstCode;
      summed = sums.length > 0;
    } else if (sums.length && firstCode) {
      summed = true;
      const sumTable = await summedBase(engine, loaded, firstCode, sums);
      if (sumTable !== loaded) await dropLoaded(engine, loaded);
      loaded = sumTable;
    }
    const t = ident(loaded.table);
    const codeCol = baseCodeColumn(loaded.header) ?? (await gssColumns(engine, loaded))[0];
    if (!codeCol)
      throw new InputError('The base file has no area code column.', {
        location: { file },
        code: 'reference_columns',
        fix: 'Give a column area_code (or the Census file as published, with "geography code").',
      });
    // Census bulk files (Nomis) name columns like "Household: Total; measures: Value" (TS041) and
    // "Residence type: Total; measures: Value" (TS001); the latter's "Lives in a household" is people, not households.
    const hhCol =
      findHeader(loaded.header, ['households', 'ts0410001', 'number of households']) ??
      loaded.header.find(
        (h) =>
          /household/i.test(h) && /total/i.test(h) && !/residence type|lives in|communal|size|composition/i.test(h),
      ) ??
      loaded.header.find(
        (h) => /household/i.test(h) && !/residence type|lives in|communal|size|composition/i.test(h),
      ) ??
      null;
    const popCol =
      findHeader(loaded.header, ['population', 'ts0010001', 'usual residents', 'all usual residents']) ??
      loaded.header.find((h) => /^residence type: total/i.test(h)) ??
      loaded.header.find((h) => /(usual residents|population)/i.test(h) && /total|all/i.test(h)) ??
      loaded.header.find((h) => /^population|usual residents/i.test(h)) ??
      null;
    if (!hhCol && !popCol) {
      throw new InputError('The base file has neither a households nor a population column.', {
        location: { file },
        code: 'reference_columns',
        fix: `Expected Census 2021 TS041 (ts0410001) or TS001 (ts0010001), or columns "households"/"population". Columns found: ${loaded.header.join(', ')}.`,
      });
    }
    const first = await engine.one(
      `SELECT ${ident(codeCol)} AS c FROM ${t} WHERE ${ident(codeCol)} IS NOT NULL LIMIT 1`,
    );
    const fam = levelFamilyOfCode(String(first?.c ?? ''));
    const choice =
      !opts.level && fam && fam !== 'ward' && fam !== 'lad'
        ? await chooseAreaYear(engine, {
            family: fam,
            column: yearColumn ?? codeCol,
            codesSql: `SELECT ${ident(codeCol)} AS code FROM ${t}`,
            asked: opts.areaYear,
          })
        : null;
    const level = opts.level
      ? parseLevel(opts.level, opts.areaYear)
      : fam
        ? levelFor(fam, choice?.year ?? opts.areaYear ?? '21')
        : null;
    if (!level)
      throw new InputError(`Cannot tell which kind of area "${first?.c}" is.`, {
        location: { file, column: codeCol },
        fix: 'Say which level the codes are with --base-level (e.g. oa21).',
      });

    if (rowCount) await leaveOutUnknownAreas(engine, loaded, level, rowCount);

    // Counts that are not numbers are errors to report, not zeros to keep quiet about.
    const bad: { row: number; column: string; value: string | null }[] = [];
    for (const col of [hhCol, popCol].filter(Boolean) as string[]) {
      const rows = await engine.all<{ row: number; value: string | null }>(
        `SELECT _row AS row, ${ident(col)} AS value FROM ${t}
         WHERE ${ident(col)} IS NULL OR NOT regexp_full_match(trim(${ident(col)}), '[0-9]{1,3}(,[0-9]{3})+|[0-9]+(\\.0+)?') ORDER BY _row LIMIT 20`,
      );
      bad.push(...rows.map((r) => ({ ...r, column: col })));
    }
    if (bad.length) {
      throw new InputError(
        `The base file has ${bad.length === 20 ? 'many' : bad.length} ${bad.length === 1 ? 'count that is not a whole number' : 'counts that are not whole numbers'}, e.g. "${bad[0].value ?? ''}".`,
        {
          location: { file, row: bad[0].row, column: bad[0].column },
          code: 'reference_values',
          fix: 'Correct or remove those rows; nothing was imported.',
        },
      );
    }
    // An area listed twice would be counted twice in every profile's base: refuse, naming the rows.
    await refuseDuplicateCodes(engine, loaded.table, `trim(${ident(codeCol)})`, file, codeCol, 'base');
    return await engine.transaction(async () => {
      await engine.run(
        `CREATE TEMP TABLE base_new AS SELECT trim(${ident(codeCol)}) AS area_code, $1 AS level,
          ${hhCol ? sqlTryNumber(ident(hhCol)) : 'NULL'} AS households, ${popCol ? sqlTryNumber(ident(popCol)) : 'NULL'} AS population, $2 AS source
        FROM ${t} WHERE ${ident(codeCol)} IS NOT NULL`,
        [level, file],
      );
      // Merge with what is there: a households file and a population file for the same areas complete each other.
      await engine.run(
        `CREATE TEMP TABLE base_merged AS SELECT coalesce(n.area_code, b.area_code) AS area_code, coalesce(n.level, b.level) AS level,
          coalesce(n.households, b.households) AS households, coalesce(n.population, b.population) AS population,
          coalesce(n.source, b.source) AS source
        FROM base_new n FULL OUTER JOIN (SELECT * FROM area_base WHERE level = $1) b ON b.area_code = n.area_code`,
        [level],
      );
      await engine.run(`DELETE FROM area_base WHERE level = $1`, [level]);
      await engine.run(`INSERT INTO area_base SELECT * FROM base_merged`);
      const sums = (await engine.one<{ n: number; hh: number | null; pop: number | null }>(
        `SELECT count(*)::BIGINT AS n, sum(households) AS hh, sum(population) AS pop FROM base_new`,
      ))!;
      await engine.run(`DROP TABLE base_new`);
      await engine.run(`DROP TABLE base_merged`);
      return {
        file,
        level,
        areas: sums.n,
        households: hhCol ? sums.hh : null,
        population: popCol ? sums.pop : null,
        rejected: [],
        year: choice ? { year: choice.year === '11' ? 2011 : 2021, reason: choice.reason } : null,
        summed,
        rows: rowCount,
      };
    });
  } finally {
    await dropLoaded(engine, loaded);
    if (raw !== loaded) await dropLoaded(engine, raw);
  }
}
