/**
 * C6 targeting: where are the households that look like a service's users but do not use it yet?
 * The dataset is profiled by segment (the C5 profile) to get each segment's penetration; every
 * area is then scored by its expected new customers (see expectedNewCustomers), ranked, the best
 * areas chosen and cut into delivery rounds, with the live postcodes of each for the leaflets.
 */
import { NotFoundError, ParameterError, cellKeyOf, keyedKey } from '../core/index.ts';
import { type Engine } from '../store/index.ts';
import {
  profileDataset,
  getDataset,
  unitKeySalt,
  withRecordFilter,
  distinctCount,
  type RecordFilter,
} from '../profiling/index.ts';
import type { AreaLevel } from '../geo/index.ts';
import { straightLineCosts, TRAVEL_MODES, type CostSource, type Place, type TravelMode } from '../location/index.ts';
import { areaNames, centroids, parseTargetLevel, postcodeRows, type PostcodeRow } from './areas.ts';
import { deliveryRounds, expectedNewCustomers, rankGaps, targetCount } from './rank.ts';
import { DEFAULT_MIN_INDEX, DEFAULT_ROUNDS, DEFAULT_COVERAGE } from './constants.ts';
import {
  TARGET_RESULT_VERSION,
  type TargetArea,
  type TargetPostcode,
  type TargetResult,
  type TargetRound,
} from './result.ts';

export { DEFAULT_MIN_INDEX, DEFAULT_ROUNDS, DEFAULT_COVERAGE };

export interface TargetRequest {
  dataset: string;
  /** only the users whose records match this filter (an option, a period, a category), as profile's --where */
  where?: RecordFilter;
  /** count users as households ("household") or distinct values of a column, instead of records */
  distinct?: string;
  classification?: string;
  /** tier of the classification; the top tier when omitted */
  tier?: string;
  /** 'auto' (index ≥ minIndex and significant), 'all', or segment codes */
  segments?: 'auto' | 'all' | readonly string[];
  minIndex?: number;
  /** ward, lsoa, oa, msoa … or postcode (default ward) */
  areas?: string;
  base?: 'households' | 'population';
  /** delivery rounds to cut the targeted areas into */
  rounds?: number;
  /** target the best `top` areas … */
  top?: number;
  /** … or the fewest best areas holding this fraction of the expected new customers (default 0.5) */
  coverage?: number;
  /** keep only areas within this many minutes of the facility … */
  within?: number;
  /** … or more than this many minutes from it (both: a ring) */
  beyond?: number;
  /** facility name, or a kind meaning every facility of that kind */
  of?: string;
  mode?: TravelMode;
  /** travel costs (straight line by default) */
  costs?: CostSource;
}

/** Shared-out households are fractions; a millionth of a household is as precise as they mean. */
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
const isNum = (x: unknown): x is number => typeof x === 'number' && Number.isFinite(x);

