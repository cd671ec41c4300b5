/**
 * bench/portal — load: 50 concurrent simulated users for 60 s against the portal over Sample
 * Borough, on loopback only, with autocannon. The server runs as `civic serve` in its own process
 * (as in production); the load generator runs here. Each connection is one person with a role
 * and cycles through what that person does: staff open the overview, profiles, the segment guide,
 * map GeoJSON and the API; agents look up postcodes; the public reads the guide and the map.
 * Prints a Markdown table for bench/RESULTS.md and writes bench/out/portal-load.json.
 *
 * With --with-attacks (issue 10, acceptance 4) the load runs twice, each on a fresh server: once as
 * above, and once with two attacks fired a fifth of the way into the measured window by a separate
 * analyst: a p-median site choice over 45 sites on the location page, and an upload of a ~29 MB
 * "zip bomb" XLSX of millions of tiny rows (generated once into bench/out/). The server's resident
 * memory (/proc/PID/status, VmRSS sampled every 250 ms, and VmHWM, the kernel's peak) is reported
 * for both runs, with the other users' errors and p50/p95/p99, and what each attack got back.
 *
 * Run: npx tsx bench/portal/run.ts [--households 100000] [--connections 50] [--duration 60] [--workspace PATH] [--profile-server DIR] [--no-result-cache] [--with-attacks [--attacks p-median,upload]]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { buildSampleBorough } from '../../src/demo/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { addUser, createApiToken } from '../../src/server/index.ts';
import { writeZipBombXlsx } from './zip-bomb.ts';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  duration: number;
  errors: number;
  timeouts: number;
  non2xx: number;
  requests: { total: number; average: number };
  throughput: { average: number };
  latency: { mean: number };
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> {
  on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (
  opts: Record<string, unknown>,
) => AutocannonInstance;

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const households = Number(arg('households', '100000'));
const connections = Number(arg('connections', '50'));
const duration = Number(arg('duration', '60'));
const out = new URL('../out/', import.meta.url).pathname;
const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
const PASSWORD = 'bench password for the portal';

// ---- the workspace, its people and their tokens ----
mkdirSync(out, { recursive: true });
const given = arg('workspace', '');
const wsPath = given || join(out, `portal-sb-${households}.civic`);
let buildSeconds: number | null = null;
if (!given) {
  const t = performance.now();
  process.stderr.write(`building Sample Borough (${households.toLocaleString('en-GB')} households) at ${wsPath}…\n`);
  const built = await buildSampleBorough(wsPath, { households, seed: 2026 });
  built.workspace.close();
  buildSeconds = (performance.now() - t) / 1000;
}
const withAttacks = process.argv.includes('--with-attacks');
/** Which attacks --with-attacks fires: both by default; --attacks p-median or --attacks upload for one. */
const attackKinds = new Set(
  arg('attacks', 'p-median,upload')
    .split(',')
    .map((k) => k.trim()),
);
for (const k of attackKinds)
  if (k !== 'p-median' && k !== 'upload')
    throw new Error(`--attacks takes p-median, upload or both (comma-separated), not ${k}`);
const PEOPLE = [
  ...['analyst1', 'analyst2', 'analyst3', 'analyst4'].map((u) => ({ username: u, role: 'analyst' })),
  { username: 'admin1', role: 'admin' },
  ...['partner1', 'partner2'].map((u) => ({ username: u, role: 'partner', partner: 'Borough Housing Trust' })),
  ...['agent1', 'agent2', 'agent3'].map((u) => ({ username: u, role: 'agent' })),
  // Not one of the load's users: the attacks come from this analyst.
  ...(withAttacks ? [{ username: 'attacker', role: 'analyst' }] : []),
];
const tokens: Record<string, string> = {};
let datasets: string[] = [];
let postcodes: string[] = [];
{
  const ws = await openWorkspace(wsPath);
  try {
    await ws.engine.run(
      `DELETE FROM api_token WHERE username IN (SELECT username FROM app_user WHERE username LIKE 'bench-%')`,
    );
    for (const p of PEOPLE) {
      const username = `bench-${p.username}`;
      if (!(await ws.engine.one(`SELECT 1 AS x FROM app_user WHERE username = $1`, [username])))
        await addUser(ws.engine, { ...p, username, password: PASSWORD });
      if (p.role === 'analyst' || p.role === 'admin')
        tokens[username] = await createApiToken(ws.engine, username, 'bench');
    }
    datasets = (
      await ws.engine.all<{ name: string }>(`SELECT name FROM dataset WHERE partner IS NULL ORDER BY name`)
    ).map((r) => r.name);
    postcodes = (
      await ws.engine.all<{ pc: string }>(
        `SELECT pc_key AS pc FROM postcode WHERE terminated IS NULL ORDER BY hash(pc_key) LIMIT 200`,
      )
    ).map((r) => r.pc);
  } finally {
    ws.close();
  }
}

