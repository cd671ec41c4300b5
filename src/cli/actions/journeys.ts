/** `civic journey template|import|show|measure|compare|export|circle`. */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import { withWorkspace, type Engine } from '../../store/index.ts';
import {
  TEMPLATE_COLUMNS,
  circleOfNeed,
  circleOfNeedInWorkspace,
  compareJourneys,
  getCircle,
  getJourney,
  importJourneys,
  journeyUnitCosts,
  listCircles,
  listJourneys,
  measureJourney,
  readCircleFile,
  readJourneyFile,
  templateExample,
  type Journey,
} from '../../journeys/index.ts';
import type { UnitCostSet } from '../../channels/index.ts';
import {
  circleToSvg,
  circleToTable,
  comparisonToTable,
  discloseProfile,
  journeyListToTable,
  journeyMapSvg,
  journeyTemplateCsv,
  journeyTemplateXlsx,
  journeyToTable,
  journeysToCsv,
  journeysToXlsx,
  measuresToTable,
} from '../../outputs/index.ts';
import { emit, json } from '../io.ts';

interface Where {
  workspace?: string;
  unitCosts?: string;
}

const isFile = (arg: string) => /\.(json|csv|xlsx|txt|tsv)$/i.test(arg) || (arg.includes('/') && existsSync(arg));

/** Runs fn with the workspace's engine when --workspace was given, else with none. */
async function maybeWorkspace<T>(o: Where, fn: (engine: Engine | null) => Promise<T>): Promise<T> {
  return o.workspace ? withWorkspace(o.workspace, (ws) => fn(ws.engine)) : fn(null);
}

/** The journeys an argument names: those in a file, or one in the workspace. */
async function journeysOf(arg: string, engine: Engine | null): Promise<Journey[]> {
  if (isFile(arg)) return readJourneyFile(arg);
  if (!engine)
    throw new ParameterError(
      `"${arg}" is not a journey file, and there is no workspace to find a journey of that name in.`,
      'Give a .json, .csv or .xlsx file, or add --workspace WORKSPACE.',
    );
  return [await getJourney(engine, arg)];
}

async function oneJourney(arg: string, engine: Engine | null): Promise<Journey> {
  const js = await journeysOf(arg, engine);
  if (js.length !== 1)
    throw new ParameterError(
      `${arg} holds ${js.length} journeys (${js.map((j) => j.name).join(', ')}).`,
      'Import the file into a workspace and name one, or keep one journey to a file.',
    );
  return js[0];
}

function costsFor(j: Journey, o: Where, used: Map<string, UnitCostSet>): UnitCostSet | null {
  const set = journeyUnitCosts(j, o.unitCosts);
  if (set) used.set(set.name, set);
  return set;
}

function needOut(format: string, out: string | undefined, what: string) {
  if (format === 'xlsx' && !out)
    throw new ParameterError(`An XLSX ${what} needs a file to go to.`, 'Add --out FILE.xlsx');
}

export async function templateCommand(o: { format: string; out?: string }): Promise<void> {
  needOut(o.format, o.out, 'template');
  const example = templateExample();
  if (o.format === 'json') emit(json({ columns: TEMPLATE_COLUMNS.map((c) => ({ ...c })), example }), o.out);
  else if (o.format === 'csv') emit(journeyTemplateCsv(example), o.out);
  else emit(await journeyTemplateXlsx(example), o.out);
}

export async function importCommand(
  workspace: string,
  file: string,
  o: { name?: string; segment?: string; replace?: boolean; format: string },
): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const r = await importJourneys(ws.engine, file, { name: o.name, segment: o.segment, replace: o.replace });
    if (o.format === 'json') {
      emit(json(r));
      return;
    }
    const lines = [
      ...r.journeys.map((j) => `Imported the journey ${j.name}: ${j.title} (${j.steps} steps).`),
      ...r.circles.map((c) => `Imported the circle of need ${c.name} for ${c.segment} (${c.needs} needs).`),
      ...(r.replaced.length ? [`Replaced: ${r.replaced.join(', ')}.`] : []),
    ];
    emit(lines.join('\n') + '\n');
  });
}

export async function showCommand(arg: string | undefined, o: Where & { format: string; out?: string }): Promise<void> {
  await maybeWorkspace(o, async (engine) => {
    if (!arg) {
      if (!engine) throw new ParameterError('Name a journey to show, or give --workspace to list its journeys.');
      const journeys = await listJourneys(engine);
      const circles = await listCircles(engine);
      if (o.format === 'json') emit(json({ journeys, circles }), o.out);
      else if (o.format === 'table') emit(journeyListToTable(journeys, circles), o.out);
      else
        throw new ParameterError(`A list of journeys cannot be written as ${o.format}.`, 'Use --format table or json.');
      return;
    }
    const j = await oneJourney(arg, engine);
    const m = measureJourney(j, costsFor(j, o, new Map()));
    if (o.format === 'json') emit(json({ journey: j, measures: m }), o.out);
    else if (o.format === 'csv') emit(journeysToCsv([j]), o.out);
    else if (o.format === 'svg') emit(journeyMapSvg(j, m) + '\n', o.out);
    else emit(journeyToTable(j, m), o.out);
  });
}

