/**
 * bench/contacts (issue 14, acceptance 4): 5,000,000 contacts of a unitary council's contact
 * centre, about ten years, generated (seeded) into a temporary folder; then, in the same run on the
 * same machine, civic's import of the file and the analysis `civic contacts summary` runs, against
 * pandas reading the same file, putting channels into the same vocabulary and computing the same
 * figures. Every figure is compared and must agree; the seconds and peak memory of each phase are
 * printed as Markdown for bench/RESULTS.md.
 *
 *   npm run bench:contacts [-- --rows N] [-- --seed S] [-- --dir DIR] [-- --no-cli]
 *
 * The generated file stays in DIR (default: the system's temporary folder) for the next run; the
 * workspace is made afresh in a temporary folder and removed afterwards.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHANNELS, KEY_ENV, newKeySecret } from '../../src/intake/index.ts';
import type { ContactsResult } from '../../src/channels/index.ts';
import { AVOIDABLE, generateContacts } from './generate.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
};
const rows = Number(arg('rows') ?? 5_000_000);
const seed = Number(arg('seed') ?? 14);
const dir = arg('dir') ?? join(tmpdir(), 'civic-bench-contacts');
const DAYS = 7;
const TARGET = 80;

const load = () =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const g0 = performance.now();
const files = await generateContacts(dir, rows, seed);
console.log(
  `contacts: ${files.contacts} (${(statSync(files.contacts).size / 1e6).toFixed(0)} MB, ${rows.toLocaleString('en-GB')} rows, seed ${seed}, ${files.firstDay} to ${files.lastDay}, ${files.customers.toLocaleString('en-GB')} customer references at ${files.postcodes.toLocaleString('en-GB')} Trafford postcodes; ready in ${((performance.now() - g0) / 1000).toFixed(1)} s)`,
);

const work = mkdtempSync(join(tmpdir(), 'civic-bench-contacts-ws-'));
try {
  const vocabulary = join(work, 'channels.json');
  writeFileSync(vocabulary, JSON.stringify(CHANNELS));

  // One pseudonymisation key for the run: civic pseudonymises the customer references with it as
  // a contact log's import does, and pandas does the same work (HMAC-SHA-256 of each distinct value).
  const keyEnv = { ...process.env, [KEY_ENV]: newKeySecret() };

  // civic, in a process of its own (its peak memory its own); tsx as `npm run` runs it.
  const loadBeforeCivic = load();
  const civicRun = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      join(ROOT, 'bench/contacts/civic_job.ts'),
      join(work, 'bench.civic'),
      files.contacts,
      files.tiers,
      JSON.stringify(AVOIDABLE),
      String(rows),
    ],
    { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26, env: keyEnv },
  );
  if (civicRun.status !== 0) throw new Error(`civic job failed:\n${civicRun.stderr}`);
  const civic = JSON.parse(civicRun.stdout) as {
    seconds: Record<string, number>;
    cpu: Record<string, number>;
    peakMb: Record<string, number>;
    import: { read: number; matched: number; unmatched: number; rejected: number; pseudonymised: string[] };
    result: ContactsResult;
  };

  // The same analysis through the command line, as a council's analyst would run it: a new
  // process (from source through tsx, as dist/ is not built here) opening the workspace.
  let cli: { seconds: number; result: ContactsResult } | null = null;
  const loadBeforeCli = load();
  if (!process.argv.includes('--no-cli')) {
    const t = performance.now();
    const out = execFileSync(
      process.execPath,
      [
        join(ROOT, 'bin/civic.js'),
        'contacts',
        'summary',
        join(work, 'bench.civic'),
        'contacts',
        '--avoidable',
        AVOIDABLE.join(','),
        '--tiers',
        files.tiers,
        '--repeat-days',
        String(DAYS),
        '--target',
        String(TARGET),
        '--format',
        'json',
        '--min-cell',
        '0',
      ],
      { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 26 },
    );
    cli = { seconds: (performance.now() - t) / 1000, result: JSON.parse(out) as ContactsResult };
  }

  const loadBeforePandas = load();
  const py = JSON.parse(
    execFileSync(
      '/usr/bin/python3',
      [
        join(ROOT, 'bench/contacts/pandas_job.py'),
        files.contacts,
        files.tiers,
        vocabulary,
        JSON.stringify(AVOIDABLE),
        String(DAYS),
        String(TARGET),
      ],
      { encoding: 'utf8', maxBuffer: 1 << 26, env: keyEnv },
    ),
  ) as {
    seconds: Record<string, number>;
    cpu: Record<string, number>;
    peakMb: Record<string, number>;
    pandas: string;
    figures: {
      contacts: number;
      channels: Record<string, number>;
      ni14: { requests: number; contactsPerRequest: number; multiContact: number; multiContactPct: number };
      repeat: { contacts: number; pct: number; notChecked: number };
      avoidable: { contacts: number; pct: number };
      tiers: {
        basis: 'request' | 'contact';
        rows: Record<
          string,
          { count: number; resolved: number; resolvedPct: number | null; meetsTarget: boolean | null }
        >;
        untiered: number;
        withoutRequest: number;
      };
    };
  };
  const loadAfter = load();

  // Every figure, side by side; each must agree (counts exactly, shares to 1e-9).
  const r = civic.result;
  const p = py.figures;
  type Figure = number | boolean | string | null | undefined;
  const figures: [string, Figure, Figure][] = [['contacts', r.contacts, p.contacts]];
  const channelNames = [...new Set([...r.channels.map((c) => c.channel), ...Object.keys(p.channels)])];
  for (const c of channelNames)
    figures.push([`channel ${c}`, r.channels.find((x) => x.channel === c)?.contacts, p.channels[c]]);
  figures.push(
    ['requests (NI14)', r.ni14?.requests, p.ni14.requests],
    ['contacts per request (NI14)', r.ni14?.contactsPerRequest, p.ni14.contactsPerRequest],
    ['requests with more than one contact', r.ni14?.multiContact, p.ni14.multiContact],
    ['requests with more than one contact, %', r.ni14?.multiContactPct, p.ni14.multiContactPct],
    [`repeat contacts within ${DAYS} days`, r.repeat?.contacts, p.repeat.contacts],
    ['repeat contacts, % of those checked', r.repeat?.pct, p.repeat.pct],
    ['contacts not checked for repeats', r.repeat?.notChecked, p.repeat.notChecked],
    ['avoidable contacts', r.avoidable?.contacts, p.avoidable.contacts],
    ['avoidable contacts, %', r.avoidable?.pct, p.avoidable.pct],
  );
  // First-contact resolution counts requests (each by its first contact; decision 35).
  figures.push(['first-contact resolution counts', r.tiers?.basis, p.tiers.basis]);
  const tierNames = [...new Set([...(r.tiers?.rows ?? []).map((t) => t.tier), ...Object.keys(p.tiers.rows)])];
  for (const t of tierNames) {
    const a = r.tiers?.rows.find((x) => x.tier === t);
    const b = p.tiers.rows[t];
    figures.push(
      [`tier ${t} requests`, a?.count, b?.count],
      [`tier ${t} requests resolved at first contact`, a?.resolved, b?.resolved],
      [`tier ${t} resolved, %`, a?.resolvedPct, b?.resolvedPct],
      [`tier ${t} meets the ${TARGET}% target`, a?.meetsTarget, b?.meetsTarget],
    );
  }
  figures.push(
    ['untiered requests', r.tiers?.untiered, p.tiers.untiered],
    ['contacts without a request reference (not requests)', r.tiers?.withoutRequest, p.tiers.withoutRequest],
  );
  const agree = (a: unknown, b: unknown) =>
    typeof a === 'number' && typeof b === 'number'
      ? Number.isInteger(a) && Number.isInteger(b)
        ? a === b
        : Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a))
      : a === b;
  const show = (v: unknown) =>
    typeof v === 'number' ? (Number.isInteger(v) ? v.toLocaleString('en-GB') : v.toFixed(6)) : String(v);
  console.log('\n| figure | civic | pandas | agree |');
  console.log('|---|---:|---:|---|');
  for (const [name, a, b] of figures)
    console.log(`| ${name} | ${show(a)} | ${show(b)} | ${agree(a, b) ? 'yes' : '**NO**'} |`);
  const disagree = figures.filter(([, a, b]) => !agree(a, b));
  // The command line gives the same result as the library in process.
  const cliSame = cli ? JSON.stringify(cli.result) === JSON.stringify(r) : null;

  const c = civic.seconds;
  const s = py.seconds;
  const civicTotal = c.import + c.analysis;
  const ratio = (a: number, b: number) => (b / a).toFixed(2);
  console.log(
    `\ncivic: read ${civic.import.read.toLocaleString('en-GB')}, matched ${civic.import.matched.toLocaleString('en-GB')}, unmatched ${civic.import.unmatched.toLocaleString('en-GB')}, rejected ${civic.import.rejected.toLocaleString('en-GB')}; pseudonymised: ${civic.import.pseudonymised.join(', ') || 'nothing'}; postcode directory set-up ${c.directory.toFixed(2)} s (not counted)`,
  );
  console.log(
    `load average (1, 5, 15 min): before civic ${loadBeforeCivic}; before the CLI ${loadBeforeCli}; before pandas ${loadBeforePandas}; after ${loadAfter}`,
  );
  console.log(`pandas ${py.pandas}; Node ${process.version}\n`);
  const pc = py.cpu;
  const mb = (...v: number[]) => Math.max(...v).toFixed(0);
  const line = (label: string, a: number, b: number, ca: number, cb: number, ma: string, mb_: string) =>
    console.log(
      `| ${label} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${ratio(a, b)} | ${ca.toFixed(1)} | ${cb.toFixed(1)} | ${ma} | ${mb_} |`,
    );
  console.log(
    '| phase | civic (s) | pandas (s) | pandas ÷ civic | civic CPU (s) | pandas CPU (s) | civic peak RSS (MB) | pandas peak RSS (MB) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
  line(
    'read, pseudonymise, normalise channels (civic: import)',
    c.import,
    s.read + s.pseudonymise + s.normalise,
    civic.cpu.import,
    pc.read + pc.pseudonymise + pc.normalise,
    mb(civic.peakMb.import),
    mb(py.peakMb.read, py.peakMb.pseudonymise, py.peakMb.normalise),
  );
  line(
    'analysis',
    c.analysis,
    s.analysis,
    civic.cpu.analysis,
    pc.analysis,
    mb(civic.peakMb.analysis),
    mb(py.peakMb.analysis),
  );
  line(
    '**whole job**',
    civicTotal,
    s.total,
    civic.cpu.import + civic.cpu.analysis,
    pc.read + pc.pseudonymise + pc.normalise + pc.analysis,
    mb(civic.peakMb.import, civic.peakMb.analysis),
    mb(py.peakMb.read, py.peakMb.pseudonymise, py.peakMb.normalise, py.peakMb.analysis),
  );
  console.log(
    `\npandas phases: read ${s.read.toFixed(2)} s, pseudonymise ${s.pseudonymise.toFixed(2)} s, channels ${s.normalise.toFixed(2)} s, analysis ${s.analysis.toFixed(2)} s`,
  );
  if (cli)
    console.log(
      `analysis through the command line (civic contacts summary … --format json, a new process from source): ${cli.seconds.toFixed(2)} s; same result as in process: ${cliSame ? 'yes' : 'NO'}`,
    );
  if (disagree.length || cliSame === false) {
    console.error(`\n${disagree.length} figures disagree${cliSame === false ? '; the CLI answered differently' : ''}`);
    process.exitCode = 1;
  } else console.log(`\nall ${figures.length} figures agree`);
} finally {
  rmSync(work, { recursive: true, force: true });
}
