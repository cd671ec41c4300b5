/**
 * bench/linkage/people — deduplicating 1,000,000 generated person records (issue 13, acceptance 5).
 *
 * The file: people drawn with Sample Borough's names and ages (src/demo), each living at one of a
 * made-up borough's homes (streets of numbered houses, some split into flats, about 15 homes a
 * postcode). About half of them are written down more than once (up to four records), every copy
 * after the first with the mistakes of src/demo/corrupt.ts at its default rates: typing slips,
 * nicknames, first and last names swapped, day and month swapped or a digit wrong in the date of
 * birth, the flat number left out, a street word abbreviated, an old address. The person each
 * record is of is kept in a column the model is told to ignore: the truth the pairs are scored on.
 *
 * Ours, through the library as the CLI runs it: import (--no-postcode, --id-column), train (records
 * table, blocking counted, u from random pairs, EM, λ), predict (every blocked pair scored and saved),
 * clusters; each stage timed, with its peak resident memory sampled every 20 ms.
 *
 * The peer: the same blocking and the same scoring (the trained weights, written in as constants,
 * term-frequency adjustments left out) as one plain DuckDB SQL query over the CSV file, in a
 * database of its own: the floor of what scoring these pairs costs in this engine, without the
 * spec, the records table, the saved pairs or any account of the rows. Splink itself cannot be
 * installed here (no Python package for it); see bench/RESULTS.md.
 *
 * Run: npx tsx bench/linkage/people.ts [--records 1000000] [--seed 5] [--no-peer]
 */
