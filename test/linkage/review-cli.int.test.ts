/**
 * `civic link review`: the queue in every format, a decision each way with its reason, the errors
 * a person can make, and the clustering that follows the decisions (the hand-worked five records of
 * review.int.test.ts).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, openWorkspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { parseLinkSpec, saveModel } from '../../src/linkage/index.ts';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';
import { PEOPLE_CSV, SPEC } from './review-fixture.ts';

const tmp = tempDir('civic-link-review-cli-');
const WS = join(tmp.dir, 'r.civic');

before(async () => {
  const ws = await createWorkspace(WS);
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE_CSV + '\n');
  await importDataset(ws.engine, 'people', file, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['name', 'dob', 'town'],
  });
  await saveModel(ws.engine, { name: 'people', datasets: ['people'], spec: parseLinkSpec(SPEC) });
  ws.close();
});
after(() => tmp.cleanup());

test('review before predict says to predict first', async () => {
  const r = await civic('link', 'review', WS, '--model', 'people', '--format', 'json');
  assert.equal(r.code, 2);
  assert.equal(JSON.parse(r.stdout).error.code, 'workspace_state');
  assert.match(r.stderr, /civic link predict/);
});

test('the queue as a table, CSV and JSON', async () => {
  assert.equal((await civic('link', 'predict', WS, '--model', 'people')).code, 0);
  const t = await civic('link', 'review', WS, '--model', 'people');
  assert.equal(t.code, 0, t.stderr);
  assert.match(
    t.stdout,
    /3 pairs with match probability from 0\.2 to below 0\.8 \(threshold 0\.5\); 3 to review, 0 accepted, 0 rejected/,
  );
  assert.match(t.stdout, /^ {2}B {2}C {2}1\.42 {2}0\.7273$/m);
  const j = JSON.parse((await civic('link', 'review', WS, '--model', 'people', '--format', 'json')).stdout);
  assert.equal(j.version, 1);
  assert.deepEqual(
    j.items.map((i: { id_l: string; id_r: string }) => i.id_l + i.id_r),
    ['BC', 'AC', 'CD'],
  );
  const out = join(tmp.dir, 'queue.csv');
  const c = await civic('link', 'review', WS, '--model', 'people', '--format', 'csv', '--out', out, '--limit', '2');
  assert.equal(c.code, 0, c.stderr);
  const lines = readFileSync(out, 'utf8').trim().split(/\r?\n/);
  assert.equal(lines[0], 'id_l,id_r,match_weight,match_probability,decision,reason,decided_by,decided_at');
  assert.equal(lines.length, 3);
  assert.match(lines[1], /^B,C,1\.41\d+,0\.727\d+,,,,$/);
});

test('the mistakes a person can make are named, with what to do', async () => {
  const noReason = await civic('link', 'review', WS, '--model', 'people', '--reject', 'B,C', '--format', 'json');
  assert.equal(noReason.code, 2);
  assert.match(JSON.parse(noReason.stdout).error.message, /needs a reason/);
  const both = await civic(
    'link',
    'review',
    WS,
    '--model',
    'people',
    '--accept',
    'B,C',
    '--reject',
    'B,C',
    '--reason',
    'x',
  );
  assert.equal(both.code, 2);
  assert.match(both.stderr, /either --accept or --reject/);
  const one = await civic('link', 'review', WS, '--model', 'people', '--accept', 'B');
  assert.notEqual(one.code, 0);
  assert.match(one.stderr, /two identifiers separated by a comma/);
  const unknown = await civic(
    'link',
    'review',
    WS,
    '--model',
    'people',
    '--accept',
    'A,Q',
    '--reason',
    'same',
    '--format',
    'json',
  );
  assert.equal(unknown.code, 2);
  assert.equal(JSON.parse(unknown.stdout).error.code, 'not_found');
  const help = await civic('link', 'review', '--help');
  assert.match(help.stdout, /--accept <id_l,id_r>/);
  assert.match(help.stdout, /review band/);
});

test('reject B–C and accept D–C: the queue, the clusters and the audit log follow', async () => {
  const rej = await civic(
    'link',
    'review',
    WS,
    '--model',
    'people',
    '--reject',
    'B,C',
    '--reason',
    'different first names',
    '--by',
    'tester',
  );
  assert.equal(rej.code, 0, rej.stderr);
  assert.match(rej.stdout, /Rejected B and C \(match probability 0\.7273\)/);
  const acc = await civic(
    'link',
    'review',
    WS,
    '--model',
    'people',
    '--accept',
    'D,C',
    '--reason',
    'same person',
    '--by',
    'tester',
    '--format',
    'json',
  );
  assert.equal(acc.code, 0, acc.stderr);
  const a = JSON.parse(acc.stdout);
  assert.deepEqual(
    [a.id_l, a.id_r, a.decision, a.reason, a.decidedBy],
    ['C', 'D', 'accepted', 'same person', 'tester'],
  );
  const q = JSON.parse(
    (await civic('link', 'review', WS, '--model', 'people', '--status', 'all', '--format', 'json')).stdout,
  );
  assert.deepEqual(
    q.items.map((i: { id_l: string; id_r: string; decision: string | null }) => [i.id_l + i.id_r, i.decision]),
    [
      ['BC', 'rejected'],
      ['AC', null],
      ['CD', 'accepted'],
    ],
  );
  const cl = JSON.parse((await civic('link', 'clusters', WS, '--model', 'people', '--format', 'json')).stdout);
  const byCluster = new Map<string, string[]>();
  for (const m of cl.members) byCluster.set(m.cluster, [...(byCluster.get(m.cluster) ?? []), m.id]);
  assert.deepEqual([...byCluster.values()].map((g) => g.join('')).sort(), ['AB', 'CD', 'E']);
  assert.deepEqual(cl.decisions, { accepted: 1, rejected: 1, joined: 1, split: 1 });
  const table = await civic('link', 'clusters', WS, '--model', 'people');
  assert.match(
    table.stdout,
    /Following the review: 1 accepted pairs \(1 below the threshold\), 1 rejected \(1 at or above it\)/,
  );
  const again = await civic('link', 'predict', WS, '--model', 'people');
  assert.match(again.stdout, /review decisions: 2 kept/);
  const ws = await openWorkspace(WS);
  try {
    const log = await ws.engine.all<{ action: string; role: string; username: string }>(
      `SELECT action, role, username FROM audit_log WHERE action LIKE 'link review%' ORDER BY logged_at`,
    );
    assert.deepEqual(
      log.map((l) => [l.action, l.role, l.username]),
      [
        ['link review reject', 'command line', 'tester'],
        ['link review accept', 'command line', 'tester'],
      ],
    );
  } finally {
    ws.close();
  }
});
