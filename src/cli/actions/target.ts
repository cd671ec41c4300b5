/** `civic target` and `civic target evaluate`. */
import { existsSync, readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { withWorkspace } from '../../store/index.ts';
import { checkFilterMatches, parseWhere } from '../../profiling/index.ts';
import { targetAreas, evaluateCampaign } from '../../targeting/index.ts';
import {
  discloseTarget,
  targetToCsv,
  targetToJson,
  targetToTable,
  targetToXlsx,
  discloseEvaluation,
  evaluationToCsv,
  evaluationToXlsx,
  evaluationToJson,
  evaluationToTable,
} from '../../outputs/index.ts';
import { InputError, ParameterError } from '../../core/index.ts';
import type { TravelMode } from '../../location/index.ts';
import { costSourceFor } from './location.ts';
import { emit, minCellOption, parseFormat, tierOf } from '../io.ts';

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new ParameterError(`${name} must be a number, not "${v}".`);
  return n;
}

const CODE_COLUMNS = ['code', 'area', 'area_code', 'areacode', 'postcode', 'ward', 'lsoa', 'oa'];
const truthy = (v: unknown) => /^(true|yes|y|1)$/i.test(String(v ?? '').trim());

/**
 * Area codes from --targeted/--control: a comma-separated list, or a file — the CSV or JSON that
 * `civic target` wrote (its targeted areas), a CSV with a code/area/postcode column, or a plain
 * list of codes one a line.
 */
export function readAreaList(value: string, option: string): string[] {
  if (!existsSync(value))
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  const text = readFileSync(value, 'utf8').replace(/^\uFEFF/, '');
  if (/\.json$/i.test(value)) {
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch (e) {
      throw new InputError(`${value} is not valid JSON.`, {
        location: { file: value },
        fix: 'Give the JSON that civic target --format json wrote, or a list of codes.',
        cause: e,
      });
    }
    const areas = Array.isArray(data) ? data : (data as { areas?: unknown[] })?.areas;
    if (!Array.isArray(areas))
      throw new InputError(`${value} holds no list of areas.`, {
        location: { file: value },
        fix: 'Give the JSON that civic target --format json wrote, or a JSON list of codes.',
      });
    const objects = areas.filter(
      (a): a is { code: string; targeted?: boolean } =>
        typeof a === 'object' && a !== null && typeof (a as { code?: unknown }).code === 'string',
    );
    if (objects.length)
      return (objects.some((a) => a.targeted !== undefined) ? objects.filter((a) => a.targeted) : objects).map(
        (a) => a.code,
      );
    return areas.filter((a): a is string => typeof a === 'string');
  }
  const parsed = Papa.parse<string[]>(text.trim(), { skipEmptyLines: true });
  const rows = parsed.data;
  if (!rows.length)
    throw new InputError(`${value} is empty.`, {
      location: { file: value },
      fix: `Give ${option} a list of area codes.`,
    });
  const head = rows[0].map((h) => h.trim().toLowerCase());
  const col = head.findIndex((h) => CODE_COLUMNS.includes(h));
  if (col < 0) return rows.map((r) => (r[0] ?? '').trim()).filter(Boolean);
  const flag = head.indexOf('targeted');
  return rows
    .slice(1)
    .filter((r) => flag < 0 || truthy(r[flag]))
    .map((r) => (r[col] ?? '').trim())
    .filter(Boolean);
}

export async function target(workspace: string, dataset: string, o: Record<string, string | undefined>): Promise<void> {
  const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'xlsx', 'json']);
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX target list needs a file to go to.', 'Add --out FILE.xlsx');
  if (o.list !== 'areas' && o.list !== 'postcodes')
    throw new ParameterError(`--list must be areas or postcodes, not "${o.list}".`);
  const minCell = minCellOption(o, format);
  const segs = (o.segments ?? 'auto').trim();
  const segments = /^auto$/i.test(segs)
    ? ('auto' as const)
    : /^all$/i.test(segs)
      ? ('all' as const)
      : segs
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
  const coverage = o.top !== undefined ? undefined : number('--coverage', o.coverage);
  const where = o.where ? parseWhere(o.where, '--where') : undefined;
  await withWorkspace(workspace, async (ws) => {
    // On the owner's own machine a filter that matches nothing is a mistake worth explaining.
    if (where) await checkFilterMatches(ws.engine, dataset, where);
    const truth = await targetAreas(ws.engine, {
      dataset,
      where,
      distinct: o.distinct,
      classification: o.classification,
      tier: tierOf(o),
      segments,
      minIndex: number('--min-index', o.minIndex),
      areas: o.areas,
      base: o.base as 'households' | 'population',
      rounds: number('--rounds', o.rounds),
      top: number('--top', o.top),
      coverage: coverage === undefined ? undefined : coverage / 100,
      within: number('--within', o.within),
      beyond: number('--beyond', o.beyond),
      of: o.of,
      mode: o.mode as TravelMode,
      costs: o.network ? await costSourceFor({ network: o.network }) : undefined,
    });
    const shown = discloseTarget(truth, minCell);
    if (format === 'json') emit(targetToJson(shown), o.out);
    else if (format === 'csv') emit(targetToCsv(shown, o.list as 'areas' | 'postcodes'), o.out);
    else if (format === 'xlsx') emit(await targetToXlsx(shown), o.out);
    else emit(targetToTable(shown), o.out);
  });
}

export async function evaluate(
  workspace: string,
  dataset: string,
  o: Record<string, string | undefined>,
): Promise<void> {
  const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'json', 'xlsx']);
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX evaluation needs a file to go to.', 'Add --out FILE.xlsx');
  const minCell = minCellOption(o, format);
  const targeted = readAreaList(o.targeted!, '--targeted');
  const control = o.control ? readAreaList(o.control, '--control') : undefined;
  await withWorkspace(workspace, async (ws) => {
    const truth = await evaluateCampaign(ws.engine, {
      dataset,
      areas: o.areas,
      targeted,
      control,
      base: o.base as 'households' | 'population',
      dateColumn: o.dateColumn,
      since: o.since,
      until: o.until,
    });
    const shown = discloseEvaluation(truth, minCell);
    if (format === 'json') emit(evaluationToJson(shown), o.out);
    else if (format === 'csv') emit(evaluationToCsv(shown), o.out);
    else if (format === 'xlsx') emit(await evaluationToXlsx(shown), o.out);
    else emit(evaluationToTable(shown), o.out);
  });
}
