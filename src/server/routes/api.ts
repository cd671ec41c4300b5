/**
 * C14: the HTTP API. Every analysis returns the same result object `civic … --format json` prints,
 * after disclosure control at DEFAULT_MIN_CELL for every role; errors are problem+json. Each route
 * is declared once (openapi.ts: path, roles, parameters, response schema): the declaration both
 * registers the route and documents it in /api/openapi.json.
 */
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteShorthandOptions } from 'fastify';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import { listDatasets } from '../../intake/index.ts';
import {
  profileDataset,
  serviceDeliveryFramework,
  sdfDatasets,
  overlapAnalysis,
  representAnalysis,
  ragSynopsis,
  parseArea,
  DEFAULT_RAG_THRESHOLDS,
  ProfileResultSchema,
  SdfResultSchema,
  OverlapResultSchema,
  RepresentResultSchema,
  RagResultSchema,
  MAX_OVERLAP_DATASETS,
  parseMeasures,
  parseWhere,
  API_SPEC_NAMES,
} from '../../profiling/index.ts';
import {
  listSegmentations,
  getBuildResult,
  getModel,
  portraitsOrGenerate,
  portraitFacts,
  BuildResultSchema,
  SegmentationModelSchema,
  PortraitSchema,
  type Portrait,
} from '../../segmentation/index.ts';
import {
  discloseProfile,
  discloseOverlap,
  discloseRepresent,
  discloseCatchment,
  discloseTarget,
} from '../../outputs/index.ts';
import {
  accessibility,
  catchment,
  listFacilities,
  AccessResultSchema,
  CatchmentResultSchema,
} from '../../location/index.ts';
import { targetAreas, TargetResultSchema } from '../../targeting/index.ts';
import { audit } from '../users.ts';
import { EVERYONE, ANALYSTS_AND_PARTNERS, STAFF, SIGNED_IN, HttpProblem } from '../http.ts';
import { documentApi, openApiDocument, type ApiOperation } from '../openapi.ts';
import { postcodeApiRoutes } from './api-postcodes.ts';
import { linkageApiRoutes } from './api-linkage.ts';
import { householdApiRoutes } from './households.ts';
import { vulnerabilityApiRoutes } from './vulnerability.ts';
import { channelApiRoutes } from './channels.ts';
import { channelAnalysisApiRoutes } from './channel-analyses.ts';
import {
  DatasetAccountSchema,
  datasetAccount,
  checkRecordFilters,
  disclosureForDataset,
  disclosureForRepresent,
  disclosureByDataset,
  disclosureForAll,
  ownershipScope,
} from '../access.ts';

export { ownsRecords, datasetAccount, DatasetAccountSchema } from '../access.ts';
export type { DatasetAccount } from '../access.ts';

/** Every aggregate the API returns is suppressed at this threshold, whoever asks. */
export const API_MIN_CELL = DEFAULT_MIN_CELL;

// ---------------------------------------------------------------------------------------------
// Declaring a route: parameters are checked with zod, and a bad one is a 400 problem that names it.

type AnyObject = z.ZodObject;
interface HandlerArgs<Q extends AnyObject, P extends AnyObject> {
  request: FastifyRequest;
  reply: FastifyReply;
  query: z.infer<Q>;
  params: z.infer<P>;
}
type ApiDeclaration<Q extends AnyObject, P extends AnyObject> = Omit<ApiOperation, 'query' | 'params'> & {
  query?: Q;
  params?: P;
};

function describeIssues(
  where: 'query' | 'path',
  raw: Record<string, unknown>,
  error: z.ZodError,
  allowed: string[],
): string {
  const noun = where === 'query' ? 'query parameter' : 'path parameter';
  return error.issues
    .map((i) => {
      if (i.code === 'unrecognized_keys')
        return `unknown ${noun}${i.keys.length > 1 ? 's' : ''} ${i.keys.map((k) => `"${k}"`).join(', ')} (${allowed.length ? `use ${allowed.join(', ')}` : 'this operation takes none'})`;
      const name = String(i.path[0] ?? '');
      if (raw[name] === undefined) return `the ${noun} "${name}" is required`;
      if (Array.isArray(raw[name])) return `the ${noun} "${name}" was given more than once`;
      return `the ${noun} "${name}" ${i.code === 'invalid_value' ? `must be one of ${(i as { values?: unknown[] }).values?.join(', ')}` : `is not valid (${i.message})`}`;
    })
    .join('; ');
}

