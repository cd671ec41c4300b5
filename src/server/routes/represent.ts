/**
 * The representativeness page: is a sample (consultation respondents, forum members) spread
 * across the segments as the population (or another dataset) is? Chi-square test, residuals,
 * plain-English summary; XLSX/JSON downloads; disclosure-controlled.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import type { Engine } from '../../store/index.ts';
import { representAnalysis, type RepresentResult } from '../../profiling/index.ts';
import { discloseRepresent, representToJson, representToXlsx } from '../../outputs/index.ts';
import { audit, type Viewer } from '../users.ts';
import { disclosureForRepresent } from '../access.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { byItems, classificationChoices, datasetChoices, formError, safeFilename, sendDownload } from './profile.ts';
import { field, formatOf, one, readForm, type Query } from '../query.ts';

/** A sample against the base or another dataset, by a classification's tier: null until a sample is chosen. */
const REPRESENT_QUERY = {
  sample: field.text(),
  by: field.tier({
    byArea: { message: 'Representativeness is by segment, not by area.', fix: 'Choose a tier of a classification.' },
  }),
  against: field.text({ default: 'base' }),
  base: field.base(),
};
type RepresentQuery = NonNullable<ReturnType<typeof representQuery>>;
const representQuery = (q: Query) => readForm(q, 'sample', REPRESENT_QUERY);

async function run(app: FastifyInstance, r: RepresentQuery, viewer: Viewer): Promise<RepresentResult> {
  const rule = await disclosureForRepresent(app.engine, viewer, r.sample, r.against, DEFAULT_MIN_CELL);
  const req = {
    sample: r.sample,
    against: r.against,
    classification: r.by.classification,
    tier: r.by.tier,
    base: r.base,
  };
  const truth = await app.results.get('represent', req, () => representAnalysis(app.engine, req));
  return discloseRepresent(truth, rule);
}

const describe = (r: RepresentResult) => `${r.sample} by ${r.classification} ${r.level} against ${r.reference.name}`;

export async function representRoutes(app: FastifyInstance): Promise<void> {
  app.get('/represent', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const [datasets, classes] = await Promise.all([datasetChoices(app), classificationChoices(app)]);
    const ctx: Record<string, unknown> = {
      title: 'Representativeness',
      base: one(q.base) ?? 'households',
      datasets,
      classes,
    };
    let status = 200,
      byValue = one(q.by);
    try {
      const r = representQuery(q);
      if (r) {
        const result = await run(app, r, request.viewer);
        byValue = `seg:${result.classification}:${result.level}`;
        const qs = new URLSearchParams({
          sample: result.sample,
          against: r.against,
          by: byValue,
          base: r.base,
        }).toString();
        Object.assign(ctx, { result, qs });
        await audit(app.engine, request.viewer, 'represent', describe(result), request.ip);
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    const label = (d: { name: string; title: string | null; partner: string | null }) =>
      `${d.title ?? d.name}${d.partner ? ` (${d.partner})` : ''}`;
    ctx.sampleItems = [
      { value: '', text: 'Choose the sample' },
      ...datasets.map((d) => ({ value: d.name, text: label(d), selected: d.name === one(q.sample) })),
    ];
    ctx.againstItems = [
      { value: 'base', text: 'The base (households or population)', selected: (one(q.against) ?? 'base') === 'base' },
      ...datasets.map((d) => ({ value: d.name, text: label(d), selected: d.name === one(q.against) })),
    ];
    ctx.byItems = byItems(classes, [], byValue);
    return app.page(request, reply, 'represent.njk', ctx as { title: string }, status);
  });

  app.get('/represent/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['xlsx', 'json']);
    const r = representQuery(q);
    if (!r)
      throw new ParameterError(
        'Choose the sample dataset first.',
        'Use the representativeness page, then its download links.',
      );
    const result = await run(app, r, request.viewer);
    const body = format === 'xlsx' ? await representToXlsx(result) : representToJson(result);
    await audit(app.engine, request.viewer, 'represent', describe(result), request.ip);
    await audit(app.engine, request.viewer, `export ${format}`, `represent ${describe(result)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['represent', result.sample, result.classification, result.level], format),
      format,
      body,
    );
  });
}
