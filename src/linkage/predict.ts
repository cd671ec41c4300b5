/**
 * Scoring pairs with a trained model: every pair the prediction rules block together gets a match
 * weight (the prior's log-odds plus each comparison's log2 Bayes factor, term-frequency adjusted)
 * and a match probability, saved as the model's pairs by the records' own identifiers. And one
 * pair explained: the weight each comparison added, the figures of a waterfall chart.
 */
import { z } from 'zod';
import { NotFoundError, ParameterError } from '../core/index.ts';
import { type Engine, ident, type SqlValue } from '../store/index.ts';
import { blockedPairsSql, REC_ID, REC_SRC, ruleName, ruleSql } from './blocking.ts';
import { comparisonWeightSql, levelWeights, num, priorWeight, probabilityOf } from './comparisons.ts';
import { isTrained, type SavedModel } from './model.ts';
import { buildRecords, linkSources } from './records.ts';
import { keepDecisions } from './review.ts';
import { isNullLevel, levelLabel, type LinkSpec } from './spec.ts';
import { countBlocking, gammaSelectSql, type Progress, RuleCountSchema } from './train.ts';

export const PredictResultSchema = z.object({
  version: z.literal(1),
  model: z.string(),
  datasets: z.array(z.string()),
  records: z.array(z.object({ dataset: z.string(), read: z.number(), used: z.number(), leftOut: z.number() })),
  blocking: z.array(RuleCountSchema),
  /** pairs scored (the union of the rules) */
  pairs: z.number(),
  /** pairs kept (at or above --min-probability) */
  kept: z.number(),
  /** pairs at or above the model's threshold */
  linked: z.number(),
  threshold: z.number(),
  prior: z.number(),
  /** the clerical review's decisions kept (their pairs scored again) and dropped (their pairs no longer scored) */
  reviews: z.object({ kept: z.number(), dropped: z.number() }),
});
export type PredictResult = z.infer<typeof PredictResultSchema>;

export const PairSchema = z.object({
  id_l: z.string(),
  id_r: z.string(),
  match_weight: z.number(),
  match_probability: z.number(),
});
export type Pair = z.infer<typeof PairSchema>;

export function requireTrained(model: SavedModel): void {
  if (!isTrained(model.spec))
    throw new ParameterError(
      `The model "${model.name}" has not been trained: some levels have no m and u, or it has no prior.`,
      `Train it first: civic link train WORKSPACE --model ${model.name}`,
    );
}

/** The pair's match weight: prior + every comparison's weight. */
export function matchWeightSql(spec: LinkSpec): string {
  return [num(priorWeight(spec)), ...spec.comparisons.map((c) => comparisonWeightSql(c))].join(' + ');
}

/** A match probability from a weight column, safe for weights far from 0. */
export function probabilitySql(weight: string): string {
  return `(1.0 / (1.0 + pow(2.0, -greatest(least(${weight}, 1000), -1000))))`;
}

export async function predictModel(
  engine: Engine,
  model: SavedModel,
  opts: { onProgress?: Progress; minProbability?: number } = {},
): Promise<PredictResult> {
  requireTrained(model);
  const progress = opts.onProgress ?? (() => {});
  const spec = model.spec;
  const sources = await linkSources(engine, model.datasets);
  progress({ stage: 'records', done: 0, total: 3 });
  const rec = await buildRecords(engine, spec, sources);
  try {
    progress({ stage: 'blocking', done: 1, total: 3 });
    const blocking = await countBlocking(engine, spec, rec);
    progress({ stage: 'scoring', done: 2, total: 3 });
    const select = `l.${REC_ID} AS _id_l, r.${REC_ID} AS _id_r, ${rec.pairColumns}`;
    const scored = `SELECT _id_l, _id_r, ${matchWeightSql(spec)} AS _w FROM (SELECT *, ${gammaSelectSql(spec)} FROM (${blockedPairsSql(spec.blocking.predict, spec.linkType, rec.table, select)}) p) g`;
    const min = opts.minProbability ?? 0;
    const counts = await engine.transaction(async () => {
      await engine.run(`DELETE FROM link_pair WHERE model = $1`, [model.name]);
      await engine.run(
        `INSERT INTO link_pair SELECT $1, _id_l, _id_r, _w, ${probabilitySql('_w')} FROM (${scored}) s WHERE ${probabilitySql('_w')} >= $2`,
        [model.name, min],
      );
      const reviews = await keepDecisions(engine, model.name);
      const c = (await engine.one<{ kept: number; linked: number }>(
        `SELECT count(*)::BIGINT AS kept, count(*) FILTER (WHERE match_probability >= $2)::BIGINT AS linked FROM link_pair WHERE model = $1`,
        [model.name, spec.threshold],
      ))!;
      return { ...c, reviews };
    });
    progress({ stage: 'scoring', done: 3, total: 3 });
    return {
      version: 1,
      model: model.name,
      datasets: model.datasets,
      records: rec.counts,
      blocking: blocking.rules,
      pairs: blocking.union,
      kept: counts.kept,
      linked: counts.linked,
      threshold: spec.threshold,
      prior: spec.prior!,
      reviews: counts.reviews,
    };
  } finally {
    await rec.drop();
  }
}