function parse<S extends AnyObject>(schema: S | undefined, raw: unknown, where: 'query' | 'path'): z.infer<S> {
  const value = (raw ?? {}) as Record<string, unknown>;
  if (!schema) return {} as z.infer<S>;
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const allowed = Object.keys(schema.shape);
  throw new HttpProblem(
    400,
    'invalid_request',
    'Invalid request',
    `The request is not valid: ${describeIssues(where, value, r.error, allowed)}.`,
    'See /api/openapi.json for the parameters of this operation.',
  );
}

/** Registers an API route from its declaration and documents it. */
export function defineApi<Q extends AnyObject = z.ZodObject<{}>, P extends AnyObject = z.ZodObject<{}>>(
  app: FastifyInstance,
  decl: ApiDeclaration<Q, P>,
  handler: (args: HandlerArgs<Q, P>) => Promise<unknown>,
  options: RouteShorthandOptions = {},
): void {
  documentApi(decl as ApiOperation);
  app.route({
    ...options,
    method: decl.method,
    url: decl.path,
    config: { ...(options.config ?? {}), roles: decl.roles, changes: decl.changes },
    handler: async (request, reply) => {
      const params = parse(decl.params, request.params, 'path');
      const query = parse(decl.query, request.query, 'query');
      const out = await handler({ request, reply, query, params });
      // A handler that streams its answer (CSV, NDJSON) sends it itself and returns the reply.
      if (out === reply) return reply;
      return reply.type('application/json; charset=utf-8').send(out);
    },
  });
}

/** What goes in the audit log: the parameters given, as name=value. */
export const auditDetail = (o: Record<string, unknown>) =>
  Object.entries(o)
    .filter(([, v]) => v !== undefined && v !== '')
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ') || null;

const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);

// ---------------------------------------------------------------------------------------------
// Parameters shared by the analyses.

const text = (description: string) => z.string().trim().min(1).describe(description);
const optText = (description: string) => text(description).optional();
const classification = optText(
  'Classification or segmentation to profile by (default: the first imported classification)',
);
const tier = optText('Tier of the classification, e.g. group or type (default: the top tier)');
const base = z.enum(['households', 'population']).optional().describe('The base: households (default) or population');

// ---------------------------------------------------------------------------------------------
// Response schemas for results that are not analyses' own (lists, the caller).

export const SegmentationSummarySchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  areaLevel: z.string(),
  origin: z.string(),
  tiers: z.array(z.object({ name: z.string(), k: z.number() })),
  variables: z.number(),
  areas: z.number(),
  createdAt: z.string().nullable(),
});

const modelSegment = SegmentationModelSchema.shape.tiers.element.shape.segments.element.omit({ centre: true });
export const SegmentationShowSchema = z.object({
  build: BuildResultSchema.nullable().describe(
    'How it was built and how well it holds together; null for an imported segmentation',
  ),
  model: SegmentationModelSchema.extend({
    tiers: z.array(z.object({ name: z.string(), segments: z.array(modelSegment) })),
  }).describe('The model without its centres (GET …/model has them)'),
});

export const MeSchema = z.object({
  username: z.string().nullable(),
  name: z.string().nullable(),
  role: z.enum(['admin', 'analyst', 'partner', 'agent', 'public']),
  partner: z.string().nullable(),
  via: z.enum(['session', 'token', 'none']),
});

// ---------------------------------------------------------------------------------------------

const FacilitySchema = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.string(),
  lon: z.number(),
  lat: z.number(),
  postcode: z.string().nullable(),
  capacity: z.number().nullable(),
  openingHours: z.string().nullable(),
  details: z.record(z.string(), z.string().nullable()).describe('The other columns of the file the facility came from'),
});

