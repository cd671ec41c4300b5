/**
 * A model proposed from the data: each column recognised by its name (first name, surname, date
 * of birth, email, postcode, town, address, phone, an identity number) or, failing that, by its
 * contents (dates, email addresses), gets the comparison that suits its kind; blocking rules are
 * chosen from the strong identifiers and counted, and those that make too many pairs are dropped.
 * The proposal is a spec like any other: printed, saved with the model, editable, run again.
 * Pseudonymised columns (keyed hashes) can only agree or not, so they get exact levels only.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { BLOOM_PREFIX } from '../intake/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { ruleCountSql } from './blocking.ts';
import { commonColumns, buildRecords, type LinkSource } from './records.ts';
import {
  type BlockingRule,
  type Comparison,
  type Level,
  LINK_SPEC_VERSION,
  type LinkSpec,
  parseLinkSpec,
} from './spec.ts';

export type ColumnKind =
  | 'first_name'
  | 'surname'
  | 'full_name'
  | 'date_of_birth'
  | 'email'
  | 'postcode'
  | 'place'
  | 'address'
  | 'house_number'
  | 'phone'
  | 'identity_number'
  | 'sex'
  | 'text';

export const ProposalSchema = z.object({
  version: z.literal(1),
  columns: z.array(
    z.object({
      column: z.string(),
      kind: z.string().nullable(),
      /** plain English: why the column was used as this kind, or why it was left out */
      why: z.string(),
    }),
  ),
  blocking: z.array(z.object({ rule: z.string(), pairs: z.number(), kept: z.boolean(), why: z.string() })),
});
export type Proposal = z.infer<typeof ProposalSchema>;

const BY_NAME: [ColumnKind, RegExp][] = [
  ['first_name', /^(first|given|fore|christian)[ _-]?names?$|^forename$|^fname$/i],
  ['surname', /^(sur|last|family)[ _-]?names?$|^lname$/i],
  ['full_name', /^(full[ _-]?)?name$|^person[ _-]?name$/i],
  ['date_of_birth', /^dob$|birth/i],
  ['email', /e[ _-]?mail/i],
  ['postcode', /post[ _-]?code|^zip|^pcd?s?$/i],
  ['phone', /phone|mobile|^tel/i],
  ['identity_number', /soc[ _-]?sec|^ssn$|nhs[ _-]?(no|num)|^ni[ _-]?(no|num)|national[ _-]?insurance|passport/i],
  ['house_number', /(street|house|building)[ _-]?(number|no|num)$/i],
  ['address', /address|street|road|^addr/i],
  ['place', /city|town|suburb|locality|^state$|county|village/i],
  ['sex', /^(sex|gender)$/i],
];

/** Columns never compared: identifiers, and names that say they hold the answer. */
const NEVER = /^(unique[ _-]?id|id|rec[ _-]?id|record[ _-]?id|cluster|entity|truth|label|match[ _-]?id|true[ _-]?id)$/i;

/** The strptime format most of a column's sample values are written in, or null. */
export function dateFormatOf(values: readonly string[]): string | null {
  const formats: [RegExp, string][] = [
    [/^\d{4}-\d{2}-\d{2}$/, '%Y-%m-%d'],
    [/^(1[89]|20)\d{2}[01]\d[0-3]\d$/, '%Y%m%d'],
    [/^\d{2}\/\d{2}\/\d{4}$/, '%d/%m/%Y'],
    [/^\d{2}-\d{2}-\d{4}$/, '%d-%m-%Y'],
  ];
  if (!values.length) return null;
  for (const [re, f] of formats) if (values.filter((v) => re.test(v)).length >= 0.8 * values.length) return f;
  return null;
}

function nameLevels(tf: boolean): Level[] {
  return [
    { kind: 'null' },
    { kind: 'exact', tf },
    { kind: 'jaro_winkler', threshold: 0.92 },
    { kind: 'jaro_winkler', threshold: 0.88 },
    { kind: 'jaro_winkler', threshold: 0.7 },
    { kind: 'else' },
  ];
}

