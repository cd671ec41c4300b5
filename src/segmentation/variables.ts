/**
 * The variables a segmentation is built from, one row per area: columns of the council's own
 * files (census counts turned into rates), IMD domain scores and service take-up rates already in
 * the workspace. Areas with a missing or unreadable value are left out and listed, never guessed.
 */
import { basename } from 'node:path';
import { InputError, ParameterError, WorkspaceStateError, type ErrorLocation } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { levelFamilyOfCode, levelFor, yearFromHeader, type AreaLevel } from '../geo/index.ts';
import { readSourceTable } from '../intake/index.ts';
import type { Matrix } from './transform.ts';

export interface VariableDef {
  name: string;
  label: string | null;
  /** the column the count was divided by (a rate in percent), or null for a value used as it is */
  denominator: string | null;
  /** where it came from: a file name, "deprivation:imd" or "take-up:dataset" */
  source: string;
}

/** A rate: these columns divided by that one, times 100. */
export interface RateSpec {
  columns: string[];
  denominator: string;
}

export interface VariableFile {
  file: string;
  /** a definitions file (variable, denominator, label): only the variables it lists are used */
  definitions?: string;
  rates?: RateSpec[];
  /** columns that are not variables (names, other codes); numeric columns are variables by default */
  exclude?: string[];
  /** census year of the area codes when the header does not say (default 2021) */
  areaYear?: '11' | '21';
}

export interface VariableRequest {
  files?: VariableFile[];
  /** IMD domain scores from an imported index: "imd" or "imd:income,employment" */
  deprivation?: string[];
  /** records per 100 households in each area, from imported datasets */
  takeUp?: string[];
}

export interface LeftOutArea {
  area: string;
  file: string;
  row: number | null;
  column: string | null;
  reason: string;
}

export interface AreaVariables {
  level: AreaLevel;
  areas: string[];
  variables: VariableDef[];
  /** untransformed values, areas × variables */
  raw: Matrix;
  leftOut: LeftOutArea[];
}

const AREA_HEADERS = [
  'area_code',
  'code',
  'geography_code',
  'geography code',
  'oa21cd',
  'oa11cd',
  'lsoa21cd',
  'lsoa11cd',
  'msoa21cd',
  'msoa11cd',
  'wd24cd',
  'ward_code',
  'oa',
  'lsoa',
];

/** A number as councils write them: "1,234", " 12 ", "45%". */
function readNumber(text: string | null): number | null {
  if (text === null) return null;
  const t = text.trim().replace(/,/g, '').replace(/%$/, '');
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return null;
  return Number(t);
}

interface FileValues {
  level: AreaLevel;
  byArea: Map<string, { row: number; values: (number | null)[] }>;
  variables: VariableDef[];
  problems: LeftOutArea[];
}

async function readDefinitions(
  path: string,
): Promise<{ name: string; denominator: string | null; label: string | null; row: number }[]> {
  const t = await readSourceTable(path);
  const file = basename(path);
  const col = (names: string[]) => t.header.findIndex((h) => names.includes(h.trim().toLowerCase()));
  const v = col(['variable', 'name', 'variablecode', 'variable_code']);
  if (v < 0)
    throw new InputError('The definitions file needs a "variable" column naming each variable to use.', {
      location: { file },
      code: 'segment_definitions',
      fix: 'Give columns variable, denominator (optional) and label (optional).',
    });
  const dn = col(['denominator', 'per', 'rate_of']);
  const lb = col(['label', 'title', 'description', 'variabledescription']);
  const unit = col(['variablemeasurementunit']),
    statUnit = col(['variablestatisticalunit']),
    domain = col(['variabledomain']);
  if (dn < 0 && unit >= 0 && statUnit >= 0 && domain >= 0) {
    // The ONS 2011 OAC variable lookup as published: its "Totals" rows are the denominators, each
    // naming the statistical unit (Person, Household …) that the counts of that unit are shares of.
    const cell = (r: { values: (string | null)[] }, j: number) => (r.values[j] ?? '').trim();
    const totals = new Map(
      t.rows.filter((r) => cell(r, domain) === 'Totals').map((r) => [cell(r, statUnit), cell(r, v)]),
    );
    return t.rows
      .filter((r) => cell(r, domain) !== 'Totals' && cell(r, v))
      .map((r) => {
        const isCount = cell(r, unit) === 'Count';
        const denominator = isCount ? totals.get(cell(r, statUnit)) : null;
        if (isCount && !denominator)
          throw new InputError(`No total is given for counts of "${cell(r, statUnit)}".`, {
            location: { file, row: r.rowNo, column: t.header[statUnit] },
            code: 'segment_definitions',
            fix: 'Add a Totals row for that unit, or give a denominator column.',
          });
        return {
          name: cell(r, v),
          denominator: denominator ?? null,
          label: lb >= 0 && cell(r, lb) ? cell(r, lb) : null,
          row: r.rowNo,
        };
      });
  }
  return t.rows
    .map((r) => ({
      name: (r.values[v] ?? '').trim(),
      denominator: dn >= 0 && r.values[dn]?.trim() ? r.values[dn]!.trim() : null,
      label: lb >= 0 && r.values[lb]?.trim() ? r.values[lb]!.trim() : null,
      row: r.rowNo,
    }))
    .filter((d) => d.name);
}

