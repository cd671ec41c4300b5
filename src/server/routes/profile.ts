/**
 * The profile explorer: choose a dataset, a classification tier or an area level, and a base; see
 * the profile as a table and a bar chart of the index; download it as CSV, XLSX, JSON or (by area)
 * GeoJSON. Everything shown or downloaded passes disclosure control at DEFAULT_MIN_CELL.
 *
 * The small helpers the other analysis pages share (choices for the forms, sending a download)
 * live here too; reading a page's query is server/query.ts.
 */
import { mapViewFor } from './map.ts';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { DEFAULT_MIN_CELL, ObservatoryError, ParameterError } from '../../core/index.ts';
import { field, formatOf, one, readForm, type Query } from '../query.ts';
import type { Engine } from '../../store/index.ts';
import { AREA_LEVELS, LEVEL_TITLES, type AreaLevel } from '../../geo/index.ts';
import { HOUSEHOLD, profileDataset, type ProfileResult } from '../../profiling/index.ts';
import { discloseProfile, profileToCsv, profileToJson, profileToXlsx, profileToGeoJson } from '../../outputs/index.ts';
import { audit, type Viewer } from '../users.ts';
import { checkRecordFilters, disclosureForDataset } from '../access.ts';
import { ANALYSTS_AND_PARTNERS, HttpProblem } from '../http.ts';
import { classificationName, datasetName, levelPlural } from '../views.ts';

// ---------------------------------------------------------------------------------------------
// Shared by the analysis pages

export interface ClassificationChoice {
  name: string;
  title: string | null;
  kind: string;
  areaLevel: string;
  tiers: string[];
}
export interface DatasetChoice {
  name: string;
  title: string | null;
  partner: string | null;
}

/** Classifications (imported, built and deprivation deciles) with their tiers, in a stable order. */
export function classificationChoices(
  app: FastifyInstance,
  opts: { deprivation?: boolean } = {},
): Promise<ClassificationChoice[]> {
  return app.services.catalogue.classifications(opts);
}

export function datasetChoices(app: FastifyInstance): Promise<DatasetChoice[]> {
  return app.services.catalogue.datasets();
}

/** Area levels the workspace has areas for (a single local authority is left out: one row is no profile). */
export async function areaLevelChoices(app: FastifyInstance): Promise<{ level: AreaLevel; title: string }[]> {
  return (await app.services.catalogue.areaLevels())
    .filter((l) => l !== 'lad')
    .map((l) => ({ level: l, title: LEVEL_TITLES[l] }));
}

/** The items of a "profile by" select: every tier of every classification ("seg:NAME:TIER"), then area levels ("area:LEVEL"). */
export function byItems(
  classes: ClassificationChoice[],
  levels: { level: string; title: string }[],
  selected: string | undefined,
) {
  const items = [
    ...classes.flatMap((c) =>
      c.tiers.map((t) => ({
        value: `seg:${c.name}:${t}`,
        text: `${classificationName(c.name, [c])}: ${t}s`,
      })),
    ),
    ...levels.map((l) => ({ value: `area:${l.level}`, text: `Areas: ${levelPlural(l.level)}` })),
  ];
  return items.map((i) => ({ ...i, selected: i.value === selected }));
}

/** A file name that is safe in a Content-Disposition header and on any file system. */
export function safeFilename(parts: (string | null | undefined)[], ext: string): string {
  const stem =
    parts
      .filter(Boolean)
      .join('-')
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^[-.]+|-+$/g, '')
      .slice(0, 120) || 'download';
  return `${stem}.${ext}`;
}

export const CONTENT_TYPES: Record<string, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  geojson: 'application/geo+json; charset=utf-8',
  svg: 'image/svg+xml; charset=utf-8',
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
};

/** Sends a file to be saved, never shown inline. */
export function sendDownload(
  reply: FastifyReply,
  filename: string,
  format: string,
  body: string | Buffer,
): FastifyReply {
  return reply
    .type(CONTENT_TYPES[format] ?? 'application/octet-stream')
    .header('content-disposition', `attachment; filename="${filename}"`)
    .header('cache-control', 'no-store')
    .send(body);
}

/**
 * A mistake in the form (unknown tier, no base loaded) is shown on the page with an error summary;
 * the server's own answers (sign in, not allowed: HttpProblem) and anything else go to the error handler.
 */