/** The model's saved pairs, most likely first. */
export async function modelPairs(
  engine: Engine,
  model: string,
  opts: { minProbability?: number; limit?: number } = {},
): Promise<Pair[]> {
  const rows = await engine.all<Pair>(
    `SELECT id_l, id_r, match_weight, match_probability FROM link_pair WHERE model = $1 AND match_probability >= $2
     ORDER BY match_weight DESC, id_l, id_r${opts.limit ? ` LIMIT ${Math.trunc(opts.limit)}` : ''}`,
    [model, opts.minProbability ?? 0],
  );
  return rows;
}

export async function hasPairs(engine: Engine, model: string): Promise<boolean> {
  return !!(await engine.one(`SELECT 1 AS x FROM link_pair WHERE model = $1 LIMIT 1`, [model]));
}

export const ExplanationSchema = z.object({
  version: z.literal(1),
  model: z.string(),
  id_l: z.string(),
  id_r: z.string(),
  /** log2(λ / (1 − λ)): where every pair starts */
  prior: z.object({ probability: z.number(), weight: z.number() }),
  comparisons: z.array(
    z.object({
      comparison: z.string(),
      level: z.number(),
      label: z.string(),
      isNull: z.boolean(),
      m: z.number().nullable(),
      u: z.number().nullable(),
      /** log2(m / u) of the level */
      weight: z.number(),
      /** what the term frequency of the values added (0 when the level has none) */
      tfAdjustment: z.number(),
      /** weight + tfAdjustment */
      total: z.number(),
    }),
  ),
  match_weight: z.number(),
  match_probability: z.number(),
  /** the prediction rules that put the two records together (none: the pair is not scored by predict) */
  foundBy: z.array(z.string()),
});
export type Explanation = z.infer<typeof ExplanationSchema>;

/** Explains one pair of records, named by their own identifiers (no value of theirs is in the answer). */
export async function explainPair(engine: Engine, model: SavedModel, idL: string, idR: string): Promise<Explanation> {
  const [e] = await explainPairs(engine, model, [{ id_l: idL, id_r: idR }]);
  if (!e)
    throw new NotFoundError(
      `No records with the identifiers given were found in ${model.datasets.join(' and ')}.`,
      `Give two identifiers as predict writes them (id_l then id_r), e.g. from civic link predict WORKSPACE --model ${model.name} --format csv.`,
    );
  return e;
}

/**
 * Explains several pairs at once (the records table is built once): one explanation per pair whose
 * two records exist, in the order asked.
 */
export async function explainPairs(
  engine: Engine,
  model: SavedModel,
  pairs: readonly { id_l: string; id_r: string }[],
): Promise<Explanation[]> {
  requireTrained(model);
  if (!pairs.length) return [];
  const spec = model.spec;
  const sources = await linkSources(engine, model.datasets);
  const rec = await buildRecords(engine, spec, sources);
  try {
    const srcL = 0;
    const srcR = spec.linkType === 'link' ? 1 : 0;
    const weights = spec.comparisons.map((c, k) => `${comparisonWeightSql(c)} AS _cw_${k}`).join(', ');
    const found = spec.blocking.predict.map((r, i) => `coalesce(${ruleSql(r)}, FALSE) AS _rule_${i}`).join(', ');
    const rows = new Map<string, Record<string, SqlValue>>();
    const key = (l: string, r: string) => `${l}\u0000${r}`;
    for (let i = 0; i < pairs.length; i += 200) {
      const chunk = pairs.slice(i, i + 200);
      const values = chunk.map((_, k) => `($${2 * k + 1}::VARCHAR, $${2 * k + 2}::VARCHAR)`).join(', ');
      const got = await engine.all(
        `SELECT *, ${weights} FROM (SELECT *, ${gammaSelectSql(spec)} FROM (SELECT q._q_l, q._q_r, ${rec.pairColumns}, ${found}
          FROM (VALUES ${values}) AS q(_q_l, _q_r)
          JOIN ${ident(rec.table)} l ON l.${REC_ID} = q._q_l AND l.${REC_SRC} = ${srcL}
          JOIN ${ident(rec.table)} r ON r.${REC_ID} = q._q_r AND r.${REC_SRC} = ${srcR}) p) g`,
        chunk.flatMap((p) => [p.id_l, p.id_r]),
      );
      for (const row of got) rows.set(key(String(row._q_l), String(row._q_r)), row);
    }
    const prior = priorWeight(spec);
    const out: Explanation[] = [];
    for (const p of pairs) {
      const row = rows.get(key(p.id_l, p.id_r));
      if (!row) continue;
      const comparisons = spec.comparisons.map((c, k) => {
        const g = Number(row[`gamma_${c.name}`]);
        const level = c.levels[g];
        const base = levelWeights(c)[g];
        const total = Number(row[`_cw_${k}`]);
        return {
          comparison: c.name,
          level: g,
          label: levelLabel(c, level),
          isNull: isNullLevel(level),
          m: isNullLevel(level) ? null : (level.m ?? null),
          u: isNullLevel(level) ? null : (level.u ?? null),
          weight: base,
          tfAdjustment: total - base,
          total,
        };
      });
      const w = prior + comparisons.reduce((s, c) => s + c.total, 0);
      out.push({
        version: 1,
        model: model.name,
        id_l: p.id_l,
        id_r: p.id_r,
        prior: { probability: spec.prior!, weight: prior },
        comparisons,
        match_weight: w,
        match_probability: probabilityOf(w),
        foundBy: spec.blocking.predict.filter((_, i) => row[`_rule_${i}`] === true).map((r) => ruleName(r)),
      });
    }
    return out;
  } finally {
    await rec.drop();
  }
}
