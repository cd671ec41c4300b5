/** `civic location choose` and `civic location scenario`. */
import { withWorkspace, type Engine } from '../../store/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import {
  costFileInputs,
  COST_FILE_MODE,
  loadSiteInputs,
  withKeptSites,
  findCandidate,
  solve,
  runScenario,
  type SiteInputs,
  type SiteProblemKind,
  type SiteChange,
  type TravelMode,
} from '../../location/index.ts';
import {
  locationToJson,
  hideSmallWeights,
  choiceToTable,
  choiceToCsv,
  choiceToXlsx,
  scenarioToTable,
  scenarioToCsv,
  scenarioToXlsx,
} from '../../outputs/index.ts';
import { emit, parseFormat } from '../io.ts';
import { costSourceFor } from './location.ts';

function needsOut(out: string | undefined): string {
  if (!out) throw new ParameterError('An XLSX file needs somewhere to go.', 'Add --out FILE.xlsx');
  return out;
}

function positive(v: unknown, what: string): number | undefined {
  if (v === undefined) return undefined;
  const x = Number(v);
  if (!(x > 0) || !Number.isFinite(x)) throw new ParameterError(`${what} must be a number above 0, not "${v}".`);
  return x;
}

/** "Name@-2.35,53.39" → a named point. */
export function parsePoint(spec: string): { name: string; lon: number; lat: number } {
  const at = spec.lastIndexOf('@');
  const [lon, lat] =
    at > 0
      ? spec
          .slice(at + 1)
          .split(',')
          .map((s) => Number(s.trim()))
      : [NaN, NaN];
  if (at <= 0 || !Number.isFinite(lon) || !Number.isFinite(lat))
    throw new ParameterError(
      `Cannot read the point "${spec}".`,
      'Give it as NAME@LON,LAT, e.g. "New hub@-2.35,53.39".',
    );
  return { name: spec.slice(0, at).trim(), lon, lat };
}

/** "Sale Library>New hub" or "Sale Library to New hub" → a move. */
export function parseMove(spec: string): { from: string; to: string } {
  const gt = spec.indexOf('>');
  const to = spec.toLowerCase().lastIndexOf(' to ');
  const [from, dest] =
    gt > 0 ? [spec.slice(0, gt), spec.slice(gt + 1)] : to > 0 ? [spec.slice(0, to), spec.slice(to + 4)] : ['', ''];
  if (!from.trim() || !dest.trim())
    throw new ParameterError(
      `Cannot read the move "${spec}".`,
      'Give it as "FROM>TO", e.g. --move "Sale Library>New hub".',
    );
  return { from: from.trim(), to: dest.trim() };
}

async function inputsFor(ws: { engine: Engine }, o: Record<string, unknown>): Promise<SiteInputs> {
  const costs = await costSourceFor({
    circuity: o.circuity as string | undefined,
    network: o.network as string | undefined,
    valhalla: o.valhalla as string | undefined,
  });
  return loadSiteInputs(
    ws.engine,
    {
      kind: o.kind as string | undefined,
      gridMetres: positive(o.grid, '--grid'),
      gridOnly: !!o.gridOnly,
      points: ((o.point as string[] | undefined) ?? []).map(parsePoint),
      level: o.level as string | undefined,
      measure: o.measure as 'households' | 'population',
      segments: o.segments as string[] | undefined,
      weightDataset: o.weightDataset as string | undefined,
      classification: o.classification as string | undefined,
      tier: o.tier as string | undefined,
      mode: o.mode as TravelMode,
    },
    costs,
  );
}

/**
 * With --weight-dataset the weights are service records, so anything written to a file or printed as
 * JSON/CSV hides record counts under the threshold (every field whose name ends in "weight"), as the
 * other commands do; the owner's own screen shows them. Households from the census base are not hidden.
 */
function minCellFor(o: Record<string, unknown>, format: string): number {
  if (!o.weightDataset) return 0;
  const n = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(n) || n < 0) throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  return n;
}
/** Options that describe a workspace's demand, candidates or roads, which a cost file replaces. */
const WORKSPACE_ONLY: [string, string][] = [
  ['kind', '--kind'],
  ['grid', '--grid'],
  ['point', '--point'],
  ['level', '--level'],
  ['segments', '--segments'],
  ['weightDataset', '--weight-dataset'],
  ['classification', '--classification'],
  ['tier', '--tier'],
  ['network', '--network'],
  ['valhalla', '--valhalla'],
  ['circuity', '--circuity'],
  ['gridOnly', '--grid-only'],
  ['keepExisting', '--keep-existing'],
];

