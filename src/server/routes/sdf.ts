/**
 * The Service Delivery Framework page: segments down, services across, each cell the service's
 * index and band in the segment (in words, with a colour as well, never colour alone). Every
 * column is disclosure-controlled before the matrix is built.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MIN_CELL } from '../../core/index.ts';
import type { Engine } from '../../store/index.ts';
import { serviceDeliveryFramework, COUNCIL_PARTNER, type SdfResult } from '../../profiling/index.ts';
import { discloseProfile, sdfColumnLabel, sdfToJson, sdfToXlsx } from '../../outputs/index.ts';
import { audit, type Viewer } from '../users.ts';
import { disclosureByDataset, ownershipScope } from '../access.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { byItems, classificationChoices, datasetChoices, formError, safeFilename, sendDownload } from './profile.ts';
import { field, formatOf, one, readQuery, type QueryOf } from '../query.ts';

/** By a classification's tier (an area level is not read: the first classification's top tier), for a partner's services or all. */
const SDF_QUERY = { by: field.by(), partner: field.text(), base: field.base() };
type SdfQuery = QueryOf<typeof SDF_QUERY>;

async function run(app: FastifyInstance, s: SdfQuery, viewer: Viewer): Promise<SdfResult> {
  const req = { classification: s.by.classification, tier: s.by.tier, partner: s.partner, base: s.base };
  // Each service's column is disclosed by its own rule (exact for the viewer's own data), so the result is kept per owner.
  const ruleOf = await disclosureByDataset(app.engine, viewer, DEFAULT_MIN_CELL);
  return app.results.get('sdf', { ...req, minCell: DEFAULT_MIN_CELL, scope: ownershipScope(viewer) }, () =>
    serviceDeliveryFramework(app.engine, req, { disclose: (p) => discloseProfile(p, ruleOf(p.dataset)) }),
  );
}

const describe = (r: SdfResult, partner?: string) =>
  `${r.services.length} services by ${r.classification} ${r.level}, ${r.baseMeasure}${partner ? `, partner ${partner}` : ''}`;

/** The matrix as the page draws it: each cell's words and a colour class from the band's place (highest first). */
function bandClasses(r: SdfResult) {
  const sorted = [...r.bands].sort((a, b) => (b.min ?? -Infinity) - (a.min ?? -Infinity));
  const bandClass = (band: string | null) => {
    const i = sorted.findIndex((b) => b.name === band);
    if (i < 0) return 'civic-sdf--none';
    return `civic-sdf--${sorted.length === 1 ? 2 : Math.round((i * 4) / (sorted.length - 1))}`;
  };
  return { sorted, bandClass };
}

/** The key: each band, highest first, with its colour class and its threshold in words. */
export function sdfKey(r: SdfResult) {
  const { sorted, bandClass } = bandClasses(r);
  return sorted.map((b) => ({ name: b.name, min: b.min, cls: bandClass(b.name) }));
}

export function sdfMatrix(r: SdfResult) {
  const { bandClass } = bandClasses(r);
  return r.segments.map((seg, i) => ({
    ...seg,
    cells: r.services.map((s) => {
      const c = s.cells[i];
      if (c.suppressed) return { text: '[c]', hidden: true, cls: 'civic-sdf--suppressed' };
      if (c.index === null) return { text: '–', note: `no ${r.baseMeasure}`, cls: 'civic-sdf--none' };
      return {
        index: Math.round(c.index),
        band: c.band,
        notSignificant: c.significant === false,
        cls: bandClass(c.band),
      };
    }),
  }));
}

export async function sdfRoutes(app: FastifyInstance): Promise<void> {
  app.get('/sdf', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const [classes, datasets] = await Promise.all([classificationChoices(app), datasetChoices(app)]);
    const partners = [...new Set(datasets.map((d) => d.partner?.trim() || COUNCIL_PARTNER))].sort((a, b) =>
      a === COUNCIL_PARTNER ? -1 : b === COUNCIL_PARTNER ? 1 : a.localeCompare(b),
    );
    const ctx: Record<string, unknown> = {
      title: 'Service Delivery Framework',
      base: one(q.base) ?? 'households',
      classes,
    };
    let status = 200,
      byValue = one(q.by);
    try {
      const s = readQuery(q, SDF_QUERY);
      const result = await run(app, s, request.viewer);
      byValue = `seg:${result.classification}:${result.level}`;
      const qs = new URLSearchParams({
        by: byValue,
        base: result.baseMeasure,
        ...(s.partner ? { partner: s.partner } : {}),
      }).toString();
      Object.assign(ctx, {
        result,
        matrix: sdfMatrix(result),
        key: sdfKey(result),
        headings: result.services.map(sdfColumnLabel),
        qs,
        partner: s.partner,
      });
      await audit(app.engine, request.viewer, 'sdf', describe(result, s.partner), request.ip);
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    ctx.byItems = byItems(classes, [], byValue);
    ctx.partnerItems = [
      { value: '', text: 'All partners' },
      ...partners.map((p) => ({ value: p, text: p, selected: p === one(q.partner) })),
    ];
    return app.page(request, reply, 'sdf.njk', ctx as { title: string }, status);
  });

  app.get('/sdf/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['xlsx', 'json']);
    const s = readQuery(q, SDF_QUERY);
    const result = await run(app, s, request.viewer);
    const body = format === 'xlsx' ? await sdfToXlsx(result) : sdfToJson(result);
    await audit(app.engine, request.viewer, 'sdf', describe(result, s.partner), request.ip);
    await audit(app.engine, request.viewer, `export ${format}`, `sdf ${describe(result, s.partner)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['sdf', result.classification, result.level, s.partner], format),
      format,
      body,
    );
  });
}
