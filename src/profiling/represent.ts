/**
 * Representativeness (issue 3, item 7): is a sample (consultation respondents, forum members)
 * spread across the segments as the population is? The expected shares come from the base
 * (households per segment, exactly as a profile computes them) or from another dataset's
 * distribution. A chi-square goodness-of-fit test says whether the sample as a whole differs;
 * the adjusted standardised residual of each segment says which groups are under- or
 * over-represented.
 *
 * The result is the truth: disclosure control is applied where it leaves for a viewer (outputs),
 * which recomputes the test with the hidden segments merged so the statistic reveals nothing.
 */
import { createRequire } from 'node:module';
import { z } from 'zod';
import { ParameterError, Z_95 } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { profileDataset } from './profile.ts';

// jstat has no type declarations; the one function used is typed here.
const { jStat } = createRequire(import.meta.url)('jstat') as {
  jStat: { chisquare: { cdf(x: number, dof: number): number } };
};

/** 2: cell keys on the observed counts (for the cell key method at the boundary). */
export const REPRESENT_RESULT_VERSION = 2;

export const RepresentRowSchema = z.object({
  code: z.string(),
  name: z.string().nullable(),
  /** sample records in the segment */
  observed: z.number().nullable(),
  /** % of the sample */
  observedPct: z.number().nullable(),
  /** % of the reference (households, or the other dataset) */
  expectedPct: z.number(),
  /** sample size × expected share (hidden in exports when the sample size is) */
  expected: z.number().nullable(),
  /** observed share ÷ expected share × 100 */
  index: z.number().nullable(),
  /** adjusted standardised residual: (O − E) ÷ √(E × (1 − p)) */
  residual: z.number().nullable(),
  /** |residual| > 1.96: the segment differs from its expected share at the 95% level */
  significant: z.boolean().nullable(),
  direction: z.enum(['under', 'over', 'as expected']).nullable(),
  suppressed: z.boolean(),
  /** the cell key of the observed count (internal: removed at the boundary) */
  cellKey: z.number().nullable(),
});
export type RepresentRow = z.infer<typeof RepresentRowSchema>;

export const ChiSquareSchema = z.object({
  statistic: z.number(),
  df: z.number(),
  pValue: z.number(),
  /** p under 0.05 */
  significant: z.boolean(),
  /** segments in the test (those with an expected share above zero) */
  cells: z.number(),
  /** segments merged into one cell for the test because their counts are suppressed (exports only) */
  merged: z.array(z.string()).nullable(),
});
export type ChiSquare = z.infer<typeof ChiSquareSchema>;

export const RepresentResultSchema = z.object({
  version: z.literal(REPRESENT_RESULT_VERSION),
  sample: z.string(),
  classification: z.string(),
  level: z.string(),
  reference: z.object({
    kind: z.enum(['base', 'dataset']),
    /** "households" or "population" for the base; the dataset's name otherwise */
    name: z.string(),
    /** how the reference was counted per segment (the base method, as under a profile) */
    method: z.string(),
  }),
  rows: z.array(RepresentRowSchema),
  total: z.object({
    observed: z.number().nullable(),
    expected: z.number().nullable(),
    /** the cell key of the observed total (internal: removed at the boundary) */
    cellKey: z.number().nullable(),
  }),
  /** null when there is nothing to test (an empty sample, or fewer than two segments) */
  test: ChiSquareSchema.nullable(),
  /** segments whose expected count is under 5, where the chi-square approximation is rough (flagged, not merged) */
  smallExpected: z.array(z.object({ code: z.string(), expected: z.number() })),
  underRepresented: z.array(z.object({ code: z.string(), name: z.string().nullable(), index: z.number().nullable() })),
  overRepresented: z.array(z.object({ code: z.string(), name: z.string().nullable(), index: z.number().nullable() })),
  /** plain-English sentences: the test, the under- and over-represented groups */
  summary: z.array(z.string()),
  /** sample records in no segment: unmatched or rejected postcodes, or no segment for their postcode */
  notPlaced: z.number().nullable(),
  /** the cell key of notPlaced (internal: removed at the boundary) */
  notPlacedKey: z.number().nullable(),
  warnings: z.array(z.string()),
  /** perturbed: counts carry the cell key method's noise (a viewer who does not own the sample) */
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean().optional() })
    .nullable(),
});
export type RepresentResult = z.infer<typeof RepresentResultSchema>;

export interface RepresentRequest {
  sample: string;
  /** "base" (default) or the name of a dataset whose distribution is expected */
  against?: string;
  classification?: string;
  tier?: string;
  /** the base measure when against the base */
  base?: 'households' | 'population';
}