import { mkdirSync, rmSync, writeFileSync, createWriteStream } from 'node:fs';
import { once } from 'node:events';
import os from 'node:os';
import { join } from 'node:path';
import { createRandom } from '../../src/core/index.ts';
import { createWorkspace, DuckDbEngine, ident } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  clusterModel,
  getModel,
  linkSources,
  parseLinkSpec,
  predictModel,
  saveModel,
  trainModel,
  type LinkSpec,
} from '../../src/linkage/index.ts';
import { makePerson } from '../../src/demo/people.ts';
import { corruptPerson, type PersonFields } from '../../src/demo/corrupt.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const N = Number(arg('records', '1000000'));
const SEED = Number(arg('seed', '5'));
const PEER = !process.argv.includes('--no-peer');
const rnd = createRandom(SEED);
const out = new URL('../out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });

// ---- the homes ----
const STEMS = [
  'Ash',
  'Beech',
  'Cedar',
  'Elm',
  'Hazel',
  'Holly',
  'Larch',
  'Maple',
  'Oak',
  'Rowan',
  'Willow',
  'Yew',
  'Abbey',
  'Bridge',
  'Church',
  'Mill',
  'Station',
  'Park',
  'Manor',
  'Grange',
  'Hall',
  'Farm',
  'King',
  'Queen',
  'Victoria',
  'Albert',
  'North',
  'South',
  'East',
  'West',
  'High',
  'Market',
  'Spring',
  'Meadow',
  'Brook',
  'Hill',
  'Orchard',
  'Westfield',
  'Fairfield',
  'Windsor',
  'Stanley',
  'Clarence',
  'Milton',
  'Chester',
  'Hampton',
  'Lindsay',
  'Ashford',
  'Belmont',
  'Carlton',
  'Denby',
  'Eversley',
  'Fernhill',
];
const KINDS = [
  'Road',
  'Street',
  'Avenue',
  'Drive',
  'Close',
  'Crescent',
  'Lane',
  'Gardens',
  'Place',
  'Terrace',
  'Way',
  'Grove',
];
const AREAS = ['SB', 'SX', 'SR', 'ST', 'SW', 'SQ'];
interface Home {
  line: string;
  postcode: string;
}
const homes: Home[] = [];
const HOMES = Math.max(1000, Math.round(N * 0.4));
for (let street = 0; homes.length < HOMES; street++) {
  const name = `${STEMS[street % STEMS.length]} ${KINDS[Math.floor(street / STEMS.length) % KINDS.length]}`;
  const area = AREAS[Math.floor(street / (STEMS.length * KINDS.length)) % AREAS.length];
  const district = 1 + (Math.floor(street / (STEMS.length * KINDS.length * AREAS.length)) % 99);
  const flats = rnd.next() < 0.2;
  const n = 40 + rnd.int(80);
  for (let i = 0; i < n; i++) {
    const no = 1 + Math.floor(i / (flats ? 4 : 1));
    const unit = `${String.fromCharCode(65 + ((street * 7 + Math.floor(i / 15)) % 26))}${String.fromCharCode(65 + (street % 26))}`;
    const postcode = `${area}${district} ${street % 10}${unit}`;
    homes.push({ line: flats ? `Flat ${(i % 4) + 1}, ${no} ${name}` : `${no} ${name}`, postcode });
  }
}

// ---- the people and their records ----
const iso = (day: number) => new Date(day * 86_400_000).toISOString().slice(0, 10);
const csvCell = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
const file = join(out, `people-${N}.csv`);
const t0 = performance.now();
const ws0 = createWriteStream(file);
ws0.write('record_id,first_name,surname,dob,address,postcode,person\n');
let written = 0;
let people = 0;
let buf: string[] = [];
const flush = async () => {
  if (!ws0.write(buf.join(''))) await once(ws0, 'drain');
  buf = [];
};
while (written < N) {
  const r = rnd.next();
  const copies = r < 0.55 ? 1 : r < 0.85 ? 2 : r < 0.95 ? 3 : 4;
  const p = makePerson(rnd, 0, 95);
  const home = rnd.int(homes.length);
  const base: PersonFields = { first: p.first, last: p.last, dob: p.dob, address: homes[home].line };
  for (let c = 0; c < copies && written < N; c++) {
    let postcode = homes[home].postcode;
    let rec = base;
    if (c > 0) {
      let old = -1;
      const x = corruptPerson(rnd, base, () => homes[(old = rnd.int(homes.length))].line);
      rec = x.person;
      if (old >= 0 && x.errors.some((e) => e.kind === 'old address')) postcode = homes[old].postcode;
    }
    buf.push(
      `r${written},${csvCell(rec.first)},${csvCell(rec.last)},${iso(rec.dob)},${csvCell(rec.address)},${postcode},p${people}\n`,
    );
    written++;
  }
  people++;
  if (buf.length >= 10_000) await flush();
}
await flush();
ws0.end();
await once(ws0, 'finish');
const tGenerate = (performance.now() - t0) / 1000;

// ---- the model ----
const nameLevels = () => [
  { kind: 'null' },
  { kind: 'exact', tf: true },
  { kind: 'jaro_winkler', threshold: 0.92 },
  { kind: 'jaro_winkler', threshold: 0.88 },
  { kind: 'jaro_winkler', threshold: 0.7 },
  { kind: 'else' },
];
const spec: LinkSpec = parseLinkSpec({
  version: 1,
  linkType: 'dedupe',
  comparisons: [
    { name: 'first_name', column: 'first_name', levels: nameLevels() },
    { name: 'surname', column: 'surname', levels: nameLevels() },
    {
      name: 'dob',
      column: 'dob',
      levels: [
        { kind: 'null' },
        { kind: 'exact' },
        { kind: 'damerau_levenshtein', max: 1 },
        { kind: 'date_swap', format: '%Y-%m-%d' },
        { kind: 'date_within', format: '%Y-%m-%d', days: 366 },
        { kind: 'else' },
      ],
    },
    {
      name: 'address',
      column: 'address',
      levels: [
        { kind: 'null' },
        { kind: 'exact', tf: true },
        { kind: 'jaro_winkler', threshold: 0.9 },
        { kind: 'jaro_winkler', threshold: 0.8 },
        { kind: 'else' },
      ],
    },
    {
      name: 'postcode',
      column: 'postcode',
      levels: [
        { kind: 'null' },
        { kind: 'exact', tf: true },
        { kind: 'damerau_levenshtein', max: 1 },
        { kind: 'else' },
      ],
    },
  ],
  blocking: {
    predict: [
      { on: ['surname', 'dob'] },
      { on: ['first_name', 'dob'] },
      { on: ['postcode', 'surname'] },
      { on: ['postcode', 'first_name'] },
    ],
    // EM sessions: each leaves out the comparisons its rule uses, so the date of birth is learned
    // among people of one name at one postcode, not among neighbours who share only a surname.
    train: [{ on: ['surname', 'dob'] }, { on: ['first_name', 'dob'] }, { on: ['postcode', 'surname', 'first_name'] }],
  },
  ignored: ['person'],
  origin: 'written',
});
writeFileSync(join(out, 'people-spec.json'), JSON.stringify(spec, null, 2) + '\n');

// ---- ours, stage by stage ----
interface Stage {
  stage: string;
  seconds: number;
  /** CPU seconds of the whole process (every thread, DuckDB's included) */
  cpu: number;
  peakRssMb: number;
}
const stages: Stage[] = [];
let peak = 0;
const sampler = setInterval(() => {
  peak = Math.max(peak, process.memoryUsage().rss);
}, 20);
let stageStart = performance.now();
const cpuNow = () => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
};
let cpuStart = cpuNow();
const mark = (stage: string) => {
  peak = Math.max(peak, process.memoryUsage().rss);
  const cpu = cpuNow();
  stages.push({ stage, seconds: (performance.now() - stageStart) / 1000, cpu: cpu - cpuStart, peakRssMb: peak / 1e6 });
  cpuStart = cpu;
  process.stderr.write(`  ${stage}: ${stages.at(-1)!.seconds.toFixed(2)} s, ${Math.round(peak / 1e6)} MB\n`);
  peak = process.memoryUsage().rss;
  stageStart = performance.now();
};
const wsPath = join(out, 'people-bench.civic');
rmSync(wsPath, { force: true });
rmSync(`${wsPath}.wal`, { force: true });
const ws = await createWorkspace(wsPath);
const e = ws.engine;
stageStart = performance.now();
cpuStart = cpuNow();
const imported = await importDataset(e, 'people', file, {
  noPostcode: true,
  idColumn: 'record_id',
  keepInClear: ['first_name', 'surname', 'dob', 'address', 'postcode'],
  decidedBy: { username: 'bench', role: 'command line' },
});
mark('import');
const jobStart = performance.now();
const sources = await linkSources(e, ['people']);
// Training reports each step as it ends: records, blocking, u, EM (one per session), prior.
const trained = await trainModel(e, spec, sources, {
  onProgress: (p) => void (p.done > 0 && mark(`train: ${p.stage}`)),
});
for (let i = stages.length - 1; i > 0; i--)
  if (stages[i].stage === stages[i - 1].stage) {
    stages[i - 1].seconds += stages[i].seconds;
    stages[i - 1].cpu += stages[i].cpu;
    stages[i - 1].peakRssMb = Math.max(stages[i - 1].peakRssMb, stages[i].peakRssMb);
    stages.splice(i, 1);
  }
