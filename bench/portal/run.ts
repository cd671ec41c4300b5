/**
 * bench/portal — load: 50 concurrent simulated users for 60 s against the portal over Sample
 * Borough, on loopback only, with autocannon. The server runs as `civic serve` in its own process
 * (as in production); the load generator runs here. Each connection is one person with a role
 * and cycles through what that person does: staff open the overview, profiles, the segment guide,
 * map GeoJSON and the API; agents look up postcodes; the public reads the guide and the map.
 * Prints a Markdown table for bench/RESULTS.md and writes bench/out/portal-load.json.
 *
 * Run: npx tsx bench/portal/run.ts [--households 100000] [--connections 50] [--duration 60] [--workspace PATH] [--profile-server DIR] [--no-result-cache]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { createRequire } from 'node:module';
import { buildSampleBorough } from '../../src/demo/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { addUser, createApiToken } from '../../src/server/index.ts';

/** The part of autocannon's programmatic API used here (the package ships no types). */
interface AutocannonResult {
  duration: number; errors: number; timeouts: number; non2xx: number;
  requests: { total: number; average: number }; throughput: { average: number }; latency: { mean: number };
}
interface AutocannonInstance extends PromiseLike<AutocannonResult> { on(event: 'response', fn: (client: unknown, status: number, bytes: number, ms: number) => void): void }
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: Record<string, unknown>) => AutocannonInstance;

const arg = (name: string, dflt: string) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : dflt; };
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
const PEOPLE = [
  ...['analyst1', 'analyst2', 'analyst3', 'analyst4'].map((u) => ({ username: u, role: 'analyst' })),
  { username: 'admin1', role: 'admin' },
  ...['partner1', 'partner2'].map((u) => ({ username: u, role: 'partner', partner: 'Borough Housing Trust' })),
  ...['agent1', 'agent2', 'agent3'].map((u) => ({ username: u, role: 'agent' })),
];
const tokens: Record<string, string> = {};
let datasets: string[] = [];
let postcodes: string[] = [];
{
  const ws = await openWorkspace(wsPath);
  try {
    await ws.engine.run(`DELETE FROM api_token WHERE username IN (SELECT username FROM app_user WHERE username LIKE 'bench-%')`);
    for (const p of PEOPLE) {
      const username = `bench-${p.username}`;
      if (!(await ws.engine.one(`SELECT 1 AS x FROM app_user WHERE username = $1`, [username]))) await addUser(ws.engine, { ...p, username, password: PASSWORD });
      if (p.role === 'analyst' || p.role === 'admin') tokens[username] = await createApiToken(ws.engine, username, 'bench');
    }
    datasets = (await ws.engine.all<{ name: string }>(`SELECT name FROM dataset WHERE partner IS NULL ORDER BY name`)).map((r) => r.name);
    postcodes = (await ws.engine.all<{ pc: string }>(`SELECT pc_key AS pc FROM postcode WHERE terminated IS NULL ORDER BY hash(pc_key) LIMIT 200`)).map((r) => r.pc);
  } finally {
    ws.close();
  }
}

