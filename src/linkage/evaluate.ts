/**
 * Scoring a model's pairs against labelled truth: a column naming each record's true entity (Splink's
 * fake_1000 `cluster`), or FEBRL's identifiers, where rec-<N>-org and rec-<N>-dup-<k> are the same
 * entity N. Pairs are judged at every threshold: precision (share of linked pairs that are true),
 * recall (share of all true pairs linked, those the blocking rules never compared counting as
 * missed), F1, at the model's threshold and at the best one, and the precision–recall curve.
 * The labels are used here only, never in training.
 */
import { z } from 'zod';
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { modelRecordIds } from './cluster.ts';
import type { SavedModel } from './model.ts';
import { hasPairs } from './predict.ts';
import { linkSources } from './records.ts';

export type Truth = { column: string } | { febrl: true };

const Scores = z.object({
  threshold: z.number(),
  match_weight: z.number(),
  precision: z.number(),
  recall: z.number(),
  f1: z.number(),
  truePositives: z.number(),
  falsePositives: z.number(),
  falseNegatives: z.number(),
});
export type Scores = z.infer<typeof Scores>;

export const EvaluationSchema = z.object({
  version: z.literal(1),
  model: z.string(),
  truth: z.string(),
  records: z.number(),
  /** records with no truth label (left out of the scores) */
  unlabelled: z.number(),
  truePairs: z.number(),
  /** true pairs the blocking rules never compared: missed at any threshold */
  truePairsNotBlocked: z.number(),
  scoredPairs: z.number(),
  atThreshold: Scores,
  best: Scores,
  /** the precision–recall curve, from the strictest threshold down */
  curve: z.array(Scores),
});
export type Evaluation = z.infer<typeof EvaluationSchema>;

/** FEBRL's entity from a record identifier: "rec-12-dup-0" → "12"; null when it is not in that form. */
export function febrlEntity(id: string): string | null {
  const m = /^\s*rec-(\d+)-(?:org|dup-\d+)\s*$/.exec(id);
  return m ? m[1] : null;
}

/** Pair scores at each threshold, from a list of (weight, true?) sorted by weight, strongest first. */
export function precisionRecall(
  scored: readonly { weight: number; match: boolean }[],
  truePairs: number,
): { weight: number; tp: number; fp: number }[] {
  const out: { weight: number; tp: number; fp: number }[] = [];
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < scored.length; i++) {
    if (scored[i].match) tp++;
    else fp++;
    if (i === scored.length - 1 || scored[i + 1].weight !== scored[i].weight)
      out.push({ weight: scored[i].weight, tp, fp });
  }
  void truePairs;
  return out;
}

function scoresAt(weight: number, tp: number, fp: number, truePairs: number): Scores {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = truePairs ? tp / truePairs : 0;
  const bf = 2 ** weight;
  return {
    threshold: Number.isFinite(bf) ? bf / (1 + bf) : 1,
    match_weight: weight,
    precision,
    recall,
    f1: precision + recall ? (2 * precision * recall) / (precision + recall) : 0,
    truePositives: tp,
    falsePositives: fp,
    falseNegatives: truePairs - tp,
  };
}

