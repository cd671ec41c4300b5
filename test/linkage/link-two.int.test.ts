/**
 * Linking two datasets (not deduplicating one): FEBRL dataset1 split into its 500 originals and its
 * 500 duplicates, each a dataset of its own, linked; then clusters, and one pair explained.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-link-two-');
after(() => tmp.cleanup());
const data = sharedData('linkage/febrl/dataset1.csv');
const WS = join(tmp.dir, 'two.civic');
const KEEP = 'given_name,surname,street_number,address_1,address_2,suburb,postcode,state,date_of_birth,soc_sec_id';

async function ok(...args: string[]): Promise<string> {
  const r = await civic(...args);
  assert.equal(r.code, 0, `civic ${args.join(' ')}\n${r.stderr}\n${r.stdout.slice(0, 500)}`);
  return r.stdout;
}

before(async () => {
  if (data.skip) return;
  const [header, ...rows] = readFileSync(data.path, 'utf8').trim().split('\n');
  writeFileSync(join(tmp.dir, 'org.csv'), [header, ...rows.filter((r) => r.includes('-org,'))].join('\n') + '\n');
  writeFileSync(join(tmp.dir, 'dup.csv'), [header, ...rows.filter((r) => r.includes('-dup-'))].join('\n') + '\n');
  await ok('init', WS);
  for (const d of ['org', 'dup'])
    await ok(
      'dataset',
      'import',
      WS,
      d,
      join(tmp.dir, `${d}.csv`),
      '--no-postcode',
      '--id-column',
      'rec_id',
      '--keep-in-clear',
      KEEP,
    );
});

test('two datasets linked: every duplicate found in the originals, none wrongly', { skip: data.skip }, async () => {
  const trained = JSON.parse(
    await ok('link', 'train', WS, '--model', 'two', '--datasets', 'org,dup', '--format', 'json'),
  );
  assert.equal(trained.spec.linkType, 'link');
  assert.equal(trained.training.allPairs, 500 * 500);
  const csv = await ok('link', 'predict', WS, '--model', 'two', '--format', 'csv');
  const [head, ...lines] = csv.trim().split('\r\n');
  assert.equal(head, 'id_l,id_r,match_weight,match_probability');
  // Originals on the left, duplicates on the right, by their own identifiers.
  assert.ok(lines.every((l) => /^rec-\d+-org,rec-\d+-dup-\d+,/.test(l)));
  const ev = JSON.parse(await ok('link', 'evaluate', WS, '--model', 'two', '--febrl', '--format', 'json'));
  assert.equal(ev.truePairs, 500);
  assert.ok(ev.best.f1 >= 0.995, `best F1 ${ev.best.f1}`);
  const cl = JSON.parse(await ok('link', 'clusters', WS, '--model', 'two', '--format', 'json'));
  assert.equal(cl.records, 1000);
  // Each original with its one duplicate: 500 clusters of two (or very nearly).
  assert.ok(cl.clusters >= 495 && cl.clusters <= 505, `${cl.clusters} clusters`);
  const member = (id: string) => cl.members.find((m: { id: string }) => m.id === id).cluster;
  const [l, r] = lines[0].split(',');
  assert.equal(member(l), member(r));
  const ex = JSON.parse(await ok('link', 'explain', WS, l, r, '--model', 'two', '--format', 'json'));
  const sum = ex.prior.weight + ex.comparisons.reduce((s: number, c: { total: number }) => s + c.total, 0);
  assert.ok(Math.abs(sum - ex.match_weight) < 1e-9);
  assert.ok(Math.abs(ex.match_weight - Number(lines[0].split(',')[2])) < 1e-6);
  // The explanation names levels, never the records' values.
  const values = readFileSync(join(tmp.dir, 'org.csv'), 'utf8')
    .split('\n')
    .find((x) => x.startsWith(l + ','))!;
  const surname = values.split(',')[2].trim();
  assert.ok(surname.length > 2 && !JSON.stringify(ex).includes(`"${surname}"`));
});