/** The comparison for a column of a kind (exact only when the column holds keyed hashes). */
export function comparisonFor(
  column: string,
  kind: ColumnKind,
  o: { dateFormat?: string | null; hashed?: boolean; bloom?: boolean } = {},
): Comparison {
  const name = column.replace(/[^A-Za-z0-9_]/g, '_').replace(/^[^A-Za-z]+/, '') || 'column';
  const base = { name, column };
  if (o.bloom)
    return {
      ...base,
      levels: [
        { kind: 'null' },
        { kind: 'exact', tf: true },
        { kind: 'bloom_dice', threshold: 0.9 },
        { kind: 'bloom_dice', threshold: 0.8 },
        { kind: 'bloom_dice', threshold: 0.7 },
        { kind: 'else' },
      ],
    };
  if (o.hashed) return { ...base, levels: [{ kind: 'null' }, { kind: 'exact', tf: true }, { kind: 'else' }] };
  switch (kind) {
    case 'first_name':
    case 'surname':
      return { ...base, levels: nameLevels(true) };
    case 'full_name':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'jaro_winkler', threshold: 0.92 },
          { kind: 'jaro_winkler', threshold: 0.8 },
          { kind: 'else' },
        ],
      };
    case 'date_of_birth': {
      const f = o.dateFormat;
      const levels: Level[] = [{ kind: 'null' }, { kind: 'exact' }, { kind: 'damerau_levenshtein', max: 1 }];
      if (f)
        levels.push(
          { kind: 'date_swap', format: f },
          { kind: 'date_within', format: f, days: 31 },
          { kind: 'date_within', format: f, days: 366 },
          { kind: 'date_within', format: f, days: 3653 },
        );
      levels.push({ kind: 'else' });
      return { ...base, levels };
    }
    case 'email':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'exact', transform: 'email_local' },
          { kind: 'jaro_winkler', threshold: 0.88 },
          { kind: 'jaro_winkler', threshold: 0.88, transform: 'email_local' },
          { kind: 'else' },
        ],
      };
    case 'postcode':
    case 'phone':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'damerau_levenshtein', max: 1 },
          { kind: 'else' },
        ],
      };
    case 'identity_number':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact' },
          { kind: 'damerau_levenshtein', max: 1 },
          { kind: 'damerau_levenshtein', max: 2 },
          { kind: 'else' },
        ],
      };
    case 'house_number':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'damerau_levenshtein', max: 1 },
          { kind: 'else' },
        ],
      };
    case 'address':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'jaro_winkler', threshold: 0.9 },
          { kind: 'jaro_winkler', threshold: 0.8 },
          { kind: 'else' },
        ],
      };
    case 'place':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'jaro_winkler', threshold: 0.9 },
          { kind: 'else' },
        ],
      };
    case 'sex':
      return { ...base, levels: [{ kind: 'null' }, { kind: 'exact' }, { kind: 'else' }] };
    case 'text':
      return {
        ...base,
        levels: [
          { kind: 'null' },
          { kind: 'exact', tf: true },
          { kind: 'jaro_winkler', threshold: 0.9 },
          { kind: 'else' },
        ],
      };
  }
}

const WHY: Record<ColumnKind, string> = {
  first_name: 'first names: exact (rarer names count for more), then three Jaro-Winkler bands for typos and variants',
  surname: 'surnames: exact (rarer names count for more), then three Jaro-Winkler bands for typos and variants',
  full_name: 'full names: exact, then two Jaro-Winkler bands',
  date_of_birth:
    'dates of birth: exact, one typing slip, day and month swapped, then within a month, a year, ten years',
  email: 'email addresses: exact, the same name before the @, then Jaro-Winkler on the whole and the name',
  postcode: 'postcodes: exact, then one typing slip',
  phone: 'phone numbers: exact, then one typing slip',
  identity_number: 'identity numbers: exact, then one or two typing slips',
  house_number: 'house numbers: exact, then one typing slip',
  address: 'address lines: exact, then two Jaro-Winkler bands',
  place: 'places: exact (common places count for less), then Jaro-Winkler ≥ 0.9',
  sex: 'sex or gender: exact or not (weak evidence on its own)',
  text: 'free text with many different values: exact, then Jaro-Winkler ≥ 0.9',
};

