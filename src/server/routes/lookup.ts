/**
 * The postcode look-up page for front-desk agents. The look-up itself (segments, portraits,
 * nearest facilities) is lookup's `lookupPostcode`, through the app's services; this reads the
 * postcode, records the look-up and renders it.
 */
import type { FastifyInstance } from 'fastify';
import { readPostcode } from '../../lookup/index.ts';
import { audit } from '../users.ts';
import { one } from '../query.ts';

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
    const read = readPostcode(input);
    if (!read) {
      return app.page(
        request,
        reply,
        'lookup.njk',
        { ...ctx, errorTitle: true, error: 'Enter a full postcode, like SB1 1AB' },
        400,
      );
    }
    // The entry is written while the look-up runs; the page waits for both, so none is lost.
    const logged = audit(app.engine, request.viewer, 'lookup', read.postcode, request.ip);
    const [found] = await Promise.all([app.services.lookup.postcode(input), logged]);
    if (!found) {
      return app.page(
        request,
        reply,
        'lookup.njk',
        {
          ...ctx,
          postcode: read.postcode,
          errorTitle: true,
          error: `${read.postcode} is not in the postcode directory. Check it and try again`,
        },
        404,
      );
    }
    const results = found.classifications.map((c) => ({
      cls: c,
      area: c.area,
      tiers: c.segments,
      rows: c.segments.map((t) => ({
        key: { text: t.tier.charAt(0).toUpperCase() + t.tier.slice(1) },
        value: { text: `${t.code} ${t.name}` },
      })),
    }));
    return app.page(request, reply, 'lookup.njk', {
      ...ctx,
      postcode: found.postcode,
      corrected: found.corrected,
      status: found.status,
      terminated: found.terminated,
      ward: found.ward,
      wardName: found.wardName,
      results,
      nearest: found.nearest,
    });
  });
}
