/**
 * Issue 10, finding 4: "Personal columns kept in clear by default", and the pseudonymisation key
 * kept inside the workspace beside the pseudonyms.
 *
 * Covers: personal columns are guessed from names and values; the portal's mapping page ticks them
 * with a reason; the CLI pseudonymises them by default and stops (exit 2) without a key; keeping one
 * in clear is recorded in the dataset's provenance and the audit log with who; the key is nowhere
 * in the workspace (every table and the file's bytes are searched), so a copied workspace cannot be
 * reversed from a list of candidate names; an old workspace's key is moved out and scrubbed; and
 * pseudonyms made with different keys are not linked silently. Each of these fails on 3307f74.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { userInfo } from 'node:os';
import type { FastifyInstance } from 'fastify';
import { createWorkspace, openWorkspace, type Engine, type Workspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { importDataset, detectPersonalColumns, pseudonymise, loadPseudonymKey } from '../../src/intake/index.ts';
import { overlapAnalysis } from '../../src/profiling/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, auditLog, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { waitForJob } from '../../src/server/jobs.ts';
import { FIXTURES, smallWorkspace, tempDir, TEST_KEY } from '../helpers/workspace.ts';
import { postLogin } from '../helpers/login.ts';
import { civicWith } from '../helpers/cli.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-pseudo-');
/** The CLI in this process, with no pseudonymisation key unless one is given. */
const cli = (args: string[], env: Record<string, string> = {}) => civicWith(env, ...args);
const NAMES = ['Ann Smith', 'Jones, Bob', 'Carol Lee', 'Dan', 'Eve', 'Fay', 'Gus', 'Hal', 'Ivy', 'Jo', 'Kim', 'Lou'];

/** Every text value in every table of the workspace. */
async function everyString(engine: Engine): Promise<string[]> {
  const cols = await engine.all<{ t: string; c: string }>(
    `SELECT table_name AS t, column_name AS c FROM information_schema.columns WHERE table_schema = 'main' AND data_type = 'VARCHAR'`,
  );
  const out: string[] = [];
  for (const { t, c } of cols)
    for (const r of await engine.all<{ v: string }>(
      `SELECT DISTINCT "${c.replace(/"/g, '""')}" AS v FROM "${t}" WHERE "${c.replace(/"/g, '""')}" IS NOT NULL`,
    ))
      out.push(r.v);
  return out;
}
const fileHolds = (path: string, secret: string) => {
  const bytes = readFileSync(path);
  return (
    bytes.includes(Buffer.from(secret)) ||
    bytes.includes(Buffer.from(secret.toUpperCase())) ||
    bytes.includes(Buffer.from(secret, 'hex'))
  );
};

test('columns that look personal are found from their names and from their values, with reasons that quote no value', () => {
  const header = [
    'Full Name',
    'ref',
    'col_a',
    'col_b',
    'col_c',
    'col_d',
    'Post Code',
    'Service name',
    'visit_date',
    'UPRN',
    'comments',
  ];
  const rows = [
    [
      'Ann Smith',
      'R1',
      'AB123456C',
      'ann@example.org',
      '07700 900123',
      '1948-03-02',
      'M15 4AB',
      'Garden waste',
      '2025-01-03',
      '100012345678',
      'x',
    ],
    [
      'Bob Jones',
      'R2',
      'CE 65 43 21 D',
      'bob.j@example.co.uk',
      '0161 496 0000',
      '12/07/1990',
      'M15 4AD',
      'Garden waste',
      '2025-02-11',
      '100012345679',
      'y',
    ],
    [
      'Cy Lee',
      'R3',
      'JK987654A',
      'cy@example.com',
      '+44 7700 900456',
      '1975-11-30',
      'M1 1AE',
      'Bulky waste',
      '2025-03-30',
      '100012345670',
      'z',
    ],
    [
      'Di Patel',
      'R4',
      'PR111111B',
      'di@example.net',
      '01632 960 001',
      '2001-06-15',
      'SB4 0QD',
      'Bulky waste',
      '2024-12-01',
      '100012345671',
      'w',
    ],
  ];
  const found = detectPersonalColumns(header, rows, { exclude: ['Post Code'], now: new Date('2025-06-01') });
  const by = Object.fromEntries(found.map((f) => [f.column, f.kind]));
  assert.deepEqual(by, {
    'Full Name': 'name',
    col_a: 'ni number',
    col_b: 'email',
    col_c: 'phone',
    col_d: 'date of birth',
    comments: 'free text',
  });
  for (const f of found)
    for (const v of rows.flat().filter((x) => x.length > 3))
      assert.ok(!f.reason.includes(v), `the reason for ${f.column} quotes a value`);
});

