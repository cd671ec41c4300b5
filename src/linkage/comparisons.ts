/**
 * Comparisons as SQL: each level's condition on a pair of records, each comparison's level as a
 * CASE (its "gamma", the index of the first level that holds), and each comparison's weight from
 * trained m and u with any term-frequency adjustment. Pure functions of the spec, tested as text.
 *
 * A pair row carries every compared column twice, "col_l" and "col_r" (Splink's names, so a
 * Splink condition reads the same here), and for each term-frequency column "_tf_col_l" and
 * "_tf_col_r": the share of records holding that value.
 */
import { ident, sqlBitsDice, sqlCompare, sqlTryNumber } from '../store/index.ts';
import {
  type Comparison,
  type Level,
  type LinkSpec,
  type Transform,
  isNullLevel,
  levelColumn,
  tfColumnOf,
  tfWeightOf,
} from './spec.ts';

/** A column of one side of the pair: "first_name_l". */
export function side(column: string, s: 'l' | 'r'): string {
  return ident(`${column}_${s}`);
}

/** The term frequency of a column's value on one side of the pair. */
export function tfSide(column: string, s: 'l' | 'r'): string {
  return ident(`_tf_${column}_${s}`);
}

/** A number written into SQL: only finite numbers (weights come from training, never from a file). */
export function num(x: number): string {
  if (!Number.isFinite(x)) throw new Error(`Not a finite number for SQL: ${x}`);
  return String(x);
}

function transformed(expr: string, t: Transform | undefined): string {
  if (!t) return expr;
  if (t === 'email_local') return `nullif(${sqlCompare.part(expr, '@', 1)}, '')`;
  if (t === 'email_domain') return `nullif(${sqlCompare.part(expr, '@', 2)}, '')`;
  return `left(${expr}, ${Math.trunc(t.prefix)})`;
}

/**
 * The string measure a level compares with its threshold (a similarity or an edit distance), or
 * null for a level of another kind. Two levels of a comparison with the same measure (Jaro–Winkler
 * at 0.92 and at 0.88) share it: withGammasSql (train.ts) computes it once per pair.
 */
export function levelMeasureSql(c: Comparison, l: Level): string | null {
  if (
    l.kind !== 'jaro_winkler' &&
    l.kind !== 'jaccard' &&
    l.kind !== 'bloom_dice' &&
    l.kind !== 'damerau_levenshtein' &&
    l.kind !== 'levenshtein'
  )
    return null;
  const col = levelColumn(c, l)!;
  const t = 'transform' in l ? l.transform : undefined;
  const L = transformed(side(col, 'l'), t);
  const R = transformed(side(col, 'r'), t);
  switch (l.kind) {
    case 'jaro_winkler':
      return sqlCompare.jaroWinkler(L, R);
    case 'jaccard':
      return sqlCompare.characterJaccard(L, R);
    case 'bloom_dice':
      return sqlBitsDice(side(bloomColumn(col), 'l'), side(bloomColumn(col), 'r'));
    case 'damerau_levenshtein':
      return sqlCompare.damerauLevenshtein(L, R);
    case 'levenshtein':
      return sqlCompare.editDistance(L, R);
  }
}

/** Measures already computed for the pair row: the measure's SQL to the column holding it. */
export type SharedMeasures = ReadonlyMap<string, string>;

/** The condition of one level on a pair row, in SQL (a measure in `shared` is read from its column). */
export function levelConditionSql(c: Comparison, l: Level, shared?: SharedMeasures): string {
  if (l.kind === 'else') return 'TRUE';
  if (l.kind === 'sql') return `(${l.condition})`;
  const col = levelColumn(c, l)!;
  const t = 'transform' in l ? l.transform : undefined;
  const L = transformed(side(col, 'l'), t);
  const R = transformed(side(col, 'r'), t);
  const measure = levelMeasureSql(c, l);
  const m = measure === null ? '' : (shared?.get(measure) ?? measure);
  switch (l.kind) {
    case 'null':
      return `(${L} IS NULL OR ${R} IS NULL)`;
    case 'exact':
      return `(${L} = ${R})`;
    case 'jaro_winkler':
    case 'jaccard':
    case 'bloom_dice':
      return `(${m} >= ${num(l.threshold)})`;
    case 'damerau_levenshtein':
    case 'levenshtein':
      return `(${m} <= ${num(l.max)})`;
    case 'date_within': {
      const dl = side(dateColumn(col, l.format), 'l');
      const dr = side(dateColumn(col, l.format), 'r');
      return `(${sqlCompare.daysApart(dl, dr)} <= ${num(l.days)})`;
    }
    case 'date_swap': {
      const dl = side(dateColumn(col, l.format), 'l');
      const dr = side(dateColumn(col, l.format), 'r');
      const part = (p: string, d: string) => `extract(${p} FROM ${d})`;
      return `(${part('day', dl)} = ${part('month', dr)} AND ${part('month', dl)} = ${part('day', dr)} AND ${part('year', dl)} = ${part('year', dr)} AND ${dl} <> ${dr})`;
    }
    case 'numeric_within': {
      const a = sqlTryNumber(L);
      const b = sqlTryNumber(R);
      return l.relative
        ? `(abs(${a} - ${b}) <= ${num(l.max)} * greatest(abs(${a}), abs(${b})))`
        : `(abs(${a} - ${b}) <= ${num(l.max)})`;
    }
  }
}