await saveModel(e, { name: 'people', datasets: ['people'], spec: trained.spec, training: trained.report });
const model = await getModel(e, 'people');
const predicted = await predictModel(e, model);
mark('predict (blocking and scoring)');
const clusters = await clusterModel(e, model);
mark('clusters');
const jobSeconds = (performance.now() - jobStart) / 1000;

// ---- scored against the truth ----
const truth = await e.all<{ tp: number; fp: number; all_true: number }>(
  `WITH t AS (SELECT CAST(record_id AS VARCHAR) AS record_id, person FROM ${ident(sources[0].table)}),
   linked AS (SELECT id_l, id_r FROM link_pair WHERE model = 'people' AND match_probability >= 0.5)
   SELECT (SELECT count(*) FROM linked l JOIN t a ON a.record_id = l.id_l JOIN t b ON b.record_id = l.id_r WHERE a.person = b.person)::BIGINT AS tp,
          (SELECT count(*) FROM linked l JOIN t a ON a.record_id = l.id_l JOIN t b ON b.record_id = l.id_r WHERE a.person <> b.person)::BIGINT AS fp,
          (SELECT sum(n * (n - 1) / 2) FROM (SELECT count(*) AS n FROM t GROUP BY person))::BIGINT AS all_true`,
);
const { tp, fp, all_true } = truth[0];
// Clusters: pairs of records in one cluster, against pairs of one person.
const clusterOf = new Map(clusters.members.map((m) => [m.id, m.cluster]));
const personRows = await e.all<{ record_id: string; person: string }>(
  `SELECT CAST(record_id AS VARCHAR) AS record_id, person FROM ${ident(sources[0].table)}`,
);
const byBoth = new Map<string, number>();
const byCluster = new Map<string, number>();
for (const r of personRows) {
  const c = clusterOf.get(r.record_id)!;
  byCluster.set(c, (byCluster.get(c) ?? 0) + 1);
  const k = `${c}\u0000${r.person}`;
  byBoth.set(k, (byBoth.get(k) ?? 0) + 1);
}
const pairsOf = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + (n * (n - 1)) / 2, 0);
const clusterPairs = pairsOf(byCluster);
const clusterTrue = pairsOf(byBoth);
ws.close();
const job = stages.filter((s) => s.stage !== 'import');
const oursPeak = Math.max(...job.map((s) => s.peakRssMb));
const jobCpu = job.reduce((t, s) => t + s.cpu, 0);

