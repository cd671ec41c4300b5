/**
 * bench/postcodes — bulk postcode enrichment (issue 11, point 3): postcodes answered a second,
 * through the API (JSON, CSV and NDJSON, streamed from `civic serve` in its own process over
 * loopback HTTP) and through
 * `civic postcodes enrich` (in process, as the tests run it), against two peers in the same run:
 * DuckDB's own join of the same postcode keys against the postcode and segment tables (rows
 * brought back to JavaScript), and a bare-node Map look-up of the same keys in a directory
 * already held in memory (no segments, no rendering: a floor, not a rival).
 *
 * The postcodes: N drawn (seeded) from a Sample Borough's directory, as a customer file holds them
 * (many households per postcode), 2% with a slip (O for 0) or not a postcode at all.
 *
 * Run: npx tsx bench/postcodes/run.ts [--households 100000] [--postcodes 100000] [--rounds 3] [--workspace PATH] [--server-bin PATH]
 */
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { buildSampleBorough } from '../../src/demo/index.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { addUser, createApiToken } from '../../src/server/index.ts';
import { enrichPostcodes } from '../../src/lookup/index.ts';
import { enrichmentToJson } from '../../src/outputs/index.ts';
import { checkPostcode } from '../../src/geo/index.ts';
import { createRandom } from '../../src/core/index.ts';
import { runCli } from '../../src/cli/main.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const households = Number(arg('households', '100000'));
const N = Number(arg('postcodes', '100000'));
const rounds = Number(arg('rounds', '3'));
const out = new URL('../out/', import.meta.url).pathname;
// --server-bin PATH: serve with another build's bin/civic.js (e.g. an earlier commit unpacked elsewhere), JSON only.
const BIN = arg('server-bin', '') || new URL('../../bin/civic.js', import.meta.url).pathname;
const otherServer = process.argv.includes('--server-bin');
mkdirSync(out, { recursive: true });
const wsPath = arg('workspace', '') || join(out, `postcodes-sb-${households}.civic`);
if (!existsSync(wsPath)) {
  process.stderr.write(`Building Sample Borough (${households} households) at ${wsPath} …\n`);
  (await buildSampleBorough(wsPath, { households, seed: 2026 })).workspace.close();
}

// ---- the postcodes ----
const ws = await openWorkspace(wsPath);
const directory = (await ws.engine.all<{ k: string }>(`SELECT pc_key AS k FROM postcode ORDER BY pc_key`)).map(
  (r) => r.k,
);
const random = createRandom(42);
const rand = () => random.next();
const inputs = Array.from({ length: N }, () => {
  const k = directory[Math.floor(rand() * directory.length)];
  const spaced = `${k.slice(0, -3)} ${k.slice(-3)}`;
  const u = rand();
  return u < 0.01 ? spaced.replace(/0/g, 'O') : u < 0.02 ? 'not a postcode' : spaced;
});
const file = join(out, `postcodes-${N}.csv`);
writeFileSync(file, `postcode\n${inputs.join('\n')}\n`);

const time = async (fn: () => Promise<unknown>) => {
  const t = performance.now();
  const r = await fn();
  return { s: (performance.now() - t) / 1000, r };
};
const best = async (fn: () => Promise<unknown>) => {
  let min = Infinity;
  let last: unknown;
  for (let i = 0; i < rounds; i++) {
    const { s, r } = await time(fn);
    if (s < min) min = s;
    last = r;
  }
  return { s: min, r: last };
};
const rows: { what: string; s: number; bytes: number | null }[] = [];
const record = (what: string, s: number, bytes: number | null = null) => {
  rows.push({ what, s, bytes });
  process.stderr.write(`${what}: ${s.toFixed(3)} s, ${Math.round(N / s).toLocaleString('en-GB')} postcodes/s\n`);
};

