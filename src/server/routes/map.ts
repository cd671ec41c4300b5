/**
 * Maps of area measures: a page that works without JavaScript (a table of the figures and a
 * legend) and, with it, a MapLibre choropleth drawn from GET /map/data.geojson. Everyone may map
 * area measures; datasets (penetration, index) are for staff and partners. Small cells are
 * suppressed for every viewer.
 */
import { join, dirname } from 'node:path';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { GeoJSONVT } from '@maplibre/geojson-vt';
import { fromGeojsonVt } from '@maplibre/vt-pbf';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ObservatoryError } from '../../core/index.ts';
import { EVERYONE, HttpProblem } from '../http.ts';
import { audit } from '../users.ts';
import { facilityKeys, type FacilityKindKey } from '../facility-map.ts';
import { chooseDefaultMeasure } from '../map-default.ts';
import { DATASET_MEASURES, defaultMeasure, parseMeasure, sharedMapWork, type MapResult } from '../../maps/index.ts';
import { mapToGeoJson } from '../../outputs/index.ts';

const require = createRequire(import.meta.url);
const MAPLIBRE_DIST = join(dirname(require.resolve('maplibre-gl/package.json')), 'dist');
/** The only MapLibre files served: the library, its worker (loaded from beside it) and its CSS. */
const MAPLIBRE_FILES: Record<string, string> = {
  'maplibre-gl.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl-worker.mjs': 'text/javascript; charset=utf-8',
  'maplibre-gl.css': 'text/css; charset=utf-8',
};
const PAGE_SIZE = 500;
const gzipAsync = promisify(gzip);
/**
 * From this many areas the map is drawn from vector tiles cut on the server: a browser parsing an
 * England-wide GeoJSON (11 MB) takes seconds, while the tiles in view at any zoom are small.
 */
export const VECTOR_TILES_FROM = 5000;
const TILE_MAX_ZOOM = 14;

const mayMapDatasets = (request: FastifyRequest) => ['admin', 'analyst', 'partner'].includes(request.viewer.role);

function checkMeasureAllowed(request: FastifyRequest, measure: string): void {
  let kind;
  try {
    kind = parseMeasure(measure).kind;
  } catch {
    return;
  } // reported by the map's figures
  if (!DATASET_MEASURES.includes(kind) || mayMapDatasets(request)) return;
  if (request.viewer.role === 'public')
    throw new HttpProblem(401, 'sign_in', 'Sign in', 'Maps of service datasets are for signed-in staff and partners.');
  throw new HttpProblem(
    403,
    'not_allowed',
    'Not allowed',
    `Your role (${request.viewer.role}) cannot map service datasets.`,
  );
}

/** What the map partial (views/_map.njk) and map.js need to draw `figures`, with the workspace's facilities over them. */
export async function mapViewFor(app: FastifyInstance, figures: MapResult) {
  const [bbox, keys] = await Promise.all([
    app.services.maps.bbox(figures.level),
    app.results.get('facility kinds', null, () => facilityKeys(app.engine)),
  ]);
  return mapView(figures, bbox, keys);
}

function mapView(figures: MapResult, bbox: readonly number[], facilityKeys: readonly FacilityKindKey[]) {
  const q = `measure=${encodeURIComponent(figures.measure)}&level=${encodeURIComponent(figures.level)}`;
  return {
    mapMeta: {
      bbox,
      areas: figures.areas.length,
      valueLabel: figures.valueLabel,
      countLabel: figures.countLabel,
      baseLabel: figures.baseLabel,
      legend: figures.legend.map((l) => ({ cls: l.cls, colour: l.colour, label: l.label })),
      tiles: figures.areas.length >= VECTOR_TILES_FROM ? `/map/tiles/{z}/{x}/{y}?${q}` : null,
      tileMaxZoom: TILE_MAX_ZOOM,
      facilities: facilityKeys.length ? { url: '/location/facilities.geojson', kinds: facilityKeys } : null,
    },
    dataUrl: `/map/data.geojson?${q}`,
  };
}

/**
 * The measure mapped when none is chosen: the public measure that varies most across the areas
 * (map-default.ts). The candidates (every segment of every classification) share their work: one
 * query per tier rather than one per segment.
 */
async function defaultMapMeasure(app: FastifyInstance, level: string): Promise<string | null> {
  return app.results.get('default map measure', level, async () => {
    const shared = sharedMapWork();
    return chooseDefaultMeasure(await app.services.maps.options(false), (m) =>
      app.services.maps.figures(m, level, shared),
    );
  });
}