export async function choose(workspace: string | undefined, o: Record<string, unknown>): Promise<void> {
  if (o.costs) {
    const clash = WORKSPACE_ONLY.filter(([k]) => o[k] !== undefined && o[k] !== false).map(([, flag]) => flag);
    if (clash.length)
      throw new ParameterError(
        `${clash.join(', ')} ${clash.length === 1 ? 'describes' : 'describe'} a workspace's sites, demand or roads, but --costs gives them all.`,
        `Leave out ${clash.join(', ')}, or leave out --costs and name a workspace.`,
      );
    if (workspace)
      throw new ParameterError(
        "Give a workspace or --costs, not both: with --costs the demand points and sites are the cost file's.",
        'Leave out the workspace, e.g. civic location choose --costs times.csv --problem p-median --sites 3.',
      );
    return chooseFrom(
      await costFileInputs(String(o.costs), o.demand as string | undefined, o.mode as TravelMode),
      [],
      o,
    );
  }
  if (o.demand) throw new ParameterError('--demand goes with --costs.', 'Add --costs FILE, or leave out --demand.');
  if (!workspace)
    throw new ParameterError(
      'Say where to choose sites: a workspace, or a cost matrix file.',
      'e.g. civic location choose trafford.civic --kind library …, or civic location choose --costs times.csv …',
    );
  if (o.keepExisting && !o.kind) throw new ParameterError('--keep-existing needs --kind, to know which sites exist.');
  await withWorkspace(workspace, async (ws) => {
    // --grid-only: today's sites are there only if kept; everything else opened is new.
    const { inputs, fixed } = withKeptSites(await inputsFor(ws, o), {
      keepExisting: !!o.keepExisting,
      keep: o.keep as string[] | undefined,
    });
    await chooseFrom(inputs, fixed, o);
  });
}

async function chooseFrom(all: SiteInputs, fixedIn: number[], o: Record<string, unknown>): Promise<void> {
  const format = parseFormat(String(o.format ?? 'table'), ['table', 'json', 'csv', 'xlsx']);
  if (format === 'xlsx') needsOut(o.out as string | undefined);
  const problemKind = o.problem as SiteProblemKind;
  const p = o.sites === undefined ? undefined : Number(o.sites);
  if (p !== undefined && !(Number.isInteger(p) && p > 0))
    throw new ParameterError(`--sites must be a whole number above 0, not "${o.sites}".`);
  const standard = positive(o.standard, '--standard');
  // With a cost file, --keep names its sites; a workspace's kept sites come resolved.
  const { inputs, fixed } =
    fixedIn.length || !o.costs
      ? { inputs: all, fixed: fixedIn }
      : withKeptSites(all, { keep: o.keep as string[] | undefined });
  const result = await solve(
    { weights: inputs.weights, groups: inputs.groups, costs: inputs.costs, fixed, standard, p },
    problemKind,
    {
      method: o.method as 'auto' | 'exact' | 'heuristic',
      timeLimitSeconds: positive(o.timeLimit, '--time-limit'),
    },
  );
  const out = o.out as string | undefined;
  const shown = hideSmallWeights(result, minCellFor(o, format));
  const mode = o.costs ? COST_FILE_MODE : (o.mode as string);
  if (format === 'json')
    emit(
      locationToJson({
        ...shown,
        candidates: inputs.candidates,
        level: inputs.level,
        measure: inputs.measure,
        demand: inputs.demand,
        mode,
        inputNotes: inputs.notes,
      }),
      out,
    );
  else if (format === 'csv') emit(choiceToCsv(shown, inputs), out);
  else if (format === 'xlsx') emit(await choiceToXlsx(shown, inputs, mode), needsOut(out));
  else emit(choiceToTable(shown, inputs, mode), out);
}

export async function scenario(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = parseFormat(String(o.format ?? 'table'), ['table', 'json', 'csv', 'xlsx']);
  if (format === 'xlsx') needsOut(o.out as string | undefined);
  const standard = positive(o.standard, '--standard')!;
  const maxLosers = Number(o.losers);
  if (!Number.isInteger(maxLosers) || maxLosers < 0)
    throw new ParameterError(`--losers must be a whole number, not "${o.losers}".`);
  if (!o.kind && !o.current)
    throw new ParameterError(
      'Say which sites are open today.',
      'Add --kind library (every site of that kind), or --current ID,ID.',
    );
  await withWorkspace(workspace, async (ws) => {
    const inputs = await inputsFor(ws, o);
    const id = (s: string) => inputs.candidates[findCandidate(inputs, s)].id;
    const current = o.current ? (o.current as string[]).map(id) : inputs.existing.map((j) => inputs.candidates[j].id);
    const change: SiteChange = {
      close: ((o.close as string[] | undefined) ?? []).map(id),
      open: ((o.open as string[] | undefined) ?? []).map(id),
      move: ((o.move as string[] | undefined) ?? []).map(parseMove).map((mv) => ({ from: id(mv.from), to: id(mv.to) })),
    };
    const result = runScenario(
      { costs: inputs.costs, weights: inputs.weights, groups: inputs.groups, standard, current },
      change,
    );
    const out = o.out as string | undefined;
    const shown = hideSmallWeights(result, minCellFor(o, format));
    if (format === 'json')
      emit(
        locationToJson({
          ...shown,
          level: inputs.level,
          measure: inputs.measure,
          demand: inputs.demand,
          mode: o.mode,
          inputNotes: inputs.notes,
        }),
        out,
      );
    else if (format === 'csv') emit(scenarioToCsv(shown), out);
    else if (format === 'xlsx') emit(await scenarioToXlsx(shown, change, inputs, o.mode as string), needsOut(out));
    else emit(scenarioToTable(shown, change, inputs, o.mode as string, maxLosers), out);
  });
}
