import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import Papa from 'papaparse';
import { withWorkspace } from '../store/index.ts';
import { targetAreas, evaluateCampaign, DEFAULT_MIN_INDEX, DEFAULT_ROUNDS } from '../targeting/index.ts';
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
} from '../outputs/index.ts';
import { DEFAULT_MIN_CELL, InputError, ParameterError } from '../core/index.ts';
import type { TravelMode } from '../location/index.ts';
import { costSourceFor } from './location.ts';
import { action, emit, parseFormat, formatOption } from './io.ts';

function number(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n)) throw new ParameterError(`${name} must be a number, not "${v}".`);
  return n;
}

function minCellOf(o: Record<string, string | undefined>, format: string): number {
  // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  return minCell;
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

export function registerTarget(program: Command): void {
  // `civic target evaluate` shares option names (--areas, --base, --format …) with `civic target`:
  // each command's options must stop at its subcommand's name, or the parent would take them.
  // (The program has no options of its own but --help and --version, which still work first.)
  const target = program
    .command('target')
    .enablePositionalOptions()
    .description(
      'Targeting: areas ranked by expected new customers among non-users in high-index segments, cut into delivery rounds, with postcode lists',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset of current users (e.g. green_waste)')
    .option(
      '--segments <which>',
      'auto (index at least --min-index and significant), all, or segment codes, e.g. A1,B2',
      'auto',
    )
    .option('--classification <name>', 'classification to profile by (default: the first imported)')
    .option('--tier <tier>', 'tier of the classification, e.g. group, type (default: the top tier)')
    .option('--level <tier>', 'the same as --tier, as in civic profile')
    .option('--min-index <n>', `the lowest index a segment needs for --segments auto (default ${DEFAULT_MIN_INDEX})`)
    .option('--areas <level>', 'rank ward, lsoa, oa, msoa or postcode', 'ward')
    .option('--base <measure>', 'households or population', 'households')
    .option('--within <minutes>', 'only areas within this many minutes of --of')
    .option(
      '--beyond <minutes>',
      'only areas more than this many minutes from --of (e.g. beyond a 10-minute drive of the tip)',
    )
    .option('--of <facility>', "a facility's name, or a kind meaning the nearest of that kind")
    .option('--mode <mode>', 'travel mode for --within/--beyond: car, walk or cycle', 'car')
    .option(
      '--network <file>',
      'time --within/--beyond along the roads of this OpenStreetMap extract (.osm.pbf) instead of straight lines',
    )
    .option(
      '--top <n>',
      'target the best n areas (default: the best areas holding --coverage of the expected new customers)',
    )
    .option('--coverage <percent>', 'target the fewest best areas that hold this % of all expected new customers', '50')
    .option('--rounds <n>', `cut the targeted areas into n delivery rounds (default ${DEFAULT_ROUNDS})`)
    .addOption(formatOption(['table', 'csv', 'xlsx', 'json']))
    .option('--list <what>', "for csv: areas (the ranking) or postcodes (the targeted areas' live postcodes)", 'areas')
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress users under n per area (default ${DEFAULT_MIN_CELL} for anything written to a file and for csv, xlsx and json; 0 to switch off for your own use)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic target borough.civic green_waste --tier type --areas postcode
  civic target borough.civic green_waste --tier type --areas oa --beyond 10 --of household_waste_site --rounds 6
  civic target borough.civic green_waste --segments A1,A3,B2 --format xlsx --out green_waste_targets.xlsx
  civic target borough.civic green_waste --areas postcode --format csv --list postcodes --out leaflets.csv
  civic target evaluate borough.civic green_waste_2026 --targeted targets.csv --areas oa`,
    )
    .action(
      action(async (workspace: string, dataset: string, o: Record<string, string | undefined>) => {
        const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'xlsx', 'json']);
        if (format === 'xlsx' && !o.out)
          throw new ParameterError('An XLSX target list needs a file to go to.', 'Add --out FILE.xlsx');
        if (o.list !== 'areas' && o.list !== 'postcodes')
          throw new ParameterError(`--list must be areas or postcodes, not "${o.list}".`);
        if (o.tier && o.level && o.tier !== o.level)
          throw new ParameterError('Give either --tier or --level, not both.');
        const minCell = minCellOf(o, format);
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
        await withWorkspace(workspace, async (ws) => {
          const truth = await targetAreas(ws.engine, {
            dataset,
            classification: o.classification,
            tier: o.tier ?? o.level,
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
      }),
    );

  target
    .command('evaluate')
    .description(
      'Campaign evaluation: take-up in targeted against control areas, the uplift with a 95% interval, and the ratio',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'dataset of new users, e.g. sign-ups during the campaign')
    .requiredOption(
      '--targeted <areas>',
      'targeted areas: codes separated by commas, or a file (the CSV or JSON civic target wrote, or one code a line)',
    )
    .option('--control <areas>', 'control areas, as --targeted (default: every other area)')
    .option('--areas <level>', 'level of the codes: ward, lsoa, oa, msoa or postcode', 'ward')
    .option('--base <measure>', 'households or population', 'households')
    .option('--date-column <column>', "the column holding each record's date, for --since and --until")
    .option('--since <date>', 'only records dated on or after this day (2025-03-01 or 01/03/2025)')
    .option('--until <date>', 'only records dated on or before this day')
    .addOption(formatOption(['table', 'csv', 'json', 'xlsx']))
    .option('--out <file>', 'write to a file (needed for xlsx)')
    .option(
      '--min-cell <n>',
      `suppress counts under n (default ${DEFAULT_MIN_CELL} for anything written to a file and for csv, xlsx and json; 0 to switch off)`,
    )
    .addHelpText(
      'after',
      `
Examples:
  civic target evaluate borough.civic green_waste --targeted E05900002,E05900004 --date-column start_date --since 2025-04-01
  civic target evaluate borough.civic green_waste --areas oa --targeted targets.csv --control controls.txt --format json`,
    )
    .action(
      action(async (workspace: string, dataset: string, o: Record<string, string | undefined>) => {
        const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'json', 'xlsx']);
        if (format === 'xlsx' && !o.out)
          throw new ParameterError('An XLSX evaluation needs a file to go to.', 'Add --out FILE.xlsx');
        const minCell = minCellOf(o, format);
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
      }),
    );
}
