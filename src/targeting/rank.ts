/**
 * The arithmetic of targeting, with no database, so it can be checked by hand:
 *  - expected new customers per area,
 *  - how many of the top areas to target,
 *  - splitting the targeted areas into delivery rounds.
 */

/** Households (or people) and current users in one area's part of one segment. */
export interface AreaSegmentCell {
  area: string;
  /** null: the postcodes have no segment (outside the classification) */
  segment: string | null;
  base: number;
  users: number;
  /** the cell key of the users (sum of their record keys, mod 256), when known */
  usersKey?: number | null;
}

/** Adds cell keys (mod 256); unknown (null) if either is unknown. */
const addKeys = (a: number | null, b: number | null | undefined): number | null =>
  a === null || b === null || b === undefined ? null : (a + b) % 256;

export interface AreaGap {
  area: string;
  /** every segment */
  base: number;
  users: number;
  /** the chosen segments only */
  targetBase: number;
  targetUsers: number;
  /** cell keys of users and targetUsers (null when the cells' keys were not given) */
  usersKey: number | null;
  targetUsersKey: number | null;
  /** Σ chosen segments max(0, base − users) */
  nonUsers: number;
  /** Σ chosen segments max(0, penetration × base − users) */
  expectedNew: number;
}

/**
 * Expected new customers in each area: for each chosen segment s, the users the area's part of s
 * would have at the segment's penetration across the whole borough (p_s × base), less the users it
 * has, never below nothing; summed over the chosen segments. This is the issue's
 * base × (segment penetration − current penetration), with current = users ÷ base in that part:
 *   expected new(a) = Σ_s base_as × max(0, p_s − users_as ÷ base_as) = Σ_s max(0, p_s·base_as − users_as).
 * An area already above the rate in one segment does not cancel its shortfall in another: a
 * leaflet cannot un-sign anyone.
 */
export function expectedNewCustomers(
  cells: readonly AreaSegmentCell[],
  penetration: ReadonlyMap<string, number>,
): AreaGap[] {
  // Cells are summed per area and segment first, so how they were split does not matter.
  const byKey = new Map<string, AreaSegmentCell>();
  for (const c of cells) {
    const key = `${c.area}\u0000${c.segment ?? ''}`;
    const x = byKey.get(key);
    if (x) {
      x.base += c.base;
      x.users += c.users;
      x.usersKey = addKeys(x.usersKey ?? null, c.usersKey);
    } else byKey.set(key, { ...c, usersKey: c.usersKey ?? null });
  }
  const out = new Map<string, AreaGap>();
  for (const c of byKey.values()) {
    const g = out.get(c.area) ?? {
      area: c.area,
      base: 0,
      users: 0,
      targetBase: 0,
      targetUsers: 0,
      usersKey: 0,
      targetUsersKey: 0,
      nonUsers: 0,
      expectedNew: 0,
    };
    g.base += c.base;
    g.users += c.users;
    g.usersKey = addKeys(g.usersKey, c.usersKey);
    const p = c.segment === null ? undefined : penetration.get(c.segment);
    if (p !== undefined) {
      g.targetBase += c.base;
      g.targetUsers += c.users;
      g.targetUsersKey = addKeys(g.targetUsersKey, c.usersKey);
      g.nonUsers += Math.max(0, c.base - c.users);
      g.expectedNew += Math.max(0, p * c.base - c.users);
    }
    out.set(c.area, g);
  }
  return [...out.values()];
}

/** Most expected new customers first; ties by more non-users, then by code, so the order repeats. */
export function rankGaps<T extends { area: string; expectedNew: number; nonUsers: number }>(gaps: readonly T[]): T[] {
  return [...gaps].sort(
    (a, b) =>
      b.expectedNew - a.expectedNew || b.nonUsers - a.nonUsers || a.area.localeCompare(b.area, 'en', { numeric: true }),
  );
}

/**
 * How many of the ranked areas to target: the first `top` (only those with any expected new
 * customers), or else the fewest top areas that together hold `coverage` (a fraction) of all
 * expected new customers.
 */