// ---- the peer: one plain DuckDB query ----
let peer: { seconds: number; cpu: number; pairs: number; linked: number; tp: number } | null = null;
if (PEER) {
  const db = await DuckDbEngine.open(':memory:');
  const w = (c: string, g: number) => {
    const l = trained.spec.comparisons.find((x) => x.name === c)!.levels[g];
    return Math.log2(l.m! / l.u!);
  };
  const prior = Math.log2(trained.spec.prior! / (1 - trained.spec.prior!));
  const name = (c: string) => `CASE WHEN l.${c} IS NULL OR r.${c} IS NULL THEN 0
      WHEN l.${c} = r.${c} THEN ${w(c, 1)}
      WHEN jaro_winkler_similarity(l.${c}, r.${c}) >= 0.92 THEN ${w(c, 2)}
      WHEN jaro_winkler_similarity(l.${c}, r.${c}) >= 0.88 THEN ${w(c, 3)}
      WHEN jaro_winkler_similarity(l.${c}, r.${c}) >= 0.7 THEN ${w(c, 4)} ELSE ${w(c, 5)} END`;
  const t = performance.now();
  const c0 = cpuNow();
  await db.run(
    `CREATE TABLE p AS SELECT row_number() OVER () AS n, record_id, lower(first_name) AS first_name, lower(surname) AS surname,
       dob, try_strptime(dob, '%Y-%m-%d')::DATE AS d, lower(address) AS address, lower(postcode) AS postcode, person
     FROM read_csv('${file}', header = true, all_varchar = true)`,
  );
  await db.run(
    `CREATE TABLE scored AS SELECT l.record_id AS id_l, r.record_id AS id_r, l.person = r.person AS truth, ${prior}
      + ${name('first_name')} + ${name('surname')}
      + CASE WHEN l.dob IS NULL OR r.dob IS NULL THEN 0 WHEN l.dob = r.dob THEN ${w('dob', 1)}
          WHEN damerau_levenshtein(l.dob, r.dob) <= 1 THEN ${w('dob', 2)}
          WHEN day(l.d) = month(r.d) AND month(l.d) = day(r.d) AND year(l.d) = year(r.d) AND l.d <> r.d THEN ${w('dob', 3)}
          WHEN abs(date_diff('day', l.d, r.d)) <= 366 THEN ${w('dob', 4)} ELSE ${w('dob', 5)} END
      + CASE WHEN l.address IS NULL OR r.address IS NULL THEN 0 WHEN l.address = r.address THEN ${w('address', 1)}
          WHEN jaro_winkler_similarity(l.address, r.address) >= 0.9 THEN ${w('address', 2)}
          WHEN jaro_winkler_similarity(l.address, r.address) >= 0.8 THEN ${w('address', 3)} ELSE ${w('address', 4)} END
      + CASE WHEN l.postcode IS NULL OR r.postcode IS NULL THEN 0 WHEN l.postcode = r.postcode THEN ${w('postcode', 1)}
          WHEN damerau_levenshtein(l.postcode, r.postcode) <= 1 THEN ${w('postcode', 2)} ELSE ${w('postcode', 3)} END AS weight
     FROM (SELECT l.n AS a, r.n AS b FROM p l JOIN p r ON l.surname = r.surname AND l.dob = r.dob AND l.n < r.n
           UNION SELECT l.n, r.n FROM p l JOIN p r ON l.first_name = r.first_name AND l.dob = r.dob AND l.n < r.n
           UNION SELECT l.n, r.n FROM p l JOIN p r ON l.postcode = r.postcode AND l.surname = r.surname AND l.n < r.n
           UNION SELECT l.n, r.n FROM p l JOIN p r ON l.postcode = r.postcode AND l.first_name = r.first_name AND l.n < r.n) k
     JOIN p l ON l.n = k.a JOIN p r ON r.n = k.b`,
  );
  const c = (await db.one<{ pairs: number; linked: number; tp: number }>(
    `SELECT count(*)::BIGINT AS pairs, count(*) FILTER (WHERE weight >= 0)::BIGINT AS linked, count(*) FILTER (WHERE weight >= 0 AND truth)::BIGINT AS tp FROM scored`,
  ))!;
  peer = { seconds: (performance.now() - t) / 1000, cpu: cpuNow() - c0, ...c };
  db.close();
}
clearInterval(sampler);

