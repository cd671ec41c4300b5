/**
 * The single customer view of one household (issue 13, point 4): the portal page and the API. A
 * viewer sees only the records of datasets it owns (staff: the council's and every partner's; a
 * partner: its own), so the answer is the same whether or not anybody else holds records at the
 * property. Every look-up is written to the audit log, with the property reference and what was
 * shown (counts), never a value from a record. The search itself is linkage's householdView.
 * The match-rate report beside it covers the viewer's own datasets only, linked among themselves:
 * how many of a partner's records are at another organisation's households is not the partner's to know.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessError, DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import { discloseMatchRates } from '../../outputs/index.ts';
import { datasetPartners } from '../../intake/index.ts';
import {
  householdKey,
  householdView,
  HouseholdViewSchema,
  matchRates,
  MatchRateResultSchema,
  type HouseholdView,
  type MatchRateResult,
} from '../../linkage/index.ts';
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

/** The match rates of the viewer's own datasets (those asked for, or all of them). */
async function ownMatchRates(app: FastifyInstance, viewer: Viewer, asked?: string[]): Promise<MatchRateResult> {
  const own = await ownDatasets(app, viewer);
  // The same refusal whether or not a dataset of that name exists.
  if (asked?.some((d) => !own.includes(d)))
    throw new AccessError(
      'Match rates are for the datasets’ owners.',
      'Ask for your own datasets, or leave datasets out.',
    );
  // Counts under the threshold are hidden here, whoever asks, as in every other answer of the API.
  return discloseMatchRates(await matchRates(app.engine, asked?.length ? asked : own, own), DEFAULT_MIN_CELL);
}

export async function householdRoutes(app: FastifyInstance): Promise<void> {
  app.get('/households', { config: { roles: ROLES } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const form = { uprn: one(q.uprn) ?? '', address: one(q.address) ?? '', postcode: one(q.postcode) ?? '' };
    const ctx = { title: 'Household view', form, rates: await ownMatchRates(app, request.viewer) };
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
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/match-rates',
      operationId: 'matchRates',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'How each of your datasets’ records reach households and each other (as civic link match-rates --format json)',
      description:
        'Records with their own UPRN, a matched UPRN, a derived key or none, not placed; households; records sharing one; and records at a household another of your datasets holds. A partner gets its own datasets only, linked among themselves.',
      query: z.strictObject({
        datasets: z.string().optional().describe('Comma-separated datasets (default: all of yours)'),
      }),
      response: { name: 'MatchRates', schema: MatchRateResultSchema, description: 'The match-rate report' },
      errors: [400, 403],
    },
    async ({ request, query: q }) =>
      ownMatchRates(
        app,
        request.viewer,
        q.datasets
          ?.split(',')
          .map((d) => d.trim())
          .filter(Boolean),
      ),
  );
}
