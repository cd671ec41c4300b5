/**
 * Reading a page's query string. Each page declares the parameters it reads, as data: what kind
 * of value each is (text, one of a list, a whole number in a range, a positive number, what to
 * group by, a base, a segment), its default, and the plain-English message and fix for a bad
 * value. `readQuery` reads them in the order declared and throws a `ParameterError` for the first
 * bad one, so a page shows one mistake at a time, the same one every time.
 *
 * The parts many pages share (what to group by, a classification's tier, the base, a segment) are
 * kinds of field here, read in this one place. What a page does with the values (which
 * combinations it accepts) stays with the page.
 */
import { ParameterError } from '../core/index.ts';

export type Query = Record<string, unknown>;

/** One value of a query parameter (the first, if it was repeated), trimmed; undefined when empty. */
export function one(v: unknown): string | undefined {
  const x = Array.isArray(v) ? v[0] : v;
  if (x === undefined || x === null) return undefined;
  const s = String(x).trim();
  return s === '' ? undefined : s;
}

/** Every value of a repeated query parameter (checkboxes), also accepting one comma-separated value. */
export function many(v: unknown): string[] {
  const xs = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
  return [
    ...new Set(
      xs
        .flatMap((x) => String(x).split(','))
        .map((x) => x.trim())
        .filter(Boolean),
    ),
  ];
}

/** A download's format, one of those the page gives. */
export function formatOf(v: unknown, allowed: readonly string[]): string {
  const f = (one(v) ?? '').toLowerCase();
  if (!allowed.includes(f)) throw new ParameterError(`Cannot download as "${f}".`, `Formats: ${allowed.join(', ')}.`);
  return f;
}

/** A field of a page's query: reads its value from the query under its name. */
export interface Field<T> {
  read(q: Query, name: string): T;
}

/** What to say about a value the page cannot use: the message (given the value as sent) and how to put it right. */
export interface BadValue {
  message: (text: string) => string;
  fix?: string;
}

/** A message with no value in it (a field the page needs was not sent), and how to put it right. */
export interface Problem {
  message: string;
  fix?: string;
}

/** The values a declaration reads, by field name. */
export type QueryOf<S extends Record<string, Field<unknown>>> = {
  [K in keyof S]: S[K] extends Field<infer T> ? T : never;
};

/** Reads every field of a declaration, in the order declared. */
export function readQuery<S extends Record<string, Field<unknown>>>(q: Query, fields: S): QueryOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(fields)) out[name] = f.read(q, name);
  return out as QueryOf<S>;
}

/**
 * A form's query: null before the form is sent (while `sentWith` is empty), then every field read
 * as `readQuery` does.
 */
export function readForm<S extends Record<string, Field<unknown>>, K extends keyof S & string>(
  q: Query,
  sentWith: K,
  fields: S,
): (QueryOf<S> & Record<K, string>) | null {
  if (one(q[sentWith]) === undefined) return null;
  return readQuery(q, fields) as QueryOf<S> & Record<K, string>;
}

const bad = (b: BadValue, text: string) => new ParameterError(b.message(text), b.fix);

/** What to group by: a classification's tier or an area level. */
export interface By {
  classification?: string;
  tier?: string;
  byArea?: string;
  /** As the form's select gives it ("seg:CLASSIFICATION:TIER" or "area:LEVEL"). */
  value?: string;
}

/** Reads "seg:CLASSIFICATION:TIER" or "area:LEVEL" (or the separate classification/tier/area parameters scripts may send). */
function readBy(q: Query): By {
  const by = one(q.by);
  if (by) {
    const [kind, a, ...rest] = by.split(':');
    if (kind === 'area' && a) return { byArea: a, value: by };
    if (kind === 'seg' && a && rest.length) return { classification: a, tier: rest.join(':'), value: by };
    throw new ParameterError(
      `Cannot read "${by}" as what to profile by.`,
      'Choose a classification tier or an area level from the list.',
    );
  }
  const classification = one(q.classification),
    tier = one(q.tier),
    byArea = one(q.area) ?? one(q.byArea);
  if (byArea) return { byArea, value: `area:${byArea}` };
  if (classification) return { classification, tier, value: tier ? `seg:${classification}:${tier}` : undefined };
  return {};
}