export async function evaluateModel(
  engine: Engine,
  model: SavedModel,
  truth: Truth,
  opts: { threshold?: number; curvePoints?: number } = {},
): Promise<Evaluation> {
  if (!(await hasPairs(engine, model.name)))
    throw new WorkspaceStateError(
      `The model "${model.name}" has no scored pairs yet.`,
      `Score them first: civic link predict WORKSPACE --model ${model.name}`,
    );
  const sources = await linkSources(engine, model.datasets);
  const ids = await modelRecordIds(engine, sources);
  const label = new Map<string, string | null>();
  if ('column' in truth) {
    for (const [src, s] of sources.entries()) {
      const col =
        s.columns.find((c) => c === truth.column) ??
        s.columns.find((c) => c.toLowerCase() === truth.column.toLowerCase());
      if (!col)
        throw new ParameterError(
          `The dataset ${s.dataset} has no column "${truth.column}" to take the truth from.`,
          `Columns: ${s.columns.join(', ')}.`,
        );
      const id = s.idColumn ? `CAST(${ident(s.idColumn)} AS VARCHAR)` : 'CAST(_row AS VARCHAR)';
      const rows = await engine.all<{ id: string; t: string | null }>(
        `SELECT ${id} AS id, nullif(trim(CAST(${ident(col)} AS VARCHAR)), '') AS t FROM ${ident(s.table)} WHERE _status IS DISTINCT FROM 'rejected'`,
      );
      for (const r of rows) label.set(`${src}\u0000${r.id}`, r.t);
    }
  } else {
    for (const r of ids) label.set(`${r.src}\u0000${r.id}`, febrlEntity(r.id));
  }
  // True pairs: within one dataset, every pair of records of an entity; between two, each of one with each of the other.
  const perEntity = new Map<string, [number, number]>();
  let unlabelled = 0;
  for (const r of ids) {
    const t = label.get(`${r.src}\u0000${r.id}`);
    if (t === null || t === undefined) {
      unlabelled++;
      continue;
    }
    const e = perEntity.get(t) ?? [0, 0];
    e[r.src]++;
    perEntity.set(t, e);
  }
  if (unlabelled === ids.length)
    throw new ParameterError(
      'No record has a truth label.',
      'truth' in truth || 'column' in truth
        ? 'Name the column that holds each record’s true entity with --truth-column.'
        : 'FEBRL identifiers look like rec-12-org and rec-12-dup-0: import with --id-column rec_id.',
    );
  const link = model.spec.linkType === 'link';
  let truePairs = 0;
  for (const [a, b] of perEntity.values()) truePairs += link ? a * b : (a * (a - 1)) / 2;
  const srcR = link ? 1 : 0;
  const rows = await engine.all<{ id_l: string; id_r: string; w: number }>(
    `SELECT id_l, id_r, match_weight AS w FROM link_pair WHERE model = $1 ORDER BY match_weight DESC`,
    [model.name],
  );
  const scored: { weight: number; match: boolean }[] = [];
  for (const r of rows) {
    const a = label.get(`0\u0000${r.id_l}`);
    const b = label.get(`${srcR}\u0000${r.id_r}`);
    if (a === null || a === undefined || b === null || b === undefined) continue;
    scored.push({ weight: r.w, match: a === b });
  }
  const steps = precisionRecall(scored, truePairs);
  const blockedTrue = scored.filter((s) => s.match).length;
  const all = steps.map((s) => scoresAt(s.weight, s.tp, s.fp, truePairs));
  const threshold = opts.threshold ?? model.spec.threshold;
  const thresholdWeight = Math.log2(threshold / (1 - threshold));
  const at = [...steps].reverse().find((s) => s.weight >= thresholdWeight);
  const atThreshold = at
    ? { ...scoresAt(at.weight, at.tp, at.fp, truePairs), threshold, match_weight: thresholdWeight }
    : { ...scoresAt(thresholdWeight, 0, 0, truePairs), threshold };
  const best = all.reduce((b, s) => (s.f1 > b.f1 ? s : b), all[0] ?? scoresAt(0, 0, 0, truePairs));
  const points = opts.curvePoints ?? 100;
  const stride = Math.max(1, Math.ceil(all.length / points));
  const curve = all.filter((_, i) => i % stride === 0 || i === all.length - 1);
  return {
    version: 1,
    model: model.name,
    truth: 'column' in truth ? `column ${truth.column}` : 'FEBRL identifiers (rec-N-org, rec-N-dup-k)',
    records: ids.length,
    unlabelled,
    truePairs,
    truePairsNotBlocked: truePairs - blockedTrue,
    scoredPairs: scored.length,
    atThreshold,
    best,
    curve,
  };
}