// ---- peers: DuckDB's own join, and a Map in memory ----
{
  const keysJson = JSON.stringify(inputs.map((p) => p.replace(/\s+/g, '').toUpperCase()));
  const { s } = await best(() =>
    ws.engine.all(
      `WITH k AS (SELECT unnest(from_json($1, '["VARCHAR"]')) AS pc_key, generate_subscripts(from_json($1, '["VARCHAR"]'), 1) AS i)
       SELECT k.i, p.status, p.oa21, p.lsoa21, p.msoa21, p.ward, p.lad, s.classification, s.tier, s.code, g.name
       FROM k LEFT JOIN postcode p ON p.pc_key = k.pc_key
       LEFT JOIN classification c ON TRUE
       LEFT JOIN area_segment s ON s.classification = c.name AND s.area_code = CASE c.area_level WHEN 'oa21' THEN p.oa21 WHEN 'lsoa21' THEN p.lsoa21 WHEN 'msoa21' THEN p.msoa21 WHEN 'ward' THEN p.ward ELSE p.lad END
       LEFT JOIN segment g ON g.classification = s.classification AND g.tier = s.tier AND g.code = s.code
       ORDER BY k.i`,
      [keysJson],
    ),
  );
  record('peer: DuckDB join of the keys against postcode and segments (rows to JS)', s);
  const all = await ws.engine.all<Record<string, string | null>>(
    `SELECT pc_key, status, oa21, lsoa21, msoa21, ward, lad FROM postcode`,
  );
  const map = new Map(all.map((r) => [r.pc_key as string, r]));
  const m = await best(async () => inputs.map((p) => map.get(p.replace(/\s+/g, '').toUpperCase()) ?? null));
  record('peer: bare-node Map look-up (directory in memory, no segments, no output)', m.s);
  const c = await best(async () => inputs.map((p) => checkPostcode(p)));
  record('part: reading each postcode as typed (checkPostcode)', c.s);
}

// ---- ours, in process ----
{
  const e = await best(() => enrichPostcodes(ws.engine, inputs));
  record('ours: enrichPostcodes (answers as objects)', e.s);
  const j = await best(async () => enrichmentToJson(await enrichPostcodes(ws.engine, inputs)));
  record('ours: enrichPostcodes + JSON text', j.s, (j.r as string).length);
}

// ---- the API over loopback HTTP: `civic serve` in its own process, as in production ----
await addUser(ws.engine, { username: 'bench', password: 'bench password for postcodes', role: 'agent' }).catch(
  () => {},
);
const token = await createApiToken(ws.engine, 'bench');
ws.close();
const child = spawn(process.execPath, [BIN, 'serve', wsPath, '--port', '0', '--host', '127.0.0.1'], {
  stdio: ['ignore', 'ignore', 'pipe'],
});
let err = '';
const address = await new Promise<string>((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`the server did not start in 60 s: ${err}`)), 60_000);
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    const m = /running at (http:\/\/127\.0\.0\.1:\d+)/.exec(err);
    if (m) {
      clearTimeout(timer);
      resolve(m[1]);
    }
  });
  child.once('exit', (code) => reject(new Error(`the server stopped (${code}): ${err}`)));
});
const body = JSON.stringify(inputs);
try {
  for (const [label, query] of [
    ['JSON', ''],
    ['CSV, streamed', '?format=csv'],
    ['NDJSON, streamed', '?format=ndjson'],
  ] as const) {
    if (otherServer && query) continue;
    const r = await best(async () => {
      const res = await fetch(`${address}/api/postcodes${query}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body,
      });
      if (res.status !== 200) throw new Error(`${res.status}: ${(await res.text()).slice(0, 200)}`);
      // Read to the end and counted, not kept: the client's own cost stays small.
      let bytes = 0;
      for await (const chunk of res.body!) bytes += (chunk as Uint8Array).byteLength;
      return bytes;
    });
    record(
      `ours: POST /api/postcodes, ${label} (civic serve in its own process, loopback HTTP, body read to the end)`,
      r.s,
      r.r as number,
    );
  }
} finally {
  child.kill('SIGINT');
  await once(child, 'exit');
}

// ---- the CLI, in process ----
for (const format of ['csv', 'ndjson', 'json']) {
  const dest = join(out, `postcodes-${N}-enriched.${format}`);
  const r = await best(async () => {
    const code = await runCli([
      process.execPath,
      'civic',
      'postcodes',
      'enrich',
      wsPath,
      file,
      '--format',
      format,
      '--out',
      dest,
    ]);
    if (code !== 0) throw new Error(`civic exited ${code}`);
  });
  record(
    `ours: civic postcodes enrich --format ${format} --out FILE (in process: read, open, enrich, write)`,
    r.s,
    statSync(dest).size,
  );
}

// ---- the table for RESULTS.md ----
const mb = (b: number | null) => (b === null ? '' : `${(b / 1024 / 1024).toFixed(1)} MB`);
const lines = [
  `| what (${N.toLocaleString('en-GB')} postcodes, best of ${rounds}) | seconds | postcodes a second | output |`,
  '|---|---:|---:|---:|',
  ...rows.map(
    (r) => `| ${r.what} | ${r.s.toFixed(3)} | ${Math.round(N / r.s).toLocaleString('en-GB')} | ${mb(r.bytes)} |`,
  ),
];
process.stdout.write(lines.join('\n') + '\n');
writeFileSync(join(out, 'postcodes.json'), JSON.stringify({ households, postcodes: N, rounds, rows }, null, 2));
