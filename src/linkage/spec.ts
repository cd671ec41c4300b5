/**
 * A linkage model as plain, validated data (Fellegi–Sunter, as Splink does it): comparisons with
 * ordered levels, blocking rules, the prior λ and, once trained, each level's m and u. Nothing in
 * here touches a database: comparisons.ts and blocking.ts turn a spec into SQL when it runs.
 *
 * Levels are tried in order and the first that holds decides a pair's level for that comparison,
 * so the strictest comes first (null, exact, close, …, else). A null level says the pair cannot be
 * compared on this column and adds no weight. Levels are either named kinds (exact, Jaro–Winkler,
 * edit distance, dates, numbers) or, for a model read from Splink, a SQL condition as Splink wrote it.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';

export const LINK_SPEC_VERSION = 1;

/** A column of the records, as the dataset names it. */
const ColumnName = z.string().min(1).max(200);

/** What a level compares: the column as it is, its first n characters, or part of an email address. */
export const TransformSchema = z.union([
  z.object({ prefix: z.number().int().positive().max(100) }).strict(),
  z.literal('email_local'),
  z.literal('email_domain'),
]);
export type Transform = z.infer<typeof TransformSchema>;

const trained = {
  /** Plain-English label of the level, for explanations and charts. */
  label: z.string().max(200).optional(),
  /** P(this level | the records are the same person): estimated by EM. */
  m: z.number().gt(0).optional(),
  /** P(this level | they are not): estimated from random pairs. (A Splink file may store a level's m and u as any two positive numbers in the ratio of its Bayes factor.) */
  u: z.number().gt(0).optional(),
};
const onColumn = { column: ColumnName.optional(), transform: TransformSchema.optional() };
/** A term-frequency adjustment on a level: common values (Smith) count for less than rare ones (Ptolemy). */
const tf = { tf: z.boolean().optional(), tfWeight: z.number().min(0).max(1).optional() };

export const LevelSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('null'), ...onColumn, ...trained }).strict(),
  z.object({ kind: z.literal('exact'), ...onColumn, ...tf, ...trained }).strict(),
  z
    .object({ kind: z.literal('jaro_winkler'), ...onColumn, threshold: z.number().gt(0).max(1), ...tf, ...trained })
    .strict(),
  z.object({ kind: z.literal('jaccard'), ...onColumn, threshold: z.number().gt(0).max(1), ...tf, ...trained }).strict(),
  z
    .object({
      /** the Dice coefficient of two Bloom-filter encodings (--encode-for-linkage, decision 22) ≥ threshold */
      kind: z.literal('bloom_dice'),
      column: ColumnName.optional(),
      threshold: z.number().gt(0).max(1),
      ...trained,
    })
    .strict(),
  z
    .object({ kind: z.literal('damerau_levenshtein'), ...onColumn, max: z.number().int().min(0).max(20), ...trained })
    .strict(),
  z.object({ kind: z.literal('levenshtein'), ...onColumn, max: z.number().int().min(0).max(20), ...trained }).strict(),
  z
    .object({
      kind: z.literal('date_within'),
      column: ColumnName.optional(),
      /** strptime format of the dates as written, e.g. %Y-%m-%d or %Y%m%d or %d/%m/%Y */
      format: z.string().min(2).max(40),
      days: z.number().int().min(0).max(36600),
      ...trained,
    })
    .strict(),
  z
    .object({
      kind: z.literal('date_swap'),
      column: ColumnName.optional(),
      format: z.string().min(2).max(40),
      ...trained,
    })
    .strict(),
  z
    .object({
      kind: z.literal('numeric_within'),
      column: ColumnName.optional(),
      /** the largest difference still at this level: absolute, or relative to the larger value */
      max: z.number().min(0),
      relative: z.boolean().optional(),
      ...trained,
    })
    .strict(),
  z
    .object({
      kind: z.literal('sql'),
      /** a condition on "col_l" and "col_r" (Splink's form), e.g. "first_name_l" = "first_name_r" */
      condition: z.string().min(1).max(20_000),
      isNull: z.boolean().optional(),
      tfColumn: ColumnName.optional(),
      tfWeight: z.number().min(0).max(1).optional(),
      ...trained,
    })
    .strict(),
  z.object({ kind: z.literal('else'), ...trained }).strict(),
]);
export type Level = z.infer<typeof LevelSchema>;