async function readVariableFile(spec: VariableFile, engine: Engine): Promise<FileValues> {
  const table = await readSourceTable(spec.file, {}, engine);
  const file = table.file;
  const lower = table.header.map((h) => h.trim().toLowerCase());
  let areaCol = lower.findIndex((h) => AREA_HEADERS.includes(h));
  if (areaCol < 0)
    areaCol = table.header.findIndex((_, j) =>
      table.rows.slice(0, 5).some((r) => levelFamilyOfCode(r.values[j] ?? '') !== null),
    );
  if (areaCol < 0)
    throw new InputError('The variables file has no column of area codes.', {
      location: { file },
      code: 'segment_area_column',
      fix: 'Add an area_code column holding ONS codes such as E00012345.',
    });
  const firstCode = table.rows.find((r) => r.values[areaCol]?.trim())?.values[areaCol]?.trim() ?? '';
  const family = levelFamilyOfCode(firstCode);
  if (!family)
    throw new InputError(`Cannot tell which kind of area "${firstCode}" is.`, {
      location: { file, row: table.rows[0]?.rowNo, column: table.header[areaCol] },
      code: 'segment_area_column',
      fix: 'Area codes must be ONS codes such as E00012345.',
    });
  const level = levelFor(family, yearFromHeader(table.header[areaCol]) ?? spec.areaYear ?? '21');
  const colOf = (name: string, where: ErrorLocation) => {
    const j = table.header.findIndex((h) => h === name);
    const k = j >= 0 ? j : lower.indexOf(name.trim().toLowerCase());
    if (k < 0)
      throw new InputError(`The variables file has no column "${name}".`, {
        location: where,
        code: 'segment_variable_missing',
        fix: `Its columns are: ${table.header.slice(0, 30).join(', ')}${table.header.length > 30 ? ' …' : ''}.`,
      });
    return k;
  };

  // Which columns are variables, and what each is divided by.
  let defs: { name: string; col: number; denom: number | null; label: string | null; denomName: string | null }[];
  if (spec.definitions) {
    const dfile = basename(spec.definitions);
    defs = (await readDefinitions(spec.definitions)).map((d) => ({
      name: d.name,
      col: colOf(d.name, { file: dfile, row: d.row, column: 'variable' }),
      label: d.label,
      denomName: d.denominator,
      denom: d.denominator ? colOf(d.denominator, { file: dfile, row: d.row, column: 'denominator' }) : null,
    }));
  } else {
    const excluded = new Set((spec.exclude ?? []).map((c) => c.toLowerCase()));
    const denominators = new Set((spec.rates ?? []).map((r) => r.denominator.toLowerCase()));
    for (const r of spec.rates ?? []) {
      colOf(r.denominator, { file });
      for (const c of r.columns) colOf(c, { file });
    }
    const numeric = (j: number) => {
      let seen = 0;
      for (const r of table.rows.slice(0, 200)) {
        const v = r.values[j];
        if (v === null || v.trim() === '') continue;
        if (readNumber(v) === null) return false;
        seen++;
      }
      return seen > 0;
    };
    defs = table.header
      .map((h, j) => ({ h, j }))
      .filter(
        ({ h, j }) =>
          j !== areaCol &&
          !excluded.has(h.toLowerCase()) &&
          !denominators.has(h.toLowerCase()) &&
          numeric(j) &&
          !table.rows.slice(0, 5).some((r) => levelFamilyOfCode(r.values[j] ?? '') !== null),
      )
      .map(({ h, j }) => {
        const rate = (spec.rates ?? []).find((r) => r.columns.some((c) => c.toLowerCase() === h.toLowerCase()));
        return {
          name: h,
          col: j,
          label: null,
          denomName: rate ? table.header[colOf(rate.denominator, { file })] : null,
          denom: rate ? colOf(rate.denominator, { file }) : null,
        };
      });
    const unlisted = (spec.rates ?? [])
      .flatMap((r) => r.columns)
      .filter((c) => !defs.some((d) => d.name.toLowerCase() === c.toLowerCase()));
    if (unlisted.length)
      throw new ParameterError(
        `These rate columns are not numeric variables: ${unlisted.join(', ')}.`,
        'Check the column names given to --rate.',
      );
  }
  if (!defs.length)
    throw new InputError('The variables file has no numeric columns to build from.', {
      location: { file },
      code: 'segment_no_variables',
      fix: 'Give a file with an area code column and one numeric column per variable.',
    });

  const byArea = new Map<string, { row: number; values: (number | null)[] }>();
  const problems: LeftOutArea[] = [];
  for (const r of table.rows) {
    const area = r.values[areaCol]?.trim().toUpperCase();
    if (!area) continue;
    if (byArea.has(area))
      throw new InputError(`Area ${area} appears twice in the variables file.`, {
        location: { file, row: r.rowNo, column: table.header[areaCol] },
        code: 'segment_duplicate_area',
        fix: 'Give one row per area.',
      });
    const values: (number | null)[] = [];
    let problem: LeftOutArea | null = null;
    for (const d of defs) {
      const x = readNumber(r.values[d.col]);
      if (x === null) {
        problem ??= { area, file, row: r.rowNo, column: d.name, reason: `"${r.values[d.col] ?? ''}" is not a number` };
        values.push(null);
        continue;
      }
      if (d.denom === null) {
        values.push(x);
        continue;
      }
      const den = readNumber(r.values[d.denom]);
      if (den === null || den < 0) {
        problem ??= {
          area,
          file,
          row: r.rowNo,
          column: d.denomName,
          reason: `the denominator "${r.values[d.denom] ?? ''}" is not a number`,
        };
        values.push(null);
        continue;
      }
      // An area with nobody in the denominator has a rate of 0, as the ONS OAC treats it.
      values.push(den > 0 ? (x / den) * 100 : 0);
    }
    if (problem) problems.push(problem);
    else byArea.set(area, { row: r.rowNo, values });
  }
  return {
    level,
    byArea,
    problems,
    variables: defs.map((d) => ({ name: d.name, label: d.label, denominator: d.denomName, source: file })),
  };
}

