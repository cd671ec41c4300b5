/**
 * The journeys pages (C12): the journeys and circles of need in the workspace; a journey's map
 * (an SVG drawn on the server, shown as an image, with the steps table saying the same in words),
 * its measures, a printable handout, its before/after comparison and downloads; a circle of need,
 * with the segments that use its services where the viewer may see the Service Delivery Framework.
 * Journeys hold no personal data, but the pages are for signed-in people, as the rest of the
 * portal's workspace pages are, and a draft journey only for its owners (access.ts, decision 0033;
 * making and changing journeys is journey-edit.ts); the SDF behind a circle follows the SDF page's
 * rule (staff and partners, each dataset's column disclosed for the viewer).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { DEFAULT_MIN_CELL, NotFoundError, ParameterError } from '../../core/index.ts';
import { serviceDeliveryFramework } from '../../profiling/index.ts';
import { circleToSvg, discloseProfile, journeyMapSvg, journeysToCsv, journeysToXlsx } from '../../outputs/index.ts';
import { z } from 'zod';
import {
  JourneyComparisonSchema,
  JourneyEntrySchema,
  JourneyMeasuresSchema,
  JourneySchema,
  journeyUnitCosts,
  type Journey,
  type JourneyMeasures,
} from '../../journeys/index.ts';
import { channelName } from '../../channels/index.ts';
import { defineApi } from './api.ts';
import { audit } from '../users.ts';
import { disclosureByDataset, journeyAccess, journeyOwnerFor, makesJourneys, ownershipScope } from '../access.ts';
import { ANALYSTS_AND_PARTNERS, HttpProblem, SIGNED_IN } from '../http.ts';
import { journeyEditRoutes, journeyFor, money, RESERVED_JOURNEY_NAMES, visibleJourneys } from './journey-edit.ts';
import { safeFilename, sendDownload } from './profile.ts';
import { formatOf, one } from '../query.ts';

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
  journeys: z.array(JourneyEntrySchema),
  circles: z.array(z.object({ name: z.string(), segment: z.string(), needs: z.number() })),
});
const JourneyWithMeasuresSchema = z.object({ journey: JourneySchema, measures: JourneyMeasuresSchema });
const JourneySavedSchema = z.object({
  entry: JourneyEntrySchema,
  journey: JourneySchema,
  measures: JourneyMeasuresSchema,
});
const nameParam = z.object({ name: z.string().min(1).describe('The journey’s short name') });
/** A journey to save: one in the journey format (as the examples' JSON files), and whether to publish it. */
const JourneyWriteSchema = z.strictObject({
  journey: z.unknown().describe('A journey in the journey format (version 1), as civic journey import reads from JSON'),
  published: z
    .boolean()
    .optional()
    .describe(
      'Whether everyone signed in sees it; a new journey is a draft unless true, a replaced one keeps its own unless given',
    ),
});
const JOURNEY_BODY_LIMIT = 1024 * 1024;

