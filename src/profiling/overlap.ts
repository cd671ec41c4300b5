/**
 * Take-up overlap (issue 3, item 5): for the households of a target group (the areas whose
 * segment, at any tier, is X), how many use none of a set of services, each exclusive combination
 * of them (as an UpSet chart shows), and only one kind.
 *
 * Two levels, and the result says which it used:
 *  - household level, when records link: a population dataset (a council tax register listing
 *    every household) gives the households, and each service's records are linked to them by a
 *    shared reference (normalised) together with the postcode;
 *  - postcode level otherwise: each live postcode in the areas is one unit, and it "uses" a
 *    service if any matched record of that service is at it.
 *
 * The result is the truth: disclosure control is applied where it leaves for a viewer (outputs).
 */
import { columnNamed } from '../intake/index.ts';
import { z } from 'zod';
import { NotFoundError, ParameterError, WorkspaceStateError, cellKeyOf, keyedKey } from '../core/index.ts';
import { type Engine, type SqlValue, ident, getMeta } from '../store/index.ts';
import { getDataset, defaultClassification, hasProperties, HOUSEHOLD } from './profile.ts';

/** The hidden column of the records' property references (intake's --address-columns). */
const PROPERTY_COLUMN = '_property';
const shownColumn = (c: string) => (c === PROPERTY_COLUMN ? 'property reference' : c);

export const OVERLAP_RESULT_VERSION = 2;

const Count = z.number().nullable();

export const OverlapCombinationSchema = z.object({
  /** the services this exclusive combination uses, in the order asked for; [] is "none of these" */
  datasets: z.array(z.string()),
  /** how many services the combination holds (0 for none) */
  degree: z.number(),
  count: Count,
  /** % of all units */
  pct: Count,
  suppressed: z.boolean(),
  /** the combination's key for the cell key method (sum of its units' keys mod 256); removed at the boundary */
  cellKey: Count,
});
export type OverlapCombination = z.infer<typeof OverlapCombinationSchema>;

export const OverlapServiceSchema = z.object({
  dataset: z.string(),
  /** the service's link column (household level), null at postcode level */
  linkColumn: z.string().nullable(),
  /** the population's column it was linked to (household level) */
  populationColumn: z.string().nullable(),
  /** matched records of the service in the target areas */
  records: Count,
  /** of those, records placed on a unit: linked to a household, or at a live postcode */
  linked: Count,
  /** units using the service (with or without others) */
  users: Count,
  usersPct: Count,
  /** units using this service and no other of those asked for */
  only: Count,
  onlyPct: Count,
  suppressed: z.boolean(),
  /** keys of records, linked, users and only (cell key method); removed at the boundary */
  keys: z.object({ records: z.number(), linked: z.number(), users: z.number(), only: z.number() }).nullable(),
});
export type OverlapService = z.infer<typeof OverlapServiceSchema>;

export const OverlapResultSchema = z.object({
  version: z.literal(OVERLAP_RESULT_VERSION),
  level: z.enum(['household', 'postcode']),
  /** what one unit is, in plain words: "households" or "postcodes" */
  unit: z.enum(['households', 'postcodes']),
  /** how the units were found and services linked, in one or two sentences */
  method: z.string(),
  classification: z.string(),
  segment: z.object({
    code: z.string(),
    name: z.string().nullable(),
    tiers: z.array(z.string()),
    areaLevel: z.string(),
    areas: z.number(),
  }),
  population: z.string().nullable(),
  datasets: z.array(z.string()),
  /** units in the target group: households on the population dataset, or live postcodes */
  total: z.number(),
  none: z.object({ count: Count, pct: Count, suppressed: z.boolean() }),
  /** units using at least one of the services (hidden when "none" is) */
  atLeastOne: z.object({ count: Count, pct: Count }),
  exactlyOne: z.object({ count: Count, pct: Count }),
  /** every exclusive combination that occurs, "none" included, largest first */
  combinations: z.array(OverlapCombinationSchema),
  services: z.array(OverlapServiceSchema),
  /** household level: population records in the areas with no value to link by (each counted as a household of its own) */
  unlinkable: Count,
  /** keys of the total, none, at least one, exactly one and unlinkable (cell key method); removed at the boundary. total is null at postcode level: live postcodes are not records */
  keys: z
    .object({
      total: z.number().nullable(),
      none: z.number(),
      atLeastOne: z.number(),
      exactlyOne: z.number(),
      unlinkable: z.number(),
    })
    .nullable(),
  warnings: z.array(z.string()),
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
    .nullable(),
});
export type OverlapResult = z.infer<typeof OverlapResultSchema>;

