/** `civic user add`, `list`, `disable` and `token`. */
import { readFileSync } from 'node:fs';
import { withWorkspace } from '../../store/index.ts';
import { ParameterError } from '../../core/index.ts';
import { addUser, listUsers, createApiToken, setUserDisabled } from '../../server/index.ts';
import { emit, json } from '../io.ts';

/** A password from the environment or standard input, never from the command line (it would sit in shell history). */
function readPassword(o: { passwordEnv?: string; passwordStdin?: boolean }): string {
  if (o.passwordEnv) {
    const v = process.env[o.passwordEnv];
    if (!v) throw new ParameterError(`The environment variable ${o.passwordEnv} is not set.`);
    return v;
  }
  if (o.passwordStdin) return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  throw new ParameterError(
    'Give the password through --password-stdin or --password-env VAR.',
    'Passwords are never taken on the command line, where they would be kept in shell history.',
  );
}

export async function add(
  workspace: string,
  username: string,
  o: {
    role: string;
    name?: string;
    partner?: string;
    passwordStdin?: boolean;
    passwordEnv?: string;
    format: string;
  },
): Promise<void> {
  const password = readPassword(o);
  await withWorkspace(workspace, async (ws) => {
    const u = await addUser(ws.engine, { username, password, role: o.role, name: o.name, partner: o.partner });
    emit(o.format === 'json' ? json(u) : `Added ${u.username} (${u.role}${u.partner ? `, ${u.partner}` : ''}).\n`);
  });
}

export async function list(workspace: string, o: { format: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const users = await listUsers(ws.engine);
    emit(
      o.format === 'json'
        ? json({ users })
        : users
            .map(
              (u) =>
                `${u.username.padEnd(20)} ${u.role.padEnd(8)} ${u.partner ?? ''}${u.disabled ? ' (disabled)' : ''}`,
            )
            .join('\n') + '\n',
    );
  });
}

export async function disable(workspace: string, username: string, o: { format?: string } = {}): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    await setUserDisabled(ws.engine, username, true);
    emit(o.format === 'json' ? json({ username, disabled: true }) : `Disabled ${username}.\n`);
  });
}

export async function token(workspace: string, username: string, o: { label?: string; format: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const token = await createApiToken(ws.engine, username, o.label);
    emit(
      o.format === 'json'
        ? json({ username, token })
        : `${token}\nKeep it safe: it is shown only once. Scripts send it as the header "Authorization: Bearer ${token.slice(0, 10)}…".\n`,
    );
  });
}
