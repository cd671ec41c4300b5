/**
 * C13: people and their access. Passwords are hashed with argon2id; sessions and API tokens are
 * random 32-byte values of which only a SHA-256 hash is stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { NotFoundError, ParameterError } from '../core/index.ts';
import type { Engine, SqlValue } from '../store/index.ts';
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

/**
 * A seam for the test suite only: nothing in the product sets it, and no option, setting or
 * environment variable reaches it, so every password a council's people set is hashed at argon2's
 * own cost (64 MiB, 3 passes, 4 lanes). A test that signs people in only to reach the pages behind
 * the login calls `cheapPasswordHashesForTests()` (test/helpers/login.ts) so that adding and signing
 * in its users costs milliseconds, not a third of a processor-second each; the check still runs
 * argon2id over the stored hash, whose own parameters it reads. Tests of the password checks
 * themselves (their bounds and queue) keep the real cost. Unknown users are still checked against
 * a hash of the real cost.
 */
let testHashCost: { memoryCost?: number; timeCost?: number; parallelism?: number } = {};
export function cheapPasswordHashesForTests(): void {
  testHashCost = { memoryCost: 1024, timeCost: 1, parallelism: 1 };
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
  const passwordHash = await argon2.hash(u.password, { ...testHashCost, type: argon2.argon2id });
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
  forgetUser(engine, username);
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
  const id = hash(token);
  signedIn(engine).delete(id);
  await engine.run(`DELETE FROM app_session WHERE id_hash = $1`, [id]);
}

/**
 * Who a session or token is, remembered for a short while so that a page does not wait for the
 * database to say who is asking (issue 11, point 7). The portal is the workspace's only writer
 * while it runs, and everything that ends a session or a token here (signing out, disabling a
 * person) forgets it at once; the time limit only bounds how long a change made some other way
 * could go unseen.
 */
const REMEMBER_MS = 30_000;
/** A token's "last used" is written at most once a minute, not on every request. */
const LAST_USED_EVERY_MS = 60_000;

interface Remembered {
  viewer: Viewer;
  /** when to ask the database again */
  until: number;
}
const remembered = new WeakMap<Engine, Map<string, Remembered>>();
const tokenWritten = new WeakMap<Engine, Map<string, number>>();
function signedIn(engine: Engine): Map<string, Remembered> {
  let m = remembered.get(engine);
  if (!m) remembered.set(engine, (m = new Map()));
  return m;
}
function recall(engine: Engine, id: string): Viewer | undefined {
  const m = signedIn(engine);
  const r = m.get(id);
  if (!r) return undefined;
  if (Date.now() < r.until) return r.viewer;
  m.delete(id);
  return undefined;
}
function remember(engine: Engine, id: string, viewer: Viewer, expires: number): void {
  const m = signedIn(engine);
  if (m.size >= 10_000) m.clear();
  m.set(id, { viewer, until: Math.min(Date.now() + REMEMBER_MS, expires) });
}
/** Forgets every session and token of a person (disabled, or changed). */
function forgetUser(engine: Engine, username: string): void {
  const m = signedIn(engine);
  for (const [id, r] of m) if (r.viewer.username === username) m.delete(id);
}

export async function viewerFromSession(engine: Engine, token: string): Promise<Viewer | null> {
  const id = hash(token);
  const known = recall(engine, id);
  if (known) return known;
  const r = await engine.one<{
    username: string;
    name: string | null;
    role: string;
    partner: string | null;
    csrf: string;
    expires: string;
  }>(
    `SELECT u.username, u.name, u.role, u.partner, s.csrf, s.expires_at AS expires FROM app_session s JOIN app_user u ON u.username = s.username
     WHERE s.id_hash = $1 AND s.expires_at > $2 AND NOT u.disabled`,
    [id, new Date().toISOString()],
  );
  if (!r) return null;
  const viewer: Viewer = {
    username: r.username,
    name: r.name,
    role: r.role as Role,
    partner: r.partner,
    via: 'session',
    csrf: r.csrf,
  };
  remember(engine, id, viewer, Date.parse(r.expires));
  return viewer;
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
  const id = hash(token);
  let viewer = recall(engine, id);
  if (!viewer) {
    const r = await engine.one<{ username: string; name: string | null; role: string; partner: string | null }>(
      `SELECT u.username, u.name, u.role, u.partner FROM api_token t JOIN app_user u ON u.username = t.username WHERE t.id_hash = $1 AND NOT u.disabled`,
      [id],
    );
    if (!r) return null;
    viewer = { username: r.username, name: r.name, role: r.role as Role, partner: r.partner, via: 'token', csrf: null };
    remember(engine, id, viewer, Infinity);
  }
  let written = tokenWritten.get(engine);
  if (!written) tokenWritten.set(engine, (written = new Map()));
  const now = Date.now();
  if (now - (written.get(id) ?? 0) >= LAST_USED_EVERY_MS) {
    written.set(id, now);
    await engine.run(`UPDATE api_token SET last_used_at = $2 WHERE id_hash = $1`, [id, new Date(now).toISOString()]);
  }
  return viewer;
}

/**
 * Audit entries are written in groups: an entry made while another group is being written joins
 * the next one, so fifty people looking things up at once cost the database a statement or two, not
 * fifty. Each caller still waits until its own entry is written, so none is lost if the server stops.
 */
interface AuditQueue {
  rows: SqlValue[][];
  waiting: { resolve: () => void; reject: (e: unknown) => void }[];
  writing: boolean;
}
const auditQueues = new WeakMap<Engine, AuditQueue>();
/** At most this many entries in one statement. */
const AUDIT_GROUP = 200;

export function audit(
  engine: Engine,
  viewer: Viewer,
  action: string,
  detail: string | null,
  ip: string | null,
): Promise<void> {
  let q = auditQueues.get(engine);
  if (!q) auditQueues.set(engine, (q = { rows: [], waiting: [], writing: false }));
  const queue = q;
  return new Promise<void>((resolve, reject) => {
    queue.rows.push([new Date().toISOString(), viewer.username, viewer.role, action, detail, ip]);
    queue.waiting.push({ resolve, reject });
    if (!queue.writing) void writeAudit(engine, queue);
  });
}

async function writeAudit(engine: Engine, q: AuditQueue): Promise<void> {
  q.writing = true;
  try {
    while (q.rows.length) {
      const rows = q.rows.splice(0, AUDIT_GROUP);
      const waiting = q.waiting.splice(0, rows.length);
      try {
        await engine.run(
          `INSERT INTO audit_log VALUES ${rows.map((_, i) => `(${[1, 2, 3, 4, 5, 6].map((c) => `$${i * 6 + c}`).join(', ')})`).join(', ')}`,
          rows.flat(),
        );
        for (const w of waiting) w.resolve();
      } catch (e) {
        for (const w of waiting) w.reject(e);
      }
    }
  } finally {
    q.writing = false;
  }
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
