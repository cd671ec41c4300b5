import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { smallWorkspace, tempDir, TEST_KEY } from './helpers/workspace.ts';
import { importDataset } from '../src/intake/index.ts';
import { channelMix } from '../src/channels/index.ts';
import { discloseChannelMix } from '../src/outputs/index.ts';
const tmp = tempDir('dbg-');
const ws = await smallWorkspace(tmp.dir);
const H = 'contact_id,customer_ref,request_ref,contact_datetime,channel,service,reason,postcode';
const rows = [H];
for (let i = 0; i < 60; i++) rows.push(`${i},C${i},R${i},2025-01-01 10:00,${i < 30 ? 'phone' : 'web'},S,R,${i < 40 ? 'M15 4AB' : 'SW1A 2AA'}`);
writeFileSync(join(tmp.dir, 'a.csv'), rows.join('\n') + '\n');
await importDataset(ws.engine, 'log', join(tmp.dir, 'a.csv'), { key: TEST_KEY });
for (const byArea of [undefined, 'ward']) {
  const t = await channelMix(ws.engine, { dataset: 'log', byArea });
  console.log(byArea, t.notPlaced, JSON.stringify(t.channels), JSON.stringify(t.groups));
  const d = discloseChannelMix(t, 10, { againstVolumes: true });
  console.log(JSON.stringify(d.groups), JSON.stringify(d.channels));
}
ws.close(); tmp.cleanup();
