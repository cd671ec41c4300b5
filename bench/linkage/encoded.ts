/**
 * bench/linkage/encoded — what encoding names for linkage costs in accuracy (issue 13, point 5 and
 * acceptance 6): FEBRL datasets 1–3 deduplicated twice, once with every column in plain text and
 * once with given_name and surname encoded as keyed Bloom filters at import (--encode-for-linkage,
 * decision 22), each with the spec the proposer makes from the columns (so the encoded names get
 * bloom_dice levels, the plain ones Jaro–Winkler), trained without the labels, scored on them.
 *
 * Run: npx tsx bench/linkage/encoded.ts [--datasets 1,2,3]
 */
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace } from '../../src/store/index.ts';
import { importDataset, KEY_ENV, loadPseudonymKey } from '../../src/intake/index.ts';
import {
  evaluateModel,
  getModel,
  linkSources,
  predictModel,
  proposeSpec,
  saveModel,
  trainModel,
} from '../../src/linkage/index.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const DATASETS = arg('datasets', '1,2,3').split(',').map(Number);
const FEBRL = new URL('../../../shared/data/linkage/febrl/', import.meta.url).pathname;
const out = new URL('../out/', import.meta.url).pathname;
mkdirSync(out, { recursive: true });
const { key } = loadPseudonymKey({ env: { [KEY_ENV]: 'e7'.repeat(32) } });
const NAMES = ['given_name', 'surname'];
const OTHERS = [
  'street_number',
  'address_1',
  'address_2',
  'suburb',
  'postcode',
  'state',
  'date_of_birth',
  'soc_sec_id',
];

async function run(n: number, encoded: boolean) {
  const path = join(out, `febrl${n}-${encoded ? 'encoded' : 'plain'}.civic`);
  rmSync(path, { force: true });
  rmSync(`${path}.wal`, { force: true });
  const ws = await createWorkspace(path);
  try {
    const e = ws.engine;
    const t = performance.now();
    await importDataset(e, 'febrl', join(FEBRL, `dataset${n}.csv`), {
      noPostcode: true,
      idColumn: 'rec_id',
      keepInClear: encoded ? OTHERS : [...NAMES, ...OTHERS],
      encodeForLinkage: encoded ? NAMES : undefined,
      key,
      decidedBy: { username: 'bench', role: 'command line' },
    });
    const sources = await linkSources(e, ['febrl']);
    const { spec } = await proposeSpec(e, sources);
    const kinds = spec.comparisons
      .filter((c) => NAMES.includes(c.name))
      .map((c) => [...new Set(c.levels.map((l) => l.kind))].join('/'));
    const trained = await trainModel(e, spec, sources);
    await saveModel(e, { name: 'm', datasets: ['febrl'], spec: trained.spec, training: trained.report });
    const model = await getModel(e, 'm');
    await predictModel(e, model);
    const ev = await evaluateModel(e, model, { febrl: true });
    return { ev, kinds, seconds: (performance.now() - t) / 1000 };
  } finally {
    ws.close();
  }
}

const f = (x: number) => x.toFixed(4);
console.log('| FEBRL | names | name levels | best F1 | precision | recall | F1 at 0.5 | seconds |');
console.log('|---|---|---|---:|---:|---:|---:|---:|');
const rows: { n: number; plain: number; encoded: number; plain05: number; encoded05: number }[] = [];
for (const n of DATASETS) {
  const r: Record<string, Awaited<ReturnType<typeof run>>> = {};
  for (const encoded of [false, true]) {
    const x = await run(n, encoded);
    r[String(encoded)] = x;
    console.log(
      `| dataset${n} | ${encoded ? 'encoded' : 'plain text'} | ${x.kinds.join('; ')} | ${f(x.ev.best.f1)} | ${f(x.ev.best.precision)} | ${f(x.ev.best.recall)} | ${f(x.ev.atThreshold.f1)} | ${x.seconds.toFixed(1)} |`,
    );
  }
  rows.push({
    n,
    plain: r.false.ev.best.f1,
    encoded: r.true.ev.best.f1,
    plain05: r.false.ev.atThreshold.f1,
    encoded05: r.true.ev.atThreshold.f1,
  });
}
for (const r of rows)
  console.log(
    `dataset${r.n}: best F1 ${f(r.plain)} in plain text, ${f(r.encoded)} encoded (encoded minus plain: ${(r.encoded - r.plain).toFixed(5)}); at 0.5, ${(r.encoded05 - r.plain05).toFixed(5)}`,
  );