export function targetCount(rankedExpected: readonly number[], opts: { top?: number; coverage?: number }): number {
  const positive = rankedExpected.filter((x) => x > 0).length;
  if (opts.top !== undefined) return Math.min(opts.top, positive);
  const coverage = opts.coverage ?? 0.5;
  const total = rankedExpected.reduce((s, x) => s + Math.max(0, x), 0);
  if (!(total > 0)) return 0;
  let sum = 0;
  for (let k = 0; k < rankedExpected.length; k++) {
    sum += Math.max(0, rankedExpected[k]);
    // A hair of tolerance: 50% of a total that floating point makes 49.9999999% still counts.
    if (sum >= coverage * total * (1 - 1e-12)) return k + 1;
  }
  return positive;
}

export interface RoundItem {
  lat: number | null;
  lon: number | null /** the work it takes: households to leaflet */;
  weight: number /** for ordering rounds */;
  value: number;
  id: string;
}

/**
 * Delivery rounds: the targeted areas are cut into `rounds` compact groups of about equal work by
 * recursive bisection — split the areas across their longer side (north–south or east–west) where
 * the households to leaflet divide in proportion to the rounds on each side, and repeat on each
 * half. Neighbours stay together and no round is much bigger than another, which is how a
 * leafleting team divides a patch. Rounds are numbered by expected new customers, most first.
 * Returns each item's round, 1-based.
 */
export function deliveryRounds(items: readonly RoundItem[], rounds: number): number[] {
  const n = items.length;
  if (n === 0) return [];
  const placed = items.filter((i) => i.lat !== null && i.lon !== null);
  const meanLat = placed.length ? placed.reduce((s, i) => s + i.lat!, 0) / placed.length : 0;
  const meanLon = placed.length ? placed.reduce((s, i) => s + i.lon!, 0) / placed.length : 0;
  // Areas with no location (no live postcode) sit at the middle rather than break the split.
  const pts = items.map((i, k) => ({
    k,
    lat: i.lat ?? meanLat,
    lon: i.lon ?? meanLon,
    w: Math.max(0, i.weight),
    id: i.id,
  }));
  const k = Math.max(1, Math.min(Math.floor(rounds), n));
  const groups: number[][] = [];
  const cosLat = Math.cos((meanLat * Math.PI) / 180);
  const split = (set: typeof pts, parts: number) => {
    if (parts <= 1 || set.length <= 1) {
      groups.push(set.map((p) => p.k));
      return;
    }
    const latSpan = Math.max(...set.map((p) => p.lat)) - Math.min(...set.map((p) => p.lat));
    const lonSpan = (Math.max(...set.map((p) => p.lon)) - Math.min(...set.map((p) => p.lon))) * cosLat;
    const byLat = latSpan >= lonSpan;
    const sorted = [...set].sort((a, b) => (byLat ? a.lat - b.lat : a.lon - b.lon) || a.id.localeCompare(b.id));
    const left = Math.ceil(parts / 2);
    const total = sorted.reduce((s, p) => s + p.w, 0);
    const want = (total * left) / parts;
    // Cut where the running work first reaches the left side's share, leaving each side at least
    // as many areas as it has rounds.
    let cut = 0,
      sum = 0;
    while (
      cut < sorted.length &&
      (sum + sorted[cut].w / 2 < want || (total === 0 && cut < (sorted.length * left) / parts))
    ) {
      sum += sorted[cut].w;
      cut++;
    }
    cut = Math.min(Math.max(cut, left), sorted.length - (parts - left));
    split(sorted.slice(0, cut), left);
    split(sorted.slice(cut), parts - left);
  };
  split(pts, k);
  const value = (g: number[]) => g.reduce((s, i) => s + items[i].value, 0);
  const order = groups.map((g, i) => ({ g, i, v: value(g) })).sort((a, b) => b.v - a.v || a.i - b.i);
  const out = new Array<number>(n).fill(0);
  order.forEach((o, r) => {
    for (const i of o.g) out[i] = r + 1;
  });
  return out;
}