/** IMD domain scores per area of the build level, each area taking its LSOA's score. */
async function deprivationValues(engine: Engine, spec: string, level: AreaLevel): Promise<FileValues> {
  const [name, domainList] = spec.split(':');
  const rows = await engine.all<{ domain: string; area_level: string }>(
    `SELECT DISTINCT domain, area_level FROM deprivation WHERE index_name = $1 ORDER BY domain`,
    [name],
  );
  if (!rows.length)
    throw new WorkspaceStateError(
      `The workspace has no deprivation index called "${name}".`,
      'Import one with: civic reference import WORKSPACE --deprivation FILE',
    );
  const wanted = domainList
    ? domainList.split(',').map((d) => d.trim().toLowerCase())
    : rows.map((r) => r.domain.toLowerCase());
  const domains = rows.map((r) => r.domain).filter((d) => wanted.includes(d.toLowerCase()));
  const unknown = wanted.filter((w) => !rows.some((r) => r.domain.toLowerCase() === w));
  if (unknown.length)
    throw new ParameterError(
      `The index ${name} has no domain ${unknown.join(', ')}.`,
      `Domains: ${rows.map((r) => r.domain).join(', ')}.`,
    );
  const depLevel = rows[0].area_level as AreaLevel;
  // Each build area takes the score of the deprivation area most of its postcodes are in.
  const values = await engine.all<{ area: string; domain: string; score: number | null }>(
    `WITH pairs AS (SELECT ${ident(level)} AS area, ${ident(depLevel)} AS dep, count(*) AS n FROM postcode WHERE ${ident(level)} IS NOT NULL AND ${ident(depLevel)} IS NOT NULL GROUP BY 1, 2),
          best AS (SELECT area, arg_max(dep, n) AS dep FROM pairs GROUP BY area)
     SELECT b.area, d.domain, coalesce(d.score, d.rank) AS score FROM best b JOIN deprivation d ON d.index_name = $1 AND d.area_code = b.dep ORDER BY b.area`,
    [name],
  );
  const byArea = new Map<string, { row: number; values: (number | null)[] }>();
  for (const v of values) {
    const j = domains.indexOf(v.domain);
    if (j < 0) continue;
    const entry = byArea.get(v.area) ?? { row: 0, values: domains.map(() => null) };
    entry.values[j] = v.score;
    byArea.set(v.area, entry);
  }
  const problems: LeftOutArea[] = [];
  for (const [area, e] of byArea) {
    const j = e.values.findIndex((x) => x === null);
    if (j >= 0) {
      problems.push({
        area,
        file: `deprivation:${name}`,
        row: null,
        column: domains[j],
        reason: 'no score for this domain',
      });
      byArea.delete(area);
    }
  }
  return {
    level,
    byArea,
    problems,
    variables: domains.map((d) => ({
      name: `${name}_${d}`.toLowerCase().replace(/[^a-z0-9_]+/g, '_'),
      label: `${name.toUpperCase()} ${d} score`,
      denominator: null,
      source: `deprivation:${name}`,
    })),
  };
}