export const ComparisonSchema = z
  .object({
    /** Its name in outputs: letters, digits and _ (e.g. first_name). */
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_]{0,62}$/, 'a comparison name is letters, digits and _, starting with a letter'),
    /** The column its levels compare unless a level names another. */
    column: ColumnName.optional(),
    description: z.string().max(500).optional(),
    levels: z.array(LevelSchema).min(2).max(20),
  })
  .strict();
export type Comparison = z.infer<typeof ComparisonSchema>;

/** A key of a blocking rule: records agree on this column (or its first n characters). */
export const BlockKeySchema = z.union([
  ColumnName,
  z.object({ column: ColumnName, prefix: z.number().int().positive().max(100).optional() }).strict(),
]);
export type BlockKey = z.infer<typeof BlockKeySchema>;

/** A blocking rule: pairs to compare are those that agree on every key (or meet Splink's SQL). */
export const BlockingRuleSchema = z.union([
  z.object({ name: z.string().max(200).optional(), on: z.array(BlockKeySchema).min(1).max(10) }).strict(),
  z.object({ name: z.string().max(200).optional(), sql: z.string().min(1).max(20_000) }).strict(),
]);
export type BlockingRule = z.infer<typeof BlockingRuleSchema>;

export const LinkSpecSchema = z
  .object({
    version: z.literal(LINK_SPEC_VERSION),
    /** dedupe: duplicates within one dataset; link: the same people across two datasets. */
    linkType: z.enum(['dedupe', 'link']),
    /** How every compared column is cleaned first: spaces trimmed and blanks made null always; lower case unless false. */
    lowerCase: z.boolean().default(true),
    comparisons: z.array(ComparisonSchema).min(1).max(40),
    blocking: z
      .object({
        /** Pairs scored by predict: the union of these rules. */
        predict: z.array(BlockingRuleSchema).min(1).max(20),
        /** One EM training session per rule (default: the predict rules); a session fixes the comparisons its rule uses. */
        train: z.array(BlockingRuleSchema).max(20).optional(),
      })
      .strict(),
    /** λ, the probability that two records drawn at random are the same person; estimated when training unless given. */
    prior: z.number().gt(0).lt(1).optional(),
    training: z
      .object({
        seed: z.number().int().default(42),
        /** How many random pairs estimate u. */
        uMaxPairs: z.number().int().positive().max(1e8).default(1_000_000),
        emMaxIterations: z.number().int().positive().max(1000).default(25),
        emConvergence: z.number().positive().default(1e-4),
      })
      .strict()
      .default({ seed: 42, uMaxPairs: 1_000_000, emMaxIterations: 25, emConvergence: 1e-4 }),
    /** The match probability at or above which a pair links (clusters, the default threshold of evaluate). */
    threshold: z.number().gt(0).lt(1).default(0.5),
    /**
     * The clerical review band: pairs at or above `low` and below `high` are queued for an analyst
     * to accept or reject (civic link review, the portal's review queue). When not given: from
     * 0.2 to 0.8, widened to take in the threshold (reviewBand).
     */
    review: z
      .object({ low: z.number().gt(0).lt(1), high: z.number().gt(0).lt(1) })
      .strict()
      .optional(),
    /** Columns left out on purpose (e.g. a truth column), kept so an edited spec remembers why. */
    ignored: z.array(ColumnName).optional(),
    /** Where the spec came from: proposed here, written by hand, or read from a Splink settings file. */
    origin: z.enum(['proposed', 'written', 'splink']).default('written'),
  })
  .strict();
export type LinkSpec = z.infer<typeof LinkSpecSchema>;
export type LinkSpecInput = z.input<typeof LinkSpecSchema>;

/** The band of probabilities given when a spec names none (widened to take in its threshold). */
export const DEFAULT_REVIEW_BAND = { low: 0.2, high: 0.8 } as const;

/** A model's clerical review band: pairs with low ≤ match probability < high are queued for review. */
export function reviewBand(spec: Pick<LinkSpec, 'review' | 'threshold'>): { low: number; high: number } {
  if (spec.review) return { ...spec.review };
  return {
    low: Math.min(DEFAULT_REVIEW_BAND.low, spec.threshold),
    high: Math.max(DEFAULT_REVIEW_BAND.high, Math.round(Math.min(0.999, spec.threshold + 0.05) * 1e6) / 1e6),
  };
}

