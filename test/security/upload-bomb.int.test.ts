/**
 * Issue 10, finding 5: "One upload takes the server down." A workbook that unpacks to hundreds of
 * MB (millions of tiny rows) is refused within a couple of seconds with a plain reason (one far
 * over the rows limit from an estimate after its first 4 MB), without the server's memory growing,
 * with its file removed, while other requests are still answered; a reader that runs out of memory
 * fails its job cleanly; the mapping page is drawn from what was read at upload time; files of
 * refused and abandoned uploads are removed from the upload folder.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { getJob, waitForJob } from '../../src/server/jobs.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';
import { writeBombXlsx } from './zip-bomb.ts';
import { postLogin } from '../helpers/login.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-upload-bomb-');
const UPLOADS = join(tmp.dir, 'uploads');
const PASSWORD = 'a long enough password';
let ws: Workspace;
let app: FastifyInstance;
let cookie = '',
  csrf = '';

before(async () => {
  ws = await smallWorkspace(tmp.dir);
  await addUser(ws.engine, { username: 'ana', password: PASSWORD, role: 'analyst' });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: UPLOADS });
  const r = await postLogin(app, { username: 'ana', password: PASSWORD });
  cookie = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
  const page = await app.inject({ url: '/datasets/upload', cookies: { [SESSION_COOKIE]: cookie } });
  csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)![1];
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

function multipart(fields: Record<string, string>, file: { name: string; content: Buffer }) {
  const boundary = '----civic' + Math.random().toString(16).slice(2);
  const parts: Buffer[] = [];
  for (const [k, v] of Object.entries(fields))
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
  parts.push(
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${file.name}"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    ),
    file.content,
    Buffer.from('\r\n'),
  );
  parts.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(parts), headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } };
}
const upload = (name: string, file: { name: string; content: Buffer }) => {
  const m = multipart({ _csrf: csrf, name }, file);
  return app.inject({
    method: 'POST',
    url: '/datasets/upload',
    payload: m.payload,
    headers: m.headers,
    cookies: { [SESSION_COOKIE]: cookie },
  });
};
const get = (url: string) => app.inject({ url, cookies: { [SESSION_COOKIE]: cookie } });
const post = (url: string, body: Record<string, string>) =>
  app.inject({
    method: 'POST',
    url,
    payload: new URLSearchParams({ _csrf: csrf, ...body }).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    cookies: { [SESSION_COOKIE]: cookie },
  });
const filesInUploads = () => {
  try {
    return readdirSync(UPLOADS);
  } catch {
    return [];
  }
};
const text = (html: string) =>
  html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');

/** Peak resident memory while `work` runs, sampled every 10 ms. */
async function peakRss<T>(work: () => Promise<T>): Promise<{ result: T; growthMb: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, growthMb: (peak - base) / 1024 / 1024 };
  } finally {
    clearInterval(timer);
  }
}

test('a workbook of 2.1 million rows (230 MB unpacked) is refused in seconds, memory stays flat, other pages answer meanwhile, and its file is removed', async () => {
  const path = join(tmp.dir, 'numbered.xlsx');
  const built = await writeBombXlsx(path, { rows: 2_100_000 });
  assert.ok(
    built.unpacked > 200 * 1024 * 1024 && built.bytes < 30 * 1024 * 1024,
    `a bomb: ${built.bytes} bytes unpacking to ${built.unpacked}`,
  );
  const content = await readFile(path);
  const { result, growthMb } = await peakRss(async () => {
    const started = Date.now();
    const pending = upload('bomb_numbered', { name: 'members.xlsx', content });
    // Meanwhile, another page is answered promptly.
    await new Promise((r) => setTimeout(r, 50));
    const t = Date.now();
    const other = await get('/datasets');
    const otherMs = Date.now() - t;
    const up = await pending;
    return { up, ms: Date.now() - started, other, otherMs };
  });
  const { up, ms, other, otherMs } = result;
  assert.equal(up.statusCode, 413, text(up.body));
  assert.match(text(up.body), /more than 2,000,000 rows/);
  assert.match(text(up.body), /Save the sheet as CSV, or split it into smaller files/);
  // Includes sending 23 MB through the multipart parser and unpacking 2 million rows to count them:
  // about a second on an idle machine; the bound leaves room for a busy test machine (before the fix: minutes).
  assert.ok(ms < 10_000, `refused in ${ms} ms`);
  assert.equal(other.statusCode, 200);
  assert.ok(otherMs < 1500, `another page took ${otherMs} ms while the upload was read`);
  assert.ok(growthMb < 200, `the server grew by ${growthMb.toFixed(0)} MB`);
  assert.deepEqual(filesInUploads(), [], 'nothing is left in the upload folder');
  assert.equal((await ws.engine.all(`SELECT * FROM job`)).length, 0, 'no upload waits');
});