test('the portal ticks personal columns with a reason; one unticked is kept in clear and audited with who', async () => {
  const t = tempDir('civic-pseudo-portal-');
  const ws = await smallWorkspace(t.dir);
  const app: FastifyInstance = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(t.dir, 'uploads'),
    pseudonymKey: TEST_KEY,
  });
  try {
    await addUser(ws.engine, { username: 'ana', password: 'a long enough password', role: 'analyst' });
    const login = await postLogin(app, { username: 'ana', password: 'a long enough password' });
    const cookies = { [SESSION_COOKIE]: String(login.cookies.find((c) => c.name === SESSION_COOKIE)!.value) };
    const csrf = /name="_csrf" value="([^"]+)"/.exec((await app.inject({ url: '/map', cookies })).body)![1];
    const csv = [
      'Full Name,contact,Post Code,Service',
      'Ann Smith,ann@example.org,M15 4AB,bins',
      'Bob Jones,bob@example.org,M15 4AD,bins',
      'Cy Lee,cy@example.org,M1 1AE,bins',
    ].join('\n');
    const boundary = '----civicpseudo';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${csrf}\r\n--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nvisits\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="visits.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n--${boundary}--\r\n`;
    const up = await app.inject({
      method: 'POST',
      url: '/datasets/upload',
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
      cookies,
    });
    assert.equal(up.statusCode, 303, up.body);
    const mapUrl = up.headers.location as string;
    const page = (await app.inject({ url: mapUrl, cookies })).body;
    const box = (col: string) =>
      new RegExp(`<input[^>]*name="pseudonymise"[^>]*value="${col}"[^>]*>`).exec(page)?.[0] ?? '';
    assert.match(box('Full Name'), /checked/, 'a name column is ticked');
    assert.match(box('contact'), /checked/, 'a column of email addresses is ticked, whatever its name');
    assert.doesNotMatch(box('Service'), /checked/);
    assert.doesNotMatch(box('Post Code'), /checked/);
    assert.match(page, /Looks personal: its name says it holds people&#39;s names\./);
    assert.match(page, /Looks personal: its values look like email addresses\./);
    assert.match(page, /Kept readable: the postcode is needed to place each record/);

    // Ana unticks the name: a deliberate choice, kept in the dataset's record and the audit log.
    const form = new URLSearchParams({ _csrf: csrf, postcode: 'Post Code', pseudonymise: 'contact' });
    const start = await app.inject({
      method: 'POST',
      url: mapUrl,
      payload: form.toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      cookies,
    });
    assert.equal(start.statusCode, 303, start.body);
    const job = await waitForJob(ws.engine, start.headers.location!.split('/').at(-1)!);
    assert.equal(job.status, 'done', job.message ?? '');
    const rows = await ws.engine.all<{ n: string; c: string }>(
      `SELECT "Full Name" AS n, contact AS c FROM ds_visits ORDER BY _row`,
    );
    assert.deepEqual(
      rows.map((r) => r.n),
      ['Ann Smith', 'Bob Jones', 'Cy Lee'],
    );
    assert.ok(
      rows.every((r) => /^p_[0-9a-f]{24}$/.test(r.c)),
      'the email addresses are pseudonymised',
    );
    const privacy = JSON.parse(
      (await ws.engine.one<{ p: string }>(`SELECT privacy AS p FROM dataset WHERE name = 'visits'`))!.p,
    );
    assert.equal(privacy.decidedBy, 'ana');
    assert.deepEqual(
      privacy.columns.map((c: { column: string; decision: string }) => `${c.column}: ${c.decision}`).sort(),
      ['Full Name: kept in clear', 'Post Code: needed for matching', 'contact: pseudonymised'],
    );
    const kept = (await auditLog(ws.engine)).filter((e) => e.action === 'kept in clear');
    assert.equal(kept.length, 1);
    assert.equal(kept[0].username, 'ana');
    assert.match(kept[0].detail ?? '', /visits: column "Full Name" kept readable/);
    assert.ok(!/Ann|Bob/.test(kept[0].detail ?? ''), 'the audit log quotes no value');
  } finally {
    await app.close();
    ws.close();
    t.cleanup();
  }
});