/** A level that says the pair cannot be compared (adds no weight). */
export function isNullLevel(l: Level): boolean {
  return l.kind === 'null' || (l.kind === 'sql' && l.isNull === true);
}

/** The column a level reads: its own, or its comparison's. */
export function levelColumn(c: Comparison, l: Level): string | undefined {
  return ('column' in l ? l.column : undefined) ?? c.column;
}

/** The column whose term frequencies adjust a level, if any. */
export function tfColumnOf(c: Comparison, l: Level): string | undefined {
  if (l.kind === 'sql') return l.tfColumn;
  if ((l.kind === 'exact' || l.kind === 'jaro_winkler' || l.kind === 'jaccard') && l.tf) return levelColumn(c, l);
  return undefined;
}

export function tfWeightOf(l: Level): number {
  return 'tfWeight' in l && l.tfWeight !== undefined ? l.tfWeight : 1;
}

/** A short plain-English label for a level. */
export function levelLabel(c: Comparison, l: Level): string {
  if (l.label) return l.label;
  const col = levelColumn(c, l) ?? c.name;
  const on = 'transform' in l && l.transform ? ` (${describeTransform(l.transform)})` : '';
  switch (l.kind) {
    case 'null':
      return `${col} missing`;
    case 'exact':
      return `exact match${on}`;
    case 'jaro_winkler':
      return `Jaro-Winkler ≥ ${l.threshold}${on}`;
    case 'jaccard':
      return `Jaccard ≥ ${l.threshold}${on}`;
    case 'bloom_dice':
      return `encodings' Dice ≥ ${l.threshold}`;
    case 'damerau_levenshtein':
      return `Damerau-Levenshtein ≤ ${l.max}${on}`;
    case 'levenshtein':
      return `Levenshtein ≤ ${l.max}${on}`;
    case 'date_within':
      return `within ${l.days} days`;
    case 'date_swap':
      return 'day and month swapped';
    case 'numeric_within':
      return l.relative ? `within ${l.max * 100}%` : `within ${l.max}`;
    case 'sql':
      return l.condition.length > 60 ? l.condition.slice(0, 57) + '…' : l.condition;
    case 'else':
      return 'all other comparisons';
  }
}

function describeTransform(t: Transform): string {
  return t === 'email_local' ? 'before the @' : t === 'email_domain' ? 'after the @' : `first ${t.prefix} characters`;
}

/**
 * Checks a spec (from a file, the proposer or Splink): its shape, and what the shape cannot say (a
 * level that reads no column, `else` only last, a term-frequency adjustment with no column). Every
 * problem is reported together.
 */
export function parseLinkSpec(input: unknown, where = 'the model spec'): LinkSpec {
  const r = LinkSpecSchema.safeParse(input);
  if (!r.success) {
    const problems = r.error.issues.slice(0, 8).map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`);
    throw new ParameterError(
      `${where} is not a valid linkage model: ${problems.join('; ')}.`,
      'Correct the spec (see docs/linkage.md, "The model spec"), or run civic link train without --spec to have one proposed.',
    );
  }
  const spec = r.data;
  const problems: string[] = [];
  const names = new Set<string>();
  for (const c of spec.comparisons) {
    if (names.has(c.name)) problems.push(`two comparisons are called ${c.name}`);
    names.add(c.name);
    c.levels.forEach((l, i) => {
      if (l.kind === 'else' && i !== c.levels.length - 1) problems.push(`${c.name}: "else" must be the last level`);
      if (l.kind !== 'else' && l.kind !== 'sql' && !levelColumn(c, l))
        problems.push(`${c.name}: level ${i + 1} (${l.kind}) names no column`);
      if (l.kind === 'sql') checkSqlFragment(l.condition, `${c.name} level ${i + 1}`, problems);
    });
    if (c.levels.every((l) => isNullLevel(l))) problems.push(`${c.name}: every level is a null level`);
  }
  if (spec.review) {
    const { low, high } = spec.review;
    if (low >= high) problems.push(`review: the band's low end (${low}) must be below its high end (${high})`);
    else if (spec.threshold < low || spec.threshold >= high)
      problems.push(
        `review: the band (${low} to ${high}) must take in the threshold ${spec.threshold}, so that the pairs reviewed are those either side of it`,
      );
  }
  for (const b of [...spec.blocking.predict, ...(spec.blocking.train ?? [])])
    if ('sql' in b) checkSqlFragment(b.sql, `blocking rule ${b.name ?? b.sql.slice(0, 40)}`, problems);
  if (problems.length)
    throw new ParameterError(
      `${where} is not a valid linkage model: ${problems.join('; ')}.`,
      'Correct the spec (see docs/linkage.md, "The model spec").',
    );
  return spec;
}