test('a zip bomb packed 1000:1 is refused from its zip directory in well under a second; one whose directory lies is refused by counting', async () => {
  const dense = join(tmp.dir, 'dense.xlsx');
  await writeBombXlsx(dense, { rows: 600_000, identical: true, level: 9 });
  let t = Date.now();
  const a = await upload('bomb_dense', { name: 'dense.xlsx', content: await readFile(dense) });
  assert.equal(a.statusCode, 413, text(a.body));
  assert.match(text(a.body), /zip bomb/);
  assert.match(text(a.body), /save it as CSV UTF-8/);
  assert.ok(Date.now() - t < 2000, `refused in ${Date.now() - t} ms`);

  const lying = join(tmp.dir, 'lying.xlsx');
  await writeBombXlsx(lying, { rows: 2_500_000, identical: true, lie: true });
  t = Date.now();
  const b = await upload('bomb_lying', { name: 'lying.xlsx', content: await readFile(lying) });
  assert.equal(b.statusCode, 413, text(b.body));
  assert.match(text(b.body), /more than 2,000,000 rows|packed .* smaller than its contents/);
  assert.ok(Date.now() - t < 3000, `refused in ${Date.now() - t} ms`);
  assert.deepEqual(filesInUploads(), []);
});

test('a workbook whose declared sizes look honest is refused from an estimate after its first 4 MB, and the uploader is told it is an estimate and what to do', async () => {
  // The bench's bomb in small: 1.87 times the rows limit, declared truthfully, so its zip directory
  // passes; the limit is lowered so that the fixture stays small (the 4 MB sample is the real one).
  const path = join(tmp.dir, 'honest-sized.xlsx');
  await writeBombXlsx(path, { rows: 187_000 });
  const limits = app.settings.readLimits;
  app.settings.readLimits = { ...limits, maxRows: 100_000 };
  try {
    const up = await upload('bomb_honest_sized', { name: 'members.xlsx', content: await readFile(path) });
    assert.equal(up.statusCode, 413, text(up.body));
    assert.match(
      text(up.body),
      /The file "members\.xlsx" has about 1\d\d,000 rows \(an estimate from the first 4 MB of 1\d MB of its sheet\), far more than the 100,000 rows that can be imported in one file\. Save the sheet as CSV, or split it into smaller files/,
    );
  } finally {
    app.settings.readLimits = limits;
  }
  assert.deepEqual(filesInUploads(), []);
  assert.equal((await ws.engine.all(`SELECT * FROM job`)).length, 0, 'no upload waits');
});

const CSV = (rows: number) =>
  [
    'Customer ref,Full name,Post Code,Service',
    ...Array.from({ length: rows }, (_, i) => `R${i},Person ${i},M15 4AB,bins`),
  ].join('\n');

test('a reader that runs out of memory fails the import job with a plain reason; the server carries on and the file is removed', async () => {
  const up = await upload('oom_import', { name: 'visits.csv', content: Buffer.from(CSV(60_000)) });
  assert.equal(up.statusCode, 303, text(up.body));
  const mapUrl = up.headers.location as string;
  const memory = app.settings.uploadWorkerMemoryMb;
  app.settings.uploadWorkerMemoryMb = 24; // far too little to read 60,000 rows
  try {
    const start = await post(mapUrl, { postcode: 'Post Code' });
    assert.equal(start.statusCode, 303, text(start.body));
    const id = (start.headers.location as string).split('/').at(-1)!;
    const job = await waitForJob(ws.engine, id, 30_000);
    assert.equal(job.status, 'failed');
    assert.match(job.message ?? '', /more memory to read than the portal allows/);
    assert.match(job.message ?? '', /CSV, or split it/);
    const page = await get(`/jobs/${id}`);
    assert.match(text(page.body), /Import failed/);
  } finally {
    app.settings.uploadWorkerMemoryMb = memory;
  }
  assert.equal((await get('/datasets')).statusCode, 200, 'the server still answers');
  assert.equal(
    await ws.engine.one(`SELECT name FROM dataset WHERE name = 'oom_import'`),
    undefined,
    'nothing was imported',
  );
  assert.deepEqual(filesInUploads(), []);
});

