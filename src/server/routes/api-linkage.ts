/**
 * C14: the record-linkage API. A model's parameters, its review queue, its pairs explained and its
 * clusters show what the records hold, so every operation is for the owners of all the model's
 * datasets (access.ts, linkModelFor): anyone else is told there is no such model, in the same words
 * whether it exists or not. Every view of a pair and every decision is audit-logged (a decision by
 * the linkage module itself, in the transaction that saves it).
 */
import { z } from 'zod';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ParameterError } from '../../core/index.ts';
import {
  clusterModel,
  decidePair,
  modelParameters,
  modelSummary,
  reviewQueue,
  viewPair,
  ClusterResultSchema,
  ModelParametersSchema,
  ModelSummarySchema,
  PairViewSchema,
  ReviewDecisionSchema,
  ReviewQueueSchema,
  MAX_REASON,
} from '../../linkage/index.ts';
import { audit } from '../users.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { linkModelFor, visibleLinkModels } from '../access.ts';
import { auditDetail, defineApi } from './api.ts';

export const ModelListSchema = z.object({
  version: z.literal(1),
  models: z.array(ModelSummarySchema).describe('The models whose datasets the caller owns, by name'),
});

export const ClusterSummarySchema = ClusterResultSchema.omit({ members: true });

export const DecisionRequestSchema = z.strictObject({
  id_l: z.string().trim().min(1).max(500).describe("The first record's identifier, as predict writes it"),
  id_r: z.string().trim().min(1).max(500).describe("The second record's identifier"),
  decision: z
    .enum(['accept', 'reject'])
    .describe('accept: the pair links whatever its probability; reject: never directly'),
  reason: z.string().max(MAX_REASON).describe('Why, in a few words (required)'),
});

const modelParam = z.strictObject({ name: z.string().min(1).max(200).describe("The model's name") });
const probability = (what: string) =>
  z
    .string()
    .regex(/^(0?\.\d+|0|1)$/, 'a probability between 0 and 1, e.g. 0.5')
    .optional()
    .describe(what);
const whole = (what: string) =>
  z
    .string()
    .regex(/^\d{1,7}$/, 'a whole number')
    .optional()
    .describe(what);