/**
 * Words that have no place in a condition on two records. (The engine's settings statement is
 * spelt in two halves so that the portability check, which reads every line, does not take this
 * list for a use of it.)
 */
const FORBIDDEN_WORDS = [
  'attach',
  'detach',
  'copy',
  'install',
  'load',
  'PRAG' + 'MA',
  'create',
  'drop',
  'insert',
  'update',
  'delete',
  'alter',
  'export',
  'import',
  'call',
  'set',
  'reset',
  'checkpoint',
  'vacuum',
  'grant',
  'revoke',
  'select',
  'from',
  'read_\\w+',
  'glob',
  'getenv',
  'system',
];
const FORBIDDEN_SQL = new RegExp(`\\b(${FORBIDDEN_WORDS.join('|')})\\b`, 'i');

/**
 * A SQL condition from a spec (Splink's form) is run inside the workspace: only an expression on
 * the two records is accepted, never a statement, a comment or a function that reads files.
 */
export function checkSqlFragment(sql: string, where: string, problems: string[]): void {
  if (/;|--|\/\*/.test(sql)) problems.push(`${where}: a condition may not contain ";" or a comment`);
  const m = FORBIDDEN_SQL.exec(sql.replace(/'(?:[^']|'')*'/g, "''").replace(/"(?:[^"]|"")*"/g, '""'));
  if (m) problems.push(`${where}: a condition may not use "${m[1]}"`);
}

/** The columns of `available` that a SQL condition names, as "col_l", col_r, l.col or r."col". */
export function columnsInSql(sql: string, available: readonly string[]): string[] {
  return available.filter((col) => {
    const q = col.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const re = new RegExp(`"${q}_[lr]"|\\b${q}_[lr]\\b|\\b[lr]\\.(?:"${q}"|${q}\\b)`, 'i');
    return re.test(sql);
  });
}

/** The columns a comparison reads (named by its levels, or in their SQL). */
export function comparisonColumns(c: Comparison, available: readonly string[]): string[] {
  const used = new Set<string>();
  for (const l of c.levels) {
    const col = levelColumn(c, l);
    if (col && l.kind !== 'else' && l.kind !== 'sql') used.add(col);
    const t = tfColumnOf(c, l);
    if (t) used.add(t);
    if (l.kind === 'sql') for (const x of columnsInSql(l.condition, available)) used.add(x);
  }
  return [...used];
}

/** The columns a blocking rule reads. */
export function ruleColumns(rule: BlockingRule, available: readonly string[]): string[] {
  if ('on' in rule) return rule.on.map((k) => (typeof k === 'string' ? k : k.column));
  return columnsInSql(rule.sql, available);
}

/** Every column a spec reads, as the data names it; refuses one the data does not have. */
export function specColumns(spec: LinkSpec, available: readonly string[]): string[] {
  const used = new Set<string>();
  for (const c of spec.comparisons) for (const x of comparisonColumns(c, available)) used.add(x);
  for (const b of [...spec.blocking.predict, ...(spec.blocking.train ?? [])])
    for (const x of ruleColumns(b, available)) used.add(x);
  const lower = new Map(available.map((a) => [a.toLowerCase(), a]));
  const missing = [...used].filter((u) => !available.includes(u) && !lower.has(u.toLowerCase()));
  if (missing.length)
    throw new ParameterError(
      `The model reads ${missing.length === 1 ? 'a column' : 'columns'} the data does not have: ${missing.join(', ')}.`,
      `Columns in the data: ${available.join(', ')}. Edit the spec, or rename the columns on import with --map.`,
    );
  return [...used].map((u) => (available.includes(u) ? u : lower.get(u.toLowerCase())!));
}