export interface OverlapRequest {
  /** the target segment's code, at any tier of the classification */
  segment: string;
  /** the services, by dataset name */
  datasets: string[];
  classification?: string;
  /** a dataset listing every household (household level); postcode level without it */
  population?: string;
  /** link columns: "column" for every dataset, or "dataset.column" for one */
  linkBy?: string[];
}

/** The most services one analysis takes: 2^12 combinations is already more than a chart can show. */
export const MAX_OVERLAP_DATASETS = 12;

/**
 * A link value as compared: trimmed, upper-cased, and every run of spaces or punctuation made one
 * space, so "12 High St." and "12  HIGH ST" link. Null for an empty value.
 */
export function normaliseLinkKey(value: SqlValue | undefined): string | null {
  if (value === null || value === undefined) return null;
  const s = String(value)
    .toUpperCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim();
  return s === '' ? null : s;
}

interface LinkPlan {
  populationColumns: string[];
  serviceColumns: Map<string, { column: string; populationColumn: string }>;
}

/**
 * Works out which column of each dataset links, from --link-by entries: a bare "column" applies to
 * every dataset; "dataset.column" to that dataset; "service.column=populationColumn" pairs a
 * service's column with a differently named column of the population. The population may have
 * several link columns (the first identifies a household); each service's column pairs with the one
 * named after "=", else the population's column of the same name, else the population's only link
 * column (when only one was given).
 */
