/**
 * The journeys pages (C12): the journeys and circles of need in the workspace; a journey's map
 * (an SVG drawn on the server, shown as an image, with the steps table saying the same in words),
 * its measures, a printable handout, its before/after comparison and downloads; a circle of need,
 * with the segments that use its services where the viewer may see the Service Delivery Framework.
 * Journeys hold no personal data, but the pages are for signed-in people, as the rest of the
 * portal's workspace pages are; the SDF behind a circle follows the SDF page's rule (staff and
 * partners, each dataset's column disclosed for the viewer).
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MIN_CELL, NotFoundError } from '../../core/index.ts';
import { serviceDeliveryFramework } from '../../profiling/index.ts';
import { circleToSvg, discloseProfile, journeyMapSvg, journeysToCsv, journeysToXlsx } from '../../outputs/index.ts';
import { z } from 'zod';
import {
  JourneyComparisonSchema,
  JourneyMeasuresSchema,
  JourneySchema,
  JourneySummarySchema,
  journeyUnitCosts,
  type JourneyMeasures,
} from '../../journeys/index.ts';
import { defineApi } from './api.ts';
import { audit } from '../users.ts';
import { disclosureByDataset, ownershipScope } from '../access.ts';
import { ANALYSTS_AND_PARTNERS, SIGNED_IN } from '../http.ts';
import { safeFilename, sendDownload } from './profile.ts';
import { formatOf, one } from '../query.ts';

const money = (n: number | null) =>
  n === null ? '' : `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The measures as the page's summary list shows them. */
function summaryRows(m: JourneyMeasures) {
  const rows: { key: { text: string }; value: { text: string } }[] = [
    {
      key: { text: 'Steps' },
      value: { text: `${m.steps}${m.reconstructedSteps ? ` (${m.reconstructedSteps} reconstructed)` : ''}` },
    },
    { key: { text: 'Agencies' }, value: { text: String(m.agencies.length) } },
    { key: { text: 'Services' }, value: { text: String(m.services.length) } },
    { key: { text: 'Application forms' }, value: { text: String(m.forms.length) } },
    {
      key: { text: 'Contacts' },
      value: {
        text: `${m.contacts.total}${m.contacts.byChannel.length ? `: ${m.contacts.byChannel.map((c) => `${c.channel} ${c.contacts}`).join(', ')}` : ''}`,
      },
    },
    {
      key: { text: 'Assessments' },
      value: { text: `${m.assessments.made} made, ${m.assessments.repeats} of them repeating an earlier one` },
    },
    {
      key: { text: 'Data items asked for' },
      value: { text: `${m.dataItems.asked}: ${m.dataItems.distinct} different, ${m.dataItems.repeats} asked again` },
    },
    {
      key: { text: 'Wait' },
      value: { text: m.wait.stepsWithWait ? `${m.wait.totalDays} days` : 'not given' },
    },
    {
      key: { text: 'Cost' },
      value: {
        text: `${money(m.cost.total)}${m.unitCosts ? ` at the ${m.unitCosts} unit costs` : ''}${m.cost.complete ? '' : `; ${m.cost.uncostedContacts} contacts not costed (no unit cost for ${m.cost.uncostedChannels.join(', ')})`}`,
      },
    },
  ];
  return rows;
}

/** The steps as the page's table shows them, with each step's cost. */
function stepRows(
  j: {
    steps: {
      agency: string;
      service: string;
      channel: string | null;
      count: number;
      form: string | null;
      assessment: string | null;
      dataItems: string[];
      waitDays: number | null;
      feeling: string | null;
      note: string | null;
      reconstructed: boolean;
    }[];
  },
  m: JourneyMeasures,
) {
  return j.steps.map((s, i) => ({
    ...s,
    n: i + 1,
    contact: s.channel ? `${s.channel}${s.count > 1 ? ` × ${s.count}` : ''}` : 'event (not a contact)',
    cost: money(m.stepCosts[i].cost),
  }));
}

const JourneyListSchema = z.object({
  journeys: z.array(JourneySummarySchema),
  circles: z.array(z.object({ name: z.string(), segment: z.string(), needs: z.number() })),
});
const JourneyWithMeasuresSchema = z.object({ journey: JourneySchema, measures: JourneyMeasuresSchema });
const nameParam = z.object({ name: z.string().min(1).describe('The journey’s short name') });

