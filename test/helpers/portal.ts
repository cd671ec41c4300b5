import { join } from 'node:path';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { sampleBorough } from './sample-borough.ts';
import type { Workspace } from '../../src/store/index.ts';
import { buildApp, SESSION_COOKIE } from '../../src/server/app.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import { tempDir } from './workspace.ts';
import { postLogin } from './login.ts';

export const PORTAL_PASSWORD = 'a long enough password';

export interface InjectedPortal {
  ws: Workspace;
  app: FastifyInstance;
  /** GET as a signed-in user (by user name), or as the public. */
  get(url: string, user?: string): Promise<LightMyRequestResponse>;
  /** Each person's session cookie, by user name, for requests other than GET. */
  cookies: Readonly<Record<string, string>>;
  close(): Promise<void>;
}

/**
 * The portal over a fresh Sample Borough, driven with inject (no network), with these people signed
 * in through the login form.
 */
export async function injectedPortal(opts: {
  seed: number;
  households?: number;
  people: readonly (readonly [string, string, string?])[];
}): Promise<InjectedPortal> {
  // Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
  cheapPasswordHashesForTests();
  const tmp = tempDir('civic-portal-');
  const built = await sampleBorough(join(tmp.dir, 'sb.civic'), {
    households: opts.households ?? 20_000,
    seed: opts.seed,
  });
  const ws = built.workspace;
  for (const [username, role, partner] of opts.people)
    await addUser(ws.engine, { username, password: PORTAL_PASSWORD, role, partner });
  const app = await buildApp({
    workspace: ws,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: built.key,
  });
  const cookies: Record<string, string> = {};
  for (const [username] of opts.people) {
    const r = await postLogin(app, { username, password: PORTAL_PASSWORD });
    cookies[username] = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
  }
  return {
    ws,
    app,
    cookies,
    get: (url, user) => app.inject({ method: 'GET', url, cookies: user ? { [SESSION_COOKIE]: cookies[user] } : {} }),
    async close() {
      await app.close();
      ws.close();
      tmp.cleanup();
    },
  };
}
