/**
 * Site choice from a cost matrix someone already has (a travel-time export from another tool, a
 * distance table, a hand-worked example): no workspace, no coordinates. Two shapes are read, CSV or
 * XLSX, told apart by the header:
 * - long form: columns `origin`, `destination`, `cost`, one row per pair (as spopt's
 *   `from_cost_matrix` takes a matrix, but as rows a spreadsheet can hold);
 * - wide form: the first column names the origins, every other column is a candidate site (the
 *   header holds their ids), one row per origin — the matrix itself.
 * A cost is minutes (or any one unit) 0 or more; `unreachable` (or `inf`) marks a pair with no route.
 * A blank, negative or non-numeric cell, an unknown or repeated origin, site or pair, or a pair the
 * long form leaves out is refused, naming the file, row and column and what to write instead.
 *
 * Demand: each origin weighs 1 unless a demand file (`origin`, `weight`) gives every origin its weight.
 */
import { basename } from 'node:path';
import { InputError } from '../core/index.ts';
import { readSourceTable, type SourceTable } from '../intake/index.ts';
import type { CostMatrix, Place, TravelMode } from './costs.ts';

export interface CostFile {
  costs: CostMatrix;
  form: 'long' | 'wide';
  /** Data rows read; every one became a pair (long) or an origin (wide), or the file was refused. */
  rowsRead: number;
  pairs: number;
  unreachablePairs: number;
}

const UNREACHABLE = new Set(['unreachable', 'inf', 'infinity', '∞']);
const LONG_COLUMNS = ['origin', 'destination', 'cost'] as const;

const keyOf = (h: string) => h.trim().toLowerCase();

function cellCost(raw: string | null, where: { file: string; row: number; column: string }, what: string): number {
  const v = (raw ?? '').trim();
  if (!v)
    throw new InputError(`The cost ${what} is blank.`, {
      location: where,
      code: 'cost_file_blank',
      fix: 'Write the cost (0 or more), or "unreachable" if there is no way from the origin to the site.',
    });
  if (UNREACHABLE.has(v.toLowerCase())) return Infinity;
  const x = Number(v);
  if (!Number.isFinite(x))
    throw new InputError(`The cost ${what} is "${v}", which is not a number.`, {
      location: where,
      code: 'cost_file_not_number',
      fix: 'Write a number such as 12.5 (no units), or "unreachable".',
    });
  if (x < 0)
    throw new InputError(`The cost ${what} is ${x}; costs cannot be negative.`, {
      location: where,
      code: 'cost_file_negative',
      fix: 'Check how the file was made: travel costs are 0 or more.',
    });
  return x;
}

function idCell(raw: string | null, where: { file: string; row: number; column: string }, what: string): string {
  const v = (raw ?? '').trim();
  if (!v)
    throw new InputError(`The ${what} is blank.`, {
      location: where,
      code: 'cost_file_blank_id',
      fix: `Give every row its ${what}, or delete the row.`,
    });
  return v;
}

function rowProblem(t: SourceTable, file: string): void {
  for (const r of t.rows)
    if (r.problem)
      throw new InputError(`This row is malformed: ${r.problem.reason}.`, {
        location: { file, row: r.rowNo, column: r.problem.column },
        code: 'cost_file_row',
        fix: 'Give every row one value per column of the header.',
      });
}

const place = (id: string): Place => ({ id, lon: Number.NaN, lat: Number.NaN });

