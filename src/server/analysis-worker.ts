/**
 * One worker thread of the analysis pool (analysis-pool.ts). It is sent a task (a module's file URL,
 * the name of a function it exports, and the input), runs it and replies with the result or the error's
 * parts. Modules are loaded once and kept; each job's input and result are copied between threads.
 */
import { fileURLToPath } from 'node:url';
import { parentPort } from 'node:worker_threads';
import { ObservatoryError } from '../core/index.ts';
import type { WorkerReply } from './analysis-pool.ts';

type TaskModule = Record<string, (input: unknown) => unknown>;
const modules = new Map<string, Promise<TaskModule>>();

// Under tsx (TypeScript source) this file runs as CommonJS with tsx's loader on require, so task
// modules are required; compiled, it is an ES module and task modules are imported.
const load = (url: string): Promise<TaskModule> => {
  let m = modules.get(url);
  if (!m) {
    m =
      typeof require === 'function'
        ? Promise.resolve(require(fileURLToPath(url)) as TaskModule)
        : (import(url) as Promise<TaskModule>);
    modules.set(url, m);
  }
  return m;
};

parentPort!.on('message', (msg: { module: string; name: string; input: unknown }) => {
  void (async () => {
    let reply: WorkerReply;
    try {
      const fn = (await load(msg.module))[msg.name];
      if (typeof fn !== 'function') throw new Error(`The analysis module has no task called ${msg.name}.`);
      reply = { ok: true, value: await fn(msg.input) };
    } catch (e) {
      reply =
        e instanceof ObservatoryError
          ? {
              ok: false,
              error: {
                message: e.message,
                name: e.name,
                code: e.code,
                status: e.status,
                fix: e.fix,
                location: { ...e.location },
              },
            }
          : { ok: false, error: { message: e instanceof Error ? e.message : String(e) } };
    }
    parentPort!.postMessage(reply);
  })();
});
