import type { FastifyInstance } from 'fastify';
import type { Workspace } from '../../store/index.ts';

/** How long requests still running when the portal is told to stop have to finish. */
export const STOP_GRACE_MS = 5_000;

/**
 * Stops the portal on Ctrl+C or SIGTERM: it takes no new requests, gives those running (and any
 * analysis in its worker) STOP_GRACE_MS to finish, then closes the workspace and ends, so that a
 * service manager's stop never has to kill it.
 */
export function stopOnSignal(app: FastifyInstance, workspace: Workspace): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    const cut = setTimeout(() => {
      process.stderr.write(
        `Stopping: requests still running after ${STOP_GRACE_MS / 1000} seconds were cut short; nothing they would have written was half-written (each write is one transaction).\n`,
      );
      process.exit(0);
    }, STOP_GRACE_MS);
    try {
      await app.close();
    } finally {
      clearTimeout(cut);
      workspace.close();
      process.exit(0);
    }
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
