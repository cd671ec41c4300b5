/**
 * C13: people and their access. Passwords are hashed with argon2id; sessions and API tokens are
 * random 32-byte values of which only a SHA-256 hash is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { NotFoundError, ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { ROLES, type Role } from './constants.ts';

export { ROLES, type Role };
export type ViewerRole = Role | 'public';

export interface User {
  username: string;
  name: string | null;
  role: Role;
  partner: string | null;
  disabled: boolean;
}

/** Who is asking: a signed-in person, a script with a token, or a member of the public. */
export interface Viewer {
  username: string | null;
  name: string | null;
  role: ViewerRole;
  partner: string | null;
  via: 'session' | 'token' | 'none';
  csrf: string | null;
}

export const PUBLIC_VIEWER: Viewer = {
  username: null,
  name: null,
  role: 'public',
  partner: null,
  via: 'none',
  csrf: null,
};

const SESSION_HOURS = 8;
const hash = (token: string) => createHash('sha256').update(token).digest('hex');
const USERNAME = /^[a-z0-9][a-z0-9._@-]{1,63}$/;

export interface NewUserProblem {
  field: 'username' | 'role' | 'partner' | 'password';
  /** what to do, as a GOV.UK error message says it */
  message: string;
}

/**
 * Every problem with a new person's details at once, in the order of the form, so that a form can
 * show them all (addUser stops at the first, as the command line does).
 */
export function newUserProblems(u: {
  username?: string;
  password?: string;
  role?: string;
  partner?: string;
}): NewUserProblem[] {
  const out: NewUserProblem[] = [];
  const username = (u.username ?? '').trim().toLowerCase();
  if (!username) out.push({ field: 'username', message: 'Enter a user name' });
  else if (!USERNAME.test(username))
    out.push({
      field: 'username',
      message:
        'User name must be 2 to 64 lower-case letters, digits, dots, dashes, @ or _, starting with a letter or digit',
    });
  if (!(ROLES as readonly string[]).includes(u.role ?? '')) out.push({ field: 'role', message: 'Select a role' });
  if (u.role === 'partner' && !u.partner?.trim())
    out.push({ field: 'partner', message: 'Enter the partner organisation this person belongs to' });
  const password = u.password ?? '';
  if (!password) out.push({ field: 'password', message: 'Enter a password' });
  else if (password.length < 12) out.push({ field: 'password', message: 'Password must be 12 characters or more' });
  return out;
}

export async function addUser(
  engine: Engine,
  u: { username: string; password: string; role: string; name?: string; partner?: string },
): Promise<User> {
  const username = u.username.trim().toLowerCase();
  if (!USERNAME.test(username))
    throw new ParameterError(
      `"${u.username}" cannot be used as a user name.`,
      'Use 2 to 64 lower-case letters, digits, dots, dashes, @ or _.',
    );
  if (!(ROLES as readonly string[]).includes(u.role))
    throw new ParameterError(`Unknown role "${u.role}".`, `Roles: ${ROLES.join(', ')}.`);
  if (u.role === 'partner' && !u.partner?.trim())
    throw new ParameterError(
      'A partner user needs the partner organisation it belongs to.',
      'Add --partner "Organisation name" (as given to civic dataset import --partner).',
    );
  if (u.password.length < 12)
    throw new ParameterError(
      'The password is too short.',
      'Use at least 12 characters; a few unrelated words work well.',
    );
  if (await engine.one(`SELECT 1 AS x FROM app_user WHERE username = $1`, [username]))
    throw new ParameterError(`There is already a user called ${username}.`);
  const passwordHash = await argon2.hash(u.password, { type: argon2.argon2id });
  await engine.run(`INSERT INTO app_user VALUES ($1, $2, $3, $4, $5, $6, false)`, [
    username,
    u.name ?? null,
    passwordHash,
    u.role,
    u.role === 'partner' ? u.partner!.trim() : null,
    new Date().toISOString(),
  ]);
  return {
    username,
    name: u.name ?? null,
    role: u.role as Role,
    partner: u.role === 'partner' ? u.partner!.trim() : null,
    disabled: false,
  };
}

export async function listUsers(engine: Engine): Promise<User[]> {
  return (
    await engine.all<{
      username: string;
      name: string | null;
      role: string;
      partner: string | null;
      disabled: boolean;
    }>(`SELECT username, name, role, partner, disabled FROM app_user ORDER BY username`)
  ).map((r) => ({ ...r, role: r.role as Role }));
}

export async function getUser(engine: Engine, username: string): Promise<User | null> {
  return (await listUsers(engine)).find((u) => u.username === username) ?? null;
}

export async function setUserDisabled(engine: Engine, username: string, disabled: boolean): Promise<void> {
  if (!(await engine.one(`SELECT 1 AS x FROM app_user WHERE username = $1`, [username])))
    throw new NotFoundError(`There is no user called ${username}.`);
  await engine.transaction(async () => {
    await engine.run(`UPDATE app_user SET disabled = $2 WHERE username = $1`, [username, disabled]);
    if (disabled) {
      await engine.run(`DELETE FROM app_session WHERE username = $1`, [username]);
      await engine.run(`DELETE FROM api_token WHERE username = $1`, [username]);
    }
  });
}

