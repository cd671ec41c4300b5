/**
 * Runs the reading of an upload in a worker thread with bounded memory (worker_threads
 * resourceLimits) and a time limit. If the worker runs out of memory, crashes or takes too long,
 * it is stopped and the uploader gets a plain reason; the server carries on.
 */
import { Worker } from 'node:worker_threads';
import { ObservatoryError, InputError } from '../core/index.ts';
import type { UploadTask } from './upload-worker.ts';

// Compiled, the worker file itself; from the TypeScript source, a bootstrap that registers tsx first.
const BOOT = import.meta.url.endsWith('.ts')
  ? new URL('./upload-worker-boot.mjs', import.meta.url)
  : new URL('./upload-worker.js', import.meta.url);

export interface WorkerLimits {
  memoryMb: number;
  timeoutMs: number;
}

/** An error the worker sent back, rebuilt as the typed error it was. */
class WorkerInputError extends ObservatoryError {}

export function runUploadTask<T>(task: UploadTask, limits: WorkerLimits, shown: string): Promise<T> {
  const tooBig = (why: string) =>
    new InputError(`The file could not be read: ${why}.`, {
      location: { file: shown },
      code: 'input_too_large',
      fix: 'Save it as CSV, or split it into smaller files, and upload each one; an administrator can import large files with the command line (civic dataset import).',
    });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const settle = (f: () => void) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        f();
      }
    };
    const worker = new Worker(BOOT, {
      workerData: task,
      resourceLimits: {
        maxOldGenerationSizeMb: limits.memoryMb,
        maxYoungGenerationSizeMb: Math.max(4, Math.min(64, Math.round(limits.memoryMb / 8))),
      },
      stdout: true,
      stderr: true,
    });
    worker.stdout.resume();
    worker.stderr.resume();
    const timer = setTimeout(
      () =>
        settle(() => {
          void worker.terminate();
          reject(
            tooBig(
              `reading it took longer than ${Math.round(limits.timeoutMs / 1000)} seconds, the most the portal allows`,
            ),
          );
        }),
      limits.timeoutMs,
    );
    worker.on(
      'message',
      (
        m:
          | { ok: true; result: T }
          | {
              ok: false;
              error: {
                known: boolean;
                code?: string;
                message: string;
                fix?: string;
                location?: { file?: string; row?: number; column?: string };
              };
            },
      ) => {
        settle(() => {
          if (m.ok) resolve(m.result);
          else if (m.error.known)
            reject(
              new WorkerInputError(m.error.code ?? 'input_invalid', m.error.message, {
                status: 400,
                fix: m.error.fix,
                location: m.error.location,
              }),
            );
          else reject(new Error(m.error.message));
        });
        void worker.terminate();
      },
    );
    worker.on('error', (e: Error & { code?: string }) =>
      settle(() =>
        reject(
          e.code === 'ERR_WORKER_OUT_OF_MEMORY'
            ? tooBig(`it needs more memory to read than the portal allows for one upload (${limits.memoryMb} MB)`)
            : tooBig('the reader stopped unexpectedly'),
        ),
      ),
    );
    worker.on('exit', (code) => settle(() => reject(tooBig(`the reader stopped unexpectedly (exit ${code})`))));
  });
}
