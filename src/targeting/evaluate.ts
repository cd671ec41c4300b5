/**
 * Campaign evaluation: did take-up rise where the campaign went? Take-up (new users ÷ base) in the
 * targeted areas against control areas, their difference with a 95% interval (Newcombe's hybrid
 * score method) and their ratio (Katz's log interval). Dartford's green waste campaign: 16% where
 * targeted against 4% elsewhere.
 */
import { ParameterError, Z_95, parseDay, wilsonInterval, type Interval } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import { datasetColumn } from '../intake/index.ts';
import { postcodeKey } from '../geo/index.ts';
import { areaNames, parseTargetLevel, postcodeRows } from './areas.ts';
import { EVALUATION_RESULT_VERSION, type EvaluationGroup, type EvaluationResult } from './result.ts';

export interface Estimate {
  value: number;
  low: number;
  high: number;
}

/**
 * Difference of two independent proportions x1/n1 − x2/n2 with Newcombe's hybrid score interval
 * (Newcombe 1998, method 10): each proportion's Wilson interval (l, u), then
 *   low  = d − √((p1 − l1)² + (u2 − p2)²),  high = d + √((u1 − p1)² + (p2 − l2)²).
 * It stays within [−1, 1] and behaves with small or zero counts, unlike the Wald interval.
 */
export function newcombeDifference(x1: number, n1: number, x2: number, n2: number, z = Z_95): Estimate | null {
  const w1 = wilsonInterval(x1, n1, z),
    w2 = wilsonInterval(x2, n2, z);
  if (!w1 || !w2) return null;
  const p1 = x1 / n1,
    p2 = x2 / n2,
    d = p1 - p2;
  return {
    value: d,
    low: d - Math.sqrt((p1 - w1.low) ** 2 + (w2.high - p2) ** 2),
    high: d + Math.sqrt((w1.high - p1) ** 2 + (p2 - w2.low) ** 2),
  };
}

/**
 * Ratio of two proportions (relative uplift) with the log (Katz) interval:
 *   exp(ln(p1 ÷ p2) ± z·√(1/x1 − 1/n1 + 1/x2 − 1/n2)). Null when either count is 0.
 */
export function ratioInterval(x1: number, n1: number, x2: number, n2: number, z = Z_95): Estimate | null {
  if (!(x1 > 0 && x2 > 0 && n1 > 0 && n2 > 0)) return null;
  const r = x1 / n1 / (x2 / n2);
  const se = Math.sqrt(Math.max(0, 1 / x1 - 1 / n1 + 1 / x2 - 1 / n2));
  return { value: r, low: r * Math.exp(-z * se), high: r * Math.exp(z * se) };
}

export interface EvaluationRequest {
  dataset: string;
  /** level of the areas named (default ward) */
  areas?: string;
  targeted: readonly string[];
  /** control areas; every other area when omitted */
  control?: readonly string[];
  base?: 'households' | 'population';
  /** only records whose date in this column is within since … until (inclusive) */
  dateColumn?: string;
  since?: string;
  until?: string;
}

function group(areas: { base: number; users: number }[]): EvaluationGroup {
  const base = areas.reduce((s, a) => s + a.base, 0);
  const users = areas.reduce((s, a) => s + a.users, 0);
  const ci: Interval | null = wilsonInterval(Math.min(users, base), base);
  return {
    areas: areas.length,
    base,
    users,
    takeUp: { value: base > 0 ? users / base : null, low: ci?.low ?? null, high: ci?.high ?? null },
    suppressed: false,
  };
}