/** Reads a cost matrix file, long or wide form (see the file header). */
export async function readCostFile(path: string, mode: TravelMode = 'car'): Promise<CostFile> {
  const file = basename(path);
  const t = await readSourceTable(path);
  rowProblem(t, file);
  if (!t.rows.length)
    throw new InputError('The cost file has a header but no rows.', {
      location: { file },
      code: 'cost_file_empty',
      fix: 'Add one row per origin and site pair (long form) or per origin (wide form).',
    });
  const keys = t.header.map(keyOf);
  const isLong = LONG_COLUMNS.every((c) => keys.includes(c));
  if (isLong) {
    const extra = t.header.filter((_, k) => !LONG_COLUMNS.includes(keys[k] as (typeof LONG_COLUMNS)[number]));
    if (extra.length)
      throw new InputError(
        `The long-form cost file has columns besides origin, destination and cost: ${extra.join(', ')}.`,
        {
          location: { file, column: extra[0] },
          code: 'cost_file_columns',
          fix: 'Keep only origin, destination and cost; give demand weights in a separate file with --demand.',
        },
      );
    const [co, cd, cc] = LONG_COLUMNS.map((c) => keys.indexOf(c));
    const origins = new Map<string, number>();
    const sites = new Map<string, number>();
    const seen = new Map<string, number>(); // "o\u0000d" → row
    const entries: { o: number; d: number; cost: number }[] = [];
    for (const r of t.rows) {
      const o = idCell(r.values[co], { file, row: r.rowNo, column: t.header[co] }, 'origin');
      const d = idCell(r.values[cd], { file, row: r.rowNo, column: t.header[cd] }, 'destination');
      const pair = `${o}\u0000${d}`;
      const before = seen.get(pair);
      if (before !== undefined)
        throw new InputError(`The pair ${o} → ${d} is given twice, in rows ${before} and ${r.rowNo}.`, {
          location: { file, row: r.rowNo, column: t.header[cd] },
          code: 'cost_file_duplicate_pair',
          fix: 'Keep one row per origin and destination.',
        });
      seen.set(pair, r.rowNo);
      const cost = cellCost(r.values[cc], { file, row: r.rowNo, column: t.header[cc] }, `from ${o} to ${d}`);
      if (!origins.has(o)) origins.set(o, origins.size);
      if (!sites.has(d)) sites.set(d, sites.size);
      entries.push({ o: origins.get(o)!, d: sites.get(d)!, cost });
    }
    const n = origins.size,
      m = sites.size;
    if (entries.length !== n * m) {
      const have = new Uint8Array(n * m);
      for (const e of entries) have[e.o * m + e.d] = 1;
      const oIds = [...origins.keys()],
        dIds = [...sites.keys()];
      const missing: string[] = [];
      for (let i = 0; i < n; i++)
        for (let j = 0; j < m; j++) if (!have[i * m + j]) missing.push(`${oIds[i]} → ${dIds[j]}`);
      throw new InputError(
        `${missing.length.toLocaleString('en-GB')} origin–site pair${missing.length === 1 ? ' is' : 's are'} missing (${n} origins × ${m} sites need ${(n * m).toLocaleString('en-GB')} rows, the file has ${entries.length.toLocaleString('en-GB')}): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}.`,
        {
          location: { file },
          code: 'cost_file_missing_pair',
          fix: 'Add a row for each missing pair, with "unreachable" as its cost if there is no route.',
        },
      );
    }
    const minutes = new Float32Array(n * m);
    let unreachable = 0;
    for (const e of entries) {
      minutes[e.o * m + e.d] = e.cost;
      if (e.cost === Infinity) unreachable++;
    }
    return {
      costs: {
        origins: [...origins.keys()].map(place),
        destinations: [...sites.keys()].map(place),
        minutes,
        mode,
        source: `the cost file ${file} (long form)`,
      },
      form: 'long',
      rowsRead: t.rows.length,
      pairs: entries.length,
      unreachablePairs: unreachable,
    };
  }
  // Wide form: first column the origins, the rest the sites.
  if (t.header.length < 2)
    throw new InputError('The cost file has one column; it needs origins and at least one candidate site.', {
      location: { file },
      code: 'cost_file_columns',
      fix: 'Use columns origin,destination,cost (one row per pair), or origin then one column per site (one row per origin).',
    });
  const siteIds = t.header.slice(1).map((h, k) => {
    const id = h.trim();
    if (!id)
      throw new InputError(`Column ${k + 2} has no name; in the wide form each column after the first is a site.`, {
        location: { file, row: 1 },
        code: 'cost_file_blank_id',
        fix: "Write the site's id in the header, or delete the empty column.",
      });
    return id;
  });
  const dupSite = siteIds.find((id, k) => siteIds.indexOf(id) !== k);
  if (dupSite)
    throw new InputError(`The site "${dupSite}" heads two columns.`, {
      location: { file, row: 1, column: dupSite },
      code: 'cost_file_duplicate_site',
      fix: 'Give each site one column.',
    });
  const m = siteIds.length;
  const rowOf = new Map<string, number>();
  const minutes = new Float32Array(t.rows.length * m);
  let unreachable = 0;
  t.rows.forEach((r, i) => {
    const o = idCell(r.values[0], { file, row: r.rowNo, column: t.header[0] }, 'origin');
    const before = rowOf.get(o);
    if (before !== undefined)
      throw new InputError(`The origin "${o}" has two rows, ${before} and ${r.rowNo}.`, {
        location: { file, row: r.rowNo, column: t.header[0] },
        code: 'cost_file_duplicate_origin',
        fix: 'Keep one row per origin.',
      });
    rowOf.set(o, r.rowNo);
    for (let j = 0; j < m; j++) {
      const c = cellCost(r.values[j + 1], { file, row: r.rowNo, column: siteIds[j] }, `from ${o} to ${siteIds[j]}`);
      minutes[i * m + j] = c;
      if (c === Infinity) unreachable++;
    }
  });
  return {
    costs: {
      origins: [...rowOf.keys()].map(place),
      destinations: siteIds.map(place),
      minutes,
      mode,
      source: `the cost file ${file} (wide form)`,
    },
    form: 'wide',
    rowsRead: t.rows.length,
    pairs: t.rows.length * m,
    unreachablePairs: unreachable,
  };
}

