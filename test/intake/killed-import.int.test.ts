import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { smallWorkspace, snapshot, tempDir } from '../helpers/workspace.ts';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

test('an import killed part-way leaves the workspace as it was, and the next import works', async () => {
  const tmp = tempDir();
  try {
    const ws = await smallWorkspace(tmp.dir);
    await importDataset(ws.engine, 'existing', new URL('../fixtures/messy.csv', import.meta.url).pathname);
    const before = await snapshot(ws.engine);
    ws.close();

    const big = join(tmp.dir, 'big.csv');
    const postcodes = ['M15 4AB', 'm15 4ad', 'M1 1AE', 'SW1A 2AA', 'ZZ9 9ZZ', ''];
    const lines = ['ref,postcode,service'];
    for (let i = 0; i < 400_000; i++) lines.push(`R${i},${postcodes[i % postcodes.length]},garden waste`);
    // A blank line sends the file down the row-by-row path, whose progress lets us kill it mid-load.
    lines.splice(1000, 0, '');
    writeFileSync(big, lines.join('\n') + '\n');

    const child = spawn(process.execPath, ['--import', 'tsx', CLI, 'dataset', 'import', join(tmp.dir, 'small.civic'), 'big', big], {
      env: { ...process.env, CIVIC_PROGRESS_LOG: '1' }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let killedDuring = '';
    await new Promise<void>((resolve) => {
      child.stderr.on('data', (d: Buffer) => {
        const m = /progress loading (\d+)\/\d+/.exec(d.toString());
        if (m && Number(m[1]) >= 100_000 && !killedDuring) { killedDuring = m[0]; child.kill('SIGKILL'); }
      });
      child.on('exit', () => resolve());
    });
    assert.ok(killedDuring, 'the import finished before it could be killed');

    const again = await openWorkspace(join(tmp.dir, 'small.civic'));
    try {
      assert.deepEqual(await snapshot(again.engine), before);
      const r = await importDataset(again.engine, 'big', big);
      assert.equal(r.read, 400_000);
      assert.equal(r.matched + r.unmatched + r.rejected, 400_000);
    } finally {
      again.close();
    }
  } finally {
    tmp.cleanup();
  }
});
