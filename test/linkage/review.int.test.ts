/**
 * The clerical review band, worked by hand: five records whose pairs' weights are whole numbers of
 * bits, a chain A–B–C that rejecting B–C splits, a pair below the threshold that accepting joins,
 * and a re-prediction that keeps the decisions on the pairs it scores again.
 *
 * Three comparisons (name, dob, town), each exact (m 0.8, u 0.2: +2 bits) or else (m 0.2, u 0.8:
 * −2 bits), a missing value adding nothing; λ = 0.4 (log2(0.4/0.6) = −0.585 bits).
 *   A ann 1990 (no town)   B ann 1990 leeds   C bob 1990 leeds   D bob 1985 (no town)   E cat 1970 york
 *   A–B: +2 +2 0 → 3.415 bits, p 0.914      B–C: −2 +2 +2 → 1.415, p 0.727
 *   A–C: −2 +2 0 → −0.585, p 0.4            C–D: +2 −2 0 → −0.585, p 0.4
 *   every other pair has at least two disagreements and no more than one agreement: p ≤ 0.143.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import {
  clusterModel,
  decidePair,
  explainPairs,
  getModel,
  pairRecords,
  parseLinkSpec,
  predictModel,
  reviewBand,
  reviewQueue,
  saveModel,
} from '../../src/linkage/index.ts';
import { NotFoundError, ParameterError } from '../../src/core/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { PEOPLE_CSV, SPEC } from './review-fixture.ts';

const tmp = tempDir('civic-link-review-');
let ws: Workspace;
const by = { username: 'alan', role: 'analyst' };

before(async () => {
  ws = await createWorkspace(join(tmp.dir, 'r.civic'));
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE_CSV + '\n');
  await importDataset(ws.engine, 'people', file, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['name', 'dob', 'town'],
  });
  await saveModel(ws.engine, { name: 'people', datasets: ['people'], spec: parseLinkSpec(SPEC) });
});
after(() => {
  ws.close();
  tmp.cleanup();
});

const close = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1e-9, `${what}: ${a} vs ${b}`);
const p = (w: number) => 2 ** w / (1 + 2 ** w);
const groups = (r: Awaited<ReturnType<typeof clusterModel>>) => {
  const by = new Map<string, string[]>();
  for (const m of r.members) by.set(m.cluster, [...(by.get(m.cluster) ?? []), m.id]);
  return [...by.values()].map((g) => g.sort().join('')).sort();
};

test('the review band: 0.2 to 0.8 by default, widened to take in the threshold; a band is checked', () => {
  assert.deepEqual(reviewBand(parseLinkSpec(SPEC)), { low: 0.2, high: 0.8 });
  assert.deepEqual(reviewBand(parseLinkSpec({ ...SPEC, threshold: 0.9 })), { low: 0.2, high: 0.95 });
  assert.deepEqual(reviewBand(parseLinkSpec({ ...SPEC, threshold: 0.1 })), { low: 0.1, high: 0.8 });
  assert.deepEqual(reviewBand(parseLinkSpec({ ...SPEC, review: { low: 0.3, high: 0.6 } })), { low: 0.3, high: 0.6 });
  assert.throws(() => parseLinkSpec({ ...SPEC, review: { low: 0.6, high: 0.3 } }), /low end \(0\.6\) must be below/);
  assert.throws(
    () => parseLinkSpec({ ...SPEC, threshold: 0.9, review: { low: 0.3, high: 0.6 } }),
    /must take in the threshold 0\.9/,
  );
  assert.throws(() => parseLinkSpec({ ...SPEC, review: { low: 0, high: 0.6 } }), ParameterError);
  assert.throws(() => parseLinkSpec({ ...SPEC, review: { low: 0.2, high: 0.6, extra: 1 } }), ParameterError);
});

test('predict scores the pairs as worked by hand; the queue holds the three in the band, most likely first', async () => {
  const model = await getModel(ws.engine, 'people');
  const r = await predictModel(ws.engine, model);
  assert.equal(r.pairs, 10);
  assert.deepEqual(r.reviews, { kept: 0, dropped: 0 });
  const q = await reviewQueue(ws.engine, model);
  assert.equal(q.version, 1);
  assert.deepEqual(q.band, { low: 0.2, high: 0.8 });
  assert.deepEqual(
    q.items.map((i) => `${i.id_l}${i.id_r}`),
    ['BC', 'AC', 'CD'],
  );
  const prior = Math.log2(0.4 / 0.6);
  close(q.items[0].match_weight, prior + 2, 'B–C weight');
  close(q.items[0].match_probability, p(prior + 2), 'B–C probability');
  close(q.items[1].match_probability, 0.4, 'A–C probability');
  close(q.items[2].match_probability, 0.4, 'C–D probability');
  assert.deepEqual([q.inBand, q.undecided, q.accepted, q.rejected, q.matching], [3, 3, 0, 0, 3]);
  assert.ok(q.items.every((i) => i.decision === null));
  // Paging: one at a time, second page.
  const page = await reviewQueue(ws.engine, model, { limit: 1, offset: 1 });
  assert.deepEqual(
    page.items.map((i) => `${i.id_l}${i.id_r}`),
    ['AC'],
  );
  assert.equal(page.matching, 3);
});

test('the chain A–B–C clusters together; rejecting B–C splits it; accepting C–D (below the threshold) joins D to C', async () => {
  const model = await getModel(ws.engine, 'people');
  const before = await clusterModel(ws.engine, model);
  assert.equal(before.version, 2);
  assert.deepEqual(groups(before), ['ABC', 'D', 'E']);
  assert.deepEqual(before.decisions, { accepted: 0, rejected: 0, joined: 0, split: 0 });

  const rej = await decidePair(ws.engine, model, {
    idL: 'B',
    idR: 'C',
    decision: 'reject',
    reason: '  different first names,   same address ',
    by,
  });
  assert.equal(rej.decision, 'rejected');
  assert.equal(rej.reason, 'different first names, same address');
  assert.equal(rej.previous, null);
  const split = await clusterModel(ws.engine, model);
  assert.deepEqual(groups(split), ['AB', 'C', 'D', 'E']);
  assert.deepEqual(split.decisions, { accepted: 0, rejected: 1, joined: 0, split: 1 });

  // Named the other way round: duplicates within one dataset are one pair either way.
  const acc = await decidePair(ws.engine, model, {
    idL: 'D',
    idR: 'C',
    decision: 'accepted',
    reason: 'same person, date of birth keyed wrongly',
    by,
  });
  assert.deepEqual([acc.id_l, acc.id_r, acc.decision], ['C', 'D', 'accepted']);
  close(acc.match_probability, 0.4, 'C–D probability when decided');
  const joined = await clusterModel(ws.engine, model);
  assert.deepEqual(groups(joined), ['AB', 'CD', 'E']);
  assert.deepEqual(joined.decisions, { accepted: 1, rejected: 1, joined: 1, split: 1 });
  // At a threshold of 0.3, A–C (0.4) links A, B and C again, though B–C itself is still rejected.
  assert.deepEqual(groups(await clusterModel(ws.engine, model, { threshold: 0.3 })), ['ABCD', 'E']);

  // The queue now shows one undecided pair, and the decisions on the others.
  const q = await reviewQueue(ws.engine, model);
  assert.deepEqual(
    q.items.map((i) => `${i.id_l}${i.id_r}`),
    ['AC'],
  );
  assert.deepEqual([q.undecided, q.accepted, q.rejected], [1, 1, 1]);
  const decided = await reviewQueue(ws.engine, model, { status: 'decided' });
  assert.deepEqual(
    decided.items.map((i) => [i.id_l + i.id_r, i.decision, i.decidedBy]),
    [
      ['BC', 'rejected', 'alan'],
      ['CD', 'accepted', 'alan'],
    ],
  );
  // Each decision is in the audit log, naming the pair and never the records' values or the reason.
  const log = await ws.engine.all<{ action: string; detail: string; username: string }>(
    `SELECT action, detail, username FROM audit_log WHERE action LIKE 'link review%' ORDER BY logged_at`,
  );
  assert.deepEqual(
    log.map((l) => [l.action, l.detail, l.username]),
    [
      ['link review reject', 'model=people id_l=B id_r=C', 'alan'],
      ['link review accept', 'model=people id_l=C id_r=D', 'alan'],
    ],
  );
});

test('a decision needs a reason and a scored pair; deciding again replaces the decision', async () => {
  const model = await getModel(ws.engine, 'people');
  await assert.rejects(
    decidePair(ws.engine, model, { idL: 'A', idR: 'C', decision: 'accept', reason: '   ', by }),
    /needs a reason/,
  );
  await assert.rejects(
    decidePair(ws.engine, model, { idL: 'A', idR: 'C', decision: 'maybe', reason: 'x', by }),
    /is not a decision/,
  );
  await assert.rejects(
    decidePair(ws.engine, model, { idL: 'A', idR: 'C', decision: 'accept', reason: 'x'.repeat(501), by }),
    /501 characters long/,
  );
  await assert.rejects(
    decidePair(ws.engine, model, { idL: 'A', idR: 'Z', decision: 'accept', reason: 'same', by }),
    NotFoundError,
  );
  const again = await decidePair(ws.engine, model, {
    idL: 'B',
    idR: 'C',
    decision: 'reject',
    reason: 'checked again: different people',
    by,
  });
  assert.equal(again.previous, 'rejected');
  const n = await ws.engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM link_review WHERE model = 'people' AND id_l = 'B' AND id_r = 'C'`,
  );
  assert.equal(n!.n, 1);
});

test('the records side by side and the levels of each queued pair', async () => {
  const model = await getModel(ws.engine, 'people');
  const recs = await pairRecords(ws.engine, model, [
    { id_l: 'B', id_r: 'C' },
    { id_l: 'A', id_r: 'Z' },
  ]);
  assert.equal(recs.length, 1);
  assert.deepEqual(recs[0].columns, [
    { column: 'name', left: 'ann', right: 'bob' },
    { column: 'dob', left: '1990', right: '1990' },
    { column: 'town', left: 'leeds', right: 'leeds' },
    { column: 'grp', left: 'x', right: 'x' },
  ]);
  const ex = await explainPairs(ws.engine, model, [
    { id_l: 'A', id_r: 'C' },
    { id_l: 'B', id_r: 'C' },
  ]);
  assert.deepEqual(
    ex.map((e) => e.comparisons.map((c) => c.total)),
    [
      [-2, 2, 0],
      [-2, 2, 2],
    ],
  );
  assert.deepEqual(
    ex[0].comparisons.map((c) => c.label),
    ['all other comparisons', 'exact match', 'town missing'],
  );
});

test('a re-prediction keeps the decisions on pairs it scores again and drops the others', async () => {
  const model = await getModel(ws.engine, 'people');
  const same = await predictModel(ws.engine, model);
  assert.deepEqual(same.reviews, { kept: 2, dropped: 0 });
  assert.deepEqual(groups(await clusterModel(ws.engine, model)), ['AB', 'CD', 'E']);
  // Keeping only pairs at least 0.5 likely, C–D (0.4) is no longer scored: its acceptance goes.
  const fewer = await predictModel(ws.engine, model, { minProbability: 0.5 });
  assert.deepEqual(fewer.reviews, { kept: 1, dropped: 1 });
  const r = await clusterModel(ws.engine, model);
  assert.deepEqual(groups(r), ['AB', 'C', 'D', 'E']);
  assert.deepEqual(r.decisions, { accepted: 0, rejected: 1, joined: 0, split: 1 });
});

test('a pair decided outside the band is counted, and listed with the decisions', async () => {
  const model = await getModel(ws.engine, 'people');
  await predictModel(ws.engine, model);
  await decidePair(ws.engine, model, { idL: 'A', idR: 'E', decision: 'accept', reason: 'known to the service', by });
  const q = await reviewQueue(ws.engine, model, { status: 'decided' });
  assert.equal(q.decidedOutsideBand, 1);
  assert.deepEqual(
    q.items.map((i) => [i.id_l + i.id_r, i.decision]),
    [
      ['BC', 'rejected'],
      ['AE', 'accepted'],
    ],
  );
  assert.equal(q.matching, 2);
  assert.deepEqual(groups(await clusterModel(ws.engine, model)), ['ABE', 'C', 'D']);
});
