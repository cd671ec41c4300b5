/**
 * bench/profile: import and profile 1,000,000 records against a 2,700,000-postcode directory,
 * and the same job in pandas in the same run on the same machine. Prints a Markdown table for
 * bench/RESULTS.md. Run: npm run bench:profile [-- --postcodes N --records N]
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset, loadPseudonymKey } from '../../src/intake/index.ts';
import { profileDataset } from '../../src/profiling/index.ts';
import { generateBenchFiles } from './generate.ts';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const nPostcodes = arg('postcodes', 2_700_000);
const nRecords = arg('records', 1_000_000);
const out = new URL('../out/', import.meta.url).pathname;

const files = await generateBenchFiles(out, nPostcodes, nRecords);
const ws = join(out, 'bench.civic');
rmSync(ws, { force: true });
rmSync(ws + '.wal', { force: true });

const t: Record<string, number> = {};
const time = async <T>(label: string, fn: () => Promise<T>): Promise<T> => {
  const s = performance.now();
  const r = await fn();
  t[label] = (performance.now() - s) / 1000;
  return r;
};
const start = performance.now();
const w = await time('workspace', () => createWorkspace(ws));
await time('directory', () => importReference(w.engine, { postcodes: files.postcodes }));
await time('base_and_classification', () =>
  importReference(w.engine, {
    base: [files.base],
    classification: [files.classification],
    classificationName: 'bench',
  }),
);
// As a council would import it: customer_name looks personal and is pseudonymised with a key kept outside the workspace.
const key = loadPseudonymKey({ env: { CIVIC_PSEUDONYM_KEY: 'ab'.repeat(32) } }).key!;
const imp = await time('records', () => importDataset(w.engine, 'records', files.records, { key }));
console.log(`pseudonymised: ${imp.pseudonymised.join(', ') || 'nothing'}`);
const prof = await time('profile', () => profileDataset(w.engine, { dataset: 'records', tier: 'group' }));
t.total = (performance.now() - start) / 1000;
w.close();

const py = JSON.parse(
  execFileSync(
    '/usr/bin/python3',
    [
      new URL('./pandas_job.py', import.meta.url).pathname,
      files.postcodes,
      files.base,
      files.classification,
      files.records,
    ],
    { encoding: 'utf8', maxBuffer: 1 << 24 },
  ),
);
const p = py.timings as Record<string, number>;

if (py.matched !== imp.matched)
  console.error(`note: pandas matched ${py.matched}, civic matched ${imp.matched} (civic also corrects typing slips)`);
const rows = [
  ['postcode directory import', t.directory, p.directory],
  ['base and classification', t.base_and_classification, p.base_and_classification],
  ['records import and match', t.records, p.records],
  ['profile', t.profile, p.profile],
  ['whole job', t.total, p.total],
];
console.log(
  `\n${nRecords.toLocaleString('en-GB')} records against ${nPostcodes.toLocaleString('en-GB')} postcodes (civic: read ${imp.read}, matched ${imp.matched}, unmatched ${imp.unmatched}, rejected ${imp.rejected}; profiled ${prof.total.count}; pandas ${py.pandas} matched ${py.matched})\n`,
);
console.log('| phase | civic (s) | pandas (s) | pandas ÷ civic |');
console.log('|---|---:|---:|---:|');
for (const [label, a, b] of rows)
  console.log(
    `| ${label} | ${(a as number).toFixed(2)} | ${(b as number).toFixed(2)} | ${((b as number) / (a as number)).toFixed(2)} |`,
  );