export async function apiRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const log = (request: FastifyRequest, action: string, detail: string | null) =>
    audit(engine, request.viewer, action, detail, request.ip);

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/openapi.json',
      operationId: 'openapi',
      tag: 'About',
      roles: EVERYONE,
      summary: 'This document: the OpenAPI 3.1 description of the API',
      response: {
        name: 'OpenApiDocument',
        schema: z.record(z.string(), z.unknown()),
        description: 'The OpenAPI 3.1 document',
      },
    },
    async () => openApiDocument(app.routeTable),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/me',
      operationId: 'me',
      tag: 'About',
      roles: SIGNED_IN,
      summary: 'Who the token or session belongs to',
      response: { name: 'Me', schema: MeSchema, description: 'The signed-in user' },
    },
    async ({ request }) => {
      const v = request.viewer;
      return { username: v.username, name: v.name, role: v.role, partner: v.partner, via: v.via };
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/datasets',
      operationId: 'listDatasets',
      tag: 'Datasets',
      roles: ANALYSTS_AND_PARTNERS,
      summary: 'The datasets in the workspace with their row accounts (read = matched + unmatched + rejected)',
      description:
        'A partner sees every dataset; the row accounts of datasets it does not own are under disclosure control.',
      response: { name: 'DatasetList', schema: z.array(DatasetAccountSchema), description: 'The datasets' },
    },
    async ({ request }) => (await listDatasets(engine)).map((d) => datasetAccount(d, request.viewer)),
  );

  // --- analyses ---------------------------------------------------------------------------------

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/profile',
      operationId: 'profile',
      tag: 'Analyses',
      roles: ANALYSTS_AND_PARTNERS,
      summary: 'Profile a dataset against the base by segment or by area (as civic profile --format json)',
      description:
        'Count, % of file, % of base, penetration, index, confidence interval and band per segment (or per area with byArea). Counts under 10 are suppressed, with secondary suppression.',
      query: z.strictObject({
        dataset: text('The dataset to profile'),
        classification,
        tier,
        byArea: optText('Profile by area at this level instead: oa, lsoa, msoa, ward, lad (or oa11, lsoa11 …)'),
        base,
        where: optText('Only records with this value: column=value (values separated by |)'),
        distinct: optText(
          'Count distinct values of this column (a customer or household reference) instead of records',
        ),
      }),
      response: {
        name: 'ProfileResult',
        schema: ProfileResultSchema,
        description: 'The profile, after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      if (q.tier && q.byArea) throw new ParameterError('Give either tier or byArea, not both.');
      const req = {
        dataset: q.dataset,
        classification: q.classification,
        tier: q.tier,
        byArea: q.byArea,
        base: q.base,
        where: q.where ? parseWhere(q.where, 'where') : undefined,
        distinct: q.distinct,
      };
      await checkRecordFilters(engine, request.viewer, q.dataset, req);
      const truth = await app.results.get('profile', req, () => profileDataset(engine, req));
      const shown = discloseProfile(truth, await disclosureForDataset(engine, request.viewer, q.dataset, API_MIN_CELL));
      await log(request, 'api profile', auditDetail(q));
      return shown;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/sdf',
      operationId: 'sdf',
      tag: 'Analyses',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        "Service Delivery Framework: segments × services, each cell the service's index band (as civic sdf --format json)",
      query: z.strictObject({
        datasets: optText('Datasets to include, comma-separated, in the order to show them (default: every dataset)'),
        measures: optText(
          'The columns instead of whole datasets: DATASET or DATASET:column=value, comma-separated (a dataset may appear more than once)',
        ),
        labels: optText("Comma-separated names for the measures' columns"),
        where: optText(
          'Only records with this value, for every measure without its own: column=value (values separated by |)',
        ),
        partner: optText('Only this partner\'s datasets ("Council" for datasets imported without a partner)'),
        distinct: optText(
          'household: count households (records at one property reference) in every column; or a column whose distinct values are counted (owners only)',
        ),
        classification,
        tier,
        base,
      }),
      response: {
        name: 'SdfResult',
        schema: SdfResultSchema,
        description: 'The framework, each column after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      if ((q.where || q.labels) && !q.measures)
        throw new ParameterError(
          `${q.where ? 'where' : 'labels'} needs measures: the columns it applies to.`,
          'For example measures=garden_waste,council_tax:payment_method=Direct Debit',
        );
      const req = {
        datasets: q.datasets ? list(q.datasets) : undefined,
        measures: q.measures ? parseMeasures(q.measures, q.where, q.labels, API_SPEC_NAMES) : undefined,
        partner: q.partner,
        distinct: q.distinct,
        classification: q.classification,
        tier: q.tier,
        base: q.base,
      };
      for (const m of req.measures ?? []) await checkRecordFilters(engine, request.viewer, m.dataset, m);
      if (req.distinct)
        for (const d of await sdfDatasets(engine, req))
          await checkRecordFilters(engine, request.viewer, d.name, { distinct: req.distinct });
      const ruleOf = await disclosureByDataset(engine, request.viewer, API_MIN_CELL);
      const result = await app.results.get(
        'sdf',
        { ...req, minCell: API_MIN_CELL, scope: ownershipScope(request.viewer) },
        () => serviceDeliveryFramework(engine, req, { disclose: (p) => discloseProfile(p, ruleOf(p.dataset)) }),
      );
      await log(request, 'api sdf', auditDetail(q));
      return result;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/overlap',
      operationId: 'overlap',
      tag: 'Analyses',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Take-up overlap in a target segment: how many use none of a set of services, each combination, and only one (as civic overlap --format json)',
      query: z.strictObject({
        segment: text('The target segment: areas whose segment, at any tier, has this code (e.g. E or E2)'),
        datasets: text(`The services to compare, comma-separated (up to ${MAX_OVERLAP_DATASETS})`),
        classification: optText('Classification the segment belongs to (default: the first imported)'),
        population: optText('A dataset listing every household (household level); postcode level without it'),
        linkBy: optText(
          "The column linking services to the population's households, or DATASET.COLUMN for each, comma-separated",
        ),
      }),
      response: {
        name: 'OverlapResult',
        schema: OverlapResultSchema,
        description: 'The overlap, after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const req = {
        segment: q.segment,
        datasets: list(q.datasets),
        classification: q.classification,
        population: q.population,
        linkBy: q.linkBy === undefined ? undefined : list(q.linkBy),
      };
      const truth = await app.results.get('overlap', req, () => overlapAnalysis(engine, req));
      const shown = discloseOverlap(
        truth,
        await disclosureForAll(
          engine,
          request.viewer,
          [...req.datasets, ...(req.population ? [req.population] : [])],
          API_MIN_CELL,
        ),
      );
      await log(request, 'api overlap', auditDetail(q));
      return shown;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/represent',
      operationId: 'represent',
      tag: 'Analyses',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Representativeness: is a sample spread across the segments as the population is? (as civic represent --format json)',
      query: z.strictObject({
        sample: text('The sample dataset (consultation respondents, forum members …)'),
        against: optText(
          '"base" (default: households or population per segment) or a dataset whose spread is expected',
        ),
        classification,
        tier,
        base,
      }),
      response: {
        name: 'RepresentResult',
        schema: RepresentResultSchema,
        description: 'The comparison, after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const req = {
        sample: q.sample,
        against: q.against,
        classification: q.classification,
        tier: q.tier,
        base: q.base ?? ('households' as const),
      };
      const rule = await disclosureForRepresent(engine, request.viewer, q.sample, q.against ?? 'base', API_MIN_CELL);
      const truth = await app.results.get('represent', req, () => representAnalysis(engine, req));
      const shown = discloseRepresent(truth, rule);
      await log(request, 'api represent', auditDetail(q));
      return shown;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/rag',
      operationId: 'rag',
      tag: 'Analyses',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'RAG synopsis: measures side by side per segment, each index Red, Amber or Green (as civic rag --format json)',
      query: z.strictObject({
        measures: text(
          'Comma-separated measures: DATASET or DATASET:column=value, e.g. "bookings,friends" or "bookings,bookings:member=yes"',
        ),
        labels: optText('Comma-separated names for the measures, e.g. "Attendance,Membership"'),
        area: optText('Also show one area alone, e.g. ward:E05000001'),
        where: optText(
          'Only records with this value, for every measure without its own: column=value (values separated by |)',
        ),
        green: z.coerce
          .number()
          .optional()
          .describe(`Index at or above which a segment is Green (default ${DEFAULT_RAG_THRESHOLDS.green})`),
        red: z.coerce
          .number()
          .optional()
          .describe(`Index below which a segment is Red (default ${DEFAULT_RAG_THRESHOLDS.red}); Amber in between`),
        classification,
        tier,
        base,
      }),
      response: {
        name: 'RagResult',
        schema: RagResultSchema,
        description: 'The synopsis, each column after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const req = {
        measures: parseMeasures(q.measures, q.where, q.labels, API_SPEC_NAMES),
        area: q.area ? parseArea(q.area) : undefined,
        thresholds: { green: q.green ?? DEFAULT_RAG_THRESHOLDS.green, red: q.red ?? DEFAULT_RAG_THRESHOLDS.red },
        classification: q.classification,
        tier: q.tier,
        base: q.base,
      };
      for (const m of req.measures) await checkRecordFilters(engine, request.viewer, m.dataset, m);
      const ruleOf = await disclosureByDataset(engine, request.viewer, API_MIN_CELL);
      const result = await app.results.get(
        'rag',
        { ...req, minCell: API_MIN_CELL, scope: ownershipScope(request.viewer) },
        () => ragSynopsis(engine, req, { disclose: (p) => discloseProfile(p, ruleOf(p.dataset)) }),
      );
      await log(request, 'api rag', auditDetail(q));
      return result;
    },
  );

  // --- segmentations ----------------------------------------------------------------------------

  const name = z.strictObject({ name: z.string().min(1).describe("The segmentation's name, e.g. borough") });

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/segmentations',
      operationId: 'listSegmentations',
      tag: 'Segmentations',
      roles: EVERYONE,
      summary: 'The segmentations in the workspace (as civic segment list --format json)',
      response: {
        name: 'SegmentationList',
        schema: z.array(SegmentationSummarySchema),
        description: 'The segmentations',
      },
    },
    async () => listSegmentations(engine),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/segmentations/:name',
      operationId: 'showSegmentation',
      tag: 'Segmentations',
      roles: EVERYONE,
      summary: 'How a segmentation was built and how well it holds together (as civic segment show --format json)',
      params: name,
      response: {
        name: 'SegmentationShow',
        schema: SegmentationShowSchema,
        description: 'The build result and the model without centres',
      },
      errors: [404],
    },
    async ({ params }) => {
      const build = await getBuildResult(engine, params.name);
      const model = await getModel(engine, params.name);
      return {
        build,
        model: {
          ...model,
          tiers: model.tiers.map((t) => ({ ...t, segments: t.segments.map(({ centre: _c, ...s }) => s) })),
        },
      };
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/segmentations/:name/portraits',
      operationId: 'portraits',
      tag: 'Segmentations',
      roles: EVERYONE,
      summary: 'The pen portraits of every segment of a tier (as civic segment portraits --format json)',
      description:
        'Works for any classification, not only segmentations built here. Take-up figures are under disclosure control.',
      params: z.strictObject({ name: z.string().min(1).describe('The segmentation or classification, e.g. borough') }),
      query: z.strictObject({ tier }),
      response: {
        name: 'PortraitList',
        schema: z.array(PortraitSchema),
        description: 'The pen portraits, current version of each',
      },
      errors: [400, 404],
    },
    async ({ params, query }) => {
      const portraits = await app.results.get('portraits', [params.name, query.tier], () =>
        portraitsOrGenerate(engine, params.name, query.tier),
      );
      // Portraits stored with a lower threshold (a local draft) are never shown as they are.
      if (portraits.some((p) => p.facts.minCell < API_MIN_CELL)) {
        const facts = await portraitFacts(engine, params.name, portraits[0].tier, API_MIN_CELL);
        return portraits.map(
          (p): Portrait => ({
            ...p,
            facts: facts.get(p.code) ?? { ...p.facts, takeUp: [], channels: [], minCell: API_MIN_CELL },
          }),
        );
      }
      return portraits;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/segmentations/:name/model',
      operationId: 'exportSegmentation',
      tag: 'Segmentations',
      roles: STAFF,
      summary: 'The exportable model: variables, transformations, centres and names (as civic segment export)',
      description: 'Another workspace imports it with civic segment import.',
      params: name,
      response: { name: 'SegmentationModel', schema: SegmentationModelSchema, description: 'The model' },
      errors: [404],
    },
    async ({ request, reply, params }) => {
      const model = await getModel(engine, params.name);
      await log(request, 'api segment export', params.name);
      reply.header('content-disposition', `attachment; filename="${params.name.replace(/[^\w.-]/g, '_')}.json"`);
      return model;
    },
  );

  // --- location and targeting ------------------------------------------------------------------

  const mode = z.enum(['car', 'walk', 'cycle']).optional().describe('How people travel: car (default), walk or cycle');
  const minutes = (description: string) => z.coerce.number().positive().max(600).describe(description);
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/facilities',
      operationId: 'facilities',
      tag: 'Location',
      roles: EVERYONE,
      summary:
        "Facilities (libraries, surgeries, children's centres …) with their kind, position, capacity and opening hours (as civic facilities list --format json)",
      query: z.strictObject({ kind: optText('Only facilities of this kind, e.g. library') }),
      response: {
        name: 'Facilities',
        schema: z.array(FacilitySchema),
        description: 'The facilities, by kind and name',
      },
      errors: [400],
    },
    async ({ query: q }) =>
      (await listFacilities(engine, { kind: q.kind })).map((f) => ({
        id: f.id,
        name: f.name,
        kind: f.kind,
        lon: f.lon,
        lat: f.lat,
        postcode: f.postcode,
        capacity: f.capacity,
        openingHours: f.openingHours,
        details: f.details,
      })),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/location/access',
      operationId: 'accessibility',
      tag: 'Location',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Minutes from every area to the nearest facility of each kind, facilities within each time, and the share of households within each time (as civic location access --format json)',
      description: 'Journey times are straight-line estimates (× 1.3); the command line can use a road network.',
      query: z.strictObject({
        kind: optText('Facility kinds, comma-separated (default: every kind)'),
        thresholds: optText('Minutes, comma-separated (default 15,30,45,60)'),
        level: optText('Areas: oa21, lsoa21, ward … (default: the finest level of the base)'),
        mode,
      }),
      response: {
        name: 'AccessResult',
        schema: AccessResultSchema,
        description: 'Journey times per area and for the whole area',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const thresholds = q.thresholds ? list(q.thresholds).map(Number) : undefined;
      const req = { kinds: q.kind ? list(q.kind) : undefined, thresholds, level: q.level, mode: q.mode };
      const r = await app.results.get('accessibility', req, () => accessibility(engine, req, app.costs));
      await log(request, 'api accessibility', auditDetail(q));
      return r;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/location/catchment',
      operationId: 'catchment',
      tag: 'Location',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Who lives within a time of a facility, profiled by segment against the whole area (as civic location catchment --format json)',
      query: z.strictObject({
        site: text('The facility: its id or name'),
        within: minutes('Minutes of travel'),
        mode,
        classification,
        tier,
      }),
      response: {
        name: 'CatchmentResult',
        schema: CatchmentResultSchema,
        description: 'The catchment, after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const req = {
        site: { facility: q.site },
        minutes: q.within,
        mode: q.mode,
        classification: q.classification,
        tier: q.tier,
      };
      const truth = await app.results.get('catchment', req, () => catchment(engine, req, app.costs));
      await log(request, 'api catchment', auditDetail(q));
      return discloseCatchment(truth, API_MIN_CELL);
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/target',
      operationId: 'target',
      tag: 'Targeting',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Areas ranked by expected new customers among non-users in the segments where a service does well, in delivery rounds, with their postcodes (as civic target --format json)',
      query: z.strictObject({
        dataset: text("The service's dataset"),
        where: optText(
          "Only users whose records have this value: column=value (values separated by |); for others than the dataset's owner, a category its owner has published",
        ),
        distinct: optText(
          'household: count users as households (records at one property reference); or a column whose distinct values are counted (owners only)',
        ),
        classification,
        tier,
        base,
        segments: optText(
          '"auto" (default: index at least minIndex and significant), "all", or segment codes, comma-separated',
        ),
        minIndex: z.coerce
          .number()
          .positive()
          .optional()
          .describe('The lowest index a segment needs with segments=auto (default 110)'),
        areas: optText('Rank ward (default), lsoa, oa, msoa or postcode'),
        rounds: z.coerce.number().int().min(1).max(50).optional().describe('Delivery rounds (default 4)'),
        within: minutes('Only areas within this many minutes of "of"').optional(),
        beyond: minutes('Only areas more than this many minutes from "of"').optional(),
        of: optText("A facility's name, or a kind meaning the nearest of that kind"),
        mode,
      }),
      response: {
        name: 'TargetResult',
        schema: TargetResultSchema,
        description: 'The ranking, after disclosure control',
      },
      errors: [400, 404, 409],
    },
    async ({ request, query: q }) => {
      const segs = q.segments?.trim();
      const segments =
        !segs || /^auto$/i.test(segs) ? ('auto' as const) : /^all$/i.test(segs) ? ('all' as const) : list(segs);
      const req = {
        dataset: q.dataset,
        where: q.where ? parseWhere(q.where, 'where') : undefined,
        distinct: q.distinct,
        classification: q.classification,
        tier: q.tier,
        base: q.base,
        segments,
        minIndex: q.minIndex,
        areas: q.areas,
        rounds: q.rounds,
        within: q.within,
        beyond: q.beyond,
        of: q.of,
        mode: q.mode,
      };
      await checkRecordFilters(engine, request.viewer, q.dataset, req);
      const truth = await app.results.get('target', req, () => targetAreas(engine, { ...req, costs: app.costs }));
      await log(request, 'api target', auditDetail(q));
      return discloseTarget(truth, await disclosureForDataset(engine, request.viewer, truth.dataset, API_MIN_CELL));
    },
  );

  await app.register(postcodeApiRoutes);
  await app.register(linkageApiRoutes);
  await app.register(householdApiRoutes);
  await app.register(vulnerabilityApiRoutes);
  await app.register(channelApiRoutes);
  await app.register(channelAnalysisApiRoutes);
}
