/**
 * bench/location/cover: set cover and p-center on generated instances, each solved in the same run
 * by the naive greedy (set cover only), the heuristic (Lagrangian set cover; p-center binary search
 * over set-cover heuristics) and HiGHS exact (set cover MIP; p-center binary search over exact set
 * covers), with objective, bound, gap and time. Instances: demand points and candidates uniform in a
 * 20 km square, straight-line minutes at 30 km/h × 1.3, weights 1–100, seeded.
 * Run: npx tsx bench/location/cover.ts   (SIZES="205x16,1000x100" to change the instances)
 */
import { loadavg, availableParallelism } from 'node:os';
import { createRandom } from '../../src/core/index.ts';
import { straightLineCosts, type Place } from '../../src/location/index.ts';
import { greedySetCover, prepareProblem, type SiteProblem } from '../../src/location/sites.ts';
import { solve } from '../../src/location/highs.ts';

const SIZES = (process.env.SIZES ?? '205x16,1000x100,3000x300')
  .split(',')
  .map((s) => s.split('x').map(Number) as [number, number]);

async function instance(n: number, m: number, seed: number): Promise<SiteProblem> {
  const r = createRandom(seed);
  const at = (id: string): Place => ({ id, lon: -2.4 + r.next() * 0.3, lat: 53.35 + r.next() * 0.18 });
  const origins = Array.from({ length: n }, (_, i) => at(`o${i}`));
  const sites = Array.from({ length: m }, (_, j) => at(`s${j}`));
  const costs = await straightLineCosts().matrix(origins, sites, 'car');
  return { costs, weights: Float64Array.from({ length: n }, () => 1 + Math.floor(r.next() * 100)) };
}

const row = (cells: (string | number)[]) => `| ${cells.join(' | ')} |`;
console.log(
  `Load before: ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${availableParallelism()} cores; Node ${process.version}`,
);
console.log(row(['instance', 'problem', 'method', 'objective', 'bound', 'gap', 'seconds']));
console.log(row(['---', '---', '---', '---', '---', '---', '---']));
for (const [n, m] of SIZES) {
  const base = await instance(n, m, n + m);
  const standard = 8;
  const sc: SiteProblem = { ...base, standard };
  const t0 = performance.now();
  const greedy = greedySetCover(prepareProblem(sc, 'set-cover'));
  const tg = (performance.now() - t0) / 1000;
  console.log(row([`${n}×${m}`, `set cover ${standard} min`, 'naive greedy', greedy.length, '–', '–', tg.toFixed(2)]));
  const p = Math.max(2, Math.round(m / 10));
  for (const [kind, problem, label] of [
    ['set-cover', sc, `set cover ${standard} min`],
    ['p-center', { ...base, p }, `p-center p=${p}`],
  ] as const) {
    for (const method of ['heuristic', 'exact'] as const) {
      const s = await solve(problem, kind, { method, timeLimitSeconds: 120 });
      const fmt = (x: number | null) => (x === null ? '–' : kind === 'set-cover' ? String(x) : x.toFixed(2));
      console.log(
        row([
          `${n}×${m}`,
          label,
          `${method}${s.status === 'time-limit' ? ' (time limit)' : ''}`,
          fmt(s.objective),
          fmt(s.bound),
          s.gap === null ? '–' : `${(s.gap * 100).toFixed(1)}%`,
          s.seconds.toFixed(2),
        ]),
      );
    }
  }
}
