/**
 * The match-rate report (issue 13, point 4): for each dataset, how its records reach households and
 * each other — with their own UPRN, a UPRN matched in the gazetteer, a derived property key, no
 * reference, not placed at a postcode; how many households they make and how many share one
 * (several records at one property); and, for every other dataset with property references, the
 * records whose household is in it. Counts only, never a value: for the datasets' owners.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { missingDataset } from '../intake/index.ts';
import { type Engine, ident } from '../store/index.ts';

export const MATCH_RATE_VERSION = 1;

/** count and pct are null when hidden as a small number (outputs' discloseMatchRates) */
const RateSchema = z.object({ count: z.number().nullable(), pct: z.number().nullable() });

export const MatchRateDatasetSchema = z.object({
  dataset: z.string(),
  records: z.number(),
  /** records not placed at a postcode (unmatched or rejected at import) */
  notPlaced: RateSchema,
  /** false: imported without --address-columns or --uprn-column, so the property counts are null */
  addressed: z.boolean(),
  uprn: RateSchema.nullable(),
  matchedUprn: RateSchema.nullable(),
  derived: RateSchema.nullable(),
  none: RateSchema.nullable(),
  /** distinct property references (a record with none is not counted here) */
  households: z.number().nullable(),
  /** records at a property reference another record of the dataset has too */
  sharedHousehold: RateSchema.nullable(),
  /** for each other dataset with property references: records whose property reference is in it */
  linked: z.array(z.object({ dataset: z.string(), count: z.number().nullable(), pct: z.number().nullable() })),
});
export type MatchRateDataset = z.infer<typeof MatchRateDatasetSchema>;

export const MatchRateResultSchema = z.object({
  kind: z.literal('match-rates'),
  version: z.literal(MATCH_RATE_VERSION),
  datasets: z.array(MatchRateDatasetSchema),
  /**
   * The households of the reported datasets with addresses, as Bristol counted them: each dataset's
   * households added up, and the distinct households of all of them together (a household in two
   * datasets counted once). Null when none has addresses.
   */
  union: z.object({ datasets: z.array(z.string()), sumOfDatasets: z.number(), distinct: z.number() }).nullable(),
  notes: z.array(z.string()),
});
export type MatchRateResult = z.infer<typeof MatchRateResultSchema>;

const rate = (count: number, of: number) => ({ count, pct: of > 0 ? (count / of) * 100 : null });

/**
 * The report for the datasets named (every dataset when none is). `among`: the only datasets that
 * may be reported or linked to (a partner's own); null for all.
 */
export async function matchRates(
  engine: Engine,
  datasets?: readonly string[],
  among: readonly string[] | null = null,
): Promise<MatchRateResult> {
  const all = (
    await engine.all<{ name: string; table_name: string; addressing: string | null }>(
      `SELECT name, table_name, addressing FROM dataset ORDER BY name`,
    )
  ).filter((d) => among === null || among.includes(d.name));
  let chosen = all;
  if (datasets?.length) {
    chosen = [];
    for (const d of datasets) {
      const found = all.find((a) => a.name === d);
      if (!found) throw await missingDataset(engine, d);
      if (chosen.includes(found)) throw new ParameterError(`The dataset ${d} is named twice.`);
      chosen.push(found);
    }
  }
  const addressed = all.filter((a) => a.addressing);
  const out: MatchRateDataset[] = [];
  for (const d of chosen) {
    const t = ident(d.table_name);
    const base = (await engine.one<{ n: number; np: number }>(
      `SELECT count(*)::BIGINT AS n, count(*) FILTER (WHERE _status <> 'matched')::BIGINT AS np FROM ${t}`,
    ))!;
    const row: MatchRateDataset = {
      dataset: d.name,
      records: base.n,
      notPlaced: rate(base.np, base.n),
      addressed: Boolean(d.addressing),
      uprn: null,
      matchedUprn: null,
      derived: null,
      none: null,
      households: null,
      sharedHousehold: null,
      linked: [],
    };
    if (d.addressing) {
      const c = (await engine.one<Record<string, number>>(
        `SELECT count(*) FILTER (WHERE _property_kind = 'uprn')::BIGINT AS uprn,
          count(*) FILTER (WHERE _property_kind = 'matched_uprn')::BIGINT AS matched,
          count(*) FILTER (WHERE _property_kind = 'derived')::BIGINT AS derived,
          count(*) FILTER (WHERE _property IS NULL)::BIGINT AS none,
          count(DISTINCT _property)::BIGINT AS households
        FROM ${t}`,
      ))!;
      const shared = (await engine.one<{ n: number }>(
        `SELECT coalesce(sum(n), 0)::BIGINT AS n FROM (SELECT count(*) AS n FROM ${t} WHERE _property IS NOT NULL GROUP BY _property HAVING count(*) > 1)`,
      ))!.n;
      Object.assign(row, {
        uprn: rate(c.uprn, base.n),
        matchedUprn: rate(c.matched, base.n),
        derived: rate(c.derived, base.n),
        none: rate(c.none, base.n),
        households: c.households,
        sharedHousehold: rate(shared, base.n),
      });
      for (const o of addressed) {
        if (o.name === d.name) continue;
        const n = (await engine.one<{ n: number }>(
          `SELECT count(*)::BIGINT AS n FROM ${t} d WHERE d._property IN (SELECT _property FROM ${ident(o.table_name)} WHERE _property IS NOT NULL)`,
        ))!.n;
        row.linked.push({ dataset: o.name, ...rate(n, base.n) });
      }
    }
    out.push(row);
  }
  const reported = chosen.filter((d) => d.addressing);
  const union = reported.length
    ? {
        datasets: reported.map((d) => d.name),
        sumOfDatasets: out.reduce((s, r) => s + (r.households ?? 0), 0),
        distinct: (await engine.one<{ n: number }>(
          `SELECT count(DISTINCT p)::BIGINT AS n FROM (${reported.map((d) => `SELECT _property AS p FROM ${ident(d.table_name)} WHERE _property IS NOT NULL`).join(' UNION ALL ')})`,
        ))!.n,
      }
    : null;
  const notes: string[] = [];
  const without = out.filter((r) => !r.addressed).map((r) => r.dataset);
  if (without.length)
    notes.push(
      `${without.join(', ')} ${without.length === 1 ? 'was' : 'were'} imported without addresses: import again with --address-columns (or --uprn-column) to give each record a property reference.`,
    );
  notes.push(
    'A record links to another dataset when that dataset has a record with the same property reference: the same household, not necessarily the same person.',
  );
  return { kind: 'match-rates', version: MATCH_RATE_VERSION, datasets: out, union, notes };
}