/** Text, trimmed: undefined when not sent, unless the field has a default or is required (then the message). */
function text(): Field<string | undefined>;
function text(o: { default: string } | { required: Problem }): Field<string>;
function text(o: { default?: string; required?: Problem } = {}): Field<string | undefined> {
  return {
    read(q, name) {
      const v = one(q[name]) ?? o.default;
      if (v === undefined && o.required) throw new ParameterError(o.required.message, o.required.fix);
      return v;
    },
  };
}

/** Every value of a repeated parameter (or of one comma-separated value). */
function texts(): Field<string[]> {
  return { read: (q, name) => many(q[name]) };
}

/** One of a list of values; the default when not sent. */
function choice<T extends string>(values: readonly T[], o: { default: T } & BadValue): Field<T> {
  return {
    read(q, name) {
      const v = one(q[name]) ?? o.default;
      if (!values.includes(v as T)) throw bad(o, v);
      return v as T;
    },
  };
}

/** A whole number from min to max; the default, or undefined, when not sent. */
function wholeNumber(o: { min: number; max: number; default: number } & BadValue): Field<number>;
function wholeNumber(o: { min: number; max: number } & BadValue): Field<number | undefined>;
function wholeNumber(o: { min: number; max: number; default?: number } & BadValue): Field<number | undefined> {
  return numberField(o, (n) => Number.isInteger(n) && n >= o.min && n <= o.max);
}

/** A number above 0 (and at most max, if given); the default when not sent, and the message when there is none. */
function positiveNumber(o: { max?: number; default?: number } & BadValue): Field<number> {
  const max = o.max ?? Infinity;
  return numberField({ ...o, required: true }, (n) => Number.isFinite(n) && n > 0 && n <= max) as Field<number>;
}

function numberField(
  o: { default?: number; required?: boolean } & BadValue,
  ok: (n: number) => boolean,
): Field<number | undefined> {
  return {
    read(q, name) {
      const text = one(q[name]) ?? (o.default === undefined ? undefined : String(o.default));
      if (text === undefined) {
        if (o.required) throw bad(o, '');
        return undefined;
      }
      const n = Number(text);
      if (!ok(n)) throw bad(o, text);
      return n;
    },
  };
}

/** What to group by: `by=seg:CLASSIFICATION:TIER` or `by=area:LEVEL` (or classification, tier, area). */
function by(): Field<By> {
  return { read: (q) => readBy(q) };
}

/**
 * A classification's tier, `by=seg:CLASSIFICATION:TIER`, for pages that group by segment only:
 * an area level is refused, in the page's own words when it gives them.
 */
function tier(o: { byArea?: Problem } = {}): Field<{ classification?: string; tier?: string }> {
  return {
    read(q) {
      const b = readBy(q);
      if (b.byArea) {
        if (o.byArea) throw new ParameterError(o.byArea.message, o.byArea.fix);
        throw new ParameterError(`Cannot read "${b.value}" as a classification tier.`, 'Choose a tier from the list.');
      }
      return { classification: b.classification, tier: b.tier };
    },
  };
}

/** The base a rate is of: households (the default) or population. */
function base(): Field<'households' | 'population'> {
  return {
    read(q, name) {
      const b = one(q[name]) ?? 'households';
      if (b !== 'households' && b !== 'population')
        throw new ParameterError(`Unknown base "${b}".`, 'Choose households or population.');
      return b;
    },
  };
}

/** A segment: `target=CLASSIFICATION:CODE` (as the form's select gives it), or classification and segment. */
function segment(): Field<{ classification?: string; segment?: string }> {
  return {
    read(q) {
      const target = one(q.target);
      if (!target) return { classification: one(q.classification), segment: one(q.segment) };
      const i = target.indexOf(':');
      if (i <= 0) throw new ParameterError(`Cannot read the segment "${target}".`, 'Choose a segment from the list.');
      return { classification: target.slice(0, i), segment: target.slice(i + 1) };
    },
  };
}

/** The kinds of field a page's query is declared with. */
export const field = { text, texts, choice, wholeNumber, positiveNumber, by, tier, base, segment };
