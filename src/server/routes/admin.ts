/** Administration: people, their roles and the audit log. */
import type { FastifyInstance } from 'fastify';
import { addUser, listUsers, auditLog, audit, setUserDisabled, ROLES } from '../users.ts';
import { ObservatoryError } from '../../core/index.ts';

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

  app.get('/admin', { config: { roles: ['admin'] } }, async (request, reply) => show(request, reply));

  app.post('/admin/users', { config: { roles: ['admin'], changes: [] } }, async (request, reply) => {
    const b = (request.body ?? {}) as Record<string, string>;
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
      if (!(e instanceof ObservatoryError)) throw e;
      return show(
        request,
        reply,
        { error: e.message, fix: e.fix, form: { ...b, password: '' }, errorTitle: true },
        400,
      );
    }
  });

  app.post('/admin/users/:username/disable', { config: { roles: ['admin'], changes: [] } }, async (request, reply) => {
    const { username } = request.params as { username: string };
    await setUserDisabled(app.engine, username, true);
    await audit(app.engine, request.viewer, 'user disabled', username, request.ip);
    return reply.redirect('/admin', 303);
  });
}