export async function measureCommand(arg: string, o: Where & { format: string; out?: string }): Promise<void> {
  await maybeWorkspace(o, async (engine) => {
    const j = await oneJourney(arg, engine);
    const m = measureJourney(j, costsFor(j, o, new Map()));
    emit(o.format === 'json' ? json(m) : measuresToTable(m), o.out);
  });
}

/** The after of a before: named, or the one its compare_with names (in the workspace, or a file beside it). */
async function afterOf(before: Journey, beforeArg: string, afterArg: string | undefined, engine: Engine | null) {
  if (afterArg) return oneJourney(afterArg, engine);
  if (!before.compareWith)
    throw new ParameterError(
      `${before.name} does not say which journey it is compared with.`,
      'Name the after journey too, or give the before a compare_with.',
    );
  if (isFile(beforeArg)) {
    const beside = join(dirname(beforeArg), `${before.compareWith}.json`);
    if (existsSync(beside)) return oneJourney(beside, engine);
  }
  if (engine) return getJourney(engine, before.compareWith);
  throw new ParameterError(
    `${before.name} is compared with ${before.compareWith}, which is not beside it as ${before.compareWith}.json.`,
    'Name the after journey too, or give --workspace.',
  );
}

export async function compareCommand(
  beforeArg: string,
  afterArg: string | undefined,
  o: Where & { format: string; out?: string },
): Promise<void> {
  await maybeWorkspace(o, async (engine) => {
    const before = await oneJourney(beforeArg, engine);
    const after = await afterOf(before, beforeArg, afterArg, engine);
    const used = new Map<string, UnitCostSet>();
    const c = compareJourneys(
      measureJourney(before, costsFor(before, o, used)),
      measureJourney(after, costsFor(after, o, used)),
    );
    emit(o.format === 'json' ? json(c) : comparisonToTable(c), o.out);
  });
}

export async function exportCommand(args: string[], o: Where & { format: string; out?: string }): Promise<void> {
  needOut(o.format, o.out, 'export');
  await maybeWorkspace(o, async (engine) => {
    const journeys: Journey[] = [];
    for (const a of args) journeys.push(...(await journeysOf(a, engine)));
    const used = new Map<string, UnitCostSet>();
    const reports = journeys.map((journey) => ({
      journey,
      measures: measureJourney(journey, costsFor(journey, o, used)),
    }));
    // A before and its after, both exported: the before-and-after sheet.
    const before = reports.find((r) => r.journey.stage === 'before' && r.journey.compareWith);
    const after = before && reports.find((r) => r.journey.name === before.journey.compareWith);
    const comparison = before && after ? compareJourneys(before.measures, after.measures) : null;
    if (o.format === 'json') emit(json({ journeys: reports, comparison }), o.out);
    else if (o.format === 'csv') emit(journeysToCsv(journeys), o.out);
    else emit(await journeysToXlsx(reports, comparison, [...used.values()]), o.out);
  });
}

export async function circleCommand(
  arg: string,
  o: Where & {
    classification?: string;
    tier?: string;
    minIndex: string;
    minCell: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  const minIndex = Number(o.minIndex);
  if (!Number.isFinite(minIndex) || minIndex < 0)
    throw new ParameterError(`--min-index must be a number, not ${o.minIndex}.`);
  const minCell = Number(o.minCell ?? DEFAULT_MIN_CELL);
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  await maybeWorkspace(o, async (engine) => {
    const circle = isFile(arg)
      ? await readCircleFile(arg)
      : engine
        ? await getCircle(engine, arg)
        : (() => {
            throw new ParameterError(
              `"${arg}" is not a circle-of-need file, and there is no workspace to find one of that name in.`,
              'Give a .csv file, or add --workspace WORKSPACE.',
            );
          })();
    const r = engine
      ? await circleOfNeedInWorkspace(engine, circle, {
          classification: o.classification,
          tier: o.tier,
          minIndex,
          disclose: (p) => discloseProfile(p, minCell),
        })
      : circleOfNeed(circle, null, minIndex);
    if (o.format === 'json') emit(json(r), o.out);
    else if (o.format === 'svg') emit(circleToSvg(r) + '\n', o.out);
    else emit(circleToTable(r), o.out);
  });
}