/** Password checks running now, and the most at once (the sign-in limits keep these small; tests read them). */
export const passwordChecks = { running: 0, peak: 0 };

/** Checks a password; the same work is done for an unknown user, so timing does not reveal who exists. */
export async function verifyPassword(engine: Engine, username: string, password: string): Promise<User | null> {
  const row = await engine.one<{
    username: string;
    name: string | null;
    role: string;
    partner: string | null;
    disabled: boolean;
    password_hash: string;
  }>(`SELECT username, name, role, partner, disabled, password_hash FROM app_user WHERE username = $1`, [
    username.trim().toLowerCase(),
  ]);
  const stored = row?.password_hash ?? DUMMY_HASH;
  let ok = false;
  passwordChecks.running++;
  passwordChecks.peak = Math.max(passwordChecks.peak, passwordChecks.running);
  try {
    ok = await argon2.verify(stored, password);
  } catch {
    ok = false;
  } finally {
    passwordChecks.running--;
  }
  if (!row || !ok || row.disabled) return null;
  return {
    username: row.username,
    name: row.name,
    role: row.role as Role,
    partner: row.partner,
    disabled: row.disabled,
  };
}
const DUMMY_HASH = '$argon2id$v=19$m=65536,p=4,t=3$Arli6Qm+ffeK87pLLV6/2A$D9+XO36Ox+csLHpZaAgB01molEVj/nZf78a1B/VTlDE';

export async function createSession(
  engine: Engine,
  username: string,
): Promise<{ token: string; csrf: string; expires: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrf = randomBytes(24).toString('base64url');
  const expires = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await engine.run(`DELETE FROM app_session WHERE expires_at < $1`, [new Date().toISOString()]);
  await engine.run(`INSERT INTO app_session VALUES ($1, $2, $3, $4, $5)`, [
    hash(token),
    username,
    csrf,
    new Date().toISOString(),
    expires.toISOString(),
  ]);
  return { token, csrf, expires };
}

export async function endSession(engine: Engine, token: string): Promise<void> {
  await engine.run(`DELETE FROM app_session WHERE id_hash = $1`, [hash(token)]);
}

export async function viewerFromSession(engine: Engine, token: string): Promise<Viewer | null> {
  const r = await engine.one<{
    username: string;
    name: string | null;
    role: string;
    partner: string | null;
    csrf: string;
  }>(
    `SELECT u.username, u.name, u.role, u.partner, s.csrf FROM app_session s JOIN app_user u ON u.username = s.username
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
    [hash(token), new Date().toISOString()],
  );
  return r
    ? { username: r.username, name: r.name, role: r.role as Role, partner: r.partner, via: 'session', csrf: r.csrf }
    : null;
}

export async function createApiToken(engine: Engine, username: string, label?: string): Promise<string> {
  if (!(await engine.one(`SELECT 1 AS x FROM app_user WHERE username = $1 AND NOT disabled`, [username])))
    throw new NotFoundError(`There is no active user called ${username}.`);
  const token = `civic_${randomBytes(32).toString('base64url')}`;
  await engine.run(`INSERT INTO api_token VALUES ($1, $2, $3, $4, NULL)`, [
    hash(token),
    username,
    label ?? null,
    new Date().toISOString(),
  ]);
  return token;
}

export async function viewerFromToken(engine: Engine, token: string): Promise<Viewer | null> {
  const r = await engine.one<{ username: string; name: string | null; role: string; partner: string | null }>(
    `SELECT u.username, u.name, u.role, u.partner FROM api_token t JOIN app_user u ON u.username = t.username WHERE t.id_hash = $1 AND NOT u.disabled`,
    [hash(token)],
  );
  if (!r) return null;
  await engine.run(`UPDATE api_token SET last_used_at = $2 WHERE id_hash = $1`, [
    hash(token),
    new Date().toISOString(),
  ]);
  return { username: r.username, name: r.name, role: r.role as Role, partner: r.partner, via: 'token', csrf: null };
}

export async function audit(
  engine: Engine,
  viewer: Viewer,
  action: string,
  detail: string | null,
  ip: string | null,
): Promise<void> {
  await engine.run(`INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6)`, [
    new Date().toISOString(),
    viewer.username,
    viewer.role,
    action,
    detail,
    ip,
  ]);
}

export interface AuditEntry {
  at: string;
  username: string | null;
  role: string | null;
  action: string;
  detail: string | null;
  ip: string | null;
}
export async function auditLog(engine: Engine, limit = 200): Promise<AuditEntry[]> {
  return engine.all<AuditEntry & Record<string, string | null>>(
    `SELECT logged_at AS at, username, role, action, detail, ip FROM audit_log ORDER BY logged_at DESC LIMIT ${Math.max(1, Math.min(5000, Math.floor(limit)))}`,
  );
}