export async function linkageApiRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const log = (request: FastifyRequest, action: string, detail: string | null) =>
    audit(engine, request.viewer, action, detail, request.ip);

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/linkage/models',
      operationId: 'listLinkModels',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary: 'The linkage models whose datasets the caller owns',
      description: 'A model is listed only to the owners of every dataset it links (staff own all of them).',
      response: { name: 'LinkModelList', schema: ModelListSchema, description: 'The models' },
    },
    async ({ request }) => ({
      version: 1 as const,
      models: (await visibleLinkModels(engine, request.viewer)).map(modelSummary),
    }),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/linkage/models/:name',
      operationId: 'showLinkModel',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        "One model's parameters: m, u and match weight of every comparison level, the prior, the blocking rules' counts and the pairs of the last prediction",
      params: modelParam,
      response: { name: 'LinkModelParameters', schema: ModelParametersSchema, description: 'The model' },
      errors: [404],
    },
    async ({ request, params }) => modelParameters(engine, await linkModelFor(engine, request.viewer, params.name)),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/linkage/models/:name/review',
      operationId: 'linkReviewQueue',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary: "The clerical review queue: the scored pairs in the model's review band, most likely first",
      description: 'As civic link review --format json. Every request is audit-logged.',
      params: modelParam,
      query: z.strictObject({
        status: z
          .enum(['undecided', 'decided', 'all'])
          .optional()
          .describe('Which pairs of the band: undecided (default), decided or all'),
        offset: whole('Skip this many pairs first (default 0)'),
        limit: whole('At most this many pairs (default 50, at most 1000)'),
      }),
      response: { name: 'LinkReviewQueue', schema: ReviewQueueSchema, description: 'The queue' },
      errors: [400, 404, 409],
    },
    async ({ request, params, query }) => {
      const model = await linkModelFor(engine, request.viewer, params.name);
      const limit = Math.min(1000, query.limit === undefined ? 50 : Number(query.limit));
      const q = await reviewQueue(engine, model, {
        status: query.status,
        offset: query.offset === undefined ? 0 : Number(query.offset),
        limit,
      });
      await log(request, 'api linkage review queue', auditDetail({ model: model.name, ...query }));
      return q;
    },
  );

  defineApi(
    app,
    {
      method: 'POST',
      path: '/api/linkage/models/:name/review',
      operationId: 'decideLinkPair',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      changes: [],
      summary: 'Accept or reject one scored pair, with a reason; the next clustering follows the decision',
      description:
        'Replaces any earlier decision on the pair. Written to the audit log with who decided. With a session cookie, send the CSRF token in the X-CSRF-Token header.',
      params: modelParam,
      body: {
        description: 'The decision',
        content: {
          'application/json': {
            schema: DecisionRequestSchema,
            example: { id_l: 'p12', id_r: 'p40', decision: 'reject', reason: 'different dates of birth, common name' },
          },
        },
      },
      response: { name: 'LinkReviewDecision', schema: ReviewDecisionSchema, description: 'The decision as saved' },
      errors: [400, 404, 409],
    },
    async ({ request, params }) => {
      const model = await linkModelFor(engine, request.viewer, params.name);
      const { _csrf: _c, ...raw } = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<
        string,
        unknown
      >;
      const b = DecisionRequestSchema.safeParse(raw);
      if (!b.success)
        throw new ParameterError(
          `The decision is not valid: ${b.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')}.`,
          'Send JSON: {"id_l": "…", "id_r": "…", "decision": "accept" or "reject", "reason": "…"}.',
        );
      const v = request.viewer;
      return decidePair(engine, model, {
        idL: b.data.id_l,
        idR: b.data.id_r,
        decision: b.data.decision,
        reason: b.data.reason,
        by: { username: v.username, role: v.role, ip: request.ip },
      });
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/linkage/models/:name/pairs',
      operationId: 'explainLinkPair',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'One pair explained: the weight each comparison added to the prior (the figures of the waterfall chart), the two records side by side and any decision',
      description: 'Every request is audit-logged.',
      params: modelParam,
      query: z.strictObject({
        id_l: z.string().trim().min(1).max(500).describe("The first record's identifier"),
        id_r: z.string().trim().min(1).max(500).describe("The second record's identifier"),
      }),
      response: { name: 'LinkPairView', schema: PairViewSchema, description: 'The pair' },
      errors: [400, 404],
    },
    async ({ request, params, query }) => {
      const model = await linkModelFor(engine, request.viewer, params.name);
      const r = await viewPair(engine, model, query.id_l, query.id_r);
      await log(
        request,
        'api linkage pair',
        auditDetail({ model: model.name, id_l: r.explanation.id_l, id_r: r.explanation.id_r }),
      );
      return r;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/linkage/models/:name/clusters',
      operationId: 'linkClusters',
      tag: 'Linkage',
      roles: ANALYSTS_AND_PARTNERS,
      summary: "The clusters' summary: records, clusters, sizes, and the review decisions they followed",
      description: "Each record's cluster is for the command line (civic link clusters --format csv).",
      params: modelParam,
      query: z.strictObject({
        threshold: probability("Link pairs at least this likely (default: the model's threshold)"),
      }),
      response: { name: 'LinkClusterSummary', schema: ClusterSummarySchema, description: 'The clusters' },
      errors: [400, 404, 409],
    },
    async ({ request, params, query }) => {
      const model = await linkModelFor(engine, request.viewer, params.name);
      const t = query.threshold === undefined ? undefined : Number(query.threshold);
      if (t !== undefined && (t <= 0 || t >= 1))
        throw new ParameterError('The threshold must be between 0 and 1.', 'Give a probability such as 0.5.');
      const { members: _m, ...summary } = await clusterModel(engine, model, { threshold: t });
      return summary;
    },
  );
}
