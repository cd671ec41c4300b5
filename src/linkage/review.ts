/**
 * Clerical review: the pairs a model is least sure of (match probability in its review band) are
 * queued for an analyst, who accepts or rejects each with a reason. Decisions are saved with who
 * made them and when, audit-logged in the same transaction, and used by the next clustering: an
 * accepted pair links whatever its probability; a rejected pair never links directly (its records
 * may still meet through other pairs). A prediction keeps the decisions on the pairs it scores
 * again and drops the others (predict.ts).
 *
 * Nothing here knows who may see what: the server and the CLI decide that before they call.
 */
import { z } from 'zod';
import { NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import type { SavedModel } from './model.ts';
import { commonColumns, linkSources, type LinkSource } from './records.ts';
import { reviewBand, specColumns } from './spec.ts';

export const REVIEW_RESULT_VERSION = 1;
export const DECISIONS = ['accepted', 'rejected'] as const;
export type Decision = (typeof DECISIONS)[number];
/** The longest reason kept. */
export const MAX_REASON = 500;

export const ReviewItemSchema = z.object({
  id_l: z.string(),
  id_r: z.string(),
  match_weight: z.number(),
  match_probability: z.number(),
  decision: z.enum(DECISIONS).nullable().describe('null: not decided yet'),
  reason: z.string().nullable(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string().nullable(),
});
export type ReviewItem = z.infer<typeof ReviewItemSchema>;

export const ReviewQueueSchema = z.object({
  version: z.literal(REVIEW_RESULT_VERSION),
  model: z.string(),
  /** pairs with low ≤ match probability < high are reviewed */
  band: z.object({ low: z.number(), high: z.number() }),
  threshold: z.number(),
  /** which items are listed: the band's undecided pairs, every decided pair (in the band or not), or the whole band */
  status: z.enum(['undecided', 'decided', 'all']),
  /** pairs in the band, and how many of them are decided each way */
  inBand: z.number(),
  undecided: z.number(),
  accepted: z.number(),
  rejected: z.number(),
  /** decisions on pairs outside the band (decided from an explanation, say) */
  decidedOutsideBand: z.number(),
  /** items matching the status, before offset and limit */
  matching: z.number(),
  offset: z.number(),
  items: z.array(ReviewItemSchema),
});
export type ReviewQueue = z.infer<typeof ReviewQueueSchema>;

export const ReviewDecisionSchema = z.object({
  version: z.literal(REVIEW_RESULT_VERSION),
  model: z.string(),
  id_l: z.string(),
  id_r: z.string(),
  decision: z.enum(DECISIONS),
  reason: z.string(),
  decidedBy: z.string().nullable(),
  decidedAt: z.string(),
  match_probability: z.number(),
  /** the decision this one replaced, if any */
  previous: z.enum(DECISIONS).nullable(),
});
export type ReviewDecision = z.infer<typeof ReviewDecisionSchema>;

/** Who decides: for the saved decision and the audit log. */
export interface Decider {
  username: string | null;
  role: string;
  ip?: string | null;
}

/** "accept" / "accepted" / "reject" / "rejected" → the stored word. */
export function parseDecision(v: string): Decision {
  const s = v.trim().toLowerCase();
  if (s === 'accept' || s === 'accepted') return 'accepted';
  if (s === 'reject' || s === 'rejected') return 'rejected';
  throw new ParameterError(`"${v}" is not a decision.`, 'Accept or reject the pair.');
}

/** A reason as saved: trimmed, not empty, at most MAX_REASON characters. */
export function checkReason(reason: string | undefined | null): string {
  const r = (reason ?? '').replace(/\s+/g, ' ').trim();
  if (!r)
    throw new ParameterError(
      'A decision needs a reason.',
      'Say why, in a few words (e.g. "same date of birth, surname misspelt").',
    );
  if (r.length > MAX_REASON)
    throw new ParameterError(`The reason is ${r.length} characters long.`, `Keep it to ${MAX_REASON} characters.`);
  return r;
}

async function requirePairs(engine: Engine, model: SavedModel): Promise<void> {
  if (!(await engine.one(`SELECT 1 AS x FROM link_pair WHERE model = $1 LIMIT 1`, [model.name])))
    throw new WorkspaceStateError(
      `The model "${model.name}" has no scored pairs yet.`,
      `Score them first: civic link predict WORKSPACE --model ${model.name}`,
    );
}

/** The review queue of a model: the pairs in its band, most likely first, with any decision on each. */
export async function reviewQueue(
  engine: Engine,
  model: SavedModel,
  opts: { status?: ReviewQueue['status']; offset?: number; limit?: number } = {},
): Promise<ReviewQueue> {
  await requirePairs(engine, model);
  const band = reviewBand(model.spec);
  const status = opts.status ?? 'undecided';
  const offset = Math.max(0, Math.trunc(opts.offset ?? 0));
  const limit = opts.limit === undefined ? null : Math.max(0, Math.trunc(opts.limit));
  const inBand = `p.match_probability >= $2 AND p.match_probability < $3`;
  const joined = `link_pair p LEFT JOIN link_review d ON d.model = p.model AND d.id_l = p.id_l AND d.id_r = p.id_r`;
  const counts = (await engine.one<Record<string, number>>(
    `SELECT count(*) FILTER (WHERE ${inBand})::BIGINT AS in_band,
       count(*) FILTER (WHERE ${inBand} AND d.decision IS NULL)::BIGINT AS undecided,
       count(*) FILTER (WHERE ${inBand} AND d.decision = 'accepted')::BIGINT AS accepted,
       count(*) FILTER (WHERE ${inBand} AND d.decision = 'rejected')::BIGINT AS rejected,
       count(*) FILTER (WHERE NOT (${inBand}) AND d.decision IS NOT NULL)::BIGINT AS outside
     FROM ${joined} WHERE p.model = $1`,
    [model.name, band.low, band.high],
  ))!;
  // Decided: every decision, in the band or not (a pair decided from its explanation, say).
  const where =
    status === 'undecided'
      ? `${inBand} AND d.decision IS NULL`
      : status === 'decided'
        ? `d.decision IS NOT NULL`
        : inBand;
  const rows = await engine.all<{
    id_l: string;
    id_r: string;
    match_weight: number;
    match_probability: number;
    decision: Decision | null;
    reason: string | null;
    decided_by: string | null;
    decided_at: string | null;
  }>(
    `SELECT p.id_l, p.id_r, p.match_weight, p.match_probability, d.decision, d.reason, d.decided_by, d.decided_at
     FROM ${joined} WHERE p.model = $1 AND ${where}
     ORDER BY p.match_weight DESC, p.id_l, p.id_r${limit === null ? '' : ` LIMIT ${limit}`} OFFSET ${offset}`,
    status === 'decided' ? [model.name] : [model.name, band.low, band.high],
  );
  const matching =
    status === 'undecided'
      ? counts.undecided
      : status === 'decided'
        ? counts.accepted + counts.rejected + counts.outside
        : counts.in_band;
  return {
    version: REVIEW_RESULT_VERSION,
    model: model.name,
    band,
    threshold: model.spec.threshold,
    status,
    inBand: counts.in_band,
    undecided: counts.undecided,
    accepted: counts.accepted,
    rejected: counts.rejected,
    decidedOutsideBand: counts.outside,
    matching,
    offset,
    items: rows.map((r) => ({
      id_l: r.id_l,
      id_r: r.id_r,
      match_weight: r.match_weight,
      match_probability: r.match_probability,
      decision: r.decision,
      reason: r.reason,
      decidedBy: r.decided_by,
      decidedAt: r.decided_at,
    })),
  };
}

/**
 * A scored pair of the model as it is saved: (idL, idR), or for duplicates within one dataset
 * either way round. Null when the last prediction did not score it.
 */
export async function findPair(
  engine: Engine,
  model: SavedModel,
  idL: string,
  idR: string,
): Promise<{ id_l: string; id_r: string; match_weight: number; match_probability: number } | null> {
  const either = model.spec.linkType === 'dedupe' ? ' OR (id_l = $3 AND id_r = $2)' : '';
  const row = await engine.one<{ id_l: string; id_r: string; match_weight: number; match_probability: number }>(
    `SELECT id_l, id_r, match_weight, match_probability FROM link_pair WHERE model = $1 AND ((id_l = $2 AND id_r = $3)${either}) LIMIT 1`,
    [model.name, idL, idR],
  );
  return row ?? null;
}

/** Accepts or rejects one scored pair, with a reason; replaces any earlier decision on it; audit-logged. */
export async function decidePair(
  engine: Engine,
  model: SavedModel,
  d: { idL: string; idR: string; decision: Decision | string; reason: string; by: Decider },
): Promise<ReviewDecision> {
  const decision = parseDecision(d.decision);
  const reason = checkReason(d.reason);
  await requirePairs(engine, model);
  const pair = await findPair(engine, model, d.idL.trim(), d.idR.trim());
  if (!pair)
    throw new NotFoundError(
      `The last prediction of "${model.name}" did not score a pair with those two identifiers.`,
      `Decide on a pair from the review queue (civic link review WORKSPACE --model ${model.name}), naming id_l then id_r.`,
    );
  const at = new Date().toISOString();
  const previous = await engine.transaction(async () => {
    const old = await engine.one<{ decision: Decision }>(
      `SELECT decision FROM link_review WHERE model = $1 AND id_l = $2 AND id_r = $3`,
      [model.name, pair.id_l, pair.id_r],
    );
    await engine.run(`DELETE FROM link_review WHERE model = $1 AND id_l = $2 AND id_r = $3`, [
      model.name,
      pair.id_l,
      pair.id_r,
    ]);
    await engine.run(`INSERT INTO link_review VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
      model.name,
      pair.id_l,
      pair.id_r,
      decision,
      reason,
      d.by.username,
      at,
      pair.match_probability,
    ]);
    // The audit log names the pair by its identifiers, never a value of the records; the reason is
    // kept with the decision.
    await engine.run(`INSERT INTO audit_log VALUES ($1, $2, $3, $4, $5, $6)`, [
      at,
      d.by.username,
      d.by.role,
      `link review ${decision === 'accepted' ? 'accept' : 'reject'}`,
      `model=${model.name} id_l=${pair.id_l} id_r=${pair.id_r}${old ? ` replacing=${old.decision}` : ''}`,
      d.by.ip ?? null,
    ]);
    return old?.decision ?? null;
  });
  return {
    version: REVIEW_RESULT_VERSION,
    model: model.name,
    id_l: pair.id_l,
    id_r: pair.id_r,
    decision,
    reason,
    decidedBy: d.by.username,
    decidedAt: at,
    match_probability: pair.match_probability,
    previous,
  };
}

/** After a prediction: the decisions on pairs it no longer scores are dropped (run inside its transaction). */
export async function keepDecisions(engine: Engine, model: string): Promise<{ kept: number; dropped: number }> {
  const before = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM link_review WHERE model = $1`, [
    model,
  ]))!.n;
  await engine.run(
    `DELETE FROM link_review d WHERE d.model = $1 AND NOT EXISTS (SELECT 1 FROM link_pair p WHERE p.model = d.model AND p.id_l = d.id_l AND p.id_r = d.id_r)`,
    [model],
  );
  const after = (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM link_review WHERE model = $1`, [
    model,
  ]))!.n;
  return { kept: after, dropped: before - after };
}

/** The SQL of the pairs that link at a threshold, decisions applied: accepted always, rejected never. */
export function linkedPairsSql(): string {
  return `SELECT p.id_l, p.id_r, p.match_probability, d.decision FROM link_pair p
    LEFT JOIN link_review d ON d.model = p.model AND d.id_l = p.id_l AND d.id_r = p.id_r
    WHERE p.model = $1 AND ((p.match_probability >= $2 AND d.decision IS DISTINCT FROM 'rejected') OR d.decision = 'accepted')`;
}

/** How many decisions a clustering at a threshold followed, and how many changed what it would have done. */
export async function decisionCounts(
  engine: Engine,
  model: string,
  threshold: number,
): Promise<{ accepted: number; rejected: number; joined: number; split: number }> {
  return (await engine.one(
    `SELECT count(*) FILTER (WHERE d.decision = 'accepted')::BIGINT AS accepted,
       count(*) FILTER (WHERE d.decision = 'rejected')::BIGINT AS rejected,
       count(*) FILTER (WHERE d.decision = 'accepted' AND p.match_probability < $2)::BIGINT AS joined,
       count(*) FILTER (WHERE d.decision = 'rejected' AND p.match_probability >= $2)::BIGINT AS split
     FROM link_review d JOIN link_pair p ON p.model = d.model AND p.id_l = d.id_l AND p.id_r = d.id_r WHERE d.model = $1`,
    [model, threshold],
  ))!;
}

export const PairRecordsSchema = z.object({
  id_l: z.string(),
  id_r: z.string(),
  /** the columns the model reads, as imported (not cleaned), each record's value side by side */
  columns: z.array(z.object({ column: z.string(), left: z.string().nullable(), right: z.string().nullable() })),
});
export type PairRecords = z.infer<typeof PairRecordsSchema>;

/**
 * The two records of each pair side by side, on the columns the model reads: for the datasets'
 * owners only (the caller decides). Pairs whose records are not found are left out.
 */
export async function pairRecords(
  engine: Engine,
  model: SavedModel,
  pairs: readonly { id_l: string; id_r: string }[],
): Promise<PairRecords[]> {
  if (!pairs.length) return [];
  const sources = await linkSources(engine, model.datasets);
  const columns = specColumns(model.spec, commonColumns(sources));
  const left = await recordValues(engine, sources[0], columns, [...new Set(pairs.map((p) => p.id_l))]);
  const rightSource = model.spec.linkType === 'link' ? sources[1] : sources[0];
  const rightIds = [...new Set(pairs.map((p) => p.id_r))];
  const right = await recordValues(
    engine,
    rightSource,
    columns,
    rightIds,
    rightSource === sources[0] ? left : undefined,
  );
  const out: PairRecords[] = [];
  for (const p of pairs) {
    const l = left.get(p.id_l);
    const r = right.get(p.id_r);
    if (!l || !r) continue;
    out.push({
      id_l: p.id_l,
      id_r: p.id_r,
      columns: columns.map((c, i) => ({ column: c, left: l[i], right: r[i] })),
    });
  }
  return out;
}

/** Each record's values on `columns`, by its own identifier (`known`: records already read). */
async function recordValues(
  engine: Engine,
  s: LinkSource,
  columns: readonly string[],
  ids: string[],
  known?: Map<string, (string | null)[]>,
): Promise<Map<string, (string | null)[]>> {
  const out = new Map<string, (string | null)[]>(known ?? []);
  const wanted = ids.filter((id) => !out.has(id));
  const idSql = s.idColumn ? `CAST(${ident(s.idColumn)} AS VARCHAR)` : 'CAST(_row AS VARCHAR)';
  const cols = columns.map((c, i) => `CAST(${ident(c)} AS VARCHAR) AS ${ident(`c${i}`)}`).join(', ');
  for (let i = 0; i < wanted.length; i += 500) {
    const chunk = wanted.slice(i, i + 500);
    const rows = await engine.all<Record<string, string | null>>(
      `SELECT ${idSql} AS _id${cols ? ', ' + cols : ''} FROM ${ident(s.table)}
       WHERE _status IS DISTINCT FROM 'rejected' AND ${idSql} IN (${chunk.map((_, k) => `$${k + 1}`).join(', ')})`,
      chunk,
    );
    for (const r of rows)
      if (!out.has(r._id!))
        out.set(
          r._id!,
          columns.map((_, k) => r[`c${k}`] ?? null),
        );
  }
  return out;
}
