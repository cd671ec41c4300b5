/**
 * A postcode directory that lists a postcode more than once (ONSPD does, when a postcode was
 * re-used): one row is kept for each, the live one over a terminated one, and the duplicates are
 * counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { importPostcodes } from '../../src/reference/index.ts';
import { createWorkspace } from '../../src/store/index.ts';
import { tempDir } from '../helpers/workspace.ts';

test('a postcode listed twice is imported once, its live row kept; the duplicates are counted', async () => {
  const tmp = tempDir();
  const ws = await createWorkspace(join(tmp.dir, 'd.civic'));
  try {
    const file = join(tmp.dir, 'directory.csv');
    writeFileSync(
      file,
      [
        'pcds,doterm,lat,long,oa21cd,osward',
        'M15 4AB,201001,53.46,-2.26,E00000009,E05000009',
        'M15 4AB,,53.465578,-2.26046,E00000001,E05000001',
        'M15 4AD,,53.464903,-2.260757,E00000001,E05000001',
        'M15 4AD,200501,53.4,-2.2,E00000008,E05000008',
        'M15 4AE,199901,53.464,-2.261,E00000002,E05000001',
        'M15 4AF,,53.463,-2.262,E00000002,E05000001',
      ].join('\n') + '\n',
    );
    const r = await importPostcodes(ws.engine, file);
    assert.deepEqual(
      { read: r.read, imported: r.imported, duplicates: r.duplicates, live: r.live, terminated: r.terminated },
      { read: 6, imported: 4, duplicates: 2, live: 3, terminated: 1 },
    );
    const rows = await ws.engine.all(`SELECT pc_key, status, oa21, ward FROM postcode ORDER BY pc_key`);
    assert.deepEqual(rows, [
      { pc_key: 'M154AB', status: 'live', oa21: 'E00000001', ward: 'E05000001' },
      { pc_key: 'M154AD', status: 'live', oa21: 'E00000001', ward: 'E05000001' },
      { pc_key: 'M154AE', status: 'terminated', oa21: 'E00000002', ward: 'E05000001' },
      { pc_key: 'M154AF', status: 'live', oa21: 'E00000002', ward: 'E05000001' },
    ]);
  } finally {
    ws.close();
    tmp.cleanup();
  }
});