// ---- the server, in its own process ----
async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  // --profile-server DIR writes a V8 CPU profile of the server to DIR (open it in Chrome's DevTools).
  const prof = arg('profile-server', '');
  const child = spawn(
    process.execPath,
    [
      ...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []),
      BIN,
      'serve',
      wsPath,
      '--port',
      '0',
      '--host',
      '127.0.0.1',
      '--insecure-cookies',
      ...(process.argv.includes('--no-result-cache') ? ['--no-result-cache'] : []),
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server stopped (${code}): ${err}`));
    });
  });
  return { child, url };
}
/** The server's resident memory now and at its peak, in MiB (Linux /proc). */
function memoryOf(pid: number): { rss: number; hwm: number } | null {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
    return { rss: kb('VmRSS') / 1024, hwm: kb('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

interface AttackOutcome {
  what: string;
  status: number | string;
  seconds: number;
  said: string;
}
interface RunFigures {
  attacks: boolean;
  requests: number;
  throughput: number;
  p50: number;
  p95: number;
  p99: number;
  max: number | undefined;
  mean: number;
  errors: number;
  non2xx: number;
  socketErrors: number;
  timeouts: number;
  maxRssMiB: number;
  peakRssMiB: number;
  byRequest: Record<string, { n: number; non2xx: number; p50: number; p95: number; p99: number }>;
  personas: Record<string, number>;
  duration: number;
  attackOutcomes: AttackOutcome[];
}

/** The text a page or problem says, briefly: its error summary or heading, without markup. */
function gist(body: string): string {
  const m =
    /govuk-error-summary__body[\s\S]*?<(?:p|li)[^>]*>([\s\S]*?)<\/(?:p|li)>/.exec(body) ??
    /<h1[^>]*>([\s\S]*?)<\/h1>/.exec(body) ??
    /"detail":"([^"]*)"/.exec(body);
  return (m ? m[1] : body.slice(0, 160))
    .replace(/<[^>]+>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 200);
}

const bomb =
  withAttacks && attackKinds.has('upload')
    ? await (async () => {
        const path = join(out, 'zip-bomb.xlsx');
        if (!existsSync(path)) {
          process.stderr.write('writing the zip-bomb XLSX…\n');
          const b = await writeZipBombXlsx(path);
          process.stderr.write(
            `${(b.bytes / 1024 / 1024).toFixed(1)} MB, ${b.rows.toLocaleString('en-GB')} rows, ${(b.unpackedBytes / 1024 / 1024).toFixed(0)} MB of XML unpacked\n`,
          );
        }
        return path;
      })()
    : null;

const runs: RunFigures[] = [];
for (const attacks of withAttacks ? [false, true] : [false]) runs.push(await runOnce(attacks));
writeFileSync(join(out, 'portal-load.json'), JSON.stringify(runs.length === 1 ? runs[0] : runs, null, 2));
if (runs.length > 1) {
  const [quiet, attacked] = runs;
  const f0 = (n: number | undefined) => (n === undefined ? '–' : Math.round(n).toLocaleString('en-GB'));
  console.log('\n### Other users with and without the attacks\n');
  console.log(
    '| run | requests | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors | server max RSS sampled (MiB) | server peak RSS, VmHWM (MiB) |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of runs)
    console.log(
      `| ${r.attacks ? 'with the attacks' : 'without'} | ${r.requests.toLocaleString('en-GB')} | ${f0(r.p50)} | ${f0(r.p95)} | ${f0(r.p99)} | ${f0(r.max)} | ${r.errors} | ${f0(r.maxRssMiB)} | ${f0(r.peakRssMiB)} |`,
    );
  console.log('\n| attack | answer | seconds | what it said |');
  console.log('|---|---|---:|---|');
  for (const a of attacked.attackOutcomes)
    console.log(`| ${a.what} | ${a.status} | ${a.seconds.toFixed(1)} | ${a.said.replace(/\|/g, '/')} |`);
  const ratio = attacked.p95 / quiet.p95;
  console.log(
    `\np95 with the attacks ÷ without: ${ratio.toFixed(2)} (aim: at most 2). Other users' errors with the attacks: ${attacked.errors} (aim: 0). Server peak RSS: ${f0(attacked.peakRssMiB)} MiB (aim: under 1,024).`,
  );
  if (attacked.errors || ratio > 2 || attacked.peakRssMiB >= 1024) process.exitCode = 1;
}