export function planLinks(
  population: string,
  services: string[],
  linkBy: string[],
  columnsOf: (ds: string) => string[],
): LinkPlan {
  const known = new Set([population, ...services]);
  let general: string | null = null;
  const explicit = new Map<string, { column: string; pairWith: string | null }[]>();
  for (const raw of linkBy.map((s) => s.trim()).filter(Boolean)) {
    const dot = raw.indexOf('.');
    const ds = dot > 0 ? raw.slice(0, dot) : '';
    if (dot > 0 && known.has(ds)) {
      const rest = raw.slice(dot + 1);
      const eq = rest.indexOf('=');
      const entry =
        eq > 0
          ? { column: rest.slice(0, eq).trim(), pairWith: rest.slice(eq + 1).trim() || null }
          : { column: rest, pairWith: null };
      if (entry.pairWith !== null && ds === population)
        throw new ParameterError(
          `"${raw}": pair a service's column with the population's, as SERVICE.COLUMN=${entry.column}.`,
        );
      explicit.set(ds, [...(explicit.get(ds) ?? []), entry]);
    } else if (dot > 0 && /^[a-z][a-z0-9_-]*$/.test(ds) && !columnNamed(columnsOf(population), raw)) {
      throw new ParameterError(
        `--link-by names "${ds}", which is neither the population nor one of the services.`,
        `Write DATASET.COLUMN with one of: ${[...known].join(', ')}; or a column name on its own for every dataset.`,
      );
    } else if (raw.includes('=')) {
      throw new ParameterError(`Cannot read --link-by "${raw}".`, 'Pair columns as SERVICE.COLUMN=POPULATION_COLUMN.');
    } else {
      if (general !== null && general !== raw)
        throw new ParameterError(
          `--link-by gives two columns for every dataset: "${general}" and "${raw}".`,
          'Give one column on its own, and DATASET.COLUMN for the datasets that differ.',
        );
      general = raw;
    }
  }
  const resolve = (ds: string, col: string): string => {
    const cols = columnsOf(ds);
    const found = columnNamed(cols, col);
    if (!found)
      throw new ParameterError(
        `The dataset ${ds} has no column "${col}" to link by.`,
        `Its columns: ${cols.join(', ')}.`,
      );
    return found;
  };
  const popCols: string[] = [];
  const addPop = (c: string) => {
    const r = resolve(population, c);
    if (!popCols.includes(r)) popCols.push(r);
    return r;
  };
  for (const e of explicit.get(population) ?? []) addPop(e.column);
  if (general !== null) addPop(general);
  const serviceColumns = new Map<string, { column: string; populationColumn: string }>();
  const pending: { s: string; column: string; pairWith: string | null }[] = [];
  for (const s of services) {
    const mine = explicit.get(s) ?? [];
    if (mine.length > 1)
      throw new ParameterError(`--link-by gives ${s} more than one column.`, 'Give each service one link column.');
    const wanted = mine[0]?.column ?? general;
    if (wanted === null)
      throw new ParameterError(
        `No link column is given for ${s}.`,
        `Add ${s}.COLUMN to --link-by (or ${s}.COLUMN=POPULATION_COLUMN), or give one column for every dataset.`,
      );
    pending.push({ s, column: resolve(s, wanted), pairWith: mine[0]?.pairWith ? addPop(mine[0].pairWith) : null });
  }
  if (popCols.length === 0)
    throw new ParameterError(
      `No link column is given for the population ${population}.`,
      `Add --link-by COLUMN, or --link-by ${population}.COLUMN,SERVICE.COLUMN,…`,
    );
  const onlyOne = popCols.length === 1 ? popCols[0] : undefined;
  for (const { s, column, pairWith } of pending) {
    const sameName =
      popCols.find((c) => c.toLowerCase() === column.toLowerCase()) ??
      (columnNamed(columnsOf(population), column) ? addPop(column) : undefined);
    const populationColumn = pairWith ?? sameName ?? onlyOne;
    if (!populationColumn) {
      throw new ParameterError(
        `Cannot tell which column of ${population} to link ${s}.${column} to.`,
        `Write ${s}.${column}=COLUMN with one of ${popCols.join(', ')}.`,
      );
    }
    serviceColumns.set(s, { column, populationColumn });
  }
  return { populationColumns: popCols, serviceColumns };
}

interface Target {
  classification: string;
  code: string;
  name: string | null;
  tiers: string[];
  areaLevel: string;
  areas: number;
  filter: string;
  params: SqlValue[];
}

async function resolveTarget(engine: Engine, segment: string, classification?: string): Promise<Target> {
  const cls = classification
    ? await engine.one<{ name: string; area_level: string; tiers: string }>(
        `SELECT name, area_level, tiers FROM classification WHERE name = $1`,
        [classification],
      )
    : await defaultClassification(engine);
  if (!cls) {
    const all = (await engine.all<{ name: string }>(`SELECT name FROM classification ORDER BY name`)).map(
      (r) => r.name,
    );
    throw new NotFoundError(
      classification
        ? `There is no classification called "${classification}".`
        : 'The workspace has no classification yet.',
      all.length
        ? `Classifications: ${all.join(', ')}.`
        : 'Import one with: civic reference import WORKSPACE --classification FILE',
    );
  }
  const codes = await engine.all<{ code: string }>(
    `SELECT DISTINCT code FROM area_segment WHERE classification = $1 ORDER BY code`,
    [cls.name],
  );
  const code =
    codes.find((c) => c.code === segment.trim())?.code ??
    codes.find((c) => c.code.toLowerCase() === segment.trim().toLowerCase())?.code;
  if (!code) {
    throw new NotFoundError(
      `No area of ${cls.name} is in a segment "${segment}".`,
      `Segments of ${cls.name}: ${codes
        .slice(0, 30)
        .map((c) => c.code)
        .join(', ')}${codes.length > 30 ? ', …' : ''}. Use --classification for another classification.`,
    );
  }
  const tiers = (
    await engine.all<{ tier: string }>(
      `SELECT DISTINCT tier FROM area_segment WHERE classification = $1 AND code = $2 ORDER BY tier`,
      [cls.name, code],
    )
  ).map((r) => r.tier);
  const order: string[] = JSON.parse(cls.tiers);
  tiers.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const name =
    (
      await engine.one<{ name: string | null }>(
        `SELECT name FROM segment WHERE classification = $1 AND code = $2 AND name IS NOT NULL ORDER BY ordinal LIMIT 1`,
        [cls.name, code],
      )
    )?.name ?? null;
  const areas = (await engine.one<{ n: number }>(
    `SELECT count(DISTINCT area_code)::BIGINT AS n FROM area_segment WHERE classification = $1 AND code = $2`,
    [cls.name, code],
  ))!.n;
  return {
    classification: cls.name,
    code,
    name,
    tiers,
    areaLevel: cls.area_level,
    areas,
    filter: `p.${ident(cls.area_level)} IN (SELECT area_code FROM area_segment WHERE classification = $1 AND code = $2)`,
    params: [cls.name, code],
  };
}

