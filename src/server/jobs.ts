/**
 * Long work run for a person in the background (a dataset import), with its progress. A job's row
 * in the `job` table records who started it, its stage and its result; while it runs, its progress
 * is kept in memory too, so the job page can answer while the import holds the database.
 */
import { randomUUID } from 'node:crypto';
import { NotFoundError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';

export type JobStatus = 'waiting' | 'running' | 'done' | 'failed';

export interface Job {
  id: string;
  kind: string;
  status: JobStatus;
  done: number;
  total: number;
  stage: string | null;
  message: string | null;
  /** what the job made (e.g. the import's row accounts), or what it waits with (an upload) */
  result: unknown;
  createdBy: string | null;
  createdAt: string;
  finishedAt: string | null;
}

export interface JobProgress {
  stage: string;
  done: number;
  total: number;
}

interface JobRow {
  id: string;
  kind: string;
  status: string;
  done: number | null;
  total: number | null;
  stage: string | null;
  message: string | null;
  result: string | null;
  created_by: string | null;
  created_at: string;
  finished_at: string | null;
}

const running = new Map<string, Job>();

const JOB_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function fromRow(r: JobRow): Job {
  return {
    id: r.id,
    kind: r.kind,
    status: r.status as JobStatus,
    done: r.done ?? 0,
    total: r.total ?? 0,
    stage: r.stage,
    message: r.message,
    result: r.result ? JSON.parse(r.result) : null,
    createdBy: r.created_by,
    createdAt: r.created_at,
    finishedAt: r.finished_at,
  };
}

/** Makes a job that waits (e.g. an upload waiting for its column mapping). */
export async function createJob(
  engine: Engine,
  kind: string,
  createdBy: string | null,
  waitingWith: unknown,
  stage = 'waiting',
): Promise<Job> {
  const job: Job = {
    id: randomUUID(),
    kind,
    status: 'waiting',
    done: 0,
    total: 0,
    stage,
    message: null,
    result: waitingWith,
    createdBy,
    createdAt: new Date().toISOString(),
    finishedAt: null,
  };
  await engine.run(`INSERT INTO job VALUES ($1, $2, $3, 0, 0, $4, NULL, $5, $6, $7, NULL)`, [
    job.id,
    kind,
    job.status,
    stage,
    JSON.stringify(waitingWith ?? null),
    createdBy,
    job.createdAt,
  ]);
  return job;
}

export async function getJob(engine: Engine, id: string): Promise<Job> {
  const live = running.get(id);
  if (live) return { ...live };
  const r = JOB_ID.test(id)
    ? await engine.one<JobRow & Record<string, string | number | null>>(`SELECT * FROM job WHERE id = $1`, [id])
    : undefined;
  if (!r) throw new NotFoundError('There is no such job.', 'Start again from the upload page.');
  return fromRow(r);
}

export async function updateWaitingJob(engine: Engine, id: string, waitingWith: unknown, stage: string): Promise<void> {
  await engine.run(`UPDATE job SET result = $2, stage = $3 WHERE id = $1 AND status = 'waiting'`, [
    id,
    JSON.stringify(waitingWith ?? null),
    stage,
  ]);
}

/**
 * Runs a waiting job in the background: `work` gets a progress callback, and its return value is
 * the job's result. Returns at once. Progress is held in memory and written with the outcome.
 */
export async function runJob(
  engine: Engine,
  id: string,
  work: (progress: (p: JobProgress) => void) => Promise<unknown>,
  after?: (outcome: { ok: true; result: unknown } | { ok: false; error: Error }) => Promise<void>,
): Promise<Job> {
  const job = await getJob(engine, id);
  if (job.status !== 'waiting')
    throw new NotFoundError('This job has already been started.', 'Open the job page to see how it went.');
  const live: Job = { ...job, status: 'running', stage: 'starting', done: 0, total: 0, result: null };
  running.set(id, live);
  await engine.run(`UPDATE job SET status = 'running', stage = 'starting', result = NULL WHERE id = $1`, [id]);
  // Started outside this request, so the work does not run inside anything the request holds.
  setImmediate(() => {
    void (async () => {
      let outcome: { ok: true; result: unknown } | { ok: false; error: Error };
      try {
        const result = await work((p) => {
          live.stage = p.stage;
          live.done = p.done;
          live.total = p.total;
        });
        outcome = { ok: true, result };
        Object.assign(live, { status: 'done', stage: 'finished', result, finishedAt: new Date().toISOString() });
      } catch (e) {
        const error = e instanceof Error ? e : new Error(String(e));
        outcome = { ok: false, error };
        const fix = (error as { fix?: string }).fix;
        // Where the problem is (the file, the row, the column), as the command line says it.
        const at = (error as { location?: { file?: string; row?: number; column?: string } }).location ?? {};
        const where = [
          at.file ? `file ${at.file}` : '',
          at.row !== undefined ? `row ${at.row}` : '',
          at.column ? `column "${at.column}"` : '',
        ]
          .filter(Boolean)
          .join(', ');
        Object.assign(live, {
          status: 'failed',
          message: error.message + (where ? ` (${where})` : '') + (fix ? ` ${fix}` : ''),
          finishedAt: new Date().toISOString(),
        });
      }
      try {
        await engine.run(
          `UPDATE job SET status = $2, done = $3, total = $4, stage = $5, message = $6, result = $7, finished_at = $8 WHERE id = $1`,
          [
            id,
            live.status,
            live.done,
            live.total,
            live.stage,
            live.message,
            JSON.stringify(live.result ?? null),
            live.finishedAt,
          ],
        );
        if (after) await after(outcome);
      } finally {
        running.delete(id);
      }
    })();
  });
  return { ...live };
}

/** Jobs left running by a server that stopped: they will never finish, so say so. */
export async function failAbandonedJobs(engine: Engine): Promise<void> {
  const ids = (await engine.all<{ id: string }>(`SELECT id FROM job WHERE status = 'running'`))
    .map((r) => r.id)
    .filter((id) => !running.has(id));
  for (const id of ids) {
    await engine.run(
      `UPDATE job SET status = 'failed', message = 'The server stopped before the job finished; nothing was imported. Start the upload again.', finished_at = $2 WHERE id = $1`,
      [id, new Date().toISOString()],
    );
  }
}

/** Waits until a job has finished (tests and scripts). */
export async function waitForJob(engine: Engine, id: string, timeoutMs = 60_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const j = await getJob(engine, id);
    if ((j.status === 'done' || j.status === 'failed') && !running.has(id)) return j;
    if (Date.now() > until) throw new Error(`job ${id} did not finish in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Jobs of a kind still waiting (uploads waiting for their column mapping), oldest first. */
export async function waitingJobs(engine: Engine, kind: string): Promise<Job[]> {
  return (
    await engine.all<JobRow & Record<string, string | number | null>>(
      `SELECT * FROM job WHERE kind = $1 AND status = 'waiting' ORDER BY created_at`,
      [kind],
    )
  ).map(fromRow);
}

/** Ends a waiting job as failed, forgetting what it waited with. */
export async function failWaitingJob(engine: Engine, id: string, message: string): Promise<void> {
  await engine.run(
    `UPDATE job SET status = 'failed', message = $2, result = NULL, finished_at = $3 WHERE id = $1 AND status = 'waiting'`,
    [id, message, new Date().toISOString()],
  );
}