/** The same results for scripts: the list, a journey with its measures, a before/after comparison. */
function journeyApi(app: FastifyInstance): void {
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/journeys',
      operationId: 'listJourneys',
      tag: 'Journeys',
      roles: SIGNED_IN,
      summary: 'The customer journeys and circles of need in the workspace (as civic journey show --format json)',
      response: { name: 'JourneyList', schema: JourneyListSchema, description: 'Journeys and circles of need' },
    },
    async () => ({ journeys: await app.services.journeys.list(), circles: await app.services.journeys.circles() }),
  );
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/journeys/:name',
      operationId: 'showJourney',
      tag: 'Journeys',
      roles: SIGNED_IN,
      summary: 'A journey’s steps and measures, costed at its own unit costs (as civic journey show --format json)',
      params: nameParam,
      response: {
        name: 'JourneyWithMeasures',
        schema: JourneyWithMeasuresSchema,
        description: 'The journey and its measures',
      },
      errors: [404],
    },
    async ({ params }) => app.services.journeys.get(params.name),
  );
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/journeys/:name/compare',
      operationId: 'compareJourneys',
      tag: 'Journeys',
      roles: SIGNED_IN,
      summary:
        'A journey before and after a redesign: contacts, cost and forms saved (as civic journey compare --format json)',
      params: nameParam,
      query: z.strictObject({
        with: z
          .string()
          .min(1)
          .optional()
          .describe('The after journey; default: the one the journey names in compare_with'),
      }),
      response: {
        name: 'JourneyComparison',
        schema: JourneyComparisonSchema,
        description: 'Before, after and the savings',
      },
      errors: [404],
    },
    async ({ params, query }) => {
      const { journey } = await app.services.journeys.get(params.name);
      const other = query.with ?? journey.compareWith;
      if (!other)
        throw new NotFoundError(
          `${journey.title} is not paired with another journey.`,
          'Give ?with=NAME, or give the journey a compare_with.',
        );
      return app.services.journeys.compare(params.name, other);
    },
  );
}