/** Demand weights for the cost file's origins from a file with columns origin and weight; every origin needs one. */
export async function readDemandFile(path: string, origins: readonly Place[]): Promise<Float64Array> {
  const file = basename(path);
  const t = await readSourceTable(path);
  rowProblem(t, file);
  const keys = t.header.map(keyOf);
  const co = keys.indexOf('origin'),
    cw = keys.indexOf('weight');
  if (co < 0 || cw < 0)
    throw new InputError(`The demand file needs columns origin and weight; it has ${t.header.join(', ')}.`, {
      location: { file, row: 1 },
      code: 'demand_file_columns',
      fix: 'Name the columns origin (as in the cost file) and weight (households, people, records…).',
    });
  const index = new Map(origins.map((o, i) => [o.id, i]));
  const weights = new Float64Array(origins.length);
  const rowOf = new Int32Array(origins.length);
  for (const r of t.rows) {
    const o = idCell(r.values[co], { file, row: r.rowNo, column: t.header[co] }, 'origin');
    const i = index.get(o);
    if (i === undefined)
      throw new InputError(`The origin "${o}" is not in the cost file.`, {
        location: { file, row: r.rowNo, column: t.header[co] },
        code: 'demand_file_unknown_origin',
        fix: 'Check the spelling matches the cost file, or delete the row.',
      });
    if (rowOf[i])
      throw new InputError(`The origin "${o}" has two weights, in rows ${rowOf[i]} and ${r.rowNo}.`, {
        location: { file, row: r.rowNo, column: t.header[co] },
        code: 'demand_file_duplicate_origin',
        fix: 'Keep one row per origin.',
      });
    rowOf[i] = r.rowNo;
    const v = (r.values[cw] ?? '').trim();
    const w = Number(v);
    if (!v || !Number.isFinite(w) || w < 0)
      throw new InputError(
        v ? `The weight of ${o} is "${v}"; weights are numbers 0 or more.` : `The weight of ${o} is blank.`,
        {
          location: { file, row: r.rowNo, column: t.header[cw] },
          code: 'demand_file_weight',
          fix: 'Write the demand as a number, 0 if the origin has none.',
        },
      );
    weights[i] = w;
  }
  const missing = origins.filter((_, i) => !rowOf[i]).map((o) => o.id);
  if (missing.length)
    throw new InputError(
      `${missing.length} origin${missing.length === 1 ? '' : 's'} of the cost file ${missing.length === 1 ? 'has' : 'have'} no weight: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ' …' : ''}.`,
      {
        location: { file },
        code: 'demand_file_missing_origin',
        fix: 'Add a row for each (weight 0 if it has no demand), or leave out --demand to weigh every origin 1.',
      },
    );
  return weights;
}
