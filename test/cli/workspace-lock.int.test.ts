/**
 * A workspace held open by another process (the portal) makes a command fail with who holds it and
 * what to do, not "check the path points to a workspace made by civic init" (issue 12, point 7).
 * The holder is a real second process: it opens the workspace, records itself as `civic serve` does
 * (WORKSPACE.lock beside it), and removes the record when it ends.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { once } from 'node:events';
import { createWorkspace, lockFileFor } from '../../src/store/index.ts';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-lock-');
after(() => tmp.cleanup());

const STORE = new URL('../../src/store/index.ts', import.meta.url).href;

/** Starts a process holding the workspace; with `record`, it writes the lock file as the portal does. */
async function holder(ws: string, record: boolean): Promise<ChildProcess> {
  const script = `
    const { openWorkspace, holdWorkspace } = await import(${JSON.stringify(STORE)});
    const ws = await openWorkspace(${JSON.stringify(ws)});
    ${record ? `holdWorkspace(ws, 'the portal (civic serve)', 'http://127.0.0.1:8080');` : ''}
    process.on('SIGTERM', () => { ws.close(); process.exit(0); });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let seen = '';
  for await (const chunk of child.stdout!) {
    seen += String(chunk);
    if (seen.includes('ready')) break;
  }
  assert.match(seen, /ready/);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const ended = once(child, 'exit');
  child.kill('SIGTERM');
  await ended;
}

test('a command on a workspace the portal holds names the portal, its PID and what to do', async () => {
  const path = join(tmp.dir, 'held.civic');
  (await createWorkspace(path)).close();
  const child = await holder(path, true);
  try {
    assert.ok(existsSync(lockFileFor(path)));
    const r = await civic('dataset', 'list', path);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, new RegExp(`open in another process: the portal \\(civic serve\\), PID ${child.pid}`));
    assert.match(r.stderr, /stop the portal first/);
    assert.match(r.stderr, /Do this in the portal \(http:\/\/127\.0\.0\.1:8080\)/);
    assert.doesNotMatch(r.stderr, /made by civic init/);
    // JSON errors say the same, with the code.
    const j = await civic('dataset', 'list', path, '--format', 'json');
    assert.match(j.stdout, /workspace_in_use/);
  } finally {
    await stop(child);
  }
  assert.ok(!existsSync(lockFileFor(path)), 'the portal removes its lock file when it ends');
  const again = await civic('dataset', 'list', path);
  assert.equal(again.code, 0, again.stderr);
});

test('a workspace held by a process that left no record still says another process has it open', async () => {
  const path = join(tmp.dir, 'plain.civic');
  (await createWorkspace(path)).close();
  const child = await holder(path, false);
  try {
    const r = await civic('dataset', 'list', path);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /is open in another process/);
    assert.match(r.stderr, /if it is the portal, civic serve, stop it/);
    assert.doesNotMatch(r.stderr, /made by civic init/);
  } finally {
    await stop(child);
  }
});
