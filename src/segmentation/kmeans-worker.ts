/**
 * A worker thread for kmeansParallel, kept between calls. A job arrives with its first restart:
 * the shared WebAssembly memory holding the matrix, and where in it this worker's workspace is.
 * The worker then runs the restarts it is sent (one index per message) and replies with each
 * restart's outcome; `release` ends the job (the worker lets go of its memory).
 */
import { parentPort } from 'node:worker_threads';
import { KMeansWorkspace, runRestart, type KMeansParams, type WorkerMessage, type WorkerReply } from './kmeans.ts';
import type { Matrix } from './transform.ts';

let job: { m: Matrix; ws: KMeansWorkspace; params: KMeansParams } | null = null;

parentPort!.on('message', (msg: WorkerMessage) => {
  if ('release' in msg) {
    job = null;
    return;
  }
  if ('setup' in msg) {
    const { memory, dataPtr, base, n, d, params } = msg.setup;
    const ws = new KMeansWorkspace(n, d, params.k, params.localTrials, { memory, dataPtr, base });
    job = { m: { data: ws.data, n, d }, ws, params }; // the matrix is already in the memory: nothing to copy
  }
  if (!job) throw new Error('A k-means worker was sent a restart before its job.');
  const { r } = msg;
  const run = runRestart(job.m, job.params, r, job.ws);
  const reply: WorkerReply = {
    r,
    wcss: run.wcss,
    iterations: run.iterations,
    converged: run.converged,
    labels: run.labels,
    centres: run.centres,
  };
  parentPort!.postMessage(reply, [run.labels.buffer as ArrayBuffer, run.centres.buffer as ArrayBuffer]);
});
