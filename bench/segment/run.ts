/**
 * bench/segment: k-means on the Leicester 2011 OAC inputs (969 OAs × 167 variables, the OAC
 * transformation: rates, inverse hyperbolic sine, range 0–1) at k = 8, and on a generated
 * 190,000 × 60 matrix, against scikit-learn's KMeans on the same matrix in the same run.
 * civic runs kmeansParallel (restarts over two worker threads; small problems stay in this thread).
 * Run: npx tsx bench/segment/run.ts   (needs Debian's python3-sklearn; RESTARTS=n, WORKERS=n to override)
 */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { loadavg, availableParallelism } from 'node:os';
import Papa from 'papaparse';
import { createRandom } from '../../src/core/index.ts';
import {
  matrixFromRows,
  transform,
  kmeansParallel,
  adjustedRandIndex,
  type Matrix,
} from '../../src/segmentation/index.ts';

const DATA = new URL('../../../shared/data/leicester-oac2011/', import.meta.url).pathname;
const OUT = new URL('../out/', import.meta.url).pathname;
mkdirSync(OUT, { recursive: true });
const LOAD_BEFORE = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');
const RESTARTS = Number(process.env.RESTARTS ?? 10);
const WORKERS = process.env.WORKERS === undefined ? undefined : Number(process.env.WORKERS);

// The denominator of each kind of count, as the OAC's variable lookup names them.
const DENOMINATOR: Record<string, string> = {
  Person: 'Total_Population',
  Household: 'Total_Households',
  Employment_16_to_74: 'Total_Employment_16_to_74',
  Person_16_to_74: 'Total_Population_16_to_74',
  Person_16_Over: 'Total_Population_16_and_over',
  Pop_Household_16_Over: 'Total_Pop_in_Housesholds_16_and_over',
  Household_Spaces: 'Total_Household_Spaces',
  Person_3_Over: 'Total_Population_3_and_over',
  Not_Students_16_to_74: 'Total_Pop_No_NI_Students_16_to_74',
  Dwelling: 'Total_Dwellings',
};

function leicester(): { m: Matrix; supergroups: string[] } {
  const lookup = Papa.parse<Record<string, string>>(
    readFileSync(DATA + '2011_OAC_Raw_uVariables_Lookup.csv', 'utf8').replace(/^\uFEFF/, ''),
    { header: true, skipEmptyLines: true },
  ).data;
  const rows = Papa.parse<Record<string, string>>(
    readFileSync(DATA + '2011_OAC_Raw_uVariables_Leicester.csv', 'utf8').replace(/^\uFEFF/, ''),
    { header: true, skipEmptyLines: true },
  ).data;
  const vars = lookup.filter((v) => /^u\d{3}$/.test(v.VariableCode));
  const m = matrixFromRows(
    rows.map((r) =>
      vars.map((v) => {
        const x = Number(r[v.VariableCode]);
        const denom = v.VariableMeasurementUnit === 'Count' ? Number(r[DENOMINATOR[v.VariableStatisticalUnit]]) : NaN;
        return v.VariableMeasurementUnit === 'Count' ? (denom > 0 ? (x / denom) * 100 : 0) : x;
      }),
    ),
  );
  return { m: transform(transform(m, 'ihs'), 'range'), supergroups: rows.map((r) => r.supgrpcode) };
}

function generated(n: number, d: number): Matrix {
  const rng = createRandom(190);
  const centres = Array.from({ length: 8 }, () => Array.from({ length: d }, () => rng.next()));
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    const c = centres[rng.int(8)];
    for (let j = 0; j < d; j++) data[i * d + j] = c[j] + rng.normal() * 0.15;
  }
  return { data, n, d };
}

function peer(m: Matrix, name: string, k: number) {
  const file = OUT + `${name}.csv`;
  const lines: string[] = [];
  for (let i = 0; i < m.n; i++)
    lines.push(Array.from(m.data.subarray(i * m.d, (i + 1) * m.d), (x) => x.toPrecision(17)).join(','));
  writeFileSync(file, lines.join('\n') + '\n');
  return JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [new URL('./sklearn_job.py', import.meta.url).pathname, file, String(k), String(RESTARTS)],
      { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '2' } },
    ),
  );
}

const rows: string[] = [];
for (const [name, m, truth] of [
  ['leicester_969x167', ...Object.values(leicester())],
  ['generated_190000x60', generated(190_000, 60), null],
] as [string, Matrix, string[] | null][]) {
  const s = performance.now(),
    c0 = process.cpuUsage();
  const ours = await kmeansParallel(m, { k: 8, seed: 1, restarts: RESTARTS, workers: WORKERS });
  const seconds = (performance.now() - s) / 1000;
  const cpu = process.cpuUsage(c0),
    cpuSeconds = (cpu.user + cpu.system) / 1e6; // all threads, workers included
  // A second call with the same settings, on both sides: the first includes compiling the code
  // (V8's JIT here; scikit-learn's is compiled ahead of time), the second does not.
  const s2 = performance.now();
  await kmeansParallel(m, { k: 8, seed: 1, restarts: RESTARTS, workers: WORKERS });
  const seconds2 = (performance.now() - s2) / 1000;
  const sk = peer(m, name, 8);
  const ari = truth ? adjustedRandIndex(truth, Array.from(ours.labels)).toFixed(3) : '–';
  rows.push(
    `| ${name} | ${RESTARTS} | ${ours.threads === 1 ? 'kmeans, in-thread' : `kmeansParallel, ${ours.threads} workers`} | ${seconds.toFixed(2)} | ${sk.seconds.toFixed(2)} | ${(sk.seconds / seconds).toFixed(2)} | ${cpuSeconds.toFixed(2)} | ${sk.cpu.toFixed(2)} | ${ours.wcss.toFixed(4)} | ${sk.wcss.toFixed(4)} | ${(ours.wcss / sk.wcss).toFixed(5)} | ${ari} | ${seconds2.toFixed(2)} | ${sk.seconds2.toFixed(2)} | ${(sk.seconds2 / seconds2).toFixed(2)} |`,
  );
  console.error(
    `${name}: done (scikit-learn ${sk.sklearn}; iterations civic ${ours.iterations} (restart ${ours.restart}), scikit-learn ${sk.iterations})`,
  );
}
console.log(
  '| matrix | restarts | civic ran as | civic (s) | scikit-learn (s) | sklearn ÷ civic | civic CPU (s) | sklearn CPU (s) | civic WCSS | sklearn WCSS | WCSS ratio | ARI vs official supergroups | civic 2nd call (s) | sklearn 2nd call (s) | sklearn ÷ civic, 2nd |',
);
console.log('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
console.log(
  `\n(load average before/after: ${LOAD_BEFORE} / ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${availableParallelism()} cores)`,
);
