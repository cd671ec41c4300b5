/**
 * Blocking: which pairs of records are compared at all. Each rule joins the records to themselves
 * (or one dataset to the other) on what they agree on; the rules are unioned, each pair found once,
 * by the first rule that finds it (later rules leave out what earlier ones found, as Splink does).
 * Each rule is counted before anything runs, with the same SQL that then does the work, so the
 * person sees how many pairs it makes.
 */
import { ident } from '../store/index.ts';
import type { BlockKey, BlockingRule, LinkSpec } from './spec.ts';

/** The records table's own columns: a number per record (its order), its source (0, or 1 for the second dataset) and its id. */
export const REC_N = '_lk_n';
export const REC_SRC = '_lk_src';
export const REC_ID = '_lk_id';

function keyExpr(k: BlockKey, s: 'l' | 'r'): string {
  const col = typeof k === 'string' ? k : k.column;
  const e = `${s}.${ident(col)}`;
  return typeof k === 'object' && k.prefix ? `left(${e}, ${Math.trunc(k.prefix)})` : e;
}

/** A rule as a join condition between records `l` and `r`. */
export function ruleSql(rule: BlockingRule): string {
  if ('sql' in rule) return `(${rule.sql})`;
  return `(${rule.on.map((k) => `${keyExpr(k, 'l')} = ${keyExpr(k, 'r')}`).join(' AND ')})`;
}

/** A rule's readable name. */
export function ruleName(rule: BlockingRule): string {
  if (rule.name) return rule.name;
  if ('sql' in rule) return rule.sql;
  return rule.on.map((k) => (typeof k === 'string' ? k : `first ${k.prefix} of ${k.column}`)).join(' + ');
}

/** Which pairs may be made at all: each unordered pair once within a dataset, or first dataset with second. */
export function pairFilterSql(linkType: LinkSpec['linkType']): string {
  return linkType === 'dedupe' ? `l.${REC_N} < r.${REC_N}` : `l.${REC_SRC} = 0 AND r.${REC_SRC} = 1`;
}

/** The pairs one rule makes, leaving out those that the earlier rules make. */
export function rulePairsSql(
  rules: readonly BlockingRule[],
  i: number,
  linkType: LinkSpec['linkType'],
  rec: string,
  select = '',
): string {
  const earlier = rules
    .slice(0, i)
    .map((r) => ` AND NOT coalesce(${ruleSql(r)}, FALSE)`)
    .join('');
  return `SELECT l.${REC_N} AS n_l, r.${REC_N} AS n_r, ${i} AS rule${select ? ', ' + select : ''} FROM ${ident(rec)} l JOIN ${ident(rec)} r ON ${ruleSql(rules[i])} AND ${pairFilterSql(linkType)}${earlier}`;
}

/** Every pair the rules make, each once, with the first rule that made it (and `select`, columns of l and r). */
export function blockedPairsSql(
  rules: readonly BlockingRule[],
  linkType: LinkSpec['linkType'],
  rec: string,
  select = '',
): string {
  return rules.map((_, i) => rulePairsSql(rules, i, linkType, rec, select)).join('\nUNION ALL\n');
}

/**
 * How many pairs a rule makes on its own. A rule of keys is counted from the sizes of its groups
 * (n·(n−1)/2 within a dataset, n₁·n₂ between two), without making the pairs; a SQL rule by the join.
 */
export function ruleCountSql(rule: BlockingRule, linkType: LinkSpec['linkType'], rec: string): string {
  if ('sql' in rule)
    return `SELECT count(*)::BIGINT AS pairs FROM ${ident(rec)} l JOIN ${ident(rec)} r ON ${ruleSql(rule)} AND ${pairFilterSql(linkType)}`;
  const keys = rule.on.map((k) => keyExpr(k, 'l'));
  const notNull = keys.map((k) => `${k} IS NOT NULL`).join(' AND ');
  const grouped =
    linkType === 'dedupe'
      ? `SELECT count(*)::BIGINT AS n FROM ${ident(rec)} l WHERE ${notNull} GROUP BY ${keys.join(', ')}`
      : `SELECT count(*) FILTER (WHERE l.${REC_SRC} = 0)::BIGINT AS a, count(*) FILTER (WHERE l.${REC_SRC} = 1)::BIGINT AS b FROM ${ident(rec)} l WHERE ${notNull} GROUP BY ${keys.join(', ')}`;
  const pairs = linkType === 'dedupe' ? 'n * (n - 1) / 2' : 'a * b';
  return `SELECT coalesce(sum(${pairs}), 0)::BIGINT AS pairs FROM (${grouped}) g`;
}

/** All possible pairs of the records: what the prior λ is a share of. */
export function allPairsSql(linkType: LinkSpec['linkType'], rec: string): string {
  return linkType === 'dedupe'
    ? `SELECT (count(*)::BIGINT * (count(*) - 1) / 2)::BIGINT AS pairs FROM ${ident(rec)}`
    : `SELECT (count(*) FILTER (WHERE ${REC_SRC} = 0)::BIGINT * count(*) FILTER (WHERE ${REC_SRC} = 1))::BIGINT AS pairs FROM ${ident(rec)}`;
}
