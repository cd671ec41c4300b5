/**
 * bench/location: site choice at 1,000 demand points × 100 candidates and 3,000 × 300, maximal
 * coverage and p-median, exact (HiGHS, WebAssembly, single thread) against the heuristics.
 *
 * Instances: demand points and candidates uniform in a 10 km square (seeded), demand weights 50–449
 * households, straight-line walking costs (× 1.3 circuity at 4.8 km/h, so 15 minutes ≈ 920 m as the
 * crow flies). p = 10 sites at both sizes; maximal coverage counts households within a 15-minute walk.
 * HiGHS runs cold (no starting solution) under a time limit; where it stops early, the heuristic's gap
 * is measured against the best bound known: HiGHS's, or for p-median the Lagrangian bound if tighter.
 *
 * Run: npx tsx bench/location/run.ts [--time-limit SECONDS] [--seed N] [--sizes 1000x100,3000x300]
 * Prints a Markdown table for bench/RESULTS.md, and writes bench/out/location.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRandom } from '../../src/core/index.ts';
import { straightLineCosts, type Place } from '../../src/location/costs.ts';
import {
  mclpHeuristic,
  pMedianHeuristic,
  pMedianLowerBound,
  prepareProblem,
  siteObjective,
  type SiteProblem,
} from '../../src/location/sites.ts';
import { solveExact } from '../../src/location/highs.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const timeLimit = Number(arg('time-limit', '300'));
const seed = Number(arg('seed', '1'));
const sizes = arg('sizes', '1000x100,3000x300')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);
const P = 10;
const STANDARD = 15;

async function instance(n: number, m: number): Promise<SiteProblem> {
  const r = createRandom(seed * 1_000_003 + n);
  const lat0 = 53.42,
    lon0 = -2.35;
  const dLat = 10_000 / 111_320,
    dLon = 10_000 / (111_320 * Math.cos((lat0 * Math.PI) / 180));
  const point = (id: string): Place => ({ id, lat: lat0 + r.next() * dLat, lon: lon0 + r.next() * dLon });
  const demand = Array.from({ length: n }, (_, i) => point(`d${i}`));
  const candidates = Array.from({ length: m }, (_, j) => point(`c${j}`));
  const weights = Float64Array.from(demand, () => 50 + r.int(400));
  const costs = await straightLineCosts().matrix(demand, candidates, 'walk');
  return { weights, costs, p: P, standard: STANDARD };
}

const fmt = (x: number | null, digits = 1) =>
  x === null ? '–' : x.toLocaleString('en-GB', { maximumFractionDigits: digits, minimumFractionDigits: digits });
const pct = (x: number | null) => (x === null ? '–' : `${(x * 100).toFixed(3)}%`);

interface Row {
  size: string;
  kind: string;
  highsStatus: string;
  highsSeconds: number;
  highsObjective: number | null;
  highsBound: number | null;
  highsGap: number | null;
  heuristicSeconds: number;
  heuristicObjective: number;
  lagrangianBound: number | null;
  lagrangianSeconds: number | null;
  heuristicGap: number | null;
  gapAgainst: string;
  ratio: number;
  note: string;
}
const rows: Row[] = [];

for (const [n, m] of sizes) {
  const problem = await instance(n, m);
  for (const kind of ['mclp', 'p-median'] as const) {
    const pp = prepareProblem(problem, kind);
    let t = performance.now();
    const open = kind === 'mclp' ? mclpHeuristic(pp) : pMedianHeuristic(pp);
    const heuristicSeconds = (performance.now() - t) / 1000;
    const heuristicObjective = siteObjective(pp, kind, open);
    let lagrangianBound: number | null = null,
      lagrangianSeconds: number | null = null;
    if (kind === 'p-median') {
      t = performance.now();
      lagrangianBound = pMedianLowerBound(pp, heuristicObjective);
      lagrangianSeconds = (performance.now() - t) / 1000;
    }
    t = performance.now();
    let highsStatus = 'optimal',
      highsObjective: number | null = null,
      highsBound: number | null = null,
      highsGap: number | null = null,
      note = '';
    try {
      const exact = await solveExact(problem, kind, { timeLimitSeconds: timeLimit, maxEntries: Infinity });
      highsStatus = exact.status;
      highsObjective = exact.objective;
      highsBound = exact.bound;
      highsGap = exact.gap;
      note = exact.notes.slice(1).join(' ');
    } catch (e) {
      highsStatus = `failed: ${(e as { code?: string }).code ?? (e as Error).message}`;
      note = (e as Error).message;
    }
    const highsSeconds = (performance.now() - t) / 1000;
    // The heuristic's gap: against the proven optimum, else the best bound known.
    let heuristicGap: number | null = null,
      gapAgainst = '';
    const maximise = kind === 'mclp';
    if (highsStatus === 'optimal' && highsObjective !== null) {
      heuristicGap = maximise
        ? (highsObjective - heuristicObjective) / highsObjective
        : (heuristicObjective - highsObjective) / highsObjective;
      gapAgainst = 'HiGHS optimum';
    } else {
      const bounds: [number, string][] = [];
      if (highsBound !== null) bounds.push([highsBound, 'HiGHS bound']);
      if (lagrangianBound !== null) bounds.push([lagrangianBound, 'Lagrangian bound']);
      if (bounds.length) {
        const [bound, label] = bounds.sort((a, b) => (maximise ? a[0] - b[0] : b[0] - a[0]))[0];
        heuristicGap = maximise
          ? (bound - heuristicObjective) / bound
          : (heuristicObjective - bound) / heuristicObjective;
        gapAgainst = label;
      }
    }
    const row: Row = {
      size: `${n.toLocaleString('en-GB')} × ${m}`,
      kind: maximise ? 'maximal coverage' : 'p-median',
      highsStatus,
      highsSeconds,
      highsObjective,
      highsBound,
      highsGap,
      heuristicSeconds,
      heuristicObjective,
      lagrangianBound,
      lagrangianSeconds,
      heuristicGap,
      gapAgainst,
      ratio: highsSeconds / Math.max(heuristicSeconds, 1e-6),
      note,
    };
    rows.push(row);
    console.error(
      `${row.size} ${row.kind}: HiGHS ${highsStatus} in ${highsSeconds.toFixed(1)} s; heuristic ${heuristicSeconds.toFixed(2)} s, gap ${pct(heuristicGap)} (${gapAgainst})`,
    );
  }
}

const out = new URL('../out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
writeFileSync(out + 'location.json', JSON.stringify({ timeLimit, seed, p: P, standard: STANDARD, rows }, null, 2));

console.log(
  `\nSite choice, p = ${P}, maximal coverage within ${STANDARD} minutes' walk, seed ${seed}, HiGHS time limit ${timeLimit} s (cold start).\n`,
);
console.log(
  '| demand × candidates | problem | HiGHS status | HiGHS time (s) | HiGHS objective | HiGHS bound | heuristic time (s) | heuristic objective | heuristic gap | gap against | HiGHS ÷ heuristic time |',
);
console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  console.log(
    `| ${r.size} | ${r.kind} | ${r.highsStatus} | ${r.highsSeconds.toFixed(1)} | ${fmt(r.highsObjective)} | ${fmt(r.highsBound)} | ${r.heuristicSeconds.toFixed(2)} | ${fmt(r.heuristicObjective)} | ${pct(r.heuristicGap)} | ${r.gapAgainst || '–'} | ${Math.round(r.ratio).toLocaleString('en-GB')} |`,
  );
}
const lag = rows.filter((r) => r.lagrangianBound !== null);
if (lag.length) {
  console.log('\nLagrangian lower bounds for p-median (computed in TypeScript, 300 subgradient steps):\n');
  for (const r of lag)
    console.log(
      `- ${r.size}: ${fmt(r.lagrangianBound)} in ${r.lagrangianSeconds!.toFixed(2)} s (heuristic within ${pct((r.heuristicObjective - r.lagrangianBound!) / r.heuristicObjective)} of it)`,
    );
}
const notes = rows.filter((r) => r.note);
if (notes.length) {
  console.log('');
  for (const r of notes) console.log(`- ${r.size} ${r.kind}: ${r.note}`);
}
