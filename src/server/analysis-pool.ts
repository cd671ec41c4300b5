/**
 * Heavy analyses (site choice, scenarios) run in worker threads, off the thread that answers pages,
 * so that one slow request cannot hold up everyone else (issue 10, finding 6). The pool has:
 * - a fixed number of workers (default 1: the portal's machines often have two cores, and the other
 *   one answers pages and runs DuckDB);
 * - a bounded queue: beyond it a request is refused at once (503, "busy, try again shortly");
 * - a per-viewer limit on heavy requests running or waiting (default 1): beyond it, 429 with
 *   Retry-After, so one person varying parameters cannot fill the queue;
 * - a wall-clock time limit per analysis: when it passes, the worker is terminated (its memory goes
 *   with it) and the request gets "this took too long; try fewer sites or a smaller area";
 *   a request that waits in the queue for longer than queueSeconds (default: the time limit) is
 *   turned away as busy, so no request waits longer than about twice the time limit;
 * - memory limits on each worker (V8's resourceLimits: the JavaScript heap); an analysis that runs out
 *   is stopped with a plain-English message. WebAssembly memory (HiGHS) is not covered by V8's
 *   limits; the solver's model-size limits (EXACT_SIZE_LIMITS in src/location/highs.ts) bound it.
 *
 * A task is a function exported by a module (named by its file URL) that takes one structured-
 * cloneable input and returns (or resolves to) a structured-cloneable result. The pool knows nothing
 * of the analyses; results go through the result cache and disclosure control in the routes, as before.
 * Idle workers are kept for a while (HiGHS loads once per worker), unref'd, then ended.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { ObservatoryError } from '../core/index.ts';

export interface AnalysisPoolOptions {
  /** Worker threads (default 1). */
  workers?: number;
  /** Analyses that may wait for a worker, over all viewers (default 4). */
  queue?: number;
  /** Heavy requests one viewer may have running or waiting at once (default 1). */
  perViewer?: number;
  /** Wall-clock seconds an analysis may run before its worker is stopped (default 30). */
  timeLimitSeconds?: number;
  /** Seconds an analysis may wait for a worker before it is turned away as busy (default: the time limit). */
  queueSeconds?: number;
  /** JavaScript heap per worker, MB (default 512). */
  memoryMb?: number;
  /** Seconds an idle worker is kept before it is ended (default 60). */
  idleSeconds?: number;
}

export type ResolvedPoolOptions = Required<AnalysisPoolOptions>;

export const DEFAULT_ANALYSIS_POOL: Omit<ResolvedPoolOptions, 'queueSeconds'> = {
  workers: 1,
  queue: 4,
  perViewer: 1,
  timeLimitSeconds: 30,
  memoryMb: 512,
  idleSeconds: 60,
};

/** A function a worker can run: `name` exported by the module at `module` (a file URL). */
export interface AnalysisTask<I, O> {
  module: string;
  name: string;
  /** What the analysis is, in words, for messages ("choosing sites"). */
  title: string;
  /** Only for typing: the input and output types. */
  readonly __types?: (input: I) => O;
}

/** This viewer already has as many heavy requests running or waiting as allowed. */
export class AnalysisViewerLimitError extends ObservatoryError {
  constructor(
    readonly retryAfterSeconds: number,
    limit: number,
    title: string,
  ) {
    super(
      'analysis_viewer_limit',
      `You already have ${limit === 1 ? 'an analysis' : `${limit} analyses`} running, and ${title} has to wait until ${limit === 1 ? 'it finishes' : 'one finishes'}.`,
      {
        status: 429,
        fix: `Wait for the page you asked for first to finish, then try again (in about ${retryAfterSeconds} seconds).`,
      },
    );
  }
}

/** Every worker is busy and the queue is full, or a request waited too long for a worker. */
export class AnalysisBusyError extends ObservatoryError {
  constructor(
    readonly retryAfterSeconds: number,
    title: string,
  ) {
    super('analysis_busy', `The server is busy with other people's analyses, so ${title} could not start.`, {
      status: 503,
      fix: `Try again in about ${retryAfterSeconds} seconds.`,
    });
  }
}

/** An analysis ran past the time limit (or out of memory) and was stopped. */
export class AnalysisTooLargeError extends ObservatoryError {
  constructor(message: string, fix: string) {
    super('analysis_too_large', message, { status: 422, fix });
  }
}

interface Job {
  task: AnalysisTask<unknown, unknown>;
  input: unknown;
  who: string;
  resolve(value: unknown): void;
  reject(error: Error): void;
  queuedTimer?: NodeJS.Timeout;
}