function columnsOfDataset(ds: { columns: string }): string[] {
  return JSON.parse(ds.columns);
}

/** Bit i of a mask stands for datasets[i]. */
function maskNames(mask: number, datasets: string[]): string[] {
  return datasets.filter((_, i) => mask & (1 << i));
}
function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m; m &= m - 1) n++;
  return n;
}

export async function overlapAnalysis(engine: Engine, req: OverlapRequest): Promise<OverlapResult> {
  const datasets = req.datasets.map((d) => d.trim()).filter(Boolean);
  if (datasets.length === 0) throw new ParameterError('Name at least one service.', 'Use --datasets a,b,c.');
  if (datasets.length > MAX_OVERLAP_DATASETS)
    throw new ParameterError(
      `At most ${MAX_OVERLAP_DATASETS} services can be compared at once, not ${datasets.length}.`,
    );
  const dup = datasets.find((d, i) => datasets.indexOf(d) !== i);
  if (dup) throw new ParameterError(`The service ${dup} is named twice in --datasets.`);
  if (req.linkBy?.length && !req.population)
    throw new ParameterError(
      '--link-by needs --population: the dataset listing every household.',
      'Add --population DATASET (for example the council tax register), or drop --link-by for the postcode level.',
    );
  // Linked by property reference: asked for (--link-by household), or by default when every dataset has them.
  const askedHousehold = req.linkBy?.length === 1 && req.linkBy[0].trim().toLowerCase() === HOUSEHOLD;
  let byProperty = false;
  if (req.population && (!req.linkBy?.length || askedHousehold)) {
    const names = [req.population, ...datasets.filter((d) => d !== req.population)];
    const without: string[] = [];
    for (const n of names) if (!(await hasProperties(engine, n))) without.push(n);
    if (!without.length) byProperty = true;
    else if (askedHousehold)
      throw new ParameterError(
        `${without.join(', ')} ${without.length === 1 ? 'was' : 'were'} imported without addresses, so ${without.length === 1 ? 'its' : 'their'} records cannot be linked to households by property.`,
        'Import them again with --address-columns (or --uprn-column), or link by a shared reference instead: --link-by COLUMN.',
      );
    else
      throw new ParameterError(
        '--population needs --link-by: the column that links the services to the households.',
        'For example --link-by account_ref, or --link-by register.uprn,housing_benefit.property_ref; datasets imported with --address-columns link by property without it.',
      );
  }
  const linkBy = byProperty ? [PROPERTY_COLUMN] : req.linkBy;

  const target = await resolveTarget(engine, req.segment, req.classification);
  const meta = new Map<string, Awaited<ReturnType<typeof getDataset>> & { pseudonymised: string; keyId: string }>();
  for (const name of [...(req.population ? [req.population] : []), ...datasets]) {
    if (meta.has(name)) continue;
    const ds = await getDataset(engine, name);
    const ps = await engine.one<{ pseudonymised: string | null; key_id: string | null }>(
      `SELECT pseudonymised, pseudonym_key_id AS key_id FROM dataset WHERE name = $1`,
      [name],
    );
    // Datasets pseudonymised before keys were kept apart have no key id: their key was the workspace's own.
    meta.set(name, {
      ...ds,
      pseudonymised: ps?.pseudonymised ?? '[]',
      keyId: ps?.key_id ?? 'the key once kept inside the workspace',
    });
  }
  const inTarget = (alias: string) =>
    `${alias} d JOIN postcode p ON p.pc_key = d._pc_key WHERE d._status = 'matched' AND ${target.filter}`;
  const warnings: string[] = [];

  // Each unit gets a mask with one bit per service it uses.
  let masks: Uint16Array | Uint32Array;
  // Each unit's key for the cell key method: a household's is its first record's; a postcode's comes from a keyed hash.
  let unitKeys: Uint8Array;
  let unlinkableKey = 0;
  const recordKeys: number[] = [];
  const linkedKeys: number[] = [];
  let method: string;
  let unlinkable: number | null = null;
  const records: number[] = [];
  const linked: number[] = [];
  const plan = req.population
    ? planLinks(req.population, datasets, linkBy!, (d) =>
        byProperty ? [PROPERTY_COLUMN] : columnsOfDataset(meta.get(d)!),
      )
    : null;

  if (req.population && plan) {
    const pop = meta.get(req.population)!;
    const first = plan.populationColumns[0];
    const rows = await engine.all<Record<string, SqlValue>>(
      `SELECT d._row AS _r, d._rkey AS _k, d._pc_key AS _pc, ${plan.populationColumns.map((c, i) => `d.${ident(c)} AS c${i}`).join(', ')} FROM ${inTarget(ident(pop.table_name))} ORDER BY d._row`,
      target.params,
    );
    // A household is a distinct value of the first link column at a postcode; a record with no value is a household of its own.
    const unitOf = new Map<string, number>();
    const byColumn = plan.populationColumns.map(() => new Map<string, number[]>());
    let units = 0;
    unlinkable = 0;
    const keyOfUnit: number[] = [];
    for (const r of rows) {
      const k0 = normaliseLinkKey(r.c0);
      let u: number;
      if (k0 === null) {
        u = units++;
        unlinkable++;
        keyOfUnit.push(Number(r._k));
        unlinkableKey += Number(r._k);
      } else {
        const key = `${k0}|${r._pc}`;
        const seen = unitOf.get(key);
        if (seen === undefined) {
          u = units++;
          unitOf.set(key, u);
          keyOfUnit.push(Number(r._k));
        } else u = seen;
      }
      plan.populationColumns.forEach((_, i) => {
        const k = normaliseLinkKey(r[`c${i}`]);
        if (k === null) return;
        const key = `${k}|${r._pc}`;
        const list = byColumn[i].get(key);
        if (!list) byColumn[i].set(key, [u]);
        else if (!list.includes(u)) list.push(u);
      });
    }
    masks = new Uint32Array(units);
    unitKeys = Uint8Array.from(keyOfUnit);
    const popPseudo: string[] = JSON.parse(pop.pseudonymised);
    for (const [i, s] of datasets.entries()) {
      const link = plan.serviceColumns.get(s)!;
      const ds = meta.get(s)!;
      const col = plan.populationColumns.indexOf(link.populationColumn);
      const recs = await engine.all<{ k: SqlValue; pc: string; n: number; rk: number }>(
        `SELECT d.${ident(link.column)} AS k, d._pc_key AS pc, count(*)::BIGINT AS n, (sum(d._rkey) % 256)::BIGINT AS rk FROM ${inTarget(ident(ds.table_name))} GROUP BY 1, 2`,
        target.params,
      );
      let total = 0,
        placed = 0,
        shared = false,
        totalKey = 0,
        placedKey = 0;
      for (const r of recs) {
        total += r.n;
        totalKey += r.rk;
        const k = normaliseLinkKey(r.k);
        const us = k === null ? undefined : byColumn[col].get(`${k}|${r.pc}`);
        if (!us) continue;
        placed += r.n;
        placedKey += r.rk;
        if (us.length > 1) shared = true;
        for (const u of us) masks[u] |= 1 << i;
      }
      if (shared)
        warnings.push(
          `Some ${s} records match more than one household by ${shownColumn(link.column)} at the same postcode; each of those households counts as using ${s}.`,
        );
      records.push(total);
      linked.push(placed);
      recordKeys.push(cellKeyOf(totalKey));
      linkedKeys.push(cellKeyOf(placedKey));
      const sPseudo: string[] = JSON.parse(ds.pseudonymised);
      if (popPseudo.includes(link.populationColumn) && sPseudo.includes(link.column) && pop.keyId !== ds.keyId) {
        throw new ParameterError(
          `${req.population}.${link.populationColumn} and ${s}.${link.column} were pseudonymised with different keys (${pop.keyId} and ${ds.keyId}), so their pseudonyms cannot be linked.`,
          'Re-import one of the two datasets with the key the other was made with (civic key status WORKSPACE shows which key made which dataset), or link them by another column.',
        );
      }
      if (popPseudo.includes(link.populationColumn) !== sPseudo.includes(link.column)) {
        warnings.push(
          `${req.population}.${link.populationColumn} and ${s}.${link.column} were not both pseudonymised at import, so their values cannot match. Import both with --pseudonymise, or neither.`,
        );
      } else if (total > 0 && placed === 0) {
        warnings.push(
          byProperty
            ? `None of the ${s} records in these areas has the property reference of a ${req.population} household.`
            : `None of the ${s} records in these areas linked to a household by ${link.column}. Check that the two columns hold the same kind of reference.`,
        );
      }
    }
    const pairs = datasets.map((s) => {
      const l = plan.serviceColumns.get(s)!;
      return l.column === l.populationColumn ? `${s} by ${l.column}` : `${s}.${l.column} to ${l.populationColumn}`;
    });
    method = byProperty
      ? `Household level, by property: each household on ${req.population} in these areas (a distinct property reference: its UPRN, or a key from its postcode and flat and building number) is one unit; a record with none is a household of its own. ` +
        `A household uses a service when one of the service's records has the same property reference (${datasets.join(', ')}).`
      : `Household level: each household on ${req.population} in these areas (a distinct ${first} at a postcode) is one unit. ` +
        `A household uses a service when one of the service's records has the same reference at the same postcode (${pairs.join('; ')}). ` +
        'References are compared trimmed, in capitals, with spaces and punctuation collapsed.';
  } else {
    const live = await engine.all<{ pc: string }>(
      `SELECT p.pc_key AS pc FROM postcode p WHERE p.status = 'live' AND ${target.filter} ORDER BY p.pc_key`,
      target.params,
    );
    const unitOf = new Map(live.map((r, i) => [r.pc, i]));
    masks = new Uint32Array(live.length);
    const salt = await unitKeySalt(engine);
    unitKeys = Uint8Array.from(live, (r) => keyedKey(salt, r.pc));
    for (const [i, s] of datasets.entries()) {
      const ds = meta.get(s)!;
      const recs = await engine.all<{ pc: string; n: number; rk: number }>(
        `SELECT d._pc_key AS pc, count(*)::BIGINT AS n, (sum(d._rkey) % 256)::BIGINT AS rk FROM ${inTarget(ident(ds.table_name))} GROUP BY 1`,
        target.params,
      );
      let total = 0,
        placed = 0,
        totalKey = 0,
        placedKey = 0;
      for (const r of recs) {
        total += r.n;
        totalKey += r.rk;
        const u = unitOf.get(r.pc);
        if (u === undefined) continue;
        placed += r.n;
        placedKey += r.rk;
        masks[u] |= 1 << i;
      }
      records.push(total);
      linked.push(placed);
      recordKeys.push(cellKeyOf(totalKey));
      linkedKeys.push(cellKeyOf(placedKey));
      if (total > placed)
        warnings.push(
          `Some ${s} records are at terminated postcodes in these areas and are not counted (records in areas − at live postcodes).`,
        );
    }
    method =
      'Postcode level: the records were not linked to households, so each live postcode in these areas is one unit, and a postcode uses a service when any of its matched records is at it. ' +
      'A postcode holds several households, so this overstates how many households use each service and understates how many use none. Give --population and --link-by for household level.';
  }

  const total = masks.length;
  const byMask = new Map<number, number>();
  const keyByMask = new Map<number, number>();
  masks.forEach((m, u) => {
    byMask.set(m, (byMask.get(m) ?? 0) + 1);
    keyByMask.set(m, cellKeyOf((keyByMask.get(m) ?? 0) + unitKeys[u]));
  });
  const keyOf = (pick: (mask: number) => boolean) =>
    [...keyByMask].reduce((k, [m, x]) => (pick(m) ? cellKeyOf(k + x) : k), 0);
  const pct = (n: number) => (total > 0 ? (n / total) * 100 : null);
  const combinations: OverlapCombination[] = [...byMask]
    .sort(([ma, a], [mb, b]) => b - a || popcount(ma) - popcount(mb) || ma - mb)
    .map(([mask, count]) => ({
      datasets: maskNames(mask, datasets),
      degree: popcount(mask),
      count,
      pct: pct(count),
      suppressed: false,
      cellKey: keyByMask.get(mask)!,
    }));
  const none = byMask.get(0) ?? 0;
  let exactlyOne = 0;
  for (const [mask, n] of byMask) if (popcount(mask) === 1) exactlyOne += n;
  const services: OverlapService[] = datasets.map((s, i) => {
    let users = 0;
    for (const [mask, n] of byMask) if (mask & (1 << i)) users += n;
    const only = byMask.get(1 << i) ?? 0;
    const link = plan?.serviceColumns.get(s);
    return {
      dataset: s,
      linkColumn: link ? shownColumn(link.column) : null,
      populationColumn: link ? shownColumn(link.populationColumn) : null,
      records: records[i],
      linked: linked[i],
      users,
      usersPct: pct(users),
      only,
      onlyPct: pct(only),
      suppressed: false,
      keys: {
        records: recordKeys[i],
        linked: linkedKeys[i],
        users: keyOf((m) => (m & (1 << i)) !== 0),
        only: keyOf((m) => m === 1 << i),
      },
    };
  });
  if (total === 0)
    warnings.push(
      req.population
        ? `No ${req.population} record is in the areas of segment ${target.code}.`
        : `No live postcode is in the areas of segment ${target.code}.`,
    );
  return {
    version: OVERLAP_RESULT_VERSION,
    level: req.population ? 'household' : 'postcode',
    unit: req.population ? 'households' : 'postcodes',
    method,
    classification: target.classification,
    segment: {
      code: target.code,
      name: target.name,
      tiers: target.tiers,
      areaLevel: target.areaLevel,
      areas: target.areas,
    },
    population: req.population ?? null,
    datasets,
    total,
    none: { count: none, pct: pct(none), suppressed: false },
    atLeastOne: { count: total - none, pct: pct(total - none) },
    exactlyOne: { count: exactlyOne, pct: pct(exactlyOne) },
    combinations,
    services,
    unlinkable,
    keys: {
      total: req.population ? keyOf(() => true) : null,
      none: keyOf((m) => m === 0),
      atLeastOne: keyOf((m) => m !== 0),
      exactlyOne: keyOf((m) => popcount(m) === 1),
      unlinkable: cellKeyOf(unlinkableKey),
    },
    warnings,
    disclosure: null,
  };
}

/** The workspace's secret for the keys of postcode units (migration 7): a postcode is not a record, so its key comes from a keyed hash. */
export async function unitKeySalt(engine: Engine): Promise<string> {
  const salt = await getMeta(engine, 'unit_key_salt');
  if (!salt)
    throw new WorkspaceStateError(
      'This workspace has no key for counting postcodes under disclosure control.',
      'Open it once with this version of civic, which adds one.',
    );
  return salt;
}