/** A request body as a journey to save, checked as the journey format and the portal's forms check it. */
function journeyToSave(body: unknown): { journey: Journey; published: boolean | undefined } {
  const raw = body && typeof body === 'object' ? { ...(body as Record<string, unknown>) } : body;
  if (raw && typeof raw === 'object') delete (raw as Record<string, unknown>)._csrf;
  const w = JourneyWriteSchema.safeParse(raw);
  const issues = (e: z.ZodError, prefix = '') =>
    e.issues.map((i) => `${prefix}${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  if (!w.success)
    throw new ParameterError(
      `The request is not valid: ${issues(w.error)}.`,
      'Send JSON: {"journey": {…a journey in the journey format…}, "published": false}.',
    );
  const j = JourneySchema.safeParse(w.data.journey);
  if (!j.success)
    throw new ParameterError(
      `The journey is not valid: ${issues(j.error, 'journey.')}.`,
      'See docs/journeys.md for the journey format, or GET /api/journeys/NAME for one to copy.',
    );
  if ((RESERVED_JOURNEY_NAMES as readonly string[]).includes(j.data.name))
    throw new ParameterError(
      `A journey cannot be called ${j.data.name}: the portal uses the word in its addresses.`,
      'Give it another short name.',
    );
  // Channels as the template's reader has them: Tel is phone, F2F face to face.
  const journey = JourneySchema.parse({
    ...j.data,
    steps: j.data.steps.map((s) => ({ ...s, channel: s.channel ? channelName(s.channel) : null })),
  });
  return { journey, published: w.data.published };
}

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
      summary:
        'The customer journeys the caller may see (published ones, and drafts of its own) and the circles of need in the workspace',
      response: { name: 'JourneyList', schema: JourneyListSchema, description: 'Journeys and circles of need' },
    },
    async ({ request }) => ({
      journeys: (await visibleJourneys(app, request.viewer)).map((s) => s.entry),
      circles: await app.services.journeys.circles(),
    }),
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
    async ({ request, params }) => {
      const s = await journeyFor(app, request.viewer, params.name);
      return { journey: s.journey, measures: app.services.journeys.measure(s.journey) };
    },
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
    async ({ request, params, query }) => {
      const { journey } = await journeyFor(app, request.viewer, params.name);
      const other = query.with ?? journey.compareWith;
      if (!other)
        throw new NotFoundError(
          `${journey.title} is not paired with another journey.`,
          'Give ?with=NAME, or give the journey a compare_with.',
        );
      await journeyFor(app, request.viewer, other);
      return app.services.journeys.compare(params.name, other);
    },
  );

  const saved = async (name: string) => {
    const s = (await app.services.journeys.find(name))!;
    return { entry: s.entry, journey: s.journey, measures: app.services.journeys.measure(s.journey) };
  };
  const writeBody = {
    description: 'The journey, in the journey format, and whether to publish it',
    content: {
      'application/json': {
        schema: JourneyWriteSchema,
        example: {
          journey: {
            version: 1,
            name: 'missed-bin-after',
            title: 'Reporting a missed bin (after)',
            stage: 'after',
            compareWith: 'missed-bin-before',
            unitCosts: 'barking-dagenham',
            steps: [{ agency: 'Waste services', service: 'Missed bin', channel: 'web', dataItems: ['address'] }],
          },
          published: false,
        },
      },
    },
  };
  defineApi(
    app,
    {
      method: 'POST',
      path: '/api/journeys',
      operationId: 'createJourney',
      tag: 'Journeys',
      roles: ANALYSTS_AND_PARTNERS,
      changes: [],
      summary: 'Saves a new journey, owned by the caller’s organisation (the council for its staff)',
      description:
        'A draft unless `published` is true: a draft is seen by its owners only. A name already taken is refused (409). With a session cookie, send the CSRF token in the X-CSRF-Token header.',
      body: writeBody,
      response: {
        name: 'JourneySaved',
        schema: JourneySavedSchema,
        description: 'The journey as saved, with its measures',
      },
      errors: [400, 409, 413],
    },
    async ({ request }) => {
      if (!makesJourneys(request.viewer))
        throw new HttpProblem(
          403,
          'not_allowed',
          'Not allowed',
          'Your account belongs to no organisation, so a journey you saved would have no owner.',
          'Ask an administrator to set your organisation.',
        );
      const { journey, published } = journeyToSave(request.body);
      await app.services.journeys.save(
        [{ journey, partner: journeyOwnerFor(request.viewer), published: published ?? false }],
        { by: request.viewer.username, sourceFile: null },
      );
      await audit(app.engine, request.viewer, 'api journey made', journey.name, request.ip);
      return saved(journey.name);
    },
    { bodyLimit: JOURNEY_BODY_LIMIT },
  );
  defineApi(
    app,
    {
      method: 'PUT',
      path: '/api/journeys/:name',
      operationId: 'replaceJourney',
      tag: 'Journeys',
      roles: ANALYSTS_AND_PARTNERS,
      changes: [],
      summary: 'Replaces a journey the caller owns with the one sent (same short name)',
      description:
        'The owner stays; `published` changes whether it is published, else it stays as it was. Another organisation’s draft is not found (404); a published journey of another organisation is refused (403).',
      params: nameParam,
      body: writeBody,
      response: {
        name: 'JourneySaved',
        schema: JourneySavedSchema,
        description: 'The journey as saved, with its measures',
      },
      errors: [400, 404, 413],
    },
    async ({ request, params }) => {
      const s = await journeyFor(app, request.viewer, params.name, 'edit');
      const { journey, published } = journeyToSave(request.body);
      if (journey.name !== s.journey.name)
        throw new ParameterError(
          `The journey sent is called ${journey.name}, not ${s.journey.name}.`,
          'A journey keeps its short name: send it with the same name, or POST /api/journeys to save it under a new one.',
        );
      await app.services.journeys.save(
        [{ journey, partner: s.entry.partner, published: published ?? s.entry.published }],
        { by: request.viewer.username, replace: [journey.name] },
      );
      await audit(app.engine, request.viewer, 'api journey replaced', journey.name, request.ip);
      return saved(journey.name);
    },
    { bodyLimit: JOURNEY_BODY_LIMIT },
  );
  defineApi(
    app,
    {
      method: 'DELETE',
      path: '/api/journeys/:name',
      operationId: 'deleteJourney',
      tag: 'Journeys',
      roles: ANALYSTS_AND_PARTNERS,
      changes: [],
      summary: 'Deletes a journey the caller owns',
      params: nameParam,
      response: {
        name: 'JourneyDeleted',
        schema: z.object({ deleted: z.string().describe('The short name of the journey deleted') }),
        description: 'The journey is deleted',
      },
      errors: [404],
    },
    async ({ request, params }) => {
      const s = await journeyFor(app, request.viewer, params.name, 'edit');
      await app.services.journeys.remove(s.journey.name);
      await audit(app.engine, request.viewer, 'api journey deleted', s.journey.name, request.ip);
      return { deleted: s.journey.name };
    },
  );
}

export async function journeyRoutes(app: FastifyInstance): Promise<void> {
  journeyApi(app);
  await journeyEditRoutes(app);
  /** A journey the viewer may see, with its measures. */
  const shown = async (request: FastifyRequest, name: string) => {
    const s = await journeyFor(app, request.viewer, name);
    return { ...s, measures: app.services.journeys.measure(s.journey) };
  };

  app.get('/journeys', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const visible = await visibleJourneys(app, request.viewer);
    const q = request.query as Record<string, unknown>;
    const names = new Set(visible.map((s) => s.journey.name));
    const uploaded = (one(q.uploaded) ?? '')
      .split(',')
      .filter((n) => names.has(n))
      .map((n) => visible.find((s) => s.journey.name === n)!.journey.title);
    const circles = await app.services.journeys.circles();
    return app.page(request, reply, 'journeys.njk', {
      title: 'Customer journeys',
      journeys: visible.map((s) => {
        const measures = app.services.journeys.measure(s.journey);
        return { ...s.entry, measures, cost: money(measures.cost.total), mayEdit: s.access.edit };
      }),
      circles,
      makes: makesJourneys(request.viewer),
      uploaded,
      deleted: one(q.deleted)?.slice(0, 200) ?? null,
    });
  });

  app.get('/journeys/:name', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey, measures, entry } = await shown(request, name);
    const pair = journey.compareWith
      ? ((await visibleJourneys(app, request.viewer)).find((s) => s.journey.name === journey.compareWith)?.entry ??
        null)
      : null;
    await audit(app.engine, request.viewer, 'journey', name, request.ip);
    return app.page(request, reply, 'journey.njk', {
      title: journey.title,
      journey,
      entry,
      mayEdit: journeyAccess(request.viewer, entry).edit,
      measures,
      summary: summaryRows(measures),
      steps: stepRows(journey, measures),
      pair,
      handout: false,
    });
  });

  app.get('/journeys/:name/handout', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey, measures } = await shown(request, name);
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
    const { journey, measures } = await shown(request, name);
    return reply.type('image/svg+xml; charset=utf-8').send(journeyMapSvg(journey, measures));
  });

  app.get('/journeys/:name/compare', { config: { roles: SIGNED_IN } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const { journey } = await shown(request, name);
    const other = one((request.query as Record<string, unknown>).with) ?? journey.compareWith;
    if (!other)
      throw new NotFoundError(
        `${journey.title} is not paired with another journey.`,
        'Give the journey a compare_with (the other journey of its before/after pair) and import it again.',
      );
    // The before on the left, whichever of the pair was asked for.
    const otherJ = (await shown(request, other)).journey;
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
    const first = await shown(request, name);
    const reports = [{ journey: first.journey, measures: first.measures }];
    if (first.journey.compareWith) {
      // The other of the pair only if the viewer may see it too.
      const other = await shown(request, first.journey.compareWith).catch(() => null);
      if (other) reports.push({ journey: other.journey, measures: other.measures });
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
