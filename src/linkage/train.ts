/**
 * Training a model on its own data, never on labels: blocking rules counted first, u from a seeded
 * random sample of pairs, m by EM in one session per training rule (each fixing the comparisons
 * its rule uses, averaged over the sessions that estimated them), then λ over all pairs. The
 * trained spec carries m, u and λ, so it can be saved, read, edited and run again.
 */
import { z } from 'zod';
import { type Engine, ident, sqlCompare } from '../store/index.ts';
import {
  allPairsSql,
  blockedPairsSql,
  pairFilterSql,
  REC_N,
  REC_SRC,
  ruleCountSql,
  ruleName,
  ruleSql,
} from './blocking.ts';
import {
  comparisonGammaSql,
  comparisonWeightSql,
  gammaColumn,
  type SharedMeasures,
  sharedMeasures,
} from './comparisons.ts';
import { type EmComparison, type Pattern, estimatePrior, estimateU, runEm, startingM } from './em.ts';
import { buildRecords, commonColumns, type LinkSource, type RecordsTable, workTable } from './records.ts';
import { type LinkSpec, comparisonColumns, isNullLevel, ruleColumns } from './spec.ts';

export type Progress = (p: { stage: string; done: number; total: number }) => void;

export const RuleCountSchema = z.object({
  rule: z.string(),
  /** pairs the rule makes on its own */
  pairs: z.number(),
  /** pairs it adds to the rules before it (the union's share) */
  added: z.number().nullable(),
});
export type RuleCount = z.infer<typeof RuleCountSchema>;

export const TrainingReportSchema = z.object({
  version: z.literal(1),
  records: z.array(z.object({ dataset: z.string(), read: z.number(), used: z.number(), leftOut: z.number() })),
  allPairs: z.number(),
  blocking: z.array(RuleCountSchema),
  blockedPairs: z.number(),
  uSample: z.object({ seed: z.number(), records: z.number(), pairs: z.number() }),
  sessions: z.array(
    z.object({
      rule: z.string(),
      pairs: z.number(),
      /** comparisons left out of the session because the rule uses their columns */
      fixed: z.array(z.string()),
      iterations: z.number(),
      converged: z.boolean(),
      lambda: z.number(),
    }),
  ),
  /** comparisons no session could estimate (their m stayed at the starting values) */
  notEstimated: z.array(z.string()),
  prior: z.number(),
  priorEstimated: z.boolean(),
  warnings: z.array(z.string()),
});
export type TrainingReport = z.infer<typeof TrainingReportSchema>;

/** Each comparison's level as a CASE, named gamma_<name> (reading the shared measures' columns, if given). */
export function gammaSelectSql(spec: LinkSpec, shared?: SharedMeasures): string {
  return spec.comparisons.map((c) => `${comparisonGammaSql(c, shared)} AS ${gammaColumn(c)}`).join(', ');
}

/**
 * The pairs `from` yields (a query with "col_l", "col_r" columns) with each comparison's level,
 * gamma_<name>, added to `keep` (its columns): a measure that several levels of a comparison use
 * is computed once per pair, in the inner query, and the levels' CASEs read it.
 */
export function withGammasSql(spec: LinkSpec, from: string, keep = '*'): string {
  const measures = sharedMeasures(spec);
  if (!measures.length) return `SELECT ${keep}, ${gammaSelectSql(spec)} FROM (${from}) p`;
  const inner = `SELECT *, ${measures.map((m) => `${m.sql} AS ${m.column}`).join(', ')} FROM (${from}) p`;
  return `SELECT ${keep}, ${gammaSelectSql(spec, new Map(measures.map((m) => [m.sql, m.column])))} FROM (${inner}) p`;
}

/** The comparison-vector patterns of the pairs `from` yields (a query with "col_l", "col_r" columns): one row per distinct vector, with its count. */
export function patternsSql(spec: LinkSpec, from: string): string {
  const g = spec.comparisons.map((c) => gammaColumn(c)).join(', ');
  return `SELECT ${g}, count(*)::BIGINT AS pairs FROM (${withGammasSql(spec, from, '1 AS _one')}) v GROUP BY ${g}`;
}

async function readPatterns(engine: Engine, spec: LinkSpec, from: string): Promise<Pattern[]> {
  const rows = await engine.all(patternsSql(spec, from));
  return rows.map((r) => ({
    gammas: spec.comparisons.map((c) => Number(r[`gamma_${c.name}`])),
    count: Number(r.pairs),
  }));
}

/** Each blocking rule counted on its own, from the sizes of its groups, before any pair is made. */
export async function countRulesAlone(engine: Engine, spec: LinkSpec, rec: RecordsTable): Promise<RuleCount[]> {
  const rules: RuleCount[] = [];
  for (const r of spec.blocking.predict) {
    const c = (await engine.one<{ pairs: number }>(ruleCountSql(r, spec.linkType, rec.table)))!;
    rules.push({ rule: ruleName(r), pairs: c.pairs, added: null });
  }
  return rules;
}

