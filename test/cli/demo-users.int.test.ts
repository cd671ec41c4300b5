/**
 * `civic demo --no-serve` builds the same people as the serving demo (one per role, one password),
 * so the portal can be signed in to when it is served later with `civic serve` (issue 12, point 7).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openWorkspace } from '../../src/store/index.ts';
import { listUsers, verifyPassword } from '../../src/server/users.ts';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-demo-users-');
after(() => tmp.cleanup());

test('demo --no-serve creates the demo users, and says their password', async () => {
  const path = join(tmp.dir, 'demo.civic');
  const r = await civic('demo', path, '--no-serve', '--households', '10000', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.users.usernames, ['admin', 'analyst', 'partner', 'agent']);
  assert.ok(out.users.password.length >= 12);
  const ws = await openWorkspace(path);
  try {
    const users = await listUsers(ws.engine);
    assert.deepEqual(users.map((u) => [u.username, u.role]).sort(), [
      ['admin', 'admin'],
      ['agent', 'agent'],
      ['analyst', 'analyst'],
      ['partner', 'partner'],
    ]);
    assert.equal(users.find((u) => u.username === 'partner')?.partner, 'Sample Leisure Trust');
    for (const u of out.users.usernames)
      assert.ok(await verifyPassword(ws.engine, u, out.users.password), `${u} signs in with the printed password`);
    assert.equal(await verifyPassword(ws.engine, 'admin', 'wrong password'), null);
  } finally {
    ws.close();
  }
  // The table form says so too.
  const t = await civic('demo', join(tmp.dir, 'demo2.civic'), '--no-serve', '--households', '10000');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /Portal users: admin, analyst, partner, agent \(one per role\), each with the password \S+/);
  assert.match(t.stdout, /civic serve/);
});
