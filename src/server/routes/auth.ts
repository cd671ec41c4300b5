/** Signing in and out. Failed attempts are limited per user name and address. */
import type { FastifyInstance } from 'fastify';
import { createSession, endSession, verifyPassword, audit, PUBLIC_VIEWER } from '../users.ts';
import { SESSION_COOKIE, EVERYONE, HttpProblem } from '../app.ts';

const WINDOW_MS = 15 * 60_000;

/** A safe place to go after signing in: a path on this site only. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const failures = new Map<string, number[]>();
  const recent = (key: string) => (failures.get(key) ?? []).filter((t) => t > Date.now() - WINDOW_MS);

  app.get('/login', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { next?: string };
    return app.page(request, reply, 'login.njk', { title: 'Sign in', next: safeNext(q.next) });
  });

  app.post('/login', { config: { roles: EVERYONE } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, string>;
    const username = String(body.username ?? '').trim().toLowerCase();
    const key = `${username}|${request.ip}`;
    if (recent(key).length >= app.settings.loginAttempts) {
      reply.header('retry-after', String(WINDOW_MS / 1000));
      throw new HttpProblem(429, 'Too many attempts', 'There have been too many failed attempts to sign in. Wait 15 minutes and try again.');
    }
    const user = username && body.password ? await verifyPassword(app.engine, username, String(body.password)) : null;
    if (!user) {
      failures.set(key, [...recent(key), Date.now()]);
      await audit(app.engine, { ...PUBLIC_VIEWER, username: username || null }, 'login failed', null, request.ip);
      return app.page(request, reply, 'login.njk', { title: 'Sign in', errorTitle: true, next: safeNext(body.next), username, error: 'Enter a correct user name and password.' }, 401);
    }
    failures.delete(key);
    const s = await createSession(app.engine, user.username);
    await audit(app.engine, { username: user.username, name: user.name, role: user.role, partner: user.partner, via: 'session', csrf: null }, 'login', null, request.ip);
    reply.setCookie(SESSION_COOKIE, s.token, { path: '/', httpOnly: true, sameSite: 'lax', secure: app.settings.secureCookies, expires: s.expires });
    return reply.redirect(safeNext(body.next), 303);
  });

  app.post('/logout', { config: { roles: ['admin', 'analyst', 'partner', 'agent'] } }, async (request, reply) => {
    const token = request.cookies[SESSION_COOKIE];
    if (token) await endSession(app.engine, token);
    await audit(app.engine, request.viewer, 'logout', null, request.ip);
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.redirect('/login', 303);
  });
}
