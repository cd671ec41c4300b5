/**
 * Signing in and out. The sign-in form carries a token bound to a cookie set with the form (so no
 * other site can sign someone in as the attacker); password checks run a few at a time; failed
 * attempts are limited per user name and address, per address and overall (login-guard.ts).
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { createSession, endSession, verifyPassword, audit, PUBLIC_VIEWER } from '../users.ts';
import { SESSION_COOKIE, EVERYONE, HttpProblem, sameToken, type ServerSettings } from '../http.ts';
import { BUSY_RETRY_SECONDS, LoginGuard, DEFAULT_LOGIN_LIMITS } from '../login-guard.ts';

/** The pre-session cookie the sign-in form's token is bound to. */
export const LOGIN_COOKIE = 'civic_login';

/** The session cookie's attributes: the same when it is set and when it is cleared. */
export const sessionCookieOptions = (settings: ServerSettings) => ({
  path: '/',
  httpOnly: true,
  sameSite: 'lax' as const,
  secure: settings.secureCookies,
});

/** A safe place to go after signing in: a path on this site only. */
function safeNext(next: unknown): string {
  return typeof next === 'string' && /^\/(?!\/)[\w\-./?=&%]*$/.test(next) && !next.startsWith('/login') ? next : '/';
}

export async function authRoutes(app: FastifyInstance): Promise<void> {
  const s = app.settings;
  const guard = new LoginGuard({
    ...DEFAULT_LOGIN_LIMITS,
    perUserAndAddress: s.loginAttempts,
    perAddress: s.loginAddressAttempts,
    overall: s.loginOverallAttempts,
    hashConcurrency: s.loginConcurrency,
    hashQueue: s.loginQueue,
  });
  // Sign-in tokens are signed with a key that lives as long as the server; after a restart a form
  // that was open is refused once and shown again with a fresh token.
  const key = randomBytes(32);
  const loginToken = (nonce: string) => createHmac('sha256', key).update(`login:${nonce}`).digest('base64url');
  const loginCookie = { path: '/login', httpOnly: true, sameSite: 'strict' as const, secure: s.secureCookies };

  /** The sign-in form, with a token bound to this browser's pre-session cookie (set here if missing). */
  const loginPage = (request: FastifyRequest, reply: FastifyReply, ctx: Record<string, unknown>, status = 200) => {
    let nonce = request.cookies[LOGIN_COOKIE];
    if (!nonce || !/^[\w-]{32,64}$/.test(nonce)) {
      nonce = randomBytes(24).toString('base64url');
      reply.setCookie(LOGIN_COOKIE, nonce, loginCookie);
    }
    return app.page(request, reply, 'login.njk', { title: 'Sign in', loginCsrf: loginToken(nonce), ...ctx }, status);
  };

  app.get('/login', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { next?: string };
    return loginPage(request, reply, { next: safeNext(q.next) });
  });

  app.post('/login', { config: { roles: EVERYONE, changes: [] } }, async (request, reply) => {
    const body = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
    const username = String(body.username ?? '')
      .trim()
      .toLowerCase()
      .slice(0, 200);
    const next = safeNext(body.next);
    const nonce = request.cookies[LOGIN_COOKIE];
    if (!nonce || !sameToken(body._csrf, loginToken(nonce))) {
      return loginPage(
        request,
        reply,
        {
          errorTitle: true,
          next,
          username,
          error: 'The sign-in form had expired. Enter your user name and password again.',
        },
        403,
      );
    }
    const ip = request.ip;
    const allowed = guard.check(username, ip);
    if (!allowed.ok) {
      reply.header('retry-after', String(allowed.retryAfter));
      throw new HttpProblem(
        429,
        'too_many_attempts',
        'Too many attempts',
        `There have been too many failed attempts to sign in. Wait ${Math.max(1, Math.ceil(allowed.retryAfter / 60))} minutes and try again.`,
        'If you have forgotten your password, ask an administrator to set a new one.',
      );
    }
    const done = guard.begin(ip);
    let checked;
    try {
      checked =
        username && body.password
          ? await guard.gate.run(() => verifyPassword(app.engine, username, String(body.password)))
          : { busy: false as const, value: null };
    } finally {
      done();
    }
    if (checked.busy) {
      reply.header('retry-after', String(BUSY_RETRY_SECONDS));
      throw new HttpProblem(
        503,
        'busy',
        'Busy',
        'The portal is busy checking other sign-ins. Wait a few seconds and try again.',
      );
    }
    const user = checked.value;
    if (!user) {
      guard.failed(username, ip);
      await audit(app.engine, { ...PUBLIC_VIEWER, username: username || null }, 'login failed', null, ip);
      return loginPage(
        request,
        reply,
        { errorTitle: true, next, username, error: 'Enter a correct user name and password.' },
        401,
      );
    }
    guard.succeeded(username, ip);
    const session = await createSession(app.engine, user.username);
    await audit(
      app.engine,
      { username: user.username, name: user.name, role: user.role, partner: user.partner, via: 'session', csrf: null },
      'login',
      null,
      ip,
    );
    reply.setCookie(SESSION_COOKIE, session.token, { ...sessionCookieOptions(s), expires: session.expires });
    reply.clearCookie(LOGIN_COOKIE, loginCookie);
    return reply.redirect(next, 303);
  });

  app.post(
    '/logout',
    { config: { roles: ['admin', 'analyst', 'partner', 'agent'], changes: [] } },
    async (request, reply) => {
      const token = request.cookies[SESSION_COOKIE];
      if (token) await endSession(app.engine, token);
      await audit(app.engine, request.viewer, 'logout', null, request.ip);
      reply.clearCookie(SESSION_COOKIE, sessionCookieOptions(s));
      return reply.redirect('/login', 303);
    },
  );
}