export function formError(e: unknown): { error: string; fix?: string; status: number } {
  if (e instanceof ObservatoryError && !(e instanceof HttpProblem))
    return { error: e.message, fix: e.fix, status: e.status };
  throw e;
}

// ---------------------------------------------------------------------------------------------
// The profile explorer

/** The profile explorer's form: null until a dataset is chosen. */
const PROFILE_QUERY = {
  dataset: field.text(),
  by: field.by(),
  base: field.base(),
  // Records, or households: the records at one property reference (owners only, as in the API).
  count: field.choice(['records', HOUSEHOLD] as const, {
    default: 'records',
    message: () => 'Choose whether to count records or households.',
  }),
};
type ProfileQuery = NonNullable<ReturnType<typeof profileQuery>>;
const profileQuery = (q: Query) => readForm(q, 'dataset', PROFILE_QUERY);

async function disclosedProfile(app: FastifyInstance, p: ProfileQuery, viewer: Viewer): Promise<ProfileResult> {
  const req = {
    dataset: p.dataset,
    classification: p.by.classification,
    tier: p.by.tier,
    byArea: p.by.byArea,
    base: p.base,
    ...(p.count === HOUSEHOLD ? { distinct: HOUSEHOLD } : {}),
  };
  await checkRecordFilters(app.engine, viewer, p.dataset, req);
  const truth = await app.results.get('profile', req, () => profileDataset(app.engine, req));
  return discloseProfile(truth, await disclosureForDataset(app.engine, viewer, p.dataset, DEFAULT_MIN_CELL));
}

const describe = (r: ProfileResult) =>
  `${r.dataset} by ${r.kind === 'segment' ? `${r.classification} ${r.level}` : r.level}, ${r.baseMeasure}`;

const BAR_FILLS = ['#1d70b8', '#5694ca', '#b1b4b6', '#f47738', '#d4351c'];

/** Geometry for a server-drawn bar chart of the index by row; the template writes the SVG. */
export function indexChart(r: ProfileResult, maxRows = 80) {
  if (r.rows.length > maxRows) return null;
  const labelW = 300,
    plotW = 380,
    valueW = 150,
    rowH = 24,
    top = 40;
  const maxIndex = Math.max(200, ...r.rows.map((x) => x.index ?? 0));
  const scale = Math.ceil(maxIndex / 50) * 50;
  const sortedBands = [...r.bands].sort((a, b) => (b.min ?? -Infinity) - (a.min ?? -Infinity));
  const fill = (band: string | null) => {
    const i = sortedBands.findIndex((b) => b.name === band);
    return i < 0
      ? '#b1b4b6'
      : BAR_FILLS[sortedBands.length === 1 ? 2 : Math.round((i * (BAR_FILLS.length - 1)) / (sortedBands.length - 1))];
  };
  const label = (x: ProfileResult['rows'][number]) => {
    const s = `${x.code}${x.name ? ` ${x.name}` : ''}`;
    return s.length > 40 ? s.slice(0, 39) + '…' : s;
  };
  const bars = r.rows.map((x, i) => {
    const y = top + i * rowH;
    const w = x.index === null ? 0 : Math.max(1, (x.index / scale) * plotW);
    return {
      label: label(x),
      y,
      textY: y + rowH / 2 + 5,
      barY: y + 3,
      barH: rowH - 6,
      width: Math.round(w * 10) / 10,
      fill: fill(x.band),
      valueX: labelW + 10 + w + 6,
      value: x.suppressed
        ? 'hidden (a small number)'
        : x.index === null
          ? 'no base'
          : `${Math.round(x.index)}${x.band ? ` ${x.band}` : ''}`,
      drawn: !x.suppressed && x.index !== null,
    };
  });
  const height = top + r.rows.length * rowH + 30;
  const ref = labelW + 10 + (100 / scale) * plotW;
  const ticks = [0, scale / 2, scale].map((t) => ({ x: labelW + 10 + (t / scale) * plotW, text: String(t) }));
  const shown = r.rows.filter((x) => !x.suppressed && x.index !== null);
  const high = [...shown].sort((a, b) => (b.index ?? 0) - (a.index ?? 0))[0];
  const low = [...shown].sort((a, b) => (a.index ?? 0) - (b.index ?? 0))[0];
  const desc = shown.length
    ? `Index 100 is what the base would lead you to expect. Highest: ${high.code}${high.name ? ` ${high.name}` : ''} at ${Math.round(high.index!)}. Lowest: ${low.code}${low.name ? ` ${low.name}` : ''} at ${Math.round(low.index!)}. ${r.rows.length - shown.length} of ${r.rows.length} rows have no bar (suppressed or no base).`
    : 'No row can be drawn: every index is suppressed or has no base.';
  return {
    width: labelW + 10 + plotW + valueW,
    height,
    labelX: labelW,
    barX: labelW + 10,
    ref,
    refY1: top - 6,
    refY2: top + r.rows.length * rowH,
    axisY: top + r.rows.length * rowH + 18,
    ticks,
    bars,
    desc,
  };
}