export async function journeyRoutes(app: FastifyInstance): Promise<void> {
  journeyApi(app);
  app.get('/journeys', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const journeys = await app.services.journeys.list();
    const measured = [];
    for (const j of journeys) measured.push({ ...j, measures: (await app.services.journeys.get(j.name)).measures });
    const circles = await app.services.journeys.circles();
    return app.page(request, reply, 'journeys.njk', {
      title: 'Customer journeys',
      journeys: measured.map((j) => ({ ...j, cost: money(j.measures.cost.total) })),
      circles,
    });
  });

  app.get('/journeys/:name', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey, measures } = await app.services.journeys.get(name);
    const pair = journey.compareWith
      ? ((await app.services.journeys.list()).find((j) => j.name === journey.compareWith) ?? null)
      : null;
    await audit(app.engine, request.viewer, 'journey', name, request.ip);
    return app.page(request, reply, 'journey.njk', {
      title: journey.title,
      journey,
      measures,
      summary: summaryRows(measures),
      steps: stepRows(journey, measures),
      pair,
      handout: false,
    });
  });

  app.get('/journeys/:name/handout', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey, measures } = await app.services.journeys.get(name);
    return app.page(request, reply, 'journey-handout.njk', {
      title: `${journey.title}: handout`,
      journey,
      measures,
      summary: summaryRows(measures),
      steps: stepRows(journey, measures),
    });
  });

  app.get('/journeys/:name/map.svg', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey, measures } = await app.services.journeys.get(name);
    return reply.type('image/svg+xml; charset=utf-8').send(journeyMapSvg(journey, measures));
  });

  app.get('/journeys/:name/compare', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey } = await app.services.journeys.get(name);
    const other = one((request.query as Record<string, unknown>).with) ?? journey.compareWith;
    if (!other)
      throw new NotFoundError(
        `${journey.title} is not paired with another journey.`,
        'Give the journey a compare_with (the other journey of its before/after pair) and import it again.',
      );
    // The before on the left, whichever of the pair was asked for.
    const otherJ = (await app.services.journeys.get(other)).journey;
    const [before, after] = journey.stage === 'after' && otherJ.stage !== 'after' ? [other, name] : [name, other];
    const c = await app.services.journeys.compare(before, after);
    const row = (label: string, b: number, a: number, saved: number, fmt = (n: number) => String(n)) => ({
      label,
      before: fmt(b),
      after: fmt(a),
      saved: fmt(saved),
    });
    const rows = [
      row('Steps', c.before.steps, c.after.steps, c.stepsSaved),
      row(
        'Agencies',
        c.before.agencies.length,
        c.after.agencies.length,
        c.before.agencies.length - c.after.agencies.length,
      ),
      row(
        'Application forms',
        c.before.forms.length,
        c.after.forms.length,
        c.before.forms.length - c.after.forms.length,
      ),
      row('Contacts', c.before.contacts.total, c.after.contacts.total, c.contactsSaved),
      ...c.byChannel.map((x) => row(`Contacts by ${x.channel}`, x.before, x.after, -x.change)),
      row('Assessments repeated', c.before.assessments.repeats, c.after.assessments.repeats, c.assessmentRepeatsSaved),
      row('Data items asked again', c.before.dataItems.repeats, c.after.dataItems.repeats, c.dataRepeatsSaved),
      row('Wait (days)', c.before.wait.totalDays, c.after.wait.totalDays, c.waitDaysSaved),
      row('Cost', c.before.cost.total, c.after.cost.total, c.costSaved, (n) => money(n)),
    ];
    return app.page(request, reply, 'journey-compare.njk', {
      title: `Before and after: ${c.before.title}`,
      c,
      rows,
      before,
      after,
      costSaved: money(c.costSaved),
    });
  });

  app.get('/journeys/:name/download', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const format = formatOf((request.query as Record<string, unknown>).format, ['xlsx', 'csv', 'json']);
    const first = await app.services.journeys.get(name);
    const reports = [first];
    if (first.journey.compareWith) {
      const other = await app.services.journeys.get(first.journey.compareWith).catch(() => null);
      if (other) reports.push(other);
    }
    const before = reports.find((r) => r.journey.stage === 'before');
    const after = reports.find((r) => r !== before && r.journey.stage === 'after');
    const comparison =
      before && after ? await app.services.journeys.compare(before.journey.name, after.journey.name) : null;
    const sets = [
      ...new Map(
        reports
          .map((r) => journeyUnitCosts(r.journey))
          .filter((s) => s !== null)
          .map((s) => [s.name, s]),
      ).values(),
    ];
    const body =
      format === 'xlsx'
        ? await journeysToXlsx(reports, comparison, sets)
        : format === 'csv'
          ? journeysToCsv(reports.map((r) => r.journey))
          : JSON.stringify({ journeys: reports, comparison }, null, 2) + '\n';
    await audit(app.engine, request.viewer, `export ${format}`, `journey ${name}`, request.ip);
    return sendDownload(reply, safeFilename(['journey', name], format), format, body);
  });

  app.get('/journeys/circles/:name', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const v = request.viewer;
    // The segments using each service come from the SDF, which is for staff and partners, each
    // column disclosed for the viewer as on the SDF page; anyone else sees the circle alone.
    const sdfAllowed = ANALYSTS_AND_PARTNERS.includes(v.role);
    const sdf = sdfAllowed
      ? async (datasets: string[]) => {
          const ruleOf = await disclosureByDataset(app.engine, v, DEFAULT_MIN_CELL);
          return app.results.get('sdf', { datasets, minCell: DEFAULT_MIN_CELL, scope: ownershipScope(v) }, () =>
            serviceDeliveryFramework(
              app.engine,
              { datasets },
              { disclose: (p) => discloseProfile(p, ruleOf(p.dataset)) },
            ),
          );
        }
      : undefined;
    const r = await app.services.journeys.circle(name, sdf);
    return app.page(request, reply, 'circle.njk', { title: `Circle of need: ${r.segment}`, r, sdfAllowed });
  });

  app.get('/journeys/circles/:name/circle.svg', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const r = await app.services.journeys.circle(name);
    return reply.type('image/svg+xml; charset=utf-8').send(circleToSvg(r));
  });
}