async function runOnce(attacks: boolean): Promise<RunFigures> {
  const { child, url } = await startServer();
  const stop = () => {
    if (child.exitCode === null) child.kill('SIGTERM');
  };
  process.once('exit', stop);
  let maxRss = 0;
  let figuresOut: RunFigures | null = null;
  const sampler = setInterval(() => {
    const m = memoryOf(child.pid!);
    if (m && m.rss > maxRss) maxRss = m.rss;
  }, 250);

  try {
    // ---- sign people in through the login form, as a browser does ----
    const sessions: Record<string, string> = {};
    for (const p of PEOPLE) {
      const username = `bench-${p.username}`;
      const form = await fetch(`${url}/login`);
      const loginCookie = /civic_login=[^;]+/.exec(form.headers.get('set-cookie') ?? '')?.[0] ?? '';
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
      const r = await fetch(`${url}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
        body: new URLSearchParams({ _csrf: csrf, username, password: PASSWORD }),
      });
      const cookie = /civic_session=[^;]+/.exec(r.headers.get('set-cookie') ?? '')?.[0];
      if (r.status !== 303 || !cookie) throw new Error(`could not sign in ${username}: ${r.status}`);
      sessions[username] = cookie;
    }
    // The map's GeoJSON URL as the map page gives it, for staff and for the public.
    const geojsonFor = async (cookie?: string) => {
      const html = await (await fetch(`${url}/map`, { headers: cookie ? { cookie } : {} })).text();
      const m = /\/map\/data\.geojson\?[^"'\s<]+/.exec(html);
      if (!m) throw new Error('the map page names no GeoJSON source');
      return m[0].replace(/&amp;/g, '&');
    };
    const staffGeo = await geojsonFor(sessions['bench-analyst1']);
    const publicGeo = await geojsonFor();

    // ---- who does what ----
    type Req = { method: 'GET'; path: string; headers: Record<string, string>; label: string };
    const get = (label: string, path: string, headers: Record<string, string> = {}): Req => ({
      method: 'GET',
      path,
      headers: { accept: 'text/html,application/json', ...headers },
      label,
    });
    const ds = (i: number) => encodeURIComponent(datasets[i % datasets.length]);
    const pc = (i: number) => encodeURIComponent(postcodes[i % postcodes.length]);
    function personaFor(i: number): { persona: string; requests: Req[] } {
      // 50 connections: 25 analysts/admin, 5 partners, 10 agents, 10 members of the public.
      const slot = i % 10;
      if (slot < 5) {
        const u = slot === 4 ? 'bench-admin1' : `bench-analyst${(i % 4) + 1}`;
        const cookie = { cookie: sessions[u] };
        return {
          persona: 'analyst',
          requests: [
            get('overview', '/', cookie),
            get('profile page', `/profile?dataset=${ds(i)}&by=seg:borough:group&base=households`, cookie),
            get('segment guide', '/segments/borough', cookie),
            get('map GeoJSON', staffGeo, cookie),
            get('API profile (token)', `/api/profile?dataset=${ds(i + 3)}&classification=borough&tier=type`, {
              authorization: `Bearer ${tokens[u]}`,
              accept: 'application/json',
            }),
            get('look-up', `/lookup?postcode=${pc(i)}`, cookie),
            get('location page', `/location?kind=library&mode=${i % 2 ? 'walk' : 'car'}&within=15`, cookie),
            get('targeting page', `/targeting?dataset=${ds(i + 5)}&areas=ward`, cookie),
          ],
        };
      }
      if (slot === 5) {
        const cookie = { cookie: sessions[`bench-partner${(i % 2) + 1}`] };
        return {
          persona: 'partner',
          requests: [
            get('overview', '/', cookie),
            get('profile page', `/profile?dataset=${ds(i + 1)}&by=seg:borough:group&base=households`, cookie),
            get('segment guide', '/segments/borough', cookie),
            get('map GeoJSON', staffGeo, cookie),
          ],
        };
      }
      if (slot < 8) {
        const cookie = { cookie: sessions[`bench-agent${(i % 3) + 1}`] };
        return {
          persona: 'agent',
          requests: [
            get('look-up', `/lookup?postcode=${pc(i)}`, cookie),
            get('look-up', `/lookup?postcode=${pc(i + 17)}`, cookie),
            get('segment guide', '/segments/borough', cookie),
          ],
        };
      }
      return {
        persona: 'public',
        requests: [get('public home', '/'), get('segment guide', '/segments/borough'), get('map GeoJSON', publicGeo)],
      };
    }

    // Check every request once before the run: a broken route is a setup error, not load.
    for (let i = 0; i < 10; i++) {
      for (const r of personaFor(i).requests) {
        const res = await fetch(url + r.path, { headers: r.headers, redirect: 'manual' });
        if (res.status !== 200)
          throw new Error(`${r.label} ${r.path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
      }
    }

    // ---- the load ----
    const byLabel = new Map<string, { n: number; non2xx: number; ms: number[] }>();
    const latencies: number[] = [];
    // autocannon calls a request's onResponse just before it emits that response's time, on the same turn.
    let answered: { ms: number[] } | null = null;
    const personas: Record<string, number> = {};
    let next = 0;
    process.stderr.write(
      `${connections} connections for ${duration} s against ${url}${attacks ? ', with the attacks' : ''}…\n`,
    );
    // The attacks: fired a fifth of the way into the window, both at once, from an analyst not in the load.
    const attackOutcomes: AttackOutcome[] = [];
    const attacking: Promise<void>[] = [];
    if (attacks) {
      const attacker = 'bench-attacker';
      const fire = async (what: string, go: () => Promise<Response>) => {
        const t = performance.now();
        try {
          const r = await go();
          attackOutcomes.push({
            what,
            status: r.status,
            seconds: (performance.now() - t) / 1000,
            said: r.status === 303 ? `redirected to ${r.headers.get('location')}` : gist(await r.text()),
          });
        } catch (e) {
          attackOutcomes.push({
            what,
            status: 'failed',
            seconds: (performance.now() - t) / 1000,
            said: (e as Error).message,
          });
        }
      };
      const timer = setTimeout(() => {
        if (attackKinds.has('p-median'))
          attacking.push(
            fire('p-median over 45 sites (location page)', () =>
              fetch(`${url}/location?kind=library&mode=car&within=15&sites=45&problem=p-median`, {
                headers: { cookie: sessions[attacker] },
                signal: AbortSignal.timeout(180_000),
              }),
            ),
          );
        if (attackKinds.has('upload'))
          attacking.push(
            fire('zip-bomb XLSX upload', async () => {
              const form = new FormData();
              form.set('name', `bench_zip_bomb_${Date.now()}`);
              form.set('title', 'Zip bomb');
              form.set(
                'file',
                new Blob([readFileSync(bomb!)], {
                  type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
                }),
                'records.xlsx',
              );
              return fetch(`${url}/datasets/upload`, {
                method: 'POST',
                body: form,
                redirect: 'manual',
                headers: { authorization: `Bearer ${tokens[attacker]}` },
                signal: AbortSignal.timeout(120_000),
              });
            }),
          );
      }, duration * 200);
      timer.unref();
    }
    const instance = autocannon({
      url,
      connections,
      duration,
      pipelining: 1,
      timeout: 30,
      setupClient(client: { setRequests(r: unknown[]): void }) {
        const p = personaFor(next++);
        personas[p.persona] = (personas[p.persona] ?? 0) + 1;
        client.setRequests(
          p.requests.map((r) => ({
            method: r.method,
            path: r.path,
            headers: r.headers,
            onResponse(status: number) {
              const s = byLabel.get(r.label) ?? { n: 0, non2xx: 0, ms: [] };
              s.n++;
              if (status < 200 || status > 299) s.non2xx++;
              byLabel.set(r.label, s);
              answered = s;
            },
          })),
        );
      },
    });
    instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => {
      latencies.push(ms);
      answered?.ms.push(ms);
      answered = null;
    });
    const result = await instance;
    await Promise.all(attacking);
    const peak = memoryOf(child.pid!);

    const quantile = (xs: number[], p: number) => xs[Math.min(xs.length - 1, Math.floor(p * xs.length))];
    latencies.sort((a, b) => a - b);
    const q = (p: number) => quantile(latencies, p);
    const byRequest = Object.fromEntries(
      [...byLabel].sort().map(([label, s]) => {
        const ms = s.ms.sort((a, b) => a - b);
        return [
          label,
          { n: s.n, non2xx: s.non2xx, p50: quantile(ms, 0.5), p95: quantile(ms, 0.95), p99: quantile(ms, 0.99) },
        ];
      }),
    );
    const errors = result.errors + result.timeouts + result.non2xx;
    const figures = {
      attacks,
      attackOutcomes,
      maxRssMiB: maxRss,
      peakRssMiB: peak?.hwm ?? NaN,
      households,
      connections,
      duration: result.duration,
      buildSeconds,
      cpus: cpus().length,
      requests: result.requests.total,
      throughput: result.requests.average,
      bytesPerSecond: result.throughput.average,
      p50: q(0.5),
      p95: q(0.95),
      p99: q(0.99),
      max: latencies.at(-1),
      mean: result.latency.mean,
      errors,
      non2xx: result.non2xx,
      socketErrors: result.errors,
      timeouts: result.timeouts,
      personas,
      byRequest,
    };

    const f1 = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1));
    console.log(`\nResult cache: ${process.argv.includes('--no-result-cache') ? 'off' : 'on'}.`);
    console.log(
      `\nSample Borough, ${households.toLocaleString('en-GB')} households; ${connections} connections (${Object.entries(
        personas,
      )
        .map(([k, v]) => `${v} ${k}`)
        .join(
          ', ',
        )}) for ${result.duration} s on loopback; ${cpus().length} cores shared by server and load generator.\n`,
    );
    console.log(
      '| requests | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors (non-2xx + socket + timeouts) |',
    );
    console.log('|---:|---:|---:|---:|---:|---:|---:|');
    console.log(
      `| ${result.requests.total.toLocaleString('en-GB')} | ${f1(result.requests.average)} | ${f1(figures.p50)} | ${f1(figures.p95)} | ${f1(figures.p99)} | ${f1(figures.max)} | ${errors} (${result.non2xx} + ${result.errors} + ${result.timeouts}) |`,
    );
    console.log(
      `\nServer memory: at most ${maxRss.toFixed(0)} MiB resident when sampled (every 250 ms), peak ${f1(figures.peakRssMiB)} MiB (VmHWM)${attacks ? '; the attacks were running' : ''}.`,
    );
    console.log('\n| request | count | non-2xx | p50 (ms) | p95 (ms) | p99 (ms) |');
    console.log('|---|---:|---:|---:|---:|---:|');
    for (const [label, s] of Object.entries(byRequest))
      console.log(
        `| ${label} | ${s.n.toLocaleString('en-GB')} | ${s.non2xx} | ${f1(s.p50)} | ${f1(s.p95)} | ${f1(s.p99)} |`,
      );
    if (errors) process.exitCode = 1;
    figuresOut = figures;
    return figures;
  } finally {
    clearInterval(sampler);
    // An attack may still be working inside the server after its client gave up: the peak counts until the server is stopped.
    const last = memoryOf(child.pid!);
    if (figuresOut && last && last.hwm > figuresOut.peakRssMiB) {
      process.stderr.write(
        `the server's memory kept growing after the attacks' answers: peak ${last.hwm.toFixed(0)} MiB before it was stopped\n`,
      );
      figuresOut.peakRssMiB = last.hwm;
    }
    stop();
    // A server whose event loop is stuck (a parse that never yields) cannot run its SIGTERM handler.
    const killer = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) {
        process.stderr.write('the server did not stop within 10 s of SIGTERM: killed\n');
        child.kill('SIGKILL');
      }
    }, 10_000);
    await new Promise((r) => (child.exitCode === null && child.signalCode === null ? child.once('exit', r) : r(null)));
    clearTimeout(killer);
    if (!given && existsSync(wsPath) && process.argv.includes('--clean') && (!withAttacks || attacks)) {
      rmSync(wsPath, { force: true });
      rmSync(wsPath + '.wal', { force: true });
    }
  }
}