let wsPath: string;
let keyFile: string;

before(async () => {
  const ws = await smallWorkspace(tmp.dir);
  ws.close();
  wsPath = join(tmp.dir, 'small.civic');
  keyFile = join(tmp.dir, 'secrets', 'council.key');
});
after(() => tmp.cleanup());

test('the CLI pseudonymises personal columns by default, needs a key to do so, and records what is kept in clear', async () => {
  const none = await cli(['dataset', 'import', wsPath, 'messy', FIXTURES + 'messy.csv']);
  assert.equal(none.status, 2, none.stderr);
  assert.match(none.stderr, /need pseudonymising, but no pseudonymisation key was given/);
  assert.match(none.stderr, /--key-file PATH or the CIVIC_PSEUDONYM_KEY environment variable/);
  assert.doesNotMatch(none.stderr, /at .*\.ts:\d+/, 'no stack trace');

  const gen = await cli(['key', 'generate', '--out', keyFile, '--format', 'json']);
  assert.equal(gen.status, 0, gen.stderr);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'only its owner can read the key file');
  assert.equal((await cli(['key', 'generate', '--out', keyFile])).status, 2, 'a key file is never overwritten');

  const imp = await cli([
    'dataset',
    'import',
    wsPath,
    'messy',
    FIXTURES + 'messy.csv',
    '--key-file',
    keyFile,
    '--format',
    'json',
  ]);
  assert.equal(imp.status, 0, imp.stderr);
  const r = JSON.parse(imp.stdout);
  assert.deepEqual(r.pseudonymised, ['Full Name', 'Notes']);
  assert.equal(r.keyId, JSON.parse(gen.stdout).keyId);
  const table = await cli([
    'dataset',
    'import',
    wsPath,
    'messy_kept',
    FIXTURES + 'messy.csv',
    '--key-file',
    keyFile,
    '--keep-in-clear',
    'Notes',
  ]);
  assert.equal(table.status, 0, table.stderr);
  assert.match(
    table.stdout,
    /pseudonymised \(key key-[0-9a-f]{12}\):\n\s+Full Name: its name says it holds people's names/,
  );
  assert.match(
    table.stdout,
    /kept in clear, as asked \(recorded in the audit log\):\n\s+Notes: kept readable on purpose/,
  );
  assert.match(table.stdout, /Post Code: kept readable: the postcode is needed to place each record/);

  const ws = await openWorkspace(wsPath);
  try {
    const names = await ws.engine.all<{ n: string | null }>(
      `SELECT "Full Name" AS n FROM ds_messy WHERE "Full Name" IS NOT NULL`,
    );
    assert.ok(names.length > 0 && names.every((x) => /^p_[0-9a-f]{24}$/.test(x.n!)));
    const kept = (await auditLog(ws.engine)).filter((e) => e.action === 'kept in clear');
    assert.equal(kept.length, 1);
    assert.equal(kept[0].username, userInfo().username);
    assert.equal(kept[0].role, 'command line');
    assert.match(kept[0].detail ?? '', /messy_kept: column "Notes"/);
    const privacy = JSON.parse(
      (await ws.engine.one<{ p: string }>(`SELECT privacy AS p FROM dataset WHERE name = 'messy_kept'`))!.p,
    );
    assert.ok(
      privacy.columns.some(
        (c: { column: string; decision: string }) => c.column === 'Notes' && c.decision === 'kept in clear',
      ),
    );
  } finally {
    ws.close();
  }
});

test('nothing in the workspace holds the key, so a copied workspace cannot be reversed from a list of names', async () => {
  const { key } = loadPseudonymKey({ keyFile });
  const secret = key!.secret;
  const copy = join(tmp.dir, 'stolen.civic');
  copyFileSync(wsPath, copy);
  assert.ok(!fileHolds(copy, secret), "the key is not in the file's bytes");
  const ws = await openWorkspace(copy);
  try {
    const strings = await everyString(ws.engine);
    assert.ok(!strings.some((s) => s.toLowerCase().includes(secret)), 'no table holds the key');
    const stored = new Set(
      (await ws.engine.all<{ n: string }>(`SELECT "Full Name" AS n FROM ds_messy WHERE "Full Name" IS NOT NULL`)).map(
        (r) => r.n,
      ),
    );
    // The attacker hashes the candidate names with every secret-looking thing the copy holds: nothing matches.
    for (const candidateKey of strings.filter((s) => s.length >= 16)) {
      for (const name of NAMES)
        assert.ok(!stored.has(pseudonymise(name, candidateKey)!), 'a value in the workspace recomputes the pseudonyms');
    }
    // With the key, the same attack would work: the check above could fail.
    assert.ok(NAMES.some((n) => stored.has(pseudonymise(n, secret)!)));
  } finally {
    ws.close();
  }
});

