/** Administration: people, their roles and the audit log. */
import type { FastifyInstance } from 'fastify';
import {
  addUser,
  listUsers,
  auditLog,
  audit,
  getUser,
  newUserProblems,
  setUserDisabled,
  ROLES,
  type NewUserProblem,
} from '../users.ts';
import { NotFoundError, ObservatoryError } from '../../core/index.ts';
import { HttpProblem } from '../http.ts';

export async function adminRoutes(app: FastifyInstance): Promise<void> {
  const show = async (
    request: Parameters<typeof app.page>[0],
    reply: Parameters<typeof app.page>[1],
    extra: Record<string, unknown> = {},
    status = 200,
  ) =>
    app.page(
      request,
      reply,
      'admin.njk',
      {
        title: 'Admin',
        users: await listUsers(app.engine),
        log: await auditLog(app.engine, 200),
        roles: ROLES,
        ...extra,
      },
      status,
    );

  /** The error summary's list and each field's own message (GOV.UK: both, the same words). */
  const errorsFor = (problems: NewUserProblem[]) => ({
    errorList: problems.map((p) => ({ text: p.message, href: `#${p.field}` })),
    fieldErrors: Object.fromEntries(problems.map((p) => [p.field, p.message])),
  });

  app.get('/admin', { config: { roles: ['admin'] } }, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    return show(request, reply, { disabled: q.disabled });
  });

  app.post('/admin/users', { config: { roles: ['admin'], changes: [] } }, async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, string>;
    const form = { ...b, password: '' };
    const problems = newUserProblems(b);
    const username = (b.username ?? '').trim().toLowerCase();
    if (!problems.some((p) => p.field === 'username') && (await getUser(app.engine, username)))
      problems.unshift({
        field: 'username',
        message: `There is already a user called ${username}: choose another user name`,
      });
    if (problems.length) return show(request, reply, { ...errorsFor(problems), form, errorTitle: true }, 400);
    try {
      const u = await addUser(app.engine, {
        username: b.username ?? '',
        password: b.password ?? '',
        role: b.role ?? '',
        name: b.name || undefined,
        partner: b.partner || undefined,
      });
      await audit(
        app.engine,
        request.viewer,
        'user added',
        `${u.username} (${u.role}${u.partner ? `, ${u.partner}` : ''})`,
        request.ip,
      );
      return show(request, reply, { added: u.username });
    } catch (e) {
      if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
      return show(
        request,
        reply,
        { ...errorsFor([{ field: 'username', message: e.message }]), form, errorTitle: true },
        400,
      );
    }
  });

  /** Disabling someone is confirmed on a page of its own first (GOV.UK: a question page before a destructive action). */
  app.get('/admin/users/:username/disable', { config: { roles: ['admin'] } }, async (request, reply) => {
    const { username } = request.params as { username: string };
    const user = await getUser(app.engine, username);
    if (!user) throw new NotFoundError(`There is no user called ${username}.`, 'Go back to the Admin page.');
    return app.page(request, reply, 'admin-disable.njk', {
      title: `Disable ${user.name ?? user.username}`,
      user,
      self: user.username === request.viewer.username,
    });
  });

  app.post('/admin/users/:username/disable', { config: { roles: ['admin'], changes: [] } }, async (request, reply) => {
    const { username } = request.params as { username: string };
    await setUserDisabled(app.engine, username, true);
    await audit(app.engine, request.viewer, 'user disabled', username, request.ip);
    return reply.redirect(`/admin?${new URLSearchParams({ disabled: username })}`, 303);
  });
}
