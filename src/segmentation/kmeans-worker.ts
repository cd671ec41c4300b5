/**
 * A worker thread for kmeansParallel: runs the restarts it is sent (one index per message) on the
 * shared matrix and replies with each restart's outcome.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { KMeansWorkspace, runRestart, type WorkerReply, type WorkerSetup } from './kmeans.ts';

const { data, n, d, params } = workerData as WorkerSetup;
const m = { data, n, d };
const ws = new KMeansWorkspace(n, d, params.k, params.localTrials);

parentPort!.on('message', (r: number) => {
  const run = runRestart(m, params, r, ws);
  const reply: WorkerReply = { r, wcss: run.wcss, iterations: run.iterations, converged: run.converged, labels: run.labels, centres: run.centres };
  parentPort!.postMessage(reply, [run.labels.buffer as ArrayBuffer, run.centres.buffer as ArrayBuffer]);
});