/**
 * The records table's column holding a column's values read as dates in a format: parsed once per
 * record rather than once per pair (on a million random pairs, parsing in the comparison took half
 * the time of estimating u).
 */
export function dateColumn(column: string, format: string): string {
  return `_date_${column}_${format.replace(/[^A-Za-z]/g, '')}`;
}

/**
 * The records table's column holding a column's Bloom-filter encodings decoded into bits: decoded
 * once per record rather than once per pair (on FEBRL dataset2, decoding in the comparison made
 * training with encoded names five times slower than with plain text).
 */
export function bloomColumn(column: string): string {
  return `_bits_${column}`;
}

/** Every column a spec's bloom_dice levels read, with the records table's column for its bits. */
export function bloomColumns(spec: LinkSpec): { column: string; name: string }[] {
  const out = new Map<string, { column: string; name: string }>();
  for (const c of spec.comparisons)
    for (const l of c.levels)
      if (l.kind === 'bloom_dice') {
        const column = levelColumn(c, l)!;
        out.set(bloomColumn(column), { column, name: bloomColumn(column) });
      }
  return [...out.values()];
}

/** Every (column, format) a spec's date levels read, with the records table's column for it. */
export function dateColumns(spec: LinkSpec): { column: string; format: string; name: string }[] {
  const out = new Map<string, { column: string; format: string; name: string }>();
  for (const c of spec.comparisons)
    for (const l of c.levels)
      if (l.kind === 'date_within' || l.kind === 'date_swap') {
        const column = levelColumn(c, l)!;
        const name = dateColumn(column, l.format);
        out.set(name, { column, format: l.format, name });
      }
  return [...out.values()];
}

/** The name of a comparison's level column in the pair table. */
export function gammaColumn(c: Comparison): string {
  return ident(`gamma_${c.name}`);
}

/**
 * A comparison's level for a pair: the index of the first level whose condition holds (a condition
 * that is NULL does not hold), or the last level's index when none does.
 */
export function comparisonGammaSql(c: Comparison, shared?: SharedMeasures): string {
  const last = c.levels.length - 1;
  const whens = c.levels
    .slice(0, c.levels[last].kind === 'else' ? last : c.levels.length)
    .map((l, i) => `WHEN coalesce(${levelConditionSql(c, l, shared)}, FALSE) THEN ${i}`);
  return `CASE ${whens.join(' ')} ELSE ${last} END`;
}

/**
 * The measures that two or more levels of a comparison use, each to be computed once per pair into
 * a column of its own (`_m_<comparison>_<k>`): on random pairs, where nearly every pair falls
 * through every level, a comparison with three Jaro–Winkler levels otherwise computes it three times.
 */
export function sharedMeasures(spec: LinkSpec): { sql: string; column: string }[] {
  const out: { sql: string; column: string }[] = [];
  for (const c of spec.comparisons) {
    const uses = new Map<string, number>();
    for (const l of c.levels) {
      const m = levelMeasureSql(c, l);
      if (m !== null) uses.set(m, (uses.get(m) ?? 0) + 1);
    }
    let k = 0;
    for (const [sql, n] of uses) if (n > 1) out.push({ sql, column: ident(`_m_${c.name}_${k++}`) });
  }
  return out;
}

/** The weight (log2 of the Bayes factor m/u) of each level; 0 for null levels. */
export function levelWeights(c: Comparison): number[] {
  return c.levels.map((l) => {
    if (isNullLevel(l)) return 0;
    if (l.m === undefined || l.u === undefined)
      throw new Error(`Comparison ${c.name} has a level without m and u: train the model first`);
    return Math.log2(l.m / l.u);
  });
}

/**
 * A comparison's match weight for a pair: its level's log2(m/u), plus on a level with a term
 * frequency adjustment w·log2(u / tf), where tf is the larger of the two values' shares (as Splink
 * does: a common name, whose share is above u, gives less than an average agreement, a rare one more).
 */
export function comparisonWeightSql(c: Comparison, gamma = gammaColumn(c)): string {
  const w = levelWeights(c);
  const whens = c.levels.map((l, i) => {
    const tfCol = isNullLevel(l) ? undefined : tfColumnOf(c, l);
    const base = num(w[i]);
    if (!tfCol) return `WHEN ${i} THEN ${base}`;
    const tf = `greatest(${tfSide(tfCol, 'l')}, ${tfSide(tfCol, 'r')})`;
    const adj = `coalesce(${num(tfWeightOf(l))} * ${sqlCompare.log2(`${num(l.u!)} / ${tf}`)}, 0)`;
    return `WHEN ${i} THEN ${base} + ${adj}`;
  });
  return `CASE ${gamma} ${whens.join(' ')} ELSE 0 END`;
}

/** The prior's weight: log2(λ / (1 − λ)). */
export function priorWeight(spec: LinkSpec): number {
  if (spec.prior === undefined) throw new Error('The model has no prior: train it first');
  return Math.log2(spec.prior / (1 - spec.prior));
}

/** Every term-frequency column a spec uses. */
export function tfColumns(spec: LinkSpec): string[] {
  const out = new Set<string>();
  for (const c of spec.comparisons)
    for (const l of c.levels) {
      const t = isNullLevel(l) ? undefined : tfColumnOf(c, l);
      if (t) out.add(t);
    }
  return [...out];
}

/** A match probability from a match weight. */
export function probabilityOf(weight: number): number {
  const bf = 2 ** weight;
  return Number.isFinite(bf) ? bf / (1 + bf) : 1;
}