/** Upper tail of the chi-square distribution: P(X ≥ x) with df degrees of freedom. */
export function chiSquarePValue(x: number, df: number): number {
  if (!(df > 0)) return 1;
  if (!(x > 0)) return 1;
  return Math.max(0, Math.min(1, 1 - jStat.chisquare.cdf(x, df)));
}

export interface GoodnessOfFit {
  statistic: number;
  df: number;
  pValue: number;
  /** expected counts (n × share), 0 where the share is 0 */
  expected: number[];
  /** adjusted standardised residuals, null where the share is 0 */
  residuals: (number | null)[];
  /** cells with a share above 0 */
  cells: number;
}

/**
 * Chi-square goodness of fit of observed counts to expected shares (any non-negative weights;
 * they are scaled to sum to 1). Cells with no expected share are left out of the test.
 */
export function chiSquareGoodnessOfFit(observed: readonly number[], shares: readonly number[]): GoodnessOfFit {
  if (observed.length !== shares.length) throw new Error('observed and shares differ in length');
  const weight = shares.reduce((s, w) => s + (w > 0 ? w : 0), 0);
  const p = shares.map((w) => (w > 0 && weight > 0 ? w / weight : 0));
  const n = observed.reduce((s, o, i) => s + (p[i] > 0 ? o : 0), 0);
  const expected = p.map((pi) => n * pi);
  let statistic = 0;
  const residuals = observed.map((o, i) => {
    if (!(p[i] > 0) || !(n > 0)) return null;
    statistic += (o - expected[i]) ** 2 / expected[i];
    return p[i] < 1 ? (o - expected[i]) / Math.sqrt(expected[i] * (1 - p[i])) : null;
  });
  const cells = p.filter((x) => x > 0).length;
  const df = cells - 1;
  return { statistic, df, pValue: n > 0 ? chiSquarePValue(statistic, df) : 1, expected, residuals, cells };
}

const WORDS = ['No', 'One', 'Two', 'Three', 'Four', 'Five', 'Six', 'Seven', 'Eight', 'Nine', 'Ten', 'Eleven', 'Twelve'];
const countWord = (n: number) => WORDS[n] ?? String(n);
function andList(items: string[]): string {
  return items.length <= 1 ? items.join('') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}
function fmtP(p: number): string {
  return p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(3)}`;
}

/** The plain-English reading of a representativeness result, from its rows and test as they are shown. */
export function describeRepresentation(r: Pick<RepresentResult, 'rows' | 'test' | 'reference'>): {
  summary: string[];
  under: RepresentResult['underRepresented'];
  over: RepresentResult['overRepresented'];
} {
  const against = r.reference.kind === 'base' ? `the area's ${r.reference.name}` : `the records of ${r.reference.name}`;
  const summary: string[] = [];
  if (r.test) {
    const stat = `chi-square ${r.test.statistic.toFixed(2)}, ${r.test.df} degrees of freedom, ${fmtP(r.test.pValue)}`;
    summary.push(
      r.test.significant
        ? `The sample is not spread across the segments in the same way as ${against} (${stat}).`
        : `The sample's spread across the segments could be chance: it does not differ significantly from ${against} (${stat}).`,
    );
  }
  const pick = (dir: 'under' | 'over') =>
    r.rows
      .filter((x) => x.significant && x.direction === dir)
      .sort((a, b) => (dir === 'under' ? (a.residual ?? 0) - (b.residual ?? 0) : (b.residual ?? 0) - (a.residual ?? 0)))
      .map((x) => ({ code: x.code, name: x.name, index: x.index }));
  const under = pick('under'),
    over = pick('over');
  const label = (x: { code: string; name: string | null; index: number | null }) =>
    `${x.code}${x.name ? ` ${x.name}` : ''}${x.index === null ? '' : ` (index ${Math.round(x.index)})`}`;
  const sentence = (list: typeof under, what: string) =>
    list.length === 0
      ? `No group is significantly ${what}.`
      : `${countWord(list.length)} ${list.length === 1 ? 'group is' : 'groups are'} ${what}: ${andList(list.map(label))}.`;
  summary.push(sentence(under, 'under-represented'));
  summary.push(sentence(over, 'over-represented'));
  const hidden = r.rows.filter((x) => x.suppressed).length;
  if (hidden)
    summary.push(`${countWord(hidden)} ${hidden === 1 ? 'group has' : 'groups have'} too few records to show.`);
  return { summary, under, over };
}