// ---- the server, in its own process ----
async function startServer(): Promise<{ child: ChildProcess; url: string }> {
  // --profile-server DIR writes a V8 CPU profile of the server to DIR (open it in Chrome's DevTools).
  const prof = arg('profile-server', '');
  const child = spawn(process.execPath, [...(prof ? ['--cpu-prof', '--cpu-prof-dir', prof] : []), BIN, 'serve', wsPath, '--port', '0', '--host', '127.0.0.1', '--insecure-cookies', ...(process.argv.includes('--no-result-cache') ? ['--no-result-cache'] : [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s: ${err}`)), 60_000);
    child.stderr!.on('data', (b: Buffer) => {
      err += b.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
      if (m) { clearTimeout(timer); resolve(m[1]); }
    });
    child.once('exit', (code) => { clearTimeout(timer); reject(new Error(`the server stopped (${code}): ${err}`)); });
  });
  return { child, url };
}
const { child, url } = await startServer();
const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
process.once('exit', stop);

try {
  // ---- sign people in through the login form, as a browser does ----
  const sessions: Record<string, string> = {};
  for (const p of PEOPLE) {
    const username = `bench-${p.username}`;
    const form = await fetch(`${url}/login`);
    const loginCookie = /civic_login=[^;]+/.exec(form.headers.get('set-cookie') ?? '')?.[0] ?? '';
    const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())?.[1] ?? '';
    const r = await fetch(`${url}/login`, { method: 'POST', redirect: 'manual', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie }, body: new URLSearchParams({ _csrf: csrf, username, password: PASSWORD }) });
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
  const get = (label: string, path: string, headers: Record<string, string> = {}): Req => ({ method: 'GET', path, headers: { accept: 'text/html,application/json', ...headers }, label });
  const ds = (i: number) => encodeURIComponent(datasets[i % datasets.length]);
  const pc = (i: number) => encodeURIComponent(postcodes[i % postcodes.length]);
  function personaFor(i: number): { persona: string; requests: Req[] } {
    // 50 connections: 25 analysts/admin, 5 partners, 10 agents, 10 members of the public.
    const slot = i % 10;
    if (slot < 5) {
      const u = slot === 4 ? 'bench-admin1' : `bench-analyst${(i % 4) + 1}`;
      const cookie = { cookie: sessions[u] };
      return { persona: 'analyst', requests: [
        get('overview', '/', cookie),
        get('profile page', `/profile?dataset=${ds(i)}&by=seg:borough:group&base=households`, cookie),
        get('segment guide', '/segments/borough', cookie),
        get('map GeoJSON', staffGeo, cookie),
        get('API profile (token)', `/api/profile?dataset=${ds(i + 3)}&classification=borough&tier=type`, { authorization: `Bearer ${tokens[u]}`, accept: 'application/json' }),
        get('look-up', `/lookup?postcode=${pc(i)}`, cookie),
        get('location page', `/location?kind=library&mode=${i % 2 ? 'walk' : 'car'}&within=15`, cookie),
        get('targeting page', `/targeting?dataset=${ds(i + 5)}&areas=ward`, cookie),
      ] };
    }
    if (slot === 5) {
      const cookie = { cookie: sessions[`bench-partner${(i % 2) + 1}`] };
      return { persona: 'partner', requests: [
        get('overview', '/', cookie),
        get('profile page', `/profile?dataset=${ds(i + 1)}&by=seg:borough:group&base=households`, cookie),
        get('segment guide', '/segments/borough', cookie),
        get('map GeoJSON', staffGeo, cookie),
      ] };
    }
    if (slot < 8) {
      const cookie = { cookie: sessions[`bench-agent${(i % 3) + 1}`] };
      return { persona: 'agent', requests: [
        get('look-up', `/lookup?postcode=${pc(i)}`, cookie),
        get('look-up', `/lookup?postcode=${pc(i + 17)}`, cookie),
        get('segment guide', '/segments/borough', cookie),
      ] };
    }
    return { persona: 'public', requests: [
      get('public home', '/'),
      get('segment guide', '/segments/borough'),
      get('map GeoJSON', publicGeo),
    ] };
  }

  // Check every request once before the run: a broken route is a setup error, not load.
  for (let i = 0; i < 10; i++) {
    for (const r of personaFor(i).requests) {
      const res = await fetch(url + r.path, { headers: r.headers, redirect: 'manual' });
      if (res.status !== 200) throw new Error(`${r.label} ${r.path} answered ${res.status}: ${(await res.text()).slice(0, 300)}`);
    }
  }

  // ---- the load ----
  const byLabel = new Map<string, { n: number; non2xx: number }>();
  const latencies: number[] = [];
  const personas: Record<string, number> = {};
  let next = 0;
  process.stderr.write(`${connections} connections for ${duration} s against ${url}…\n`);
  const instance = autocannon({
    url, connections, duration, pipelining: 1, timeout: 30,
    setupClient(client: { setRequests(r: unknown[]): void }) {
      const p = personaFor(next++);
      personas[p.persona] = (personas[p.persona] ?? 0) + 1;
      client.setRequests(p.requests.map((r) => ({
        method: r.method, path: r.path, headers: r.headers,
        onResponse(status: number) {
          const s = byLabel.get(r.label) ?? { n: 0, non2xx: 0 };
          s.n++; if (status < 200 || status > 299) s.non2xx++;
          byLabel.set(r.label, s);
        },
      })));
    },
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, ms: number) => { latencies.push(ms); });
  const result = await instance;

  latencies.sort((a, b) => a - b);
  const q = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor(p * latencies.length))];
  const errors = result.errors + result.timeouts + result.non2xx;
  const figures = {
    households, connections, duration: result.duration, buildSeconds, cpus: cpus().length,
    requests: result.requests.total, throughput: result.requests.average, bytesPerSecond: result.throughput.average,
    p50: q(0.5), p95: q(0.95), p99: q(0.99), max: latencies.at(-1), mean: result.latency.mean,
    errors, non2xx: result.non2xx, socketErrors: result.errors, timeouts: result.timeouts, personas,
    byRequest: Object.fromEntries([...byLabel].sort()),
  };
  writeFileSync(join(out, 'portal-load.json'), JSON.stringify(figures, null, 2));

  const f1 = (n: number | undefined) => (n === undefined ? '–' : n.toFixed(1));
  console.log(`\nResult cache: ${process.argv.includes('--no-result-cache') ? 'off' : 'on'}.`);
  console.log(`\nSample Borough, ${households.toLocaleString('en-GB')} households; ${connections} connections (${Object.entries(personas).map(([k, v]) => `${v} ${k}`).join(', ')}) for ${result.duration} s on loopback; ${cpus().length} cores shared by server and load generator.\n`);
  console.log('| requests | throughput (req/s) | p50 (ms) | p95 (ms) | p99 (ms) | max (ms) | errors (non-2xx + socket + timeouts) |');
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  console.log(`| ${result.requests.total.toLocaleString('en-GB')} | ${f1(result.requests.average)} | ${f1(figures.p50)} | ${f1(figures.p95)} | ${f1(figures.p99)} | ${f1(figures.max)} | ${errors} (${result.non2xx} + ${result.errors} + ${result.timeouts}) |`);
  console.log('\n| request | count | non-2xx |');
  console.log('|---|---:|---:|');
  for (const [label, s] of [...byLabel].sort()) console.log(`| ${label} | ${s.n.toLocaleString('en-GB')} | ${s.non2xx} |`);
  if (errors) process.exitCode = 1;
} finally {
  stop();
  if (!given && existsSync(wsPath) && process.argv.includes('--clean')) { rmSync(wsPath, { force: true }); rmSync(wsPath + '.wal', { force: true }); }
}
