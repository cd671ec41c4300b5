/**
 * Maps of area measures: a page that works without JavaScript (a table of the figures and a
 * legend) and, with it, a MapLibre choropleth drawn from GET /map/data.geojson. Everyone may map
 * area measures; datasets (penetration, index) are for staff and partners. Small cells are
 * suppressed for every viewer.
 */
import { join, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ObservatoryError } from '../../core/index.ts';
import { EVERYONE, HttpProblem } from '../app.ts';
import { audit } from '../users.ts';
import { DATASET_MEASURES, ShapeCache, defaultMeasure, figuresToGeoJson, mapFigures, mapOptions, parseMeasure, type MapFigures } from '../maps.ts';

const require = createRequire(import.meta.url);
const MAPLIBRE_DIST = join(dirname(require.resolve('maplibre-gl/package.json')), 'dist');
/** The only MapLibre files served: the library, its worker (loaded from beside it) and its CSS. */
const MAPLIBRE_FILES: Record<string, string> = {
  'maplibre-gl.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl-worker.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl.css': 'text/css; charset=utf-8',
};
const PAGE_SIZE = 500;

const mayMapDatasets = (request: FastifyRequest) => ['admin', 'analyst', 'partner'].includes(request.viewer.role);

function checkMeasureAllowed(request: FastifyRequest, measure: string): void {
  let kind;
  try { kind = parseMeasure(measure).kind; } catch { return; } // reported by mapFigures
  if (!DATASET_MEASURES.includes(kind) || mayMapDatasets(request)) return;
  if (request.viewer.role === 'public') throw new HttpProblem(401, 'Sign in', 'Maps of service datasets are for signed-in staff and partners.');
  throw new HttpProblem(403, 'Not allowed', `Your role (${request.viewer.role}) cannot map service datasets.`);
}

export async function mapRoutes(app: FastifyInstance): Promise<void> {
  const shapes = new ShapeCache();
  const files = new Map<string, Buffer>();

  for (const [file, type] of Object.entries(MAPLIBRE_FILES)) {
    app.get(`/static/maplibre/${file}`, { config: { roles: EVERYONE } }, async (_request, reply) => {
      if (!files.has(file)) files.set(file, await readFile(join(MAPLIBRE_DIST, file)));
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(files.get(file));
    });
  }

  app.get('/map', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { measure?: string; level?: string; page?: string };
    const options = await mapOptions(app.engine, mayMapDatasets(request));
    const measure = q.measure || defaultMeasure(options);
    const level = q.level || options.levels[0]?.value || '';
    const ctx = { title: 'Map of area measures', options, measure, level };
    if (!measure || !options.levels.length) {
      return app.page(request, reply, 'map.njk', { ...ctx, empty: true });
    }
    checkMeasureAllowed(request, measure);
    let figures: MapFigures;
    try {
      figures = await mapFigures(app.engine, measure, level);
    } catch (e) {
      if (!(e instanceof ObservatoryError)) throw e;
      return app.page(request, reply, 'map.njk', { ...ctx, errorTitle: true, error: e.message, fix: e.fix }, e.status >= 500 ? 500 : 400);
    }
    if (figures.kind === 'penetration' || figures.kind === 'index') await audit(app.engine, request.viewer, 'map', `${figures.measure} by ${figures.level}`, request.ip);
    const pages = Math.max(1, Math.ceil(figures.areas.length / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1));
    const rows = figures.areas.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const base = `/map?measure=${encodeURIComponent(figures.measure)}&level=${encodeURIComponent(figures.level)}`;
    const pagination = pages > 1 ? {
      previous: page > 1 ? { href: `${base}&page=${page - 1}` } : undefined,
      next: page < pages ? { href: `${base}&page=${page + 1}` } : undefined,
      items: Array.from({ length: pages }, (_, i) => i + 1).filter((n) => n === 1 || n === pages || Math.abs(n - page) <= 2)
        .flatMap((n, i, arr) => (i > 0 && n - arr[i - 1] > 1 ? [{ ellipsis: true }, { number: n, href: `${base}&page=${n}`, current: n === page }] : [{ number: n, href: `${base}&page=${n}`, current: n === page }])),
    } : null;
    return app.page(request, reply, 'map.njk', {
      ...ctx, measure: figures.measure, level: figures.level, figures, rows, page, pages, pagination, pageSize: PAGE_SIZE,
      mapMeta: { bbox: (await shapes.get(app.engine, figures.level)).bbox, areas: figures.areas.length, valueLabel: figures.valueLabel, countLabel: figures.countLabel, baseLabel: figures.baseLabel,
        legend: figures.legend.map((l) => ({ cls: l.cls, colour: l.colour, label: l.label })) },
      dataUrl: `/map/data.geojson?measure=${encodeURIComponent(figures.measure)}&level=${encodeURIComponent(figures.level)}`,
    });
  });

  app.get('/map/data.geojson', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { measure?: string; level?: string };
    if (!q.measure) throw new HttpProblem(400, 'Cannot do that', 'Say which measure to map (measure=…).', 'See the measures on the map page.');
    checkMeasureAllowed(request, q.measure);
    const figures = await mapFigures(app.engine, q.measure, q.level ?? '');
    if (figures.kind === 'penetration' || figures.kind === 'index') await audit(app.engine, request.viewer, 'map data', `${figures.measure} by ${figures.level}`, request.ip);
    const body = figuresToGeoJson(figures, await shapes.get(app.engine, figures.level));
    return reply.type('application/geo+json; charset=utf-8').header('cache-control', 'private, max-age=60').send(body);
  });
}
