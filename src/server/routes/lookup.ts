/**
 * The postcode look-up for front-desk agents: the segment of the postcode's area at every tier of
 * every segmentation and classification, its pen portrait's summary and key features, how the
 * segment prefers to get in touch, and the services its households use (take-up by segment,
 * already disclosure-controlled in the portrait's facts). Nothing about any person or record.
 */
import type { FastifyInstance } from 'fastify';
import { checkPostcode } from '../../geo/index.ts';
import { portraitsOrGenerate, type Portrait } from '../../segmentation/index.ts';
import { audit } from '../users.ts';
import { listFacilities, metresBetween, straightLineCosts } from '../../location/index.ts';
import { kindLabel } from '../facility-map.ts';
import { classificationChoices, one } from './profile.ts';

/**
 * The nearest facility of each kind to the postcode, with straight-line distance and estimated
 * journey times (× 1.3 at walking and urban driving speeds): what a caller asks next.
 */
async function nearestServices(app: FastifyInstance, at: { lon: number | null; lat: number | null }) {
  if (at.lon === null || at.lat === null) return [];
  const facilities = await app.results.get('facilities', null, () => listFacilities(app.engine));
  const costs = straightLineCosts();
  const here = [{ id: 'here', lon: at.lon, lat: at.lat }];
  const byKind = new Map<
    string,
    { name: string; metres: number; walk: number; car: number; openingHours: string | null; postcode: string | null }
  >();
  const [walk, car] = await Promise.all([
    costs.matrix(here, facilities, 'walk'),
    costs.matrix(here, facilities, 'car'),
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

export async function lookupRoutes(app: FastifyInstance): Promise<void> {
  app.get('/lookup', { config: { roles: ['admin', 'analyst', 'agent'] } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const input = one(q.postcode);
    const ctx = { title: 'Postcode look-up', postcode: input ?? '' };
    if (input === undefined) {
      if (q.postcode !== undefined)
        return app.page(request, reply, 'lookup.njk', { ...ctx, errorTitle: true, error: 'Enter a postcode' }, 400);
      return app.page(request, reply, 'lookup.njk', ctx);
    }
    const check = checkPostcode(input.slice(0, 20));
    if (check.kind !== 'valid' && check.kind !== 'corrected') {
      return app.page(
        request,
        reply,
        'lookup.njk',
        { ...ctx, errorTitle: true, error: 'Enter a full postcode, like SB1 1AB' },
        400,
      );
    }
    const pc = await app.engine.one<Record<string, string | null>>(`SELECT * FROM postcode WHERE pc_key = $1`, [
      check.key,
    ]);
    await audit(app.engine, request.viewer, 'lookup', check.postcode, request.ip);
    if (!pc) {
      return app.page(
        request,
        reply,
        'lookup.njk',
        {
          ...ctx,
          postcode: check.postcode,
          errorTitle: true,
          error: `${check.postcode} is not in the postcode directory. Check it and try again`,
        },
        404,
      );
    }
    const classes = await classificationChoices(app.engine);
    const results = [];
    for (const cls of classes) {
      const area = pc[cls.areaLevel as keyof typeof pc] ?? null;
      if (!area) {
        results.push({ cls, area: null, tiers: [], rows: [] });
        continue;
      }
      const rows = await app.engine.all<{ tier: string; code: string; name: string | null }>(
        `SELECT s.tier, s.code, g.name FROM area_segment s LEFT JOIN segment g ON g.classification = s.classification AND g.tier = s.tier AND g.code = s.code
         WHERE s.classification = $1 AND s.area_code = $2`,
        [cls.name, area],
      );
      const tiers = [];
      for (const tier of cls.tiers) {
        const r = rows.find((x) => x.tier === tier);
        if (!r) continue;
        let portrait: Portrait | undefined;
        if (cls.kind !== 'deprivation')
          portrait = (
            await app.results.get('portraits', [cls.name, tier], () => portraitsOrGenerate(app.engine, cls.name, tier))
          ).find((p) => p.code === r.code);
        const takeUp = portrait ? portrait.facts.takeUp.filter((u) => !u.suppressed && u.index !== null) : [];
        tiers.push({
          tier,
          code: r.code,
          name: portrait?.name ?? r.name ?? r.code,
          portrait,
          more: takeUp.filter((u) => (u.index ?? 0) >= 110),
          less: takeUp.filter((u) => (u.index ?? 999) <= 90),
          takeUp: portrait?.facts.takeUp ?? [],
        });
      }
      results.push({
        cls,
        area,
        tiers,
        rows: tiers.map((t) => ({
          key: { text: t.tier.charAt(0).toUpperCase() + t.tier.slice(1) },
          value: { text: `${t.code} ${t.name}` },
        })),
      });
    }
    const nearest = await nearestServices(app, pc as unknown as { lon: number | null; lat: number | null });
    const areaName = pc.ward
      ? (
          await app.engine.one<{ name: string | null }>(
            `SELECT any_value(name) AS name FROM area WHERE level = 'ward' AND code = $1`,
            [pc.ward],
          )
        )?.name
      : null;
    return app.page(request, reply, 'lookup.njk', {
      ...ctx,
      postcode: check.postcode,
      corrected: check.kind === 'corrected' ? input : null,
      status: pc.status,
      terminated: pc.terminated,
      ward: pc.ward,
      wardName: areaName,
      results,
      nearest,
    });
  });
}