export async function representAnalysis(engine: Engine, req: RepresentRequest): Promise<RepresentResult> {
  const against = req.against?.trim() || 'base';
  if (against === req.sample)
    throw new ParameterError('A sample cannot be compared against itself.', 'Use --against base, or another dataset.');
  const measure = req.base ?? 'households';
  const sample = await profileDataset(engine, {
    dataset: req.sample,
    classification: req.classification,
    tier: req.tier,
    base: measure,
  });
  const reference =
    against === 'base'
      ? null
      : await profileDataset(engine, {
          dataset: against,
          classification: req.classification,
          tier: req.tier,
          base: measure,
        });
  const observed = sample.rows.map((r) => r.count ?? 0);
  const weights = reference ? reference.rows.map((r) => r.count ?? 0) : sample.rows.map((r) => r.base);
  const weightTotal = weights.reduce((s, w) => s + w, 0);
  if (!(weightTotal > 0)) {
    throw new ParameterError(
      reference
        ? `The dataset ${against} has no record in any segment, so it gives no expected shares.`
        : 'The base is empty for this classification.',
      reference
        ? 'Choose another dataset, or --against base.'
        : 'Import households per area (civic reference import WORKSPACE --base FILE).',
    );
  }
  const fit = chiSquareGoodnessOfFit(observed, weights);
  const n = observed.reduce((s, o) => s + o, 0);
  const rows: RepresentRow[] = sample.rows.map((r, i) => {
    const share = weights[i] / weightTotal;
    const o = observed[i];
    const residual = fit.residuals[i];
    const significant = residual === null ? null : Math.abs(residual) > Z_95;
    return {
      code: r.code,
      name: r.name,
      observed: o,
      observedPct: n > 0 ? (o / n) * 100 : null,
      expectedPct: share * 100,
      expected: fit.expected[i],
      index: n > 0 && share > 0 ? (o / n / share) * 100 : null,
      residual,
      significant,
      direction: significant === null ? null : !significant ? 'as expected' : residual! < 0 ? 'under' : 'over',
      suppressed: false,
      cellKey: r.cellKey ?? null,
    };
  });
  const warnings: string[] = [];
  const zeroShare = rows.filter((r) => r.expectedPct === 0);
  const inZero = zeroShare.reduce((s, r) => s + (r.observed ?? 0), 0);
  if (zeroShare.length) {
    warnings.push(
      `${zeroShare.length === 1 ? 'Segment' : 'Segments'} ${zeroShare.map((r) => r.code).join(', ')} ${zeroShare.length === 1 ? 'has' : 'have'} no expected share, so ${zeroShare.length === 1 ? 'it is' : 'they are'} left out of the test` +
        (inZero ? ', with the sample records in them.' : '.'),
    );
  }
  const smallExpected =
    n > 0
      ? rows.filter((r) => r.expectedPct > 0 && r.expected! < 5).map((r) => ({ code: r.code, expected: r.expected! }))
      : [];
  if (smallExpected.length) {
    warnings.push(
      `${smallExpected.length} of ${fit.cells} segments ${smallExpected.length === 1 ? 'has' : 'have'} an expected count under 5 (${smallExpected.map((s) => s.code).join(', ')}), so the chi-square p-value is only a rough guide. ` +
        'Nothing has been merged: use a higher tier or a bigger sample if you need a firmer answer.',
    );
  }
  if (reference && (reference.total.count ?? 0) < 10 * n) {
    warnings.push(
      `The test treats ${against}'s shares as exact, but it has fewer than 10 times as many records as the sample, so the test is too ready to find a difference.`,
    );
  }
  const test: ChiSquare | null =
    n > 0 && fit.df >= 1
      ? {
          statistic: fit.statistic,
          df: fit.df,
          pValue: fit.pValue,
          significant: fit.pValue < 0.05,
          cells: fit.cells,
          merged: null,
        }
      : null;
  if (n === 0) warnings.push(`No ${req.sample} record is in a segment, so there is nothing to test.`);
  const refInfo = reference
    ? {
        kind: 'dataset' as const,
        name: against,
        method: `the distribution of ${against}'s records by segment${reference.unmatched ? ` (${reference.unmatched} of its records are in no segment and left out)` : ''}`,
      }
    : { kind: 'base' as const, name: measure, method: sample.baseMethod };
  const described = describeRepresentation({ rows, test, reference: refInfo });
  return {
    version: REPRESENT_RESULT_VERSION,
    sample: sample.dataset,
    classification: sample.classification ?? '',
    level: sample.level,
    reference: refInfo,
    rows,
    total: {
      observed: n,
      expected: fit.expected.reduce((s, e) => s + e, 0),
      cellKey: sample.rows.some((r) => r.cellKey === null || r.cellKey === undefined)
        ? null
        : sample.rows.reduce((t, r) => t + r.cellKey!, 0) % 256,
    },
    notPlacedKey: sample.unmatchedKey ?? null,
    test,
    smallExpected,
    underRepresented: described.under,
    overRepresented: described.over,
    summary: described.summary,
    notPlaced: sample.unmatched,
    warnings,
    disclosure: null,
  };
}
