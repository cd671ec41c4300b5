/**
 * A model as a person reads it: each comparison's levels with m, u and the match weight
 * log2(m/u) (the figures of the parameters chart), the prior, the blocking rules' counts from the
 * last training, and how many pairs the last prediction scored, linked and queued for review. And
 * one pair as the review page shows it: the explanation, the two records side by side and any
 * decision on it. None of it knows who is looking: the server decides who may see it.
 */
import { z } from 'zod';
import type { Engine } from '../store/index.ts';
import { RuleCountSchema } from './train.ts';
import { getModel, isTrained, type SavedModel } from './model.ts';
import { explainPair, ExplanationSchema } from './predict.ts';
import { findPair, pairRecords, PairRecordsSchema, ReviewItemSchema } from './review.ts';
import { isNullLevel, levelLabel, reviewBand, tfColumnOf } from './spec.ts';

export const ModelSummarySchema = z.object({
  name: z.string(),
  datasets: z.array(z.string()),
  linkType: z.enum(['dedupe', 'link']),
  origin: z.enum(['proposed', 'written', 'splink']),
  trained: z.boolean(),
  createdAt: z.string(),
  trainedAt: z.string().nullable(),
  threshold: z.number(),
  review: z.object({ low: z.number(), high: z.number() }),
  comparisons: z.array(z.string()),
});
export type ModelSummary = z.infer<typeof ModelSummarySchema>;

export const ModelParametersSchema = ModelSummarySchema.extend({
  version: z.literal(1),
  prior: z
    .object({ probability: z.number(), weight: z.number().describe('log2(λ / (1 − λ))') })
    .nullable()
    .describe('null until trained'),
  parameters: z.array(
    z.object({
      comparison: z.string(),
      levels: z.array(
        z.object({
          level: z.number(),
          label: z.string(),
          isNull: z.boolean(),
          m: z.number().nullable(),
          u: z.number().nullable(),
          /** log2(m / u); 0 for a null level; null when not trained */
          weight: z.number().nullable(),
          termFrequency: z.boolean(),
        }),
      ),
    }),
  ),
  blocking: z
    .object({ allPairs: z.number(), blockedPairs: z.number(), rules: z.array(RuleCountSchema) })
    .nullable()
    .describe("the blocking rules' counts at the last training (null: not trained here)"),
  pairs: z
    .object({ scored: z.number(), linked: z.number(), inReviewBand: z.number(), decided: z.number() })
    .describe('from the last prediction'),
  warnings: z.array(z.string()),
});
export type ModelParameters = z.infer<typeof ModelParametersSchema>;

export function modelSummary(m: SavedModel): ModelSummary {
  return {
    name: m.name,
    datasets: m.datasets,
    linkType: m.spec.linkType,
    origin: m.origin,
    trained: isTrained(m.spec),
    createdAt: m.createdAt,
    trainedAt: m.trainedAt,
    threshold: m.spec.threshold,
    review: reviewBand(m.spec),
    comparisons: m.spec.comparisons.map((c) => c.name),
  };
}

/** Every saved model, by name. */
export async function listModels(engine: Engine): Promise<SavedModel[]> {
  const names = await engine.all<{ name: string }>(`SELECT name FROM link_model ORDER BY name`);
  const out: SavedModel[] = [];
  for (const n of names) out.push(await getModel(engine, n.name));
  return out;
}

export async function modelParameters(engine: Engine, m: SavedModel): Promise<ModelParameters> {
  const spec = m.spec;
  const band = reviewBand(spec);
  const pairs = (await engine.one<{ scored: number; linked: number; in_band: number; decided: number }>(
    `SELECT count(*)::BIGINT AS scored, count(*) FILTER (WHERE match_probability >= $2)::BIGINT AS linked,
       count(*) FILTER (WHERE match_probability >= $3 AND match_probability < $4)::BIGINT AS in_band,
       (SELECT count(*) FROM link_review WHERE model = $1)::BIGINT AS decided
     FROM link_pair WHERE model = $1`,
    [m.name, spec.threshold, band.low, band.high],
  ))!;
  return {
    version: 1,
    ...modelSummary(m),
    prior:
      spec.prior === undefined ? null : { probability: spec.prior, weight: Math.log2(spec.prior / (1 - spec.prior)) },
    parameters: spec.comparisons.map((c) => ({
      comparison: c.name,
      levels: c.levels.map((l, i) => {
        const isNull = isNullLevel(l);
        const m = isNull ? null : (l.m ?? null);
        const u = isNull ? null : (l.u ?? null);
        return {
          level: i,
          label: levelLabel(c, l),
          isNull,
          m,
          u,
          weight: isNull ? 0 : m !== null && u !== null ? Math.log2(m / u) : null,
          termFrequency: tfColumnOf(c, l) !== undefined,
        };
      }),
    })),
    blocking: m.training
      ? { allPairs: m.training.allPairs, blockedPairs: m.training.blockedPairs, rules: m.training.blocking }
      : null,
    pairs: { scored: pairs.scored, linked: pairs.linked, inReviewBand: pairs.in_band, decided: pairs.decided },
    warnings: m.training?.warnings ?? [],
  };
}

export const PairViewSchema = z.object({
  version: z.literal(1),
  model: z.string(),
  explanation: ExplanationSchema,
  records: PairRecordsSchema.shape.columns,
  /** the pair as the last prediction scored it (null: not scored, e.g. no blocking rule makes it) */
  scored: z.object({ id_l: z.string(), id_r: z.string(), match_probability: z.number() }).nullable(),
  decision: ReviewItemSchema.pick({ decision: true, reason: true, decidedBy: true, decidedAt: true }).nullable(),
});
export type PairView = z.infer<typeof PairViewSchema>;

/** One pair as the review page shows it: why it scored as it did, its two records, and any decision. */
export async function viewPair(engine: Engine, m: SavedModel, idL: string, idR: string): Promise<PairView> {
  const scored = await findPair(engine, m, idL, idR);
  const [l, r] = scored ? [scored.id_l, scored.id_r] : [idL, idR];
  const explanation = await explainPair(engine, m, l, r);
  const [records] = await pairRecords(engine, m, [{ id_l: l, id_r: r }]);
  const d = scored
    ? await engine.one<{
        decision: 'accepted' | 'rejected';
        reason: string;
        decided_by: string | null;
        decided_at: string;
      }>(
        `SELECT decision, reason, decided_by, decided_at FROM link_review WHERE model = $1 AND id_l = $2 AND id_r = $3`,
        [m.name, l, r],
      )
    : undefined;
  return {
    version: 1,
    model: m.name,
    explanation,
    records: records?.columns ?? [],
    scored: scored ? { id_l: scored.id_l, id_r: scored.id_r, match_probability: scored.match_probability } : null,
    decision: d ? { decision: d.decision, reason: d.reason, decidedBy: d.decided_by, decidedAt: d.decided_at } : null,
  };
}
