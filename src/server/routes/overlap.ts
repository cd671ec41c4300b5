/**
 * The overlap page: among the households (or postcodes) of a target segment, how many use none of
 * a set of services, each exclusive combination, and only one. Table, an UpSet-style chart drawn
 * as inline SVG, XLSX/JSON/SVG downloads; everything disclosure-controlled.
 */
import { classificationName } from '../views.ts';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import type { Engine } from '../../store/index.ts';
import { overlapAnalysis, MAX_OVERLAP_DATASETS, type OverlapResult } from '../../profiling/index.ts';
import { discloseOverlap, overlapToJson, overlapToSvg, overlapToXlsx } from '../../outputs/index.ts';
import { audit, type Viewer } from '../users.ts';
import { disclosureForAll } from '../access.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { classificationChoices, datasetChoices, formError, safeFilename, sendDownload } from './profile.ts';
import { field, formatOf, many, one, readQuery, type Query } from '../query.ts';

interface OverlapQuery {
  classification: string;
  segment: string;
  datasets: string[];
  population?: string;
  linkBy?: string[];
}

/** The form: a target segment ("CLASSIFICATION:CODE", or classification and segment), the services, a population and what to link by. */
const OVERLAP_QUERY = {
  target: field.segment(),
  datasets: field.texts(),
  population: field.text(),
  linkBy: field.texts(),
};

/** The overlap asked for; null before the form is sent (no segment and no service). */
function overlapQuery(q: Query): OverlapQuery | null {
  const { target, datasets, population, linkBy } = readQuery(q, OVERLAP_QUERY);
  const { classification, segment } = target;
  if (!segment && !datasets.length) return null;
  if (!segment || !classification) throw new ParameterError('Choose the segment to look at.');
  if (!datasets.length)
    throw new ParameterError('Choose at least one service.', `Tick up to ${MAX_OVERLAP_DATASETS} services.`);
  return { classification, segment, datasets, population, linkBy: linkBy.length ? linkBy : undefined };
}

async function run(app: FastifyInstance, o: OverlapQuery, viewer: Viewer): Promise<OverlapResult> {
  const req = {
    segment: o.segment,
    classification: o.classification,
    datasets: o.datasets,
    population: o.population,
    linkBy: o.linkBy,
  };
  const truth = await app.results.get('overlap', req, () => overlapAnalysis(app.engine, req));
  return discloseOverlap(
    truth,
    await disclosureForAll(
      app.engine,
      viewer,
      [...o.datasets, ...(o.population ? [o.population] : [])],
      DEFAULT_MIN_CELL,
    ),
  );
}

function queryString(o: OverlapQuery): string {
  const p = new URLSearchParams({ target: `${o.classification}:${o.segment}` });
  for (const d of o.datasets) p.append('datasets', d);
  if (o.population) p.set('population', o.population);
  if (o.linkBy) p.set('linkBy', o.linkBy.join(','));
  return p.toString();
}

const describe = (r: OverlapResult) =>
  `segment ${r.classification} ${r.segment.code}: ${r.datasets.join(', ')} (${r.level} level${r.population ? `, population ${r.population}` : ''})`;

/** Every segment of every tier of every classification, for the target select. */
async function segmentItems(app: FastifyInstance, selected: string | undefined) {
  const classes = await classificationChoices(app);
  const segs = await app.services.catalogue.segments();
  const items = classes.flatMap((c) =>
    c.tiers.flatMap((t) =>
      segs
        .filter((s) => s.classification === c.name && s.tier === t)
        .map((s) => ({
          value: `${c.name}:${s.code}`,
          text: `${classificationName(c.name, [c])}, ${t} ${s.code}${s.name ? `: ${s.name}` : ''}`,
          selected: `${c.name}:${s.code}` === selected,
        })),
    ),
  );
  return [{ value: '', text: 'Choose a segment' }, ...items];
}

export async function overlapRoutes(app: FastifyInstance): Promise<void> {
  app.get('/overlap', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const datasets = await datasetChoices(app);
    const chosen = many(q.datasets);
    const ctx: Record<string, unknown> = {
      title: 'Take-up overlap',
      datasets,
      max: MAX_OVERLAP_DATASETS,
      linkBy: one(q.linkBy) ?? '',
    };
    let status = 200;
    let target =
      one(q.target) ??
      (one(q.classification) && one(q.segment) ? `${one(q.classification)}:${one(q.segment)}` : undefined);
    try {
      const o = overlapQuery(q);
      if (o) {
        target = `${o.classification}:${o.segment}`;
        const result = await run(app, o, request.viewer);
        Object.assign(ctx, { result, svg: overlapToSvg(result), qs: queryString(o) });
        await audit(app.engine, request.viewer, 'overlap', describe(result), request.ip);
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    ctx.targetItems = await segmentItems(app, target);
    ctx.datasetItems = datasets.map((d) => ({
      value: d.name,
      text: d.title ?? d.name,
      hint: { text: `${d.name}${d.partner ? `, ${d.partner}` : ''}` },
      checked: chosen.includes(d.name),
    }));
    ctx.populationItems = [
      { value: '', text: 'None: count postcodes' },
      ...datasets.map((d) => ({ value: d.name, text: d.title ?? d.name, selected: d.name === one(q.population) })),
    ];
    return app.page(request, reply, 'overlap.njk', ctx as { title: string }, status);
  });

  app.get('/overlap/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['xlsx', 'json', 'svg']);
    const o = overlapQuery(q);
    if (!o)
      throw new ParameterError(
        'Choose the segment and the services first.',
        'Use the overlap page, then its download links.',
      );
    const result = await run(app, o, request.viewer);
    const body =
      format === 'xlsx'
        ? await overlapToXlsx(result)
        : format === 'json'
          ? overlapToJson(result)
          : overlapToSvg(result);
    await audit(app.engine, request.viewer, 'overlap', describe(result), request.ip);
    await audit(app.engine, request.viewer, `export ${format}`, `overlap ${describe(result)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['overlap', result.classification, result.segment.code], format),
      format,
      body,
    );
  });
}