/** Records per 100 households in each area of the build level. */
async function takeUpValues(engine: Engine, dataset: string, level: AreaLevel): Promise<FileValues> {
  const ds = await engine.one<{ table_name: string }>(`SELECT table_name FROM dataset WHERE name = $1`, [dataset]);
  if (!ds)
    throw new WorkspaceStateError(`There is no dataset called "${dataset}".`, 'See civic dataset list WORKSPACE.');
  const rows = await engine.all<{ area: string; households: number; n: number }>(
    `SELECT b.area_code AS area, b.households, coalesce(c.n, 0)::BIGINT AS n FROM area_base b
     LEFT JOIN (SELECT p.${ident(level)} AS area, count(*) AS n FROM ${ident(ds.table_name)} d JOIN postcode p ON p.pc_key = d._pc_key WHERE d._status = 'matched' GROUP BY 1) c ON c.area = b.area_code
     WHERE b.level = $1 AND b.households IS NOT NULL`,
    [level],
  );
  if (!rows.length)
    throw new WorkspaceStateError(
      `Take-up rates need households per ${level} area in the base.`,
      'Import a base at the same level as the variables file.',
    );
  const byArea = new Map(
    rows.map((r) => [
      r.area,
      { row: 0, values: [r.households > 0 ? (r.n / r.households) * 100 : 0] as (number | null)[] },
    ]),
  );
  return {
    level,
    byArea,
    problems: [],
    variables: [
      {
        name: `takeup_${dataset}`,
        label: `${dataset} records per 100 households`,
        denominator: 'households',
        source: `take-up:${dataset}`,
      },
    ],
  };
}

/** Reads every source and joins them by area; areas missing from any source are left out and listed. */
export async function loadAreaVariables(engine: Engine, req: VariableRequest): Promise<AreaVariables> {
  const files = req.files ?? [];
  if (!files.length)
    throw new ParameterError(
      'A segmentation needs at least one variables file.',
      'Give --variables FILE (an area code column and one column per variable).',
    );
  const parts: FileValues[] = [];
  for (const f of files) parts.push(await readVariableFile(f, engine));
  const level = parts[0].level;
  const other = parts.find((p) => p.level !== level);
  if (other)
    throw new ParameterError(
      `The variables files are for different kinds of area (${level} and ${other.level}).`,
      'Give every variables file at the same level.',
    );
  for (const d of req.deprivation ?? []) parts.push(await deprivationValues(engine, d, level));
  for (const t of req.takeUp ?? []) parts.push(await takeUpValues(engine, t, level));

  const variables = parts.flatMap((p) => p.variables);
  const dup = variables.find((v, i) => variables.findIndex((w) => w.name.toLowerCase() === v.name.toLowerCase()) !== i);
  if (dup)
    throw new ParameterError(
      `The variable "${dup.name}" is given twice.`,
      'Each variable may come from one source only.',
    );
  const leftOut = parts.flatMap((p) => p.problems);
  const gone = new Set(leftOut.map((l) => l.area));
  const areas: string[] = [];
  for (const area of parts[0].byArea.keys()) {
    if (gone.has(area)) continue;
    const missing = parts.find((p) => !p.byArea.has(area));
    if (missing) {
      leftOut.push({
        area,
        file: missing.variables[0].source,
        row: null,
        column: null,
        reason: 'the area is not in this source',
      });
      continue;
    }
    areas.push(area);
  }
  areas.sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const d = variables.length;
  const data = new Float64Array(areas.length * d);
  areas.forEach((area, i) => {
    let j = 0;
    for (const p of parts) for (const x of p.byArea.get(area)!.values) data[i * d + j++] = x!;
  });
  return { level, areas, variables, raw: { data, n: areas.length, d }, leftOut };
}

/** Parses "--rate a,b,c=households" into a rate spec. */
export function parseRate(text: string): RateSpec {
  const i = text.lastIndexOf('=');
  if (i <= 0 || i === text.length - 1)
    throw new ParameterError(
      `Cannot read --rate "${text}".`,
      'Write it as columns=denominator, e.g. --rate "age_0_15,age_65_plus=population".',
    );
  return {
    columns: text
      .slice(0, i)
      .split(',')
      .map((c) => c.trim())
      .filter(Boolean),
    denominator: text.slice(i + 1).trim(),
  };
}
