/**
 * The single customer view of one household (issue 13, point 4): the portal page and the API. A
 * viewer sees only the records of datasets it owns (staff: the council's and every partner's; a
 * partner: its own), so the answer is the same whether or not anybody else holds records at the
 * property. Every look-up is written to the audit log, with the property reference and what was
 * shown (counts), never a value from a record. The search itself is linkage's householdView.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ParameterError } from '../../core/index.ts';
import { datasetPartners } from '../../intake/index.ts';
import { householdKey, householdView, HouseholdViewSchema, type HouseholdView } from '../../linkage/index.ts';
import { ownsRecords } from '../access.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { one } from '../query.ts';
import { audit, type Viewer, type ViewerRole } from '../users.ts';
import { defineApi } from './api.ts';

const ROLES: ViewerRole[] = ['admin', 'analyst', 'partner'];

/** The datasets whose records this viewer may see. */
async function ownDatasets(app: FastifyInstance, viewer: Viewer): Promise<string[]> {
  return [...(await datasetPartners(app.engine))].filter(([, p]) => ownsRecords(viewer, p)).map(([n]) => n);
}

async function lookUp(
  app: FastifyInstance,
  request: FastifyRequest,
  q: { uprn?: string; address?: string; postcode?: string },
  via: string,
): Promise<HouseholdView> {
  const key = await householdKey(app.engine, q);
  const view = await householdView(app.engine, q, await ownDatasets(app, request.viewer));
  await audit(
    app.engine,
    request.viewer,
    'household view',
    `${via}: ${key.kind === 'uprn' ? 'UPRN' : 'property key'} ${key.key}; ${view.records} records from ${view.datasets.length} of ${view.searched.length} datasets`,
    request.ip,
  );
  return view;
}

export async function householdRoutes(app: FastifyInstance): Promise<void> {
  app.get('/households', { config: { roles: ROLES } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const form = { uprn: one(q.uprn) ?? '', address: one(q.address) ?? '', postcode: one(q.postcode) ?? '' };
    const ctx = { title: 'Household view', form };
    if (q.uprn === undefined && q.address === undefined) return app.page(request, reply, 'households.njk', ctx);
    try {
      const view = await lookUp(app, request, form, 'portal');
      return app.page(request, reply, 'households.njk', { ...ctx, view });
    } catch (e) {
      if (!(e instanceof ParameterError)) throw e;
      const field = form.uprn.trim() ? 'uprn' : 'address';
      return app.page(
        request,
        reply,
        'households.njk',
        { ...ctx, errorTitle: true, error: e.message, fix: e.fix, field },
        400,
      );
    }
  });
}

export async function householdApiRoutes(app: FastifyInstance): Promise<void> {
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/household',
      operationId: 'household',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Every record at one property reference, in the datasets the caller owns (as civic link household --format json)',
      description:
        'Give uprn, or address (and postcode when it is not at the end of the address). Only datasets imported with addresses and owned by the caller are searched; pseudonymised columns are never shown. Every call is written to the audit log.',
      query: z.strictObject({
        uprn: z.string().optional().describe('The property’s UPRN'),
        address: z.string().optional().describe('Or its address, e.g. "Flat 2, 12 High Road"'),
        postcode: z.string().optional().describe('The address’s postcode, when not written at its end'),
      }),
      response: { name: 'HouseholdView', schema: HouseholdViewSchema, description: 'The household’s records' },
      errors: [400],
    },
    async ({ request, query: q }) => lookUp(app, request, q, 'api'),
  );
}