// ---- report ----
const f = (x: number, d = 1) => x.toFixed(d);
console.log(
  `${N} records of ${people} people (${all_true} true pairs); file written in ${f(tGenerate)} s; ${imported.read ?? N} read at import`,
);
console.log('| stage | wall (s) | CPU (s) | records per wall second | peak RSS (MB) |');
console.log('|---|---:|---:|---:|---:|');
for (const s of stages)
  console.log(
    `| ${s.stage} | ${f(s.seconds, 2)} | ${f(s.cpu, 1)} | ${Math.round(N / s.seconds)} | ${Math.round(s.peakRssMb)} |`,
  );
console.log(
  `| **whole job (blocking, training, prediction, clustering)** | **${f(jobSeconds, 1)}** | **${f(jobCpu, 1)}** | **${Math.round(N / jobSeconds)}** | **${Math.round(oursPeak)}** |`,
);
console.log(
  `blocking: ${trained.report.blocking.map((b) => `${b.rule} ${b.pairs} (adds ${b.added})`).join('; ')}; union ${predicted.pairs}`,
);
console.log(
  `u from ${trained.report.uSample.pairs} random pairs of ${trained.report.uSample.records} records; λ ${trained.spec.prior!.toExponential(3)}; EM ${trained.report.sessions.map((s) => `${s.iterations}${s.converged ? '' : '!'}`).join('/')} iterations`,
);
console.log(
  `pairs at 0.5: ${tp + fp} linked, precision ${f(tp / (tp + fp), 4)}, recall ${f(tp / all_true, 4)} (of all ${all_true} true pairs)`,
);
console.log(
  `clusters: ${clusters.clusters} (largest ${clusters.largest}); pairs within clusters ${clusterPairs}, precision ${f(clusterTrue / clusterPairs, 4)}, recall ${f(clusterTrue / all_true, 4)}`,
);
if (peer)
  console.log(
    `peer (one DuckDB query, same blocking and weights, no tf): ${f(peer.seconds, 2)} s (CPU ${f(peer.cpu, 1)} s) for ${peer.pairs} pairs; ${peer.linked} at weight ≥ 0, precision ${f(peer.tp / peer.linked, 4)}, recall ${f(peer.tp / all_true, 4)}`,
  );
console.log(
  `peak RSS of the whole process, the peer's in-memory database included: ${Math.round(process.resourceUsage().maxRSS / 1e3)} MB; load average at the end ${os
    .loadavg()
    .map((x) => x.toFixed(1))
    .join(' ')}`,
);