const SAMPLE = 2000;
/** The most blocking rules a proposal keeps. */
const MAX_RULES = 8;

/** Proposes a spec for the datasets from their columns' names and contents. */
export async function proposeSpec(
  engine: Engine,
  sources: readonly LinkSource[],
  opts: { ignore?: readonly string[] } = {},
): Promise<{ spec: LinkSpec; proposal: Proposal }> {
  const ignore = new Set((opts.ignore ?? []).map((c) => c.toLowerCase()));
  const ids = new Set(sources.flatMap((s) => (s.idColumn ? [s.idColumn.toLowerCase()] : [])));
  const hashed = new Set(sources.flatMap((s) => s.pseudonymised.map((c) => c.toLowerCase())));
  const columns = commonColumns(sources);
  const report: Proposal['columns'] = [];
  const comparisons: Comparison[] = [];
  const kinds = new Map<ColumnKind, string[]>();
  const src = sources[0];
  for (const col of columns) {
    const lc = col.toLowerCase();
    if (ids.has(lc)) {
      report.push({ column: col, kind: null, why: "left out: it holds the records' own identifiers" });
      continue;
    }
    if (ignore.has(lc)) {
      report.push({ column: col, kind: null, why: 'left out, as asked' });
      continue;
    }
    if (NEVER.test(col.trim())) {
      report.push({
        column: col,
        kind: null,
        why: 'left out: its name says it identifies records or holds the answer',
      });
      continue;
    }
    const sample = (
      await engine.all<{ v: string }>(
        `SELECT trim(CAST(${ident(col)} AS VARCHAR)) AS v FROM ${ident(src.table)} WHERE nullif(trim(CAST(${ident(col)} AS VARCHAR)), '') IS NOT NULL LIMIT ${SAMPLE}`,
      )
    ).map((r) => r.v);
    const stats = (await engine.one<{ n: number; distinct_values: number; filled: number }>(
      `SELECT count(*)::BIGINT AS n, count(DISTINCT nullif(trim(CAST(${ident(col)} AS VARCHAR)), ''))::BIGINT AS distinct_values,
        count(nullif(trim(CAST(${ident(col)} AS VARCHAR)), ''))::BIGINT AS filled FROM ${ident(src.table)}`,
    ))!;
    if (!stats.filled) {
      report.push({ column: col, kind: null, why: 'left out: it is empty' });
      continue;
    }
    let kind = BY_NAME.find(([, re]) => re.test(col.trim()))?.[0] ?? null;
    let how = 'its name';
    const format = dateFormatOf(sample);
    if (!kind && format) [kind, how] = ['date_of_birth', 'its values, which are dates'];
    if (!kind && sample.filter((v) => /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(v)).length >= 0.8 * sample.length)
      [kind, how] = ['email', 'its values, which are email addresses'];
    if (!kind) {
      const numeric = sample.filter((v) => /^-?\d+(\.\d+)?$/.test(v)).length >= 0.8 * sample.length;
      if (!numeric && stats.distinct_values >= 0.2 * stats.filled && stats.distinct_values > 20)
        [kind, how] = ['text', 'its values: text with many different values'];
    }
    if (!kind) {
      report.push({
        column: col,
        kind: null,
        why: 'left out: neither its name nor its values say what it holds (add a comparison for it by editing the spec)',
      });
      continue;
    }
    const isHashed = hashed.has(lc);
    // Encoded for linkage (decision 22): letter pairs in a Bloom filter, compared by their Dice coefficient.
    const isBloom = isHashed && sample.length > 0 && sample.every((v) => v.startsWith(BLOOM_PREFIX));
    comparisons.push(comparisonFor(col, kind, { dateFormat: format, hashed: isHashed && !isBloom, bloom: isBloom }));
    kinds.set(kind, [...(kinds.get(kind) ?? []), col]);
    report.push({
      column: col,
      kind,
      why: `recognised by ${how}; ${isBloom ? 'encoded for linkage: exact, then three bands of the encodings’ Dice coefficient' : isHashed ? 'pseudonymised, so compared exactly only' : WHY[kind]}`,
    });
  }
  if (!comparisons.length)
    throw new ParameterError(
      'No column was recognised as something to compare people on.',
      'Write a spec (see docs/linkage.md, "The model spec") and give it with --spec, or rename the columns on import (--map "Forename=first_name").',
    );

  // Blocking rules from the strongest identifiers first; each counted, too many pairs and it is dropped.
  const one = (k: ColumnKind) => kinds.get(k)?.[0];
  const candidates: { on: string[]; why: string }[] = [];
  const add = (cols: (string | undefined)[], why: string) => {
    if (cols.every(Boolean)) candidates.push({ on: cols as string[], why });
  };
  add([one('first_name'), one('surname')], 'the same first name and surname');
  add([one('full_name')], 'the same full name');
  add([one('date_of_birth')], 'the same date of birth');
  add([one('email')], 'the same email address');
  add([one('identity_number')], 'the same identity number');
  add([one('phone')], 'the same phone number');
  add([one('postcode'), one('surname')], 'the same postcode and surname');
  add([one('postcode'), one('first_name')], 'the same postcode and first name');
  add([one('address'), one('house_number')], 'the same address line and house number');
  add([one('surname')], 'the same surname');
  add([one('first_name')], 'the same first name');
  add([one('first_name'), one('place')], 'the same first name and place');
  add([one('surname'), one('place')], 'the same surname and place');
  add([one('date_of_birth'), one('place')], 'the same date of birth and place');
  add([one('postcode')], 'the same postcode');
  if (!candidates.length) for (const c of comparisons.slice(0, 2)) add([c.column], `the same ${c.column}`);

  const linkType = sources.length === 2 ? 'link' : 'dedupe';
  const draft = (predict: BlockingRule[]): LinkSpec =>
    parseLinkSpec(
      {
        version: LINK_SPEC_VERSION,
        linkType,
        comparisons,
        blocking: { predict },
        ignored: [...ignore].length ? [...(opts.ignore ?? [])] : undefined,
        origin: 'proposed',
      },
      'The proposal',
    );
  const rec = await buildRecords(engine, draft(candidates.map((c) => ({ on: c.on }))), sources);
  const blocking: Proposal['blocking'] = [];
  const kept: BlockingRule[] = [];
  try {
    const n = rec.counts.reduce((s, c) => s + c.used, 0);
    const budget = Math.max(50_000, 40 * n);
    for (const c of candidates) {
      const rule: BlockingRule = { on: c.on };
      const pairs = (await engine.one<{ pairs: number }>(ruleCountSql(rule, linkType, rec.table)))!.pairs;
      const ok = pairs > 0 && pairs <= budget && kept.length < MAX_RULES;
      blocking.push({
        rule: c.on.join(' + '),
        pairs,
        kept: ok,
        why: ok
          ? `kept: ${c.why}`
          : pairs === 0
            ? 'dropped: it makes no pairs'
            : kept.length >= MAX_RULES
              ? `dropped: ${MAX_RULES} rules are enough`
              : `dropped: ${pairs} pairs is more than ${budget} for ${n} records`,
      });
      if (ok) kept.push(rule);
    }
    if (!kept.length) {
      const smallest = blocking.filter((b) => b.pairs > 0).sort((a, b) => a.pairs - b.pairs)[0];
      if (smallest) {
        kept.push({ on: smallest.rule.split(' + ') });
        smallest.kept = true;
        smallest.why = 'kept, though it makes many pairs: no rule makes fewer';
      }
    }
  } finally {
    await rec.drop();
  }
  return {
    spec: draft(kept.length ? kept : [{ on: [comparisons[0].column!] }]),
    proposal: { version: 1, columns: report, blocking },
  };
}
