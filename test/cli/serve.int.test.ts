import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { FIXTURES, tempDir } from '../helpers/workspace.ts';

const BIN = new URL('../../bin/civic.js', import.meta.url).pathname;
const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { ...process.env, CI: '1', ...env } });

test('civic user add (password from the environment, never the command line) and civic serve answer a real HTTP sign-in', async () => {
  const tmp = tempDir();
  const ws = join(tmp.dir, 'w.civic');
  try {
    assert.equal(run(['init', ws]).status, 0);
    assert.equal(run(['reference', 'import', ws, '--postcodes', FIXTURES + 'postcodes-small.csv']).status, 0);
    const noPassword = run(['user', 'add', ws, 'ann', '--role', 'admin']);
    assert.equal(noPassword.status, 2);
    assert.match(noPassword.stderr, /--password-stdin or --password-env/);
    const short = run(['user', 'add', ws, 'ann', '--role', 'admin', '--password-env', 'PW'], { PW: 'short' });
    assert.equal(short.status, 2);
    const added = run(['user', 'add', ws, 'ann', '--role', 'admin', '--password-env', 'PW', '--format', 'json'], {
      PW: 'a long enough password',
    });
    assert.equal(added.status, 0, added.stderr);
    assert.equal(JSON.parse(added.stdout).role, 'admin');
    const noPartner = run(['user', 'add', ws, 'pat', '--role', 'partner', '--password-env', 'PW'], {
      PW: 'a long enough password',
    });
    assert.equal(noPartner.status, 2);
    assert.match(noPartner.stderr, /partner organisation/);

    const server = spawn(process.execPath, [BIN, 'serve', ws, '--port', '0', '--insecure-cookies'], {
      env: { ...process.env, CI: '1' },
    });
    try {
      const address = await new Promise<string>((resolve, reject) => {
        let err = '';
        server.stderr.on('data', (d) => {
          err += d;
          const m = /running at (http:\/\/[^\s]+)/.exec(err);
          if (m) resolve(m[1]);
        });
        server.on('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
      });
      const login = await fetch(`${address}/login`);
      assert.equal(login.status, 200);
      assert.match(login.headers.get('content-security-policy') ?? '', /default-src 'self'/);
      // The sign-in form's token is bound to the pre-session cookie that comes with it.
      const loginCookie = login.headers.get('set-cookie')!.split(';')[0];
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())![1];
      const signIn = await fetch(`${address}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: loginCookie },
        body: new URLSearchParams({ _csrf: csrf, username: 'ann', password: 'a long enough password' }),
      });
      assert.equal(signIn.status, 303);
      const cookie = /civic_session=[^;]+/.exec(signIn.headers.get('set-cookie') ?? '')![0];
      const home = await fetch(`${address}/`, { headers: { cookie } });
      assert.equal(home.status, 200);
      assert.match(await home.text(), /Workspace overview/);
    } finally {
      server.kill('SIGTERM');
    }
  } finally {
    tmp.cleanup();
  }
});