function checkRequest(req: TargetRequest): void {
  if (req.minIndex !== undefined && !(isNum(req.minIndex) && req.minIndex >= 0))
    throw new ParameterError(
      `--min-index must be a number of 0 or more, not ${req.minIndex}.`,
      'Use 110 (above average) or 120 (high).',
    );
  if (req.rounds !== undefined && !(Number.isInteger(req.rounds) && req.rounds >= 1 && req.rounds <= 500))
    throw new ParameterError(`--rounds must be a whole number from 1 to 500, not ${req.rounds}.`);
  if (req.top !== undefined && !(Number.isInteger(req.top) && req.top >= 1))
    throw new ParameterError(`--top must be a whole number of 1 or more, not ${req.top}.`);
  if (req.coverage !== undefined && !(isNum(req.coverage) && req.coverage > 0 && req.coverage <= 1))
    throw new ParameterError(`--coverage must be a percentage above 0 and at most 100, not ${req.coverage * 100}.`);
  for (const [name, v] of [
    ['--within', req.within],
    ['--beyond', req.beyond],
  ] as const) {
    if (v !== undefined && !(isNum(v) && v >= 0))
      throw new ParameterError(`${name} must be a number of minutes, 0 or more, not ${v}.`);
  }
  if ((req.within !== undefined || req.beyond !== undefined) && !req.of?.trim())
    throw new ParameterError(
      '--within and --beyond need a facility to measure from.',
      'Add --of "FACILITY NAME" or --of KIND (e.g. --of household_waste_site).',
    );
  if (req.of && req.within === undefined && req.beyond === undefined)
    throw new ParameterError(
      '--of needs --within MINUTES or --beyond MINUTES.',
      'For example: --beyond 10 --of "Recycling Centre".',
    );
  if (req.within !== undefined && req.beyond !== undefined && !(req.beyond < req.within))
    throw new ParameterError(
      `--beyond ${req.beyond} and --within ${req.within} leave no areas: beyond must be less than within.`,
    );
  if (req.mode !== undefined && !TRAVEL_MODES.includes(req.mode))
    throw new ParameterError(`Unknown travel mode "${req.mode}".`, `Use one of: ${TRAVEL_MODES.join(', ')}.`);
}

/** Facilities by name (exact, any case), else every facility of that kind. */
async function findFacilities(
  engine: Engine,
  asked: string,
): Promise<{ name: string; kind: string; lat: number; lon: number }[]> {
  const q = asked.trim();
  const byName = await engine.all<{ name: string; kind: string; lat: number; lon: number }>(
    `SELECT name, kind, lat, lon FROM facility WHERE lower(name) = lower($1) ORDER BY id`,
    [q],
  );
  if (byName.length) return byName;
  const byKind = await engine.all<{ name: string; kind: string; lat: number; lon: number }>(
    `SELECT name, kind, lat, lon FROM facility WHERE lower(kind) = lower($1) ORDER BY name, id`,
    [q],
  );
  if (byKind.length) return byKind;
  const kinds = (await engine.all<{ kind: string }>(`SELECT DISTINCT kind FROM facility ORDER BY 1`)).map(
    (r) => r.kind,
  );
  if (!kinds.length)
    throw new NotFoundError(
      `There is no facility called "${q}": the workspace has no facilities yet.`,
      'Import them first: civic facility import WORKSPACE FILE',
    );
  const like = (
    await engine.all<{ name: string }>(`SELECT name FROM facility WHERE name ILIKE $1 ORDER BY name LIMIT 5`, [
      `%${q}%`,
    ])
  ).map((r) => r.name);
  throw new NotFoundError(
    `There is no facility or kind of facility called "${q}".`,
    like.length
      ? `Did you mean ${like.map((n) => `"${n}"`).join(', ')}? Kinds: ${kinds.join(', ')}.`
      : `Give a facility's full name or one of the kinds: ${kinds.join(', ')}.`,
  );
}