/** The rules' counts completed with what each adds to the union (pairs per first rule that made them). */
export function withAdded(
  rules: readonly RuleCount[],
  added: readonly { rule: number; pairs: number }[],
): { rules: RuleCount[]; union: number } {
  const out = rules.map((r) => ({ ...r, added: 0 }));
  for (const a of added) out[Number(a.rule)].added += Number(a.pairs);
  return { rules: out, union: out.reduce((s, r) => s + r.added, 0) };
}

/** Blocking rules counted, each on its own and as it adds to the union, before anything is compared. */
export async function countBlocking(
  engine: Engine,
  spec: LinkSpec,
  rec: RecordsTable,
): Promise<{ rules: RuleCount[]; union: number }> {
  const rules = await countRulesAlone(engine, spec, rec);
  const added = await engine.all<{ rule: number; pairs: number }>(
    `SELECT rule, count(*)::BIGINT AS pairs FROM (${blockedPairsSql(spec.blocking.predict, spec.linkType, rec.table)}) b GROUP BY rule`,
  );
  return withAdded(rules, added);
}

function emComparisons(spec: LinkSpec): EmComparison[] {
  return spec.comparisons.map((c) => ({ isNull: c.levels.map((l) => isNullLevel(l)) }));
}

/** Sampled pairs for u: about `maxPairs` pairs of records drawn with the seed. */
async function samplePatterns(
  engine: Engine,
  spec: LinkSpec,
  rec: RecordsTable,
): Promise<{ patterns: Pattern[]; records: number; pairs: number }> {
  const sample = workTable('sample');
  const { seed, uMaxPairs } = spec.training;
  const sizes = await engine.all<{ src: number; n: number }>(
    `SELECT ${REC_SRC} AS src, count(*)::BIGINT AS n FROM ${ident(rec.table)} GROUP BY 1 ORDER BY 1`,
  );
  let take: number[];
  if (spec.linkType === 'dedupe') take = [Math.min(sizes[0].n, Math.ceil((1 + Math.sqrt(1 + 8 * uMaxPairs)) / 2))];
  else {
    const a = Math.min(sizes[0].n, Math.ceil(Math.sqrt(uMaxPairs)));
    take = [a, Math.min(sizes[1]?.n ?? 0, Math.ceil(uMaxPairs / a))];
  }
  const parts = take.map(
    (k, src) =>
      `(SELECT * FROM ${ident(rec.table)} WHERE ${REC_SRC} = ${src} ORDER BY ${sqlCompare.seededHash(REC_N, seed)}, ${REC_N} LIMIT ${k})`,
  );
  await engine.run(`CREATE TEMP TABLE ${ident(sample)} AS ${parts.join(' UNION ALL ')}`);
  try {
    const from = `SELECT ${rec.pairColumns} FROM ${ident(sample)} l JOIN ${ident(sample)} r ON ${pairFilterSql(spec.linkType)}`;
    const patterns = await readPatterns(engine, spec, from);
    return {
      patterns,
      records: take.reduce((s, x) => s + x, 0),
      pairs: patterns.reduce((s, p) => s + p.count, 0),
    };
  } finally {
    await engine.run(`DROP TABLE IF EXISTS ${ident(sample)}`);
  }
}

/** A spec with every level's m and u and the prior set. */
function withParameters(spec: LinkSpec, m: number[][], u: number[][], prior: number): LinkSpec {
  return {
    ...spec,
    prior,
    comparisons: spec.comparisons.map((c, k) => ({
      ...c,
      levels: c.levels.map((l, g) =>
        isNullLevel(l) ? { ...l, m: undefined, u: undefined } : { ...l, m: m[k][g], u: u[k][g] },
      ),
    })),
  };
}

/**
 * The blocked pairs' weights before the prior, as a histogram (weight to 3 decimals, pairs), by the
 * first rule that made each pair: so the same pass over the pairs also says what each rule adds.
 */
async function weightHistogram(
  engine: Engine,
  spec: LinkSpec,
  rec: RecordsTable,
): Promise<{ rule: number; weight: number; pairs: number }[]> {
  const weights = spec.comparisons.map((c) => comparisonWeightSql(c)).join(' + ');
  const sql = `SELECT rule, round(${weights}, 3) AS weight, count(*)::BIGINT AS pairs FROM (${withGammasSql(spec, blockedPairsSql(spec.blocking.predict, spec.linkType, rec.table, rec.pairColumns))}) g GROUP BY 1, 2`;
  return engine.all<{ rule: number; weight: number; pairs: number }>(sql);
}

export interface TrainOptions {
  onProgress?: Progress;
  /** λ as given, not estimated */
  prior?: number;
}

