/**
 * The portal's linkage section: the models a viewer may see, a model's parameters (with a chart of
 * each level's match weight), the clerical review queue (each pair's two records side by side
 * with the comparison levels, accepted or rejected with a reason), and one pair explained (a
 * waterfall chart and the same figures as a table). Only the owners of every dataset a model
 * links may see any of it (access.ts, linkModelFor); anyone else is told there is no such model.
 * Every page that shows a pair, and every decision, is in the audit log.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ObservatoryError } from '../../core/index.ts';
import {
  decidePair,
  explainPairs,
  modelParameters,
  modelSummary,
  pairRecords,
  reviewQueue,
  viewPair,
  type ReviewQueue,
  type SavedModel,
} from '../../linkage/index.ts';
import { audit } from '../users.ts';
import { ANALYSTS_AND_PARTNERS, HttpProblem } from '../http.ts';
import { linkModelFor, visibleLinkModels } from '../access.ts';
import { parametersChart, waterfallChart } from '../linkage-charts.ts';

/** Pairs on one page of the queue. */
export const QUEUE_PAGE = 10;
const STATUSES = ['undecided', 'decided', 'all'] as const;
type Status = (typeof STATUSES)[number];

const one = (v: unknown): string => (Array.isArray(v) ? String(v[0] ?? '') : v === undefined ? '' : String(v));
const statusOf = (v: unknown): Status =>
  (STATUSES as readonly string[]).includes(one(v)) ? (one(v) as Status) : 'undecided';
const pageOf = (v: unknown): number => {
  const n = Number(one(v));
  return Number.isInteger(n) && n >= 1 && n <= 1_000_000 ? n : 1;
};

interface FormState {
  index: number;
  decision: string;
  reason: string;
}

export async function linkageRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const roles = ANALYSTS_AND_PARTNERS;

  app.get('/linkage', { config: { roles } }, async (request, reply) => {
    const models = (await visibleLinkModels(engine, request.viewer)).map(modelSummary);
    return app.page(request, reply, 'linkage.njk', { title: 'Record linkage', models });
  });

  app.get('/linkage/:name', { config: { roles } }, async (request, reply) => {
    const model = await linkModelFor(engine, request.viewer, (request.params as { name: string }).name);
    const params = await modelParameters(engine, model);
    return app.page(request, reply, 'linkage-model.njk', {
      title: `Linkage model ${model.name}`,
      model: params,
      chart: parametersChart(params),
    });
  });

  /** The queue page: one page of pairs, each with its records, levels and a form. */
  async function queuePage(
    request: FastifyRequest,
    reply: FastifyReply,
    model: SavedModel,
    opts: { status: Status; page: number; errors?: { text: string; href: string }[]; form?: FormState; code?: number },
  ) {
    const q: ReviewQueue = await reviewQueue(engine, model, {
      status: opts.status,
      offset: (opts.page - 1) * QUEUE_PAGE,
      limit: QUEUE_PAGE,
    });
    const records = await pairRecords(engine, model, q.items);
    const explained = await explainPairs(engine, model, q.items);
    const key = (p: { id_l: string; id_r: string }) => `${p.id_l}\u0000${p.id_r}`;
    const recBy = new Map(records.map((r) => [key(r), r.columns]));
    const exBy = new Map(explained.map((e) => [key(e), e]));
    const items = q.items.map((i, n) => ({
      ...i,
      n: n + 1 + q.offset,
      index: n,
      columns: recBy.get(key(i)) ?? [],
      explanation: exBy.get(key(i)) ?? null,
    }));
    await audit(
      engine,
      request.viewer,
      'view linkage review',
      `model=${model.name} status=${opts.status} page=${opts.page} pairs=${q.items.map((i) => `${i.id_l}|${i.id_r}`).join(',')}`,
      request.ip,
    );
    const pages = Math.max(1, Math.ceil(q.matching / QUEUE_PAGE));
    const query = request.query as Record<string, unknown>;
    return app.page(
      request,
      reply,
      'linkage-review.njk',
      {
        title: `Review pairs: ${model.name}`,
        errorTitle: Boolean(opts.errors?.length),
        model: modelSummary(model),
        queue: q,
        items,
        status: opts.status,
        page: opts.page,
        pages,
        errors: opts.errors ?? [],
        form: opts.form ?? null,
        decided:
          one(query.decided) === 'accepted' || one(query.decided) === 'rejected'
            ? { decision: one(query.decided), id_l: one(query.l), id_r: one(query.r) }
            : null,
      },
      opts.code ?? 200,
    );
  }

  app.get('/linkage/:name/review', { config: { roles } }, async (request, reply) => {
    const model = await linkModelFor(engine, request.viewer, (request.params as { name: string }).name);
    const q = request.query as Record<string, unknown>;
    return queuePage(request, reply, model, { status: statusOf(q.status), page: pageOf(q.page) });
  });

  app.post('/linkage/:name/review', { config: { roles, changes: [] } }, async (request, reply) => {
    const model = await linkModelFor(engine, request.viewer, (request.params as { name: string }).name);
    const b = (request.body ?? {}) as Record<string, unknown>;
    const status = statusOf(b.status);
    const page = pageOf(b.page);
    const index = Math.max(0, Math.min(QUEUE_PAGE - 1, Math.trunc(Number(one(b.index))) || 0));
    const form: FormState = { index, decision: one(b.decision), reason: one(b.reason) };
    const errors: { text: string; href: string }[] = [];
    if (form.decision !== 'accept' && form.decision !== 'reject')
      errors.push({ text: 'Choose whether the two records are the same person', href: `#decision-${index}` });
    if (!form.reason.trim()) errors.push({ text: 'Give a reason for the decision', href: `#reason-${index}` });
    if (!errors.length) {
      try {
        const v = request.viewer;
        const d = await decidePair(engine, model, {
          idL: one(b.id_l),
          idR: one(b.id_r),
          decision: form.decision,
          reason: form.reason,
          by: { username: v.username, role: v.role, ip: request.ip },
        });
        const next = new URLSearchParams({ status, page: String(page), decided: d.decision, l: d.id_l, r: d.id_r });
        return reply.redirect(`/linkage/${encodeURIComponent(model.name)}/review?${next}`, 303);
      } catch (e) {
        if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
        errors.push({ text: e.message, href: `#reason-${index}` });
      }
    }
    return queuePage(request, reply, model, { status, page, errors, form, code: 400 });
  });

  app.get('/linkage/:name/pair', { config: { roles } }, async (request, reply) => {
    const model = await linkModelFor(engine, request.viewer, (request.params as { name: string }).name);
    const q = request.query as Record<string, unknown>;
    const view = await viewPair(engine, model, one(q.l).trim(), one(q.r).trim());
    await audit(
      engine,
      request.viewer,
      'view linkage pair',
      `model=${model.name} id_l=${view.explanation.id_l} id_r=${view.explanation.id_r}`,
      request.ip,
    );
    let running = view.explanation.prior.weight;
    const steps = view.explanation.comparisons.map((c) => ({ ...c, after: (running += c.total) }));
    return app.page(request, reply, 'linkage-pair.njk', {
      title: `Pair ${view.explanation.id_l} and ${view.explanation.id_r}`,
      model: modelSummary(model),
      view,
      steps,
      chart: waterfallChart(view.explanation),
    });
  });
}