export async function targetAreas(engine: Engine, req: TargetRequest): Promise<TargetResult> {
  checkRequest(req);
  const ds = await getDataset(engine, req.dataset);
  const measure = req.base ?? 'households';
  const level = parseTargetLevel(req.areas ?? 'ward');
  const profile = await profileDataset(engine, {
    dataset: req.dataset,
    classification: req.classification,
    tier: req.tier,
    base: measure,
    where: req.where,
    distinct: req.distinct,
  });
  const classification = profile.classification!;
  const tier = profile.level;
  const cls = (await engine.one<{ area_level: string }>(`SELECT area_level FROM classification WHERE name = $1`, [
    classification,
  ]))!;

  // Which segments to target.
  const mode = req.segments === undefined || req.segments === 'auto' ? 'auto' : req.segments === 'all' ? 'all' : 'list';
  const minIndex = req.minIndex ?? DEFAULT_MIN_INDEX;
  let chosen: Set<string>;
  if (mode === 'list') {
    const asked = (req.segments as readonly string[]).map((s) => s.trim()).filter(Boolean);
    if (!asked.length)
      throw new ParameterError('No segment was given.', 'Give segment codes (--segments A1,B2), or auto, or all.');
    const known = new Map(profile.rows.map((r) => [r.code.toLowerCase(), r.code]));
    const missing = asked.filter((s) => !known.has(s.toLowerCase()));
    if (missing.length)
      throw new ParameterError(
        `${classification} ${tier} has no segment ${missing.join(', ')}.`,
        `Segments: ${profile.rows.map((r) => r.code).join(', ')}.`,
      );
    chosen = new Set(asked.map((s) => known.get(s.toLowerCase())!));
  } else if (mode === 'all') {
    chosen = new Set(profile.rows.filter((r) => r.base > 0).map((r) => r.code));
  } else {
    // High-index segments whose penetration is significantly above the whole area's.
    chosen = new Set(
      profile.rows.filter((r) => r.index !== null && r.index >= minIndex && r.significant === true).map((r) => r.code),
    );
  }
  const penetration = new Map<string, number>();
  for (const r of profile.rows) if (chosen.has(r.code) && r.base > 0) penetration.set(r.code, r.count! / r.base);

  // Users are records, or households / distinct customers when asked for.
  const usersCount = req.distinct ? await distinctCount(engine, ds, req.distinct) : undefined;
  // Postcodes → areas, with their base and users.
  const {
    rows: pcs,
    baseLevel,
    noArea,
  } = await withRecordFilter(engine, ds, req.where, (recordsFilter) =>
    postcodeRows(engine, {
      level,
      measure,
      recordsTable: ds.table_name,
      recordsFilter,
      distinct: usersCount,
      segments: { classification, tier, areaLevel: cls.area_level as AreaLevel },
    }),
  );
  const names = await areaNames(engine, level);
  const where = centroids(pcs);
  const postcodeOf = new Map(pcs.map((p) => [p.key, p.postcode]));
  let gaps = expectedNewCustomers(
    pcs.map((p) => ({ area: p.area, segment: p.segment, base: p.base, users: p.users, usersKey: p.usersKey })),
    penetration,
  ).filter((g) => g.base > 0 || g.users > 0);

  // Near to or far from a facility.
  let distance: TargetResult['distance'] = null;
  const minutesOf = new Map<string, number>();
  let leftOutKey = 0;
  if (req.of) {
    const facilities = await findFacilities(engine, req.of);
    const travel = req.mode ?? 'car';
    const costs = req.costs ?? straightLineCosts();
    const origins: Place[] = gaps.filter((g) => where.has(g.area)).map((g) => ({ id: g.area, ...where.get(g.area)! }));
    const m = await costs.matrix(
      origins,
      facilities.map((f, i) => ({ id: String(i), lat: f.lat, lon: f.lon })),
      travel,
    );
    origins.forEach((o, i) => {
      let best = Infinity;
      for (let d = 0; d < facilities.length; d++) best = Math.min(best, m.minutes[i * facilities.length + d]);
      minutesOf.set(o.id, best);
    });
    const keep = (a: string) => {
      const t = minutesOf.get(a);
      if (t === undefined) return false;
      return (req.within === undefined || t <= req.within) && (req.beyond === undefined || t > req.beyond);
    };
    const before = gaps.length;
    // Each area the journey time leaves out adds its own key to the total's (decision 13): a ring
    // of areas with no users then changes the total's noise, so "within 14 minutes" less "within
    // 12" no longer shows as exactly nothing.
    const salt = await unitKeySalt(engine);
    for (const g of gaps) if (!keep(g.area)) leftOutKey += keyedKey(salt, `${level}|${g.area}`);
    gaps = gaps.filter((g) => keep(g.area));
    distance = {
      facilities: facilities.map((f) => ({ name: f.name, kind: f.kind })),
      asked: req.of.trim(),
      mode: travel,
      within: req.within ?? null,
      beyond: req.beyond ?? null,
      source: m.source,
      areasExcluded: before - gaps.length,
    };
  }

  // Rank, choose, cut into rounds.
  const ranked = rankGaps(gaps);
  const k = targetCount(
    ranked.map((g) => g.expectedNew),
    { top: req.top, coverage: req.top === undefined ? (req.coverage ?? DEFAULT_COVERAGE) : undefined },
  );
  const targeted = ranked.slice(0, k);
  const roundOf = deliveryRounds(
    targeted.map((g) => ({
      id: g.area,
      lat: where.get(g.area)?.lat ?? null,
      lon: where.get(g.area)?.lon ?? null,
      weight: g.base,
      value: g.expectedNew,
    })),
    req.rounds ?? DEFAULT_ROUNDS,
  );
  const roundByArea = new Map(targeted.map((g, i) => [g.area, roundOf[i]]));

  const areas: TargetArea[] = ranked.map((g, i) => {
    const c = where.get(g.area);
    return {
      rank: i + 1,
      code: level === 'postcode' ? (postcodeOf.get(g.area) ?? g.area) : g.area,
      name: names.get(g.area) ?? null,
      base: round6(g.base),
      users: g.users,
      penetration: g.base > 0 ? g.users / g.base : null,
      cellKey: g.usersKey,
      targetBase: round6(g.targetBase),
      targetUsers: g.targetUsers,
      targetCellKey: g.targetUsersKey,
      nonUsers: round6(g.nonUsers),
      expectedNew: round6(g.expectedNew),
      // Float32 minutes, to the nearest ten-thousandth so exports do not show float noise.
      minutes: minutesOf.has(g.area) ? Math.round(minutesOf.get(g.area)! * 1e4) / 1e4 : null,
      lat: c?.lat ?? null,
      lon: c?.lon ?? null,
      targeted: i < k,
      round: roundByArea.get(g.area) ?? null,
      livePostcodes: c?.livePostcodes ?? 0,
      suppressed: false,
    };
  });

  // The leaflet lists: live postcodes of the targeted areas, round by round, best area first.
  const rankOf = new Map(ranked.map((g, i) => [g.area, i]));
  const inTarget = pcs.filter((p) => p.live && roundByArea.has(p.area));
  const byPostcode = new Map<string, PostcodeRow & { base: number; users: number }>();
  for (const p of inTarget) {
    // A postcode straddling segments (when the classification's areas cut it) is listed once.
    const x = byPostcode.get(p.key);
    if (x) {
      x.base += p.base;
    } else byPostcode.set(p.key, { ...p });
  }
  const postcodes: TargetPostcode[] = [...byPostcode.values()]
    .sort(
      (a, b) =>
        roundByArea.get(a.area)! - roundByArea.get(b.area)! ||
        rankOf.get(a.area)! - rankOf.get(b.area)! ||
        a.key.localeCompare(b.key),
    )
    .map((p) => ({
      postcode: p.postcode,
      area: level === 'postcode' ? p.postcode : p.area,
      round: roundByArea.get(p.area)!,
      base: round6(p.base),
      users: p.users,
      suppressed: false,
    }));

  const rounds = summariseRounds(areas, postcodes);
  const sum = (f: (a: TargetArea) => number) => areas.reduce((s, a) => s + f(a), 0);
  const chosenRows = profile.rows.filter((r) => chosen.has(r.code));
  const method = [
    ...(profile.filter ? [`Users: the records of ${ds.name} with ${profile.filter}.`] : []),
    `Segments: ${classification} ${tier}, profiled against ${measure} (${profile.baseMethod}).`,
    mode === 'auto'
      ? `Chosen automatically: index ${minIndex} or more and penetration significantly above the whole area's (95% level): ${chosenRows.map((r) => r.code).join(', ') || 'none'}.`
      : mode === 'all'
        ? 'Every segment is targeted.'
        : `Segments chosen: ${chosenRows.map((r) => r.code).join(', ')}.`,
    "Expected new customers in an area = for each chosen segment, its penetration across the whole area × the area's households in the segment, less the users it has there (never below 0), added up over the chosen segments.",
    `Households per postcode: each ${baseLevel} area's ${measure} shared equally among its live postcodes; areas are built from their postcodes.`,
    req.top !== undefined
      ? `Targeted: the ${k} areas with the most expected new customers (asked for ${req.top}).`
      : `Targeted: the ${k} best areas, which together hold ${Math.round((req.coverage ?? DEFAULT_COVERAGE) * 100)}% or more of all expected new customers.`,
    `Delivery rounds: the targeted areas cut into ${rounds.length} compact groups with about equal households (the doors to knock), by repeatedly splitting them across their longer side (north–south or east–west); round 1 has the most expected new customers.`,
    'The workspace holds no addresses, so the lists are of postcodes with their estimated households.',
  ];
  if (distance)
    method.push(
      `Distance: from each area's population-weighted centroid to the nearest of ${distance.facilities.length === 1 ? distance.facilities[0].name : `${distance.facilities.length} facilities (${distance.asked})`}, ${distance.source}.`,
    );
  if (noArea) method.push(`${noArea} postcodes with households or users have no ${level} code and are left out.`);

  return {
    version: TARGET_RESULT_VERSION,
    dataset: ds.name,
    filter: profile.filter,
    countOf: profile.countOf,
    classification,
    tier,
    baseMeasure: measure,
    areaLevel: level,
    selection: { mode, minIndex: mode === 'auto' ? minIndex : null },
    segments: profile.rows.map((r) => ({
      code: r.code,
      name: r.name,
      penetration: r.base > 0 && r.count !== null ? r.count / r.base : null,
      index: r.index,
      significant: r.significant,
      base: r.base,
      users: r.count,
      cellKey: r.cellKey ?? null,
      chosen: chosen.has(r.code),
    })),
    distance,
    areas,
    rounds,
    postcodes,
    totals: {
      areas: areas.length,
      base: round6(sum((a) => a.base)),
      users: sum((a) => a.users ?? 0),
      cellKey: areas.some((a) => a.cellKey === null) ? null : cellKeyOf(sum((a) => a.cellKey!) + leftOutKey),
      nonUsers: round6(sum((a) => a.nonUsers ?? 0)),
      expectedNew: round6(sum((a) => a.expectedNew)),
      targetedAreas: k,
      targetedExpectedNew: round6(areas.filter((a) => a.targeted).reduce((s, a) => s + a.expectedNew, 0)),
    },
    targeting: { top: req.top ?? null, coverage: req.top === undefined ? (req.coverage ?? DEFAULT_COVERAGE) : null },
    addresses: false,
    method,
    disclosure: null,
  };
}

/** Per-round figures from the areas and postcodes as they stand (so after suppression, from what is shown). */
export function summariseRounds(areas: readonly TargetArea[], postcodes: readonly TargetPostcode[]): TargetRound[] {
  const rounds = new Map<number, TargetRound>();
  for (const a of areas) {
    if (a.round === null) continue;
    const r = rounds.get(a.round) ?? { round: a.round, areas: 0, postcodes: 0, base: 0, nonUsers: 0, expectedNew: 0 };
    r.areas++;
    r.base += a.base;
    r.nonUsers = r.nonUsers === null || a.nonUsers === null ? null : r.nonUsers + a.nonUsers;
    r.expectedNew += a.expectedNew;
    rounds.set(a.round, r);
  }
  for (const p of postcodes) if (p.round !== null) rounds.get(p.round)!.postcodes++;
  return [...rounds.values()].sort((a, b) => a.round - b.round);
}