interface Slot {
  worker: Worker;
  job: Job | null;
  timer?: NodeJS.Timeout;
  idleTimer?: NodeJS.Timeout;
}

/** What a worker sends back. Errors travel as their parts, rebuilt here as ObservatoryError when they were one. */
export type WorkerReply =
  | { ok: true; value: unknown }
  | {
      ok: false;
      error: {
        message: string;
        name?: string;
        code?: string;
        status?: number;
        fix?: string;
        location?: Record<string, unknown>;
      };
    };

const MESSAGES_FIX =
  'Try fewer sites, a shorter journey time, or a smaller area; or run it from the command line (civic location sites), which has no time limit.';

export class AnalysisPool {
  readonly options: ResolvedPoolOptions;
  private readonly slots: Slot[] = [];
  private readonly waiting: Job[] = [];
  private readonly perViewer = new Map<string, number>();
  private closed = false;
  /** Workers started and stopped since the pool was made (for tests and the bench). */
  readonly counters = { started: 0, stopped: 0, timedOut: 0 };

  constructor(options: AnalysisPoolOptions = {}) {
    const given = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) as AnalysisPoolOptions;
    const o = { ...DEFAULT_ANALYSIS_POOL, ...given } as ResolvedPoolOptions;
    o.queueSeconds ??= o.timeLimitSeconds;
    for (const [k, v] of Object.entries(o)) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v)))
        throw new ObservatoryError(
          'parameter_invalid',
          `The analysis setting ${k} must be a number above 0 (it was ${v}).`,
        );
    }
    for (const k of ['workers', 'queue', 'perViewer'] as const) {
      if (!Number.isInteger(o[k]))
        throw new ObservatoryError(
          'parameter_invalid',
          `The analysis setting ${k} must be a whole number (it was ${o[k]}).`,
        );
    }
    this.options = o;
  }

  /** Worker threads alive now, analyses running, and analyses waiting. */
  stats(): { workers: number; running: number; queued: number } {
    return { workers: this.slots.length, running: this.slots.filter((s) => s.job).length, queued: this.waiting.length };
  }

  /**
   * Runs `task` on `input` in a worker for `who` (a viewer's key). Refuses at once, with a typed error,
   * when the viewer is at their limit or the queue is full; rejects when the time limit passes.
   */
  run<I, O>(who: string, task: AnalysisTask<I, O>, input: I): Promise<O> {
    if (this.closed) return Promise.reject(new AnalysisBusyError(this.retryAfter(), task.title));
    const mine = this.perViewer.get(who) ?? 0;
    if (mine >= this.options.perViewer)
      return Promise.reject(new AnalysisViewerLimitError(this.retryAfter(), this.options.perViewer, task.title));
    const free = this.slots.length < this.options.workers || this.slots.some((s) => !s.job);
    if (!free && this.waiting.length >= this.options.queue)
      return Promise.reject(new AnalysisBusyError(this.retryAfter(), task.title));
    this.perViewer.set(who, mine + 1);
    return new Promise<O>((resolve, reject) => {
      const done = () => {
        const n = (this.perViewer.get(who) ?? 1) - 1;
        if (n > 0) this.perViewer.set(who, n);
        else this.perViewer.delete(who);
      };
      const job: Job = {
        task: task as AnalysisTask<unknown, unknown>,
        input,
        who,
        resolve: (v) => {
          done();
          resolve(v as O);
        },
        reject: (e) => {
          done();
          reject(e);
        },
      };
      this.waiting.push(job);
      // Waiting is bounded too: after queueSeconds in the queue, the request is turned away.
      job.queuedTimer = setTimeout(() => {
        const i = this.waiting.indexOf(job);
        if (i >= 0) {
          this.waiting.splice(i, 1);
          job.reject(new AnalysisBusyError(this.retryAfter(), task.title));
        }
      }, this.options.queueSeconds * 1000);
      job.queuedTimer.unref();
      this.pump();
    });
  }

  /** Ends every worker; analyses running or waiting are refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const job of this.waiting.splice(0)) {
      clearTimeout(job.queuedTimer);
      job.reject(new AnalysisBusyError(this.retryAfter(), job.task.title));
    }
    await Promise.all(
      [...this.slots].map((s) => {
        if (s.job) {
          const j = s.job;
          s.job = null;
          j.reject(new AnalysisBusyError(this.retryAfter(), j.task.title));
        }
        return this.stop(s);
      }),
    );
  }

  private retryAfter(): number {
    return Math.max(1, Math.ceil(this.options.timeLimitSeconds));
  }

  private pump(): void {
    while (this.waiting.length && !this.closed) {
      let slot = this.slots.find((s) => !s.job);
      if (!slot) {
        if (this.slots.length >= this.options.workers) return;
        slot = this.startWorker();
      }
      const job = this.waiting.shift()!;
      clearTimeout(job.queuedTimer);
      this.give(slot, job);
    }
  }

  private startWorker(): Slot {
    const worker = newWorker({
      maxOldGenerationSizeMb: this.options.memoryMb,
      maxYoungGenerationSizeMb: Math.min(64, Math.max(8, Math.round(this.options.memoryMb / 8))),
    });
    this.counters.started++;
    const slot: Slot = { worker, job: null };
    this.slots.push(slot);
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.job;
      if (!job) return;
      this.finish(slot);
      if (reply.ok) job.resolve(reply.value);
      else job.reject(rebuildError(reply.error));
      this.pump();
    });
    const lost = (error: Error & { code?: string }) => {
      const job = slot.job;
      this.forget(slot);
      if (job) {
        clearTimeout(slot.timer);
        slot.job = null;
        job.reject(
          error.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? new AnalysisTooLargeError(
                `${capital(job.task.title)} needed more memory than the portal allows for one analysis, so it was stopped.`,
                MESSAGES_FIX,
              )
            : new Error(`An analysis worker stopped unexpectedly while ${job.task.title}: ${error.message}`),
        );
      }
      this.pump();
    };
    worker.on('error', lost);
    worker.on('exit', (code) => {
      if (this.slots.includes(slot)) lost(new Error(`exit code ${code}`));
    });
    return slot;
  }

  private give(slot: Slot, job: Job): void {
    clearTimeout(slot.idleTimer);
    slot.job = job;
    slot.worker.ref();
    slot.timer = setTimeout(() => {
      if (slot.job !== job) return;
      this.counters.timedOut++;
      slot.job = null;
      void this.stop(slot);
      job.reject(
        new AnalysisTooLargeError(
          `${capital(job.task.title)} took longer than the ${this.options.timeLimitSeconds}-second limit for one analysis, so it was stopped.`,
          MESSAGES_FIX,
        ),
      );
      this.pump();
    }, this.options.timeLimitSeconds * 1000);
    try {
      slot.worker.postMessage({ module: job.task.module, name: job.task.name, input: job.input });
    } catch (e) {
      // The input could not be sent (not structured-cloneable): a programming error, reported as one.
      this.finish(slot);
      job.reject(e instanceof Error ? e : new Error(String(e)));
    }
  }

  /** A job's end: the worker goes back to idle (unref'd, ended after idleSeconds). */
  private finish(slot: Slot): void {
    clearTimeout(slot.timer);
    slot.job = null;
    slot.worker.unref();
    slot.idleTimer = setTimeout(() => {
      if (!slot.job) void this.stop(slot);
    }, this.options.idleSeconds * 1000);
    slot.idleTimer.unref();
  }

  private forget(slot: Slot): void {
    const i = this.slots.indexOf(slot);
    if (i >= 0) {
      this.slots.splice(i, 1);
      this.counters.stopped++;
    }
    clearTimeout(slot.idleTimer);
  }

  private async stop(slot: Slot): Promise<void> {
    this.forget(slot);
    clearTimeout(slot.timer);
    slot.worker.removeAllListeners('message');
    slot.worker.removeAllListeners('exit');
    slot.worker.removeAllListeners('error');
    slot.worker.on('error', () => {
      /* a worker being ended may still report; nothing waits for it */
    });
    await slot.worker.terminate();
  }
}

function capital(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

function rebuildError(e: Extract<WorkerReply, { ok: false }>['error']): Error {
  if (e.code && typeof e.status === 'number') {
    const err = new ObservatoryError(e.code, e.message, { status: e.status, fix: e.fix, location: e.location });
    if (e.name) err.name = e.name;
    return err;
  }
  return new Error(e.message);
}

/**
 * How to start a worker: from compiled JavaScript, the worker file itself; from TypeScript source
 * (run through tsx), a bootstrap that registers tsx's CommonJS loader first, as the k-means workers do
 * (src/segmentation/kmeans.ts: tsx registers its ESM hooks on the main thread only).
 */
function newWorker(resourceLimits: { maxOldGenerationSizeMb: number; maxYoungGenerationSizeMb: number }): Worker {
  const self = import.meta.url;
  const limits = { resourceLimits: { ...resourceLimits, stackSizeMb: 4 } };
  if (!self.endsWith('.ts')) return new Worker(new URL('./analysis-worker.js', self), limits);
  const tsx = createRequire(self).resolve('tsx/cjs/api');
  const file = fileURLToPath(new URL('./analysis-worker.ts', self));
  const boot = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(file)});`;
  return new Worker(boot, { eval: true, ...limits });
}