export async function mapRoutes(app: FastifyInstance): Promise<void> {
  const maps = app.services.maps;
  const files = new Map<string, Buffer>();

  for (const [file, type] of Object.entries(MAPLIBRE_FILES)) {
    app.get(`/static/maplibre/${file}`, { config: { roles: EVERYONE } }, async (_request, reply) => {
      if (!files.has(file)) files.set(file, await readFile(join(MAPLIBRE_DIST, file)));
      return reply.type(type).header('cache-control', 'public, max-age=86400').send(files.get(file));
    });
  }

  /** The figures cut into vector tiles, once per measure, level and workspace state. */
  const tileIndexFor = async (figures: MapResult) => {
    const shape = await maps.shapes(figures.level);
    return app.results.get(
      'map tile index',
      [figures.measure, figures.level, shape.stamp],
      async () =>
        new GeoJSONVT(JSON.parse(mapToGeoJson(figures, shape)), {
          maxZoom: TILE_MAX_ZOOM,
          indexMaxZoom: 5,
          tolerance: 3,
          buffer: 64,
        }),
      { freeze: false },
    );
  };

  app.get('/map', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { measure?: string; level?: string; page?: string };
    const options = await maps.options(mayMapDatasets(request));
    const level = q.level || options.levels[0]?.value || '';
    const measure = q.measure || (await defaultMapMeasure(app, level)) || defaultMeasure(options);
    const ctx = { title: 'Map of area measures', options, measure, level };
    if (!measure || !options.levels.length) {
      return app.page(request, reply, 'map.njk', { ...ctx, empty: true });
    }
    checkMeasureAllowed(request, measure);
    let figures: MapResult;
    try {
      figures = await maps.figures(measure, level);
    } catch (e) {
      if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
      return app.page(
        request,
        reply,
        'map.njk',
        { ...ctx, errorTitle: true, error: e.message, fix: e.fix },
        e.status >= 500 ? 500 : 400,
      );
    }
    if (figures.kind === 'penetration' || figures.kind === 'index')
      await audit(app.engine, request.viewer, 'map', `${figures.measure} by ${figures.level}`, request.ip);
    // Start cutting the tiles now, while the browser loads the page and MapLibre.
    if (figures.areas.length >= VECTOR_TILES_FROM) tileIndexFor(figures).catch((e: unknown) => request.log.error(e));
    const pages = Math.max(1, Math.ceil(figures.areas.length / PAGE_SIZE));
    const page = Math.min(pages, Math.max(1, Number.parseInt(q.page ?? '1', 10) || 1));
    const rows = figures.areas.slice((page - 1) * PAGE_SIZE, page * PAGE_SIZE);
    const base = `/map?measure=${encodeURIComponent(figures.measure)}&level=${encodeURIComponent(figures.level)}`;
    const pagination =
      pages > 1
        ? {
            previous: page > 1 ? { href: `${base}&page=${page - 1}` } : undefined,
            next: page < pages ? { href: `${base}&page=${page + 1}` } : undefined,
            items: Array.from({ length: pages }, (_, i) => i + 1)
              .filter((n) => n === 1 || n === pages || Math.abs(n - page) <= 2)
              .flatMap((n, i, arr) =>
                i > 0 && n - arr[i - 1] > 1
                  ? [{ ellipsis: true }, { number: n, href: `${base}&page=${n}`, current: n === page }]
                  : [{ number: n, href: `${base}&page=${n}`, current: n === page }],
              ),
          }
        : null;
    return app.page(request, reply, 'map.njk', {
      ...ctx,
      measure: figures.measure,
      level: figures.level,
      figures,
      rows,
      page,
      pages,
      pagination,
      pageSize: PAGE_SIZE,
      ...(await mapViewFor(app, figures)),
    });
  });

  app.get('/map/data.geojson', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { measure?: string; level?: string };
    if (!q.measure)
      throw new HttpProblem(
        400,
        'cannot_do_that',
        'Cannot do that',
        'Say which measure to map (measure=…).',
        'See the measures on the map page.',
      );
    checkMeasureAllowed(request, q.measure);
    const measure = q.measure,
      level = q.level ?? '';
    const figures = await maps.figures(measure, level);
    if (figures.kind === 'penetration' || figures.kind === 'index')
      await audit(app.engine, request.viewer, 'map data', `${figures.measure} by ${figures.level}`, request.ip);
    const shape = await maps.shapes(figures.level);
    // Built and gzipped once per measure, level and workspace state: an England map is 11 MB of text.
    const body = await app.results.get('map geojson', [figures.measure, figures.level, shape.stamp], async () => {
      const text = mapToGeoJson(figures, shape);
      return { text, gzip: await gzipAsync(text, { level: 6 }) };
    });
    reply
      .type('application/geo+json; charset=utf-8')
      .header('cache-control', 'private, max-age=60')
      .header('vary', 'accept-encoding');
    if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? '')))
      return reply.header('content-encoding', 'gzip').send(body.gzip);
    return reply.send(body.text);
  });

  app.get('/map/tiles/:z/:x/:y', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as { measure?: string; level?: string };
    const p = request.params as { z: string; x: string; y: string };
    const [z, x, y] = [p.z, p.x, p.y].map((v) => (/^\d{1,5}$/.test(v) ? Number(v) : NaN));
    if (!(z >= 0 && z <= TILE_MAX_ZOOM) || !(x >= 0 && x < 2 ** z) || !(y >= 0 && y < 2 ** z)) {
      throw new HttpProblem(
        400,
        'cannot_do_that',
        'Cannot do that',
        `There is no map tile ${p.z}/${p.x}/${p.y}.`,
        `Zoom levels run from 0 to ${TILE_MAX_ZOOM}.`,
      );
    }
    if (!q.measure)
      throw new HttpProblem(
        400,
        'cannot_do_that',
        'Cannot do that',
        'Say which measure to map (measure=…).',
        'See the measures on the map page.',
      );
    checkMeasureAllowed(request, q.measure);
    const measure = q.measure,
      level = q.level ?? '';
    const figures = await maps.figures(measure, level);
    const tile = (await tileIndexFor(figures)).getTile(z, x, y);
    reply.type('application/vnd.mapbox-vector-tile').header('cache-control', 'private, max-age=60');
    return reply.send(Buffer.from(tile ? fromGeojsonVt({ areas: tile }, { version: 2 }) : new Uint8Array(0)));
  });
}
