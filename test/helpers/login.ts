import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { LOGIN_COOKIE } from '../../src/server/routes/auth.ts';
import { addUser, SESSION_COOKIE, type Role } from '../../src/server/index.ts';
import { cheapPasswordHashesForTests } from '../../src/server/users.ts';
import type { Engine } from '../../src/store/index.ts';

/** The sign-in form's token and the pre-session cookie it is bound to, as a browser gets them from GET /login. */
export async function loginForm(
  app: FastifyInstance,
  opts: { remoteAddress?: string } = {},
): Promise<{ csrf: string; nonce: string }> {
  const r = await app.inject({ url: '/login', remoteAddress: opts.remoteAddress });
  const csrf = /name="_csrf" value="([^"]+)"/.exec(r.body)?.[1];
  const nonce = r.cookies.find((c) => c.name === LOGIN_COOKIE)?.value;
  if (!csrf || !nonce) throw new Error('The sign-in page did not give a token and its cookie.');
  return { csrf, nonce };
}

/** Signs in through the form as a browser does: GET /login for the token, then POST it with the fields. */
export async function postLogin(
  app: FastifyInstance,
  fields: Record<string, string>,
  opts: { remoteAddress?: string; headers?: Record<string, string> } = {},
): Promise<LightMyRequestResponse> {
  const f = await loginForm(app, opts);
  return app.inject({
    method: 'POST',
    url: '/login',
    payload: { _csrf: f.csrf, ...fields },
    cookies: { [LOGIN_COOKIE]: f.nonce },
    remoteAddress: opts.remoteAddress,
    headers: opts.headers,
  });
}

/**
 * Adds each person to the workspace and signs them in through the form: their session cookies, by
 * username, for `app.inject`. They sign in only to reach the pages, so from here on the file's new
 * users get cheap argon2 hashes (src/server/users.ts).
 */
export async function signInUsers(
  app: FastifyInstance,
  engine: Engine,
  password: string,
  people: readonly (readonly [username: string, role: Role, partner?: string])[],
): Promise<Record<string, string>> {
  cheapPasswordHashesForTests();
  const cookies: Record<string, string> = {};
  for (const [username, role, partner] of people) {
    await addUser(engine, { username, password, role, partner });
    const r = await postLogin(app, { username, password });
    cookies[username] = String(r.cookies.find((c) => c.name === SESSION_COOKIE)!.value);
  }
  return cookies;
}