test('an old workspace with the key inside: imports stop until the key is moved out, and no copy of it is left in the file', async () => {
  const old = join(tmp.dir, 'old.civic');
  const secret = 'cd'.repeat(32);
  const ws = await createWorkspace(old);
  await importReference(ws.engine, { postcodes: FIXTURES + 'postcodes-small.csv' });
  await ws.engine.run(`INSERT INTO meta VALUES ('pseudonym_key', $1)`, [secret]);
  await ws.engine.run(
    `INSERT INTO dataset (name, table_name, pseudonymised) VALUES ('legacy', 'ds_legacy', '["Full Name"]')`,
  );
  await ws.engine.run('CHECKPOINT');
  ws.close();
  const stopped = await cli(['dataset', 'import', old, 'messy', FIXTURES + 'messy.csv'], {
    CIVIC_PSEUDONYM_KEY: secret,
  });
  assert.equal(stopped.status, 2, stopped.stderr);
  assert.match(stopped.stderr, /civic key export-from-workspace/);

  const out = join(tmp.dir, 'old.key');
  const moved = await cli(['key', 'export-from-workspace', old, '--out', out, '--format', 'json']);
  assert.equal(moved.status, 0, moved.stderr);
  assert.equal(readFileSync(out, 'utf8').trim(), secret);
  assert.equal(statSync(out).mode & 0o777, 0o600);
  assert.ok(!fileHolds(old, secret), 'the workspace file was rewritten without the key');
  const again = await openWorkspace(old);
  try {
    assert.ok(!(await everyString(again.engine)).some((s) => s.includes(secret)));
    assert.equal(
      (await again.engine.one<{ k: string }>(`SELECT pseudonym_key_id AS k FROM dataset WHERE name = 'legacy'`))!.k,
      JSON.parse(moved.stdout).keyId,
    );
  } finally {
    again.close();
  }
  const imp = await cli(['dataset', 'import', old, 'messy', FIXTURES + 'messy.csv', '--key-file', out]);
  assert.equal(imp.status, 0, imp.stderr);
});

test('pseudonyms made with different keys are not linked silently', async () => {
  const t = tempDir('civic-pseudo-keys-');
  const ws: Workspace = await smallWorkspace(t.dir);
  try {
    writeFileSync(
      join(t.dir, 'register.csv'),
      ['account_ref,Full Name,postcode', 'A1,Ann,M15 4AB', 'A2,Bob,M15 4AD', 'A3,Cy,M1 1AE'].join('\n'),
    );
    writeFileSync(
      join(t.dir, 'support.csv'),
      ['account_ref,Full Name,postcode', 'A1,Ann,M15 4AB', 'A3,Cy,M1 1AE'].join('\n'),
    );
    const other = loadPseudonymKey({ env: { CIVIC_PSEUDONYM_KEY: 'ef'.repeat(32) } }).key!;
    await importDataset(ws.engine, 'register', join(t.dir, 'register.csv'), {
      key: TEST_KEY,
      pseudonymise: ['account_ref'],
    });
    const support = await importDataset(ws.engine, 'support', join(t.dir, 'support.csv'), {
      key: other,
      pseudonymise: ['account_ref'],
    });
    assert.match(support.warnings.join(' '), /register was pseudonymised with a different key/);
    await assert.rejects(
      overlapAnalysis(ws.engine, {
        segment: 'A',
        classification: 'small',
        datasets: ['support'],
        population: 'register',
        linkBy: ['account_ref'],
      }),
      /pseudonymised with different keys .* cannot be linked/,
    );
    await importDataset(ws.engine, 'support', join(t.dir, 'support.csv'), {
      key: TEST_KEY,
      pseudonymise: ['account_ref'],
      replace: true,
    });
    const linked = await overlapAnalysis(ws.engine, {
      segment: 'A',
      classification: 'small',
      datasets: ['support'],
      population: 'register',
      linkBy: ['account_ref'],
    });
    assert.ok(linked.method.startsWith('Household level'));
  } finally {
    ws.close();
    t.cleanup();
  }
});
