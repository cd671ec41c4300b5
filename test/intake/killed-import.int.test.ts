import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openWorkspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { smallWorkspace, snapshot, tempDir, TEST_KEY } from '../helpers/workspace.ts';

const CLI = new URL('../../src/cli/main.ts', import.meta.url).pathname;

// Killed once while loading rows (outside the transaction) and once inside the transaction
// (held open by the fault-injection pause), on the row-by-row path and on DuckDB's fast path.
const CASES = [
  {
    label: 'while loading rows (row-by-row path)',
    blankLine: true,
    killAt: /progress loading (\d+)\/\d+/,
    min: 100_000,
  },
  { label: 'inside the transaction (row-by-row path)', blankLine: true, killAt: /progress matching/, min: 0 },
  { label: 'inside the transaction (fast path)', blankLine: false, killAt: /progress matching/, min: 0 },
];

for (const c of CASES) {
  test(`an import killed ${c.label} leaves the workspace as it was, and the next import works`, async () => {
    const tmp = tempDir();
    try {
      const ws = await smallWorkspace(tmp.dir);
      await importDataset(ws.engine, 'existing', new URL('../fixtures/messy.csv', import.meta.url).pathname, {
        key: TEST_KEY,
      });
      const before = await snapshot(ws.engine);
      ws.close();

      const big = join(tmp.dir, 'big.csv');
      const postcodes = ['M15 4AB', 'm15 4ad', 'M1 1AE', 'SW1A 2AA', 'ZZ9 9ZZ', ''];
      const lines = ['ref,postcode,service'];
      for (let i = 0; i < 400_000; i++) lines.push(`R${i},${postcodes[i % postcodes.length]},garden waste`);
      // A blank line sends the file down the row-by-row path.
      if (c.blankLine) lines.splice(1000, 0, '');
      writeFileSync(big, lines.join('\n') + '\n');

      const child = spawn(
        process.execPath,
        ['--import', 'tsx', CLI, 'dataset', 'import', join(tmp.dir, 'small.civic'), 'big', big],
        {
          env: { ...process.env, CIVIC_PROGRESS_LOG: '1', CIVIC_FAULT_PAUSE_MS: '20000' },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let killedAt = '';
      await new Promise<void>((resolve) => {
        child.stderr.on('data', (d: Buffer) => {
          const m = c.killAt.exec(d.toString());
          if (m && Number(m[1] ?? 0) >= c.min && !killedAt) {
            killedAt = m[0];
            child.kill('SIGKILL');
          }
        });
        child.on('exit', () => resolve());
      });
      assert.ok(killedAt, 'the import finished before it could be killed');

      const again = await openWorkspace(join(tmp.dir, 'small.civic'));
      try {
        assert.deepEqual(await snapshot(again.engine), before);
        const r = await importDataset(again.engine, 'big', big, { key: TEST_KEY });
        assert.equal(r.read, 400_000);
        assert.equal(r.matched + r.unmatched + r.rejected, 400_000);
      } finally {
        again.close();
      }
    } finally {
      tmp.cleanup();
    }
  });
}