test('a reader that runs out of memory at upload time refuses the upload plainly and removes the file', async () => {
  const memory = app.settings.uploadWorkerMemoryMb;
  app.settings.uploadWorkerMemoryMb = 24;
  try {
    const up = await upload('oom_upload', { name: 'visits.csv', content: Buffer.from(CSV(60_000)) });
    assert.equal(up.statusCode, 413, text(up.body));
    assert.match(text(up.body), /more memory to read than the portal allows for one upload \(24 MB\)/);
  } finally {
    app.settings.uploadWorkerMemoryMb = memory;
  }
  assert.deepEqual(filesInUploads(), []);
});

test('the mapping page is drawn from what was read at upload time, not by reading the file again', async () => {
  const up = await upload('mapped_once', { name: 'visits.csv', content: Buffer.from(CSV(25)) });
  assert.equal(up.statusCode, 303, text(up.body));
  const mapUrl = up.headers.location as string;
  // The stored file is taken away: a page that read it again would fail.
  for (const f of filesInUploads()) rmSync(join(UPLOADS, f));
  const page = await get(mapUrl);
  assert.equal(page.statusCode, 200, text(page.body));
  assert.match(page.body, /Person 0/);
  assert.match(page.body, /<option value="Post Code" selected>/);
  const again = await post(mapUrl, { postcode: 'No such column' });
  assert.equal(again.statusCode, 400);
  assert.match(text(again.body), /Choose the column that holds postcodes/);
  assert.match(again.body, /Person 0/);
});

test('uploads left waiting for their mapping too long, and stray files, are removed when the portal starts', async () => {
  const up = await upload('left_waiting', { name: 'visits.csv', content: Buffer.from(CSV(5)) });
  assert.equal(up.statusCode, 303, text(up.body));
  const id = (up.headers.location as string).split('/').at(-1)!;
  const stray = join(UPLOADS, 'left-by-a-crash.part');
  writeFileSync(stray, 'half an upload');
  assert.ok(filesInUploads().length >= 2);
  await new Promise((r) => setTimeout(r, 100));
  const second = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: UPLOADS,
    uploadTtlHours: 50 / 3600_000,
  });
  try {
    assert.deepEqual(filesInUploads(), [], 'the abandoned upload and the stray file are gone');
    const job = await getJob(ws.engine, id);
    assert.equal(job.status, 'failed');
    assert.match(job.message ?? '', /waited too long/);
    assert.equal(job.result, null, 'the preview rows are not kept');
  } finally {
    await second.close();
  }
});

test('an ordinary workbook still imports through the worker, with every row accounted for as the direct reader counts it', async () => {
  const fixture = new URL('../fixtures/messy.xlsx', import.meta.url).pathname;
  const { readSourceTable } = await import('../../src/intake/index.ts');
  const direct = await readSourceTable(fixture);
  const up = await upload('messy_members', { name: 'messy.xlsx', content: await readFile(fixture) });
  assert.equal(up.statusCode, 303, text(up.body));
  const mapUrl = up.headers.location as string;
  const page = await get(mapUrl);
  assert.equal(page.statusCode, 200);
  const start = await post(mapUrl, { postcode: 'Postcode' });
  assert.equal(start.statusCode, 303, text(start.body));
  const job = await waitForJob(ws.engine, (start.headers.location as string).split('/').at(-1)!, 30_000);
  assert.equal(job.status, 'done', job.message ?? '');
  const r = job.result as { read: number; matched: number; unmatched: number; rejected: number; format: string };
  assert.equal(r.read, direct.rows.length);
  assert.equal(r.matched + r.unmatched + r.rejected, r.read);
  const rows = await ws.engine.all<{ _row: number }>(`SELECT _row FROM ds_messy_members ORDER BY _row`);
  assert.deepEqual(
    rows.map((x) => Number(x._row)),
    direct.rows.map((x) => x.rowNo),
    "the sheet's own row numbers are kept",
  );
  assert.deepEqual(filesInUploads(), []);
});