export async function evaluateCampaign(engine: Engine, req: EvaluationRequest): Promise<EvaluationResult> {
  const ds = await getDataset(engine, req.dataset);
  const measure = req.base ?? 'households';
  const level = parseTargetLevel(req.areas ?? 'ward');
  const norm = (c: string) => (level === 'postcode' ? postcodeKey(c) : c.trim().toUpperCase());
  const targetedCodes = [...new Set(req.targeted.map(norm).filter(Boolean))];
  if (!targetedCodes.length)
    throw new ParameterError(
      'No targeted area was given.',
      'Give the targeted areas with --targeted CODE,CODE or --targeted FILE (e.g. the CSV that civic target wrote).',
    );
  const controlCodes = req.control ? [...new Set(req.control.map(norm).filter(Boolean))] : null;
  if (controlCodes && !controlCodes.length)
    throw new ParameterError(
      'The control list is empty.',
      'Give control areas, or leave --control out to compare with every other area.',
    );
  const both = controlCodes?.filter((c) => targetedCodes.includes(c)) ?? [];
  if (both.length)
    throw new ParameterError(
      `${both.slice(0, 5).join(', ')} ${both.length === 1 ? 'is' : 'are'} both targeted and control.`,
      'An area can be in one group only.',
    );

  // Users: matched records, in the campaign period when one is given.
  let usersByKey: Map<string, number> | undefined;
  let period: EvaluationResult['period'] = null;
  if (req.dateColumn || req.since || req.until) {
    if (!req.dateColumn)
      throw new ParameterError(
        "A start or end date needs the name of the column that holds each record's date.",
        "Give the date column as well (the dataset's column with each record's date, for example start_date).",
      );
    const col = datasetColumn(ds.columns, req.dateColumn);
    const since = req.since ? parseDay(req.since) : null;
    const until = req.until ? parseDay(req.until) : null;
    if (req.since && since === null)
      throw new ParameterError(`The start date "${req.since}" is not a date.`, 'Write it as 2025-03-01 or 01/03/2025.');
    if (req.until && until === null)
      throw new ParameterError(`The end date "${req.until}" is not a date.`, 'Write it as 2025-05-31 or 31/05/2025.');
    const rows = await engine.all<{ k: string; v: string | null; n: number }>(
      `SELECT d._pc_key AS k, CAST(d.${ident(col)} AS VARCHAR) AS v, count(*)::BIGINT AS n FROM ${ident(ds.table_name)} d WHERE d._status = 'matched' GROUP BY 1, 2`,
    );
    usersByKey = new Map();
    let undated = 0;
    for (const r of rows) {
      const day = parseDay(r.v);
      if (day === null) {
        undated += r.n;
        continue;
      }
      if ((since !== null && day < since) || (until !== null && day > until)) continue;
      usersByKey.set(r.k, (usersByKey.get(r.k) ?? 0) + r.n);
    }
    period = { column: col, since: req.since ?? null, until: req.until ?? null, undated };
  }

  const { rows: pcs, baseLevel } = await postcodeRows(engine, {
    level,
    measure,
    recordsTable: ds.table_name,
    usersByKey,
  });
  const byArea = new Map<string, { code: string; base: number; users: number }>();
  const shown = new Map<string, string>();
  for (const p of pcs) {
    const a = byArea.get(p.area) ?? { code: p.area, base: 0, users: 0 };
    a.base += p.base;
    a.users += p.users;
    byArea.set(p.area, a);
    if (level === 'postcode') shown.set(p.area, p.postcode);
  }
  const known = new Map([...byArea.keys()].map((k) => [k.toUpperCase(), k]));
  const unknownAreas = [...targetedCodes, ...(controlCodes ?? [])].filter((c) => !known.has(c));
  const targeted = targetedCodes.filter((c) => known.has(c)).map((c) => byArea.get(known.get(c)!)!);
  if (!targeted.length) {
    const examples = [...byArea.keys()].slice(0, 3).map((k) => shown.get(k) ?? k);
    throw new ParameterError(
      `None of the targeted areas is a ${level} of the workspace: ${targetedCodes.slice(0, 5).join(', ')}.`,
      `Give ${level} codes such as ${examples.join(', ')}, or change --areas.`,
    );
  }
  const targetedSet = new Set(targeted.map((a) => a.code));
  const control = controlCodes
    ? controlCodes.filter((c) => known.has(c)).map((c) => byArea.get(known.get(c)!)!)
    : [...byArea.values()].filter((a) => !targetedSet.has(a.code) && a.base > 0);
  if (!control.length)
    throw new ParameterError(
      'There are no control areas to compare with.',
      'Give control areas with --control, or leave some areas out of --targeted.',
    );

  const t = group(targeted),
    c = group(control);
  const difference = newcombeDifference(Math.min(t.users!, t.base), t.base, Math.min(c.users!, c.base), c.base);
  const ratio = ratioInterval(t.users!, t.base, c.users!, c.base);
  const names = await areaNames(engine, level);
  const row = (g: 'targeted' | 'control') => (a: { code: string; base: number; users: number }) => ({
    code: shown.get(a.code) ?? a.code,
    name: names.get(a.code) ?? null,
    group: g,
    base: a.base,
    users: a.users,
    takeUp: a.base > 0 ? a.users / a.base : null,
    suppressed: false,
  });
  return {
    version: EVALUATION_RESULT_VERSION,
    dataset: ds.name,
    areaLevel: level,
    baseMeasure: measure,
    period,
    targeted: t,
    control: c,
    difference: { value: difference?.value ?? null, low: difference?.low ?? null, high: difference?.high ?? null },
    ratio: { value: ratio?.value ?? null, low: ratio?.low ?? null, high: ratio?.high ?? null },
    significant: difference ? difference.low > 0 || difference.high < 0 : null,
    areas: [...targeted.map(row('targeted')), ...control.map(row('control'))],
    unknownAreas,
    method: [
      `Take-up = users in the ${period ? `period (${period.column}${period.since ? ` from ${period.since}` : ''}${period.until ? ` to ${period.until}` : ''})` : 'dataset'} ÷ ${measure}, over all the areas of each group.`,
      `${measure[0].toUpperCase() + measure.slice(1)} per area: each ${baseLevel} area's ${measure} shared equally among its live postcodes.`,
      "Difference: targeted take-up − control take-up, with a 95% interval by Newcombe's hybrid score method (from each group's Wilson interval).",
      'Ratio: targeted take-up ÷ control take-up, with a 95% interval on the log scale (Katz).',
      controlCodes ? 'Control: the areas given.' : `Control: every other ${level} with ${measure}.`,
      'Areas are not chosen at random, so a difference shows association, not proof that the campaign caused it.',
    ],
    disclosure: null,
  };
}

/** A postcode written with its space (SB8 1QY), which a list of codes must not cut in two. */
const SPACED_POSTCODE = /^[A-Z]{1,2}[0-9][A-Z0-9]? +[0-9][A-Z]{2}$/i;

/**
 * Area codes or postcodes pasted as a list: one per line, or separated by commas, semicolons or
 * tabs; on a line, spaces also separate codes, except the space inside a postcode.
 */
export function parseAreaList(text: string): string[] {
  const out: string[] = [];
  for (const part of text.split(/[\r\n,;\t]+/)) {
    const t = part.trim();
    if (!t) continue;
    if (SPACED_POSTCODE.test(t)) out.push(t.replace(/ +/, ' '));
    else {
      // "E05000001 E05000002", or postcodes side by side ("SB8 1QY SB8 1QZ")
      const words = t.split(/\s+/);
      for (let i = 0; i < words.length; i++) {
        const pair = i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : '';
        if (pair && SPACED_POSTCODE.test(pair)) {
          out.push(pair);
          i++;
        } else out.push(words[i]);
      }
    }
  }
  return out;
}