export async function trainModel(
  engine: Engine,
  spec: LinkSpec,
  sources: readonly LinkSource[],
  opts: TrainOptions = {},
): Promise<{ spec: LinkSpec; report: TrainingReport }> {
  const progress = opts.onProgress ?? (() => {});
  const sessionsRules = spec.blocking.train?.length ? spec.blocking.train : spec.blocking.predict;
  const steps = 4 + sessionsRules.length;
  let step = 0;
  const tick = (stage: string) => progress({ stage, done: ++step, total: steps });
  progress({ stage: 'records', done: 0, total: steps });
  const rec = await buildRecords(engine, spec, sources);
  try {
    tick('records');
    const warnings: string[] = [];
    const all = (await engine.one<{ pairs: number }>(allPairsSql(spec.linkType, rec.table)))!.pairs;
    // Each rule counted on its own now (cheap, from its groups' sizes); what each adds to the union
    // is counted in the pass over the blocked pairs that estimates λ, rather than by a pass of its own.
    const alone = await countRulesAlone(engine, spec, rec);
    tick('blocking');
    const comps = emComparisons(spec);
    const sampled = await samplePatterns(engine, spec, rec);
    const u = estimateU(sampled.patterns, comps);
    tick('u');
    const available = commonColumns(sources);
    const estimates: number[][][] = spec.comparisons.map(() => []);
    const sessions: TrainingReport['sessions'] = [];
    for (const rule of sessionsRules) {
      const used = new Set(ruleColumns(rule, available).map((c) => c.toLowerCase()));
      const active = spec.comparisons.map(
        (c) => !comparisonColumns(c, available).some((x) => used.has(x.toLowerCase())),
      );
      const from = `SELECT ${rec.pairColumns} FROM ${ident(rec.table)} l JOIN ${ident(rec.table)} r ON ${ruleSql(rule)} AND ${pairFilterSql(spec.linkType)}`;
      const patterns = await readPatterns(engine, spec, from);
      const pairs = patterns.reduce((s, p) => s + p.count, 0);
      const start = spec.comparisons.map((c, k) =>
        c.levels.every((l) => isNullLevel(l) || l.m !== undefined)
          ? c.levels.map((l) => (isNullLevel(l) ? 0 : l.m!))
          : startingM(comps[k]),
      );
      const r = runEm({
        patterns,
        comparisons: comps,
        m: start,
        u,
        lambda: 0.3,
        active,
        maxIterations: spec.training.emMaxIterations,
        convergence: spec.training.emConvergence,
      });
      sessions.push({
        rule: ruleName(rule),
        pairs,
        fixed: spec.comparisons.filter((_, k) => !active[k]).map((c) => c.name),
        iterations: r.iterations,
        converged: r.converged,
        lambda: r.lambda,
      });
      if (!pairs)
        warnings.push(`The training rule "${ruleName(rule)}" makes no pairs, so its session estimated nothing.`);
      else active.forEach((a, k) => a && estimates[k].push(r.m[k]));
      tick('EM');
    }
    const notEstimated: string[] = [];
    const m = spec.comparisons.map((c, k) => {
      if (!estimates[k].length) {
        notEstimated.push(c.name);
        return startingM(comps[k]);
      }
      return c.levels.map((_, g) => estimates[k].reduce((s, e) => s + e[g], 0) / estimates[k].length);
    });
    if (notEstimated.length)
      warnings.push(
        `No training session could estimate ${notEstimated.join(', ')}: every training rule uses ${notEstimated.length === 1 ? 'its column' : 'their columns'}. Add a training rule that does not.`,
      );
    let trained = withParameters(spec, m, u, 0.5);
    let prior = opts.prior;
    let blocking: { rules: RuleCount[]; union: number };
    if (prior === undefined) {
      const hist = await weightHistogram(engine, trained, rec);
      const byWeight = new Map<number, number>();
      for (const h of hist) byWeight.set(Number(h.weight), (byWeight.get(Number(h.weight)) ?? 0) + Number(h.pairs));
      prior = estimatePrior(
        [...byWeight].map(([weight, pairs]) => ({ weight, pairs })),
        all,
      );
      const added = new Map<number, number>();
      for (const h of hist) added.set(Number(h.rule), (added.get(Number(h.rule)) ?? 0) + Number(h.pairs));
      blocking = withAdded(
        alone,
        [...added].map(([rule, pairs]) => ({ rule, pairs })),
      );
    } else blocking = await countBlocking(engine, spec, rec);
    trained = { ...trained, prior };
    tick('prior');
    return {
      spec: trained,
      report: {
        version: 1,
        records: rec.counts,
        allPairs: all,
        blocking: blocking.rules,
        blockedPairs: blocking.union,
        uSample: { seed: spec.training.seed, records: sampled.records, pairs: sampled.pairs },
        sessions,
        notEstimated,
        prior,
        priorEstimated: opts.prior === undefined,
        warnings,
      },
    };
  } finally {
    await rec.drop();
  }
}
