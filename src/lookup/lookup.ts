/**
 * The postcode look-up for front-desk agents: the segment of the postcode's area at every tier of
 * every segmentation and classification, its pen portrait (summary, key features, take-up by
 * segment, already disclosure-controlled in the portrait's facts), and the nearest facility of each
 * kind. Nothing about any person or record.
 */
import { checkPostcode } from '../geo/index.ts';
import { type Engine, sqlAnyValue } from '../store/index.ts';
import { listClassifications } from '../reference/index.ts';
import type { Portrait } from '../segmentation/index.ts';
import { kindLabel, listFacilities, metresBetween, straightLineCosts, type Facility } from '../location/index.ts';
import { LOOKUP_VERSION, type PostcodeLookup } from './result.ts';

/** What the look-up may reuse: portraits and facilities, which callers (the portal) keep until the workspace changes. */
export interface LookupSources {
  portraits(classification: string, tier: string): Promise<readonly Portrait[]>;
  facilities(): Promise<readonly Facility[]>;
}

/** How a typed postcode reads: null when it is not a full postcode. */
export function readPostcode(input: string): { postcode: string; key: string; corrected: boolean } | null {
  const check = checkPostcode(input.slice(0, 20));
  if (check.kind !== 'valid' && check.kind !== 'corrected') return null;
  return { postcode: check.postcode, key: check.key, corrected: check.kind === 'corrected' };
}

/**
 * The nearest facility of each kind, with straight-line distance and estimated journey times
 * (× 1.3 at walking and urban driving speeds): what a caller asks next.
 */
async function nearestServices(
  facilities: readonly Facility[],
  at: { lon: number | null; lat: number | null },
): Promise<PostcodeLookup['nearest']> {
  if (at.lon === null || at.lat === null || !facilities.length) return [];
  const costs = straightLineCosts();
  const here = [{ id: 'here', lon: at.lon, lat: at.lat }];
  const byKind = new Map<string, Omit<PostcodeLookup['nearest'][number], 'kind'>>();
  const [walk, car] = await Promise.all([
    costs.matrix(here, [...facilities], 'walk'),
    costs.matrix(here, [...facilities], 'car'),
  ]);
  facilities.forEach((f, j) => {
    const metres = metresBetween(here[0], f);
    const best = byKind.get(f.kind);
    if (!best || metres < best.metres)
      byKind.set(f.kind, {
        name: f.name,
        metres,
        walk: walk.minutes[j],
        car: car.minutes[j],
        openingHours: f.openingHours,
        postcode: f.postcode,
      });
  });
  return [...byKind]
    .sort(([a], [b]) => kindLabel(a).localeCompare(kindLabel(b)))
    .map(([kind, f]) => ({ kind: kindLabel(kind), ...f }));
}

/** The look-up of one postcode, or null when it is not in the postcode directory. */
export async function lookupPostcode(
  engine: Engine,
  input: string,
  sources: LookupSources,
): Promise<PostcodeLookup | null> {
  const read = readPostcode(input);
  if (!read) return null;
  const pc = await engine.one<Record<string, string | number | null>>(`SELECT * FROM postcode WHERE pc_key = $1`, [
    read.key,
  ]);
  if (!pc) return null;
  const classes = await listClassifications(engine);
  const classifications: PostcodeLookup['classifications'] = [];
  for (const cls of classes) {
    const area = (pc[cls.areaLevel] as string | null | undefined) ?? null;
    if (!area) {
      classifications.push({ ...cls, area: null, segments: [] });
      continue;
    }
    const rows = await engine.all<{ tier: string; code: string; name: string | null }>(
      `SELECT s.tier, s.code, g.name FROM area_segment s LEFT JOIN segment g ON g.classification = s.classification AND g.tier = s.tier AND g.code = s.code
       WHERE s.classification = $1 AND s.area_code = $2`,
      [cls.name, area],
    );
    const segments: PostcodeLookup['classifications'][number]['segments'] = [];
    for (const tier of cls.tiers) {
      const r = rows.find((x) => x.tier === tier);
      if (!r) continue;
      const portrait =
        cls.kind !== 'deprivation'
          ? ((await sources.portraits(cls.name, tier)).find((p) => p.code === r.code) ?? null)
          : null;
      const takeUp = portrait ? portrait.facts.takeUp.filter((u) => !u.suppressed && u.index !== null) : [];
      segments.push({
        tier,
        code: r.code,
        name: portrait?.name ?? r.name ?? r.code,
        portrait,
        more: takeUp.filter((u) => (u.index ?? 0) >= 110),
        less: takeUp.filter((u) => (u.index ?? 999) <= 90),
        takeUp: portrait?.facts.takeUp ?? [],
      });
    }
    classifications.push({ ...cls, area, segments });
  }
  const ward = (pc.ward as string | null) ?? null;
  const wardName = ward
    ? ((
        await engine.one<{ name: string | null }>(
          `SELECT ${sqlAnyValue('name')} AS name FROM area WHERE level = 'ward' AND code = $1`,
          [ward],
        )
      )?.name ?? null)
    : null;
  return {
    version: LOOKUP_VERSION,
    input,
    postcode: read.postcode,
    corrected: read.corrected ? input : null,
    status: (pc.status as string | null) ?? null,
    terminated: pc.terminated === null || pc.terminated === undefined ? null : String(pc.terminated),
    ward,
    wardName,
    classifications,
    nearest: await nearestServices(await sources.facilities(), {
      lon: (pc.lon as number | null) ?? null,
      lat: (pc.lat as number | null) ?? null,
    }),
  };
}