/**
 * A profile by area, drawn as a map of the dataset's index by area (households base, suppressed as on
 * the map page). Nothing when the level has no boundaries: the table and GeoJSON download remain.
 */
async function profileMap(app: FastifyInstance, result: ProfileResult): Promise<Record<string, unknown>> {
  if (!(await app.services.maps.hasBoundaries(result.level))) return {};
  const measure = `index:${result.dataset}`,
    level = result.level;
  const figures = await app.services.maps.figures(measure, level);
  return { figures, ...(await mapViewFor(app, figures)) };
}

export async function profileRoutes(app: FastifyInstance): Promise<void> {
  app.get('/profile', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const [datasets, classes, levels] = await Promise.all([
      datasetChoices(app),
      classificationChoices(app),
      areaLevelChoices(app),
    ]);
    const ctx: Record<string, unknown> = {
      title: 'Profile explorer',
      datasets,
      classes,
      dataset: one(q.dataset),
      base: one(q.base) ?? 'households',
      count: one(q.count) ?? 'records',
    };
    let status = 200;
    let byValue = one(q.by);
    try {
      const p = profileQuery(q);
      if (p) {
        byValue = p.by.value;
        const result = await disclosedProfile(app, p, request.viewer);
        byValue = result.kind === 'area' ? `area:${result.level}` : `seg:${result.classification}:${result.level}`;
        const qs = new URLSearchParams({
          dataset: result.dataset,
          by: byValue,
          base: result.baseMeasure,
          ...(p.count === HOUSEHOLD ? { count: HOUSEHOLD } : {}),
        }).toString();
        Object.assign(ctx, {
          result,
          chart: indexChart(result),
          qs,
          heading: describe(result),
          datasetTitle: datasetName(result.dataset, datasets),
        });
        if (result.kind === 'area') Object.assign(ctx, await profileMap(app, result));
        await audit(app.engine, request.viewer, 'profile', describe(result), request.ip);
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    ctx.byItems = byItems(classes, levels, byValue);
    ctx.datasetItems = [
      { value: '', text: 'Choose a dataset' },
      ...datasets.map((d) => ({
        value: d.name,
        text: `${datasetName(d.name, [d])}${d.partner ? ` (${d.partner})` : ''}`,
        selected: d.name === ctx.dataset,
      })),
    ];
    return app.page(request, reply, 'profile.njk', ctx as { title: string }, status);
  });

  app.get('/profile/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['csv', 'xlsx', 'json', 'geojson']);
    const p = profileQuery(q);
    if (!p)
      throw new ParameterError(
        'Say which dataset to profile.',
        'Choose a dataset on the profile page, then use its download links.',
      );
    if (format === 'geojson' && !p.by.byArea) {
      throw new ParameterError(
        'A profile by segment has no map shapes, so it cannot be downloaded as GeoJSON.',
        'Profile by an area level (ward, LSOA, output area) for GeoJSON, or download this profile as CSV, XLSX or JSON.',
      );
    }
    const result = await disclosedProfile(app, p, request.viewer);
    const name = safeFilename(
      [
        'profile',
        result.dataset,
        result.kind === 'segment' ? result.classification : null,
        result.level,
        result.baseMeasure,
      ],
      format,
    );
    let body: string | Buffer;
    if (format === 'csv') body = profileToCsv(result);
    else if (format === 'xlsx') body = await profileToXlsx(result);
    else if (format === 'json') body = profileToJson(result);
    else body = profileToGeoJson(result, await app.services.maps.boundaries(result.level));
    await audit(app.engine, request.viewer, 'profile', describe(result), request.ip);
    await audit(app.engine, request.viewer, `export ${format}`, `profile ${describe(result)}`, request.ip);
    return sendDownload(reply, name, format, body);
  });
}
