/**
 * The channel analyses in the portal and the API (issue 14, points 2–4 and 7), linked from Contact
 * and channels:
 *  - Channel mix (/channels/mix): by segment or by ward (channelMix), as a table and an SVG chart,
 *    and by ward as a map of one channel's share or index (/channels/mix/map.geojson), drawn from
 *    the same disclosed mix as the table;
 *  - Volumes (/channels/volumes): contacts and handling time by service or reason, for a channel;
 *  - Communications framework (/channels/framework): the mix banded, a row per segment;
 *  - Channel shift by segment (/channels/plan): the plan, and who is left behind;
 *  - Access sheets (/channels/sheets): a sheet per segment, printable as HTML.
 * Who sees which log is access.ts's (contactLogFor): the owner sees the truth under the small-cell
 * rule; anyone else (a partner, of the council's logs) sees what the outputs' boundary leaves of
 * it with everything else they could ask in hand: the cell key method on the mix, the two-way rule
 * across channel filters on volumes and across channels on the plan, published values only.
 * Every page is a GET form; every answer is audited with its parameters, never a value.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AccessError, DEFAULT_BANDS, DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import {
  accessSheets,
  channelMix,
  channelName,
  contactServiceColumn,
  channelShiftModel,
  communicationsFramework,
  contactVolumes,
  publishedUnitCosts,
  unitCosts,
  ChannelMixResultSchema,
  ContactVolumesResultSchema,
  FrameworkResultSchema,
  ShiftModelResultSchema,
  DIGITAL_CHANNELS,
  type AccessSheets,
  type ChannelMixResult,
  type ContactVolumesResult,
  type FrameworkResult,
  type ShiftModelResult,
} from '../../channels/index.ts';
import { CHANNELS, CONTACT_COLUMN_PATTERNS, contactLogOf, publishedCategories } from '../../intake/index.ts';
import {
  channelMapMeasure,
  accessSheetsToHtml,
  channelMixMap,
  channelMixToCsv,
  mapToGeoJson,
  mappableChannels,
  type ChannelMapMeasure,
  discloseAccessSheets,
  discloseChannelMix,
  discloseShiftModel,
  discloseVolumes,
  frameworkToCsv,
  protectAcrossServices,
  type MixAcrossServices,
  shiftModelToXlsx,
  volumesToCsv,
  volumesToXlsx,
} from '../../outputs/index.ts';
import { checkContactChoices, contactLogFor, visibleContactLogs } from '../access.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { LEVEL_TITLES, type AreaLevel } from '../../geo/index.ts';
import type { MapResult } from '../../maps/index.ts';
import { mapViewFor } from './map.ts';
import { formatOf, one, type Query } from '../query.ts';
import { audit, type Viewer } from '../users.ts';
import { datasetName } from '../views.ts';
import { defineApi } from './api.ts';
import { formError, safeFilename, sendDownload } from './profile.ts';
import { channelTabs, readTiers } from './channels.ts';
import { portraitForViewer } from './segments.ts';

/** What anyone but a log's owner sees: the cell key method's noise on every count of the mix. */
const NON_OWNER = { minCell: DEFAULT_MIN_CELL, perturb: true } as const;
const VOCABULARY = Object.keys(CHANNELS);
const BY_AREA = 'ward';

// ---------------------------------------------------------------------------------------------
// The answers, as the viewer may see them

interface MixQuery {
  dataset: string;
  /** by segment (the top tier) or by ward */
  by: 'segment' | 'ward';
  /** only this service's contacts (for anyone but the owner, a service the owner has published) */
  service?: string | null;
}

const mixTruth = (app: FastifyInstance, dataset: string, by: 'segment' | 'ward', service: string | null = null) =>
  app.results.get('channel mix', [dataset, by, service], () =>
    channelMix(app.engine, {
      dataset,
      byArea: by === 'ward' ? BY_AREA : undefined,
      service: service ?? undefined,
    }),
  );

/**
 * The services of a log anyone but its owner may ask about: the values its owner has published of
 * its service column (named at import, or found by its name). What they are told about a service
 * not published depends only on what is published (decision 30), never on what the records hold.
 */
async function publishedServices(app: FastifyInstance, dataset: string): Promise<string[]> {
  const column = await contactServiceColumn(app.engine, dataset);
  if (!column) return [];
  const published = await publishedCategories(app.engine, dataset);
  const col = Object.keys(published).find((c) => c.toLowerCase() === column.toLowerCase());
  return col ? published[col] : [];
}

/** The service asked for as its owner published it; refused, in words from the published list only, otherwise. */
function publishedService(asked: string, published: readonly string[], what: string): string {
  const found = published.find((v) => v.trim().toLowerCase() === asked.trim().toLowerCase());
  if (found !== undefined) return found;
  throw new AccessError(
    published.length
      ? `${what} for one service of another organisation’s log can be only for a service its owner has published.`
      : `${what} for one service of another organisation’s log needs its owner to publish its services, and it has published none.`,
    published.length
      ? `Its published services: ${published.join(', ')}. Or leave the service out for every service.`
      : 'Leave the service out for every service, or ask the owner to publish its services.',
  );
}

/**
 * Every mix by service anyone but the owner could ask for besides this one (decision 34): the mix
 * of every service, and of each published service, by the same segments or wards (the truth).
 */
async function mixAcross(
  app: FastifyInstance,
  dataset: string,
  by: 'segment' | 'ward',
  published: readonly string[],
): Promise<MixAcrossServices | undefined> {
  if (!published.length) return undefined;
  const services = [];
  for (const service of published) services.push({ service, mix: await mixTruth(app, dataset, by, service) });
  return { all: await mixTruth(app, dataset, by), services };
}

export async function disclosedMix(app: FastifyInstance, viewer: Viewer, q: MixQuery): Promise<ChannelMixResult> {
  const access = await contactLogFor(app.engine, viewer, q.dataset);
  if (access.owner)
    return discloseChannelMix(await mixTruth(app, q.dataset, q.by, q.service ?? null), DEFAULT_MIN_CELL);
  const published = await publishedServices(app, q.dataset);
  const service = q.service ? publishedService(q.service, published, 'The channel mix') : null;
  const truth = await mixTruth(app, q.dataset, q.by, service);
  const across = await mixAcross(app, q.dataset, q.by, published);
  // A partner can ask the volumes too, which count the contacts not placed: protected against them (decision 38).
  return discloseChannelMix(truth, NON_OWNER, {
    poolOdd: true,
    across: across && { ...across, service },
    againstVolumes: true,
  });
}

/**
 * The map of one channel by ward, from the mix by ward as `viewer` may see it (disclosedMix): the
 * same cells as the table, hidden where it hides them. Null when the wards have no boundaries.
 */
export async function disclosedMixMap(
  app: FastifyInstance,
  mix: ChannelMixResult,
  channel: string | null,
  measure: ChannelMapMeasure,
): Promise<MapResult | null> {
  if (mix.kind !== 'area' || !(await app.services.maps.hasBoundaries(mix.level))) return null;
  const names = await app.results.get('area names', mix.level, async () =>
    [...(await app.services.maps.boundaries(mix.level)).entries()]
      .map(([code, b]) => ({ code, name: b.name && b.name !== code ? b.name : null }))
      .sort((a, b) => a.code.localeCompare(b.code)),
  );
  const column = channel ?? mappableChannels(mix)[0];
  if (!column) return null;
  const title = LEVEL_TITLES[mix.level as AreaLevel] ?? mix.level;
  return channelMixMap(mix, column, measure, names, title);
}

export async function disclosedFramework(app: FastifyInstance, viewer: Viewer, dataset: string) {
  const mix = await disclosedMix(app, viewer, { dataset, by: 'segment' });
  return communicationsFramework(mix, null);
}

interface VolumesQuery {
  dataset: string;
  by: 'service' | 'reason';
  channel: string | null;
}

export async function disclosedVolumes(
  app: FastifyInstance,
  viewer: Viewer,
  q: VolumesQuery,
): Promise<ContactVolumesResult> {
  const access = await contactLogFor(app.engine, viewer, q.dataset);
  if (!access.owner && q.channel !== null && !VOCABULARY.includes(q.channel))
    throw new ParameterError(
      'Choose a channel from the list.',
      `For a log you do not own, the channels are: ${VOCABULARY.join(', ')}.`,
    );
  const volumes = (channel: string | null) =>
    app.results.get('contact volumes', [q.dataset, q.by, channel], () =>
      contactVolumes(app.engine, { dataset: q.dataset, by: q.by, channel: channel ?? undefined }),
    );
  const truth = await volumes(q.channel);
  if (access.owner) return discloseVolumes(truth, DEFAULT_MIN_CELL);
  const all = await volumes(null);
  const byChannel = [];
  for (const c of VOCABULARY) byChannel.push(await volumes(c));
  const published = await publishedCategories(app.engine, q.dataset);
  const col = Object.keys(published).find((c) => c.toLowerCase() === truth.by.toLowerCase());
  return discloseVolumes(truth, DEFAULT_MIN_CELL, { all, byChannel, published: col ? published[col] : [] });
}

interface PlanQuery {
  dataset: string;
  unitCosts: string;
  from: string;
  to: string;
  share: number;
  service: string | null;
  minBand: string;
  protect: string[];
}

export async function disclosedPlan(app: FastifyInstance, viewer: Viewer, q: PlanQuery): Promise<ShiftModelResult> {
  const access = await contactLogFor(app.engine, viewer, q.dataset);
  const published = access.owner ? [] : await publishedServices(app, q.dataset);
  if (!access.owner && q.service) q = { ...q, service: publishedService(q.service, published, 'A plan') };
  const set = publishedSet(q.unitCosts);
  // For a log the viewer does not own, no answer may tell a hidden count from none at all: the
  // channels are the vocabulary's, and a channel too small to show for the service is refused
  // as one with no contacts is, with the same words and no value from the log.
  const across = access.owner ? null : await mixAcross(app, q.dataset, 'segment', published);
  const hidden = (across && protectAcrossServices(across, DEFAULT_MIN_CELL, true).hidden(q.service)) || undefined;
  const mix = access.owner ? null : await mixTruth(app, q.dataset, 'segment', q.service);
  if (mix) {
    for (const c of [q.from, q.to])
      if (!VOCABULARY.includes(channelName(c)))
        throw new ParameterError(
          'Choose a channel from the list.',
          `For a log you do not own, the channels are: ${VOCABULARY.join(', ')}.`,
        );
    const from = channelName(q.from);
    const contacts = mix.channels.find((c) => c.channel === from)?.contacts ?? 0;
    if (contacts < DEFAULT_MIN_CELL || (hidden ? hidden.channel(from) : false))
      throw new ParameterError(
        `The contacts by ${from}${q.service ? ` for ${q.service}` : ''} are too few to plan a shift from, or their count cannot be shown without giving away a smaller one.`,
        'Choose another channel or service: the channel mix page shows which channels have figures that can be shown.',
      );
  }
  const truth = await app.results.get('shift plan', [q, set.name], () =>
    channelShiftModel(
      app.engine,
      {
        dataset: q.dataset,
        from: q.from,
        to: q.to,
        sharePct: q.share,
        service: q.service ?? undefined,
        minBand: q.minBand,
        protect: q.protect,
      },
      set,
    ),
  );
  if (access.owner) return discloseShiftModel(truth, DEFAULT_MIN_CELL);
  // The plan's counts are the mix's for the same service: hidden as every answer by service hides them.
  return discloseShiftModel(truth, DEFAULT_MIN_CELL, { mix: mix!, alwaysDigital: DIGITAL_CHANNELS, hidden });
}

export async function disclosedSheets(
  app: FastifyInstance,
  viewer: Viewer,
  q: { dataset: string; tiers: [string, string][] },
): Promise<AccessSheets> {
  const access = await contactLogFor(app.engine, viewer, q.dataset);
  if (!access.owner && q.tiers.length)
    await checkContactChoices(app.engine, q.dataset, await reasonColumnOf(app, q.dataset), {
      columns: false,
      reasons: q.tiers.map(([r]) => r),
    });
  const truth = await app.results.get('access sheets', [q.dataset, q.tiers], () =>
    accessSheets(app.engine, { dataset: q.dataset, tiers: q.tiers.length ? new Map(q.tiers) : undefined }),
  );
  const across = access.owner
    ? undefined
    : await mixAcross(app, q.dataset, 'segment', await publishedServices(app, q.dataset));
  const shown = discloseAccessSheets(truth, access.owner ? DEFAULT_MIN_CELL : NON_OWNER, across);
  return { ...shown, portraits: shown.portraits.map((p) => portraitForViewer(p, viewer)) };
}

/**
 * The reason column a log's tiers are counted by, as the access sheets find it: the one named at
 * import, or else the published column whose name is a reason's.
 */
async function reasonColumnOf(app: FastifyInstance, dataset: string): Promise<string | null> {
  const named = (await contactLogOf(app.engine, dataset))?.columns.reason;
  if (named) return named;
  const published = Object.keys(await publishedCategories(app.engine, dataset));
  return published.find((c) => CONTACT_COLUMN_PATTERNS.reason.some((re) => re.test(c.trim()))) ?? null;
}

/** A published set only: the portal and the API never read a file named by the asker (decision 30). */
function publishedSet(name: string) {
  const set = publishedUnitCosts().find((s) => s.name === name.trim().toLowerCase());
  if (!set)
    throw new ParameterError(
      'There is no published set of unit costs of that name.',
      `Published sets: ${publishedUnitCosts()
        .map((s) => s.name)
        .join(', ')}.`,
    );
  return unitCosts(set.name);
}

// ---------------------------------------------------------------------------------------------
// Reading what was asked (the pages and the API read the same names)

const need = (q: Query, name: string, message: string, fix?: string): string => {
  const v = one(q[name])?.trim();
  if (!v) throw new ParameterError(message, fix);
  return v;
};

const readMix = (q: Query): MixQuery => {
  const by = one(q.by) ?? 'segment';
  if (by !== 'segment' && by !== 'ward')
    throw new ParameterError(`Cannot show the mix by "${by}".`, 'Choose by segment or by ward.');
  return { dataset: need(q, 'dataset', 'Choose a contact log.'), by, service: one(q.service)?.trim() || null };
};

/** The channel and measure of the mix's map: a channel of the mix's own columns (checked against them), share or index. */
const readMixMap = (q: Query): { channel: string | null; measure: ChannelMapMeasure } => ({
  channel: one(q.channel)?.trim() || null,
  measure: channelMapMeasure(one(q.measure), 'Choose the share of contacts or the index.'),
});

const readVolumes = (q: Query): VolumesQuery => {
  const by = one(q.by) ?? 'service';
  if (by !== 'service' && by !== 'reason')
    throw new ParameterError(`Cannot group the contacts by "${by}".`, 'Choose service or reason.');
  const channel = one(q.channel)?.trim() ? channelName(one(q.channel)!.trim()) : null;
  return { dataset: need(q, 'dataset', 'Choose a contact log.'), by, channel };
};

function readPlan(q: Query): PlanQuery {
  const dataset = need(q, 'dataset', 'Choose a contact log.');
  const shareText = one(q.share)?.trim() ?? '';
  const share = Number(shareText);
  if (!shareText || !Number.isInteger(share) || share < 1 || share > 100)
    throw new ParameterError(
      `"${shareText}" is not a share from 1 to 100%.`,
      'Give the % of the contacts by the channel left that move, e.g. 50.',
    );
  const minBand = one(q.minBand)?.trim() || 'Average';
  if (!DEFAULT_BANDS.some((b) => b.name === minBand))
    throw new ParameterError(
      `"${minBand}" is not a band.`,
      `The bands: ${DEFAULT_BANDS.map((b) => b.name).join(', ')}.`,
    );
  const protect = ([q.protect].flat() as (string | undefined)[])
    .flatMap((x) => (x ?? '').split(/[|,]/))
    .map((x) => x.trim())
    .filter(Boolean);
  return {
    dataset,
    unitCosts: one(q.unitCosts)?.trim() || 'socitm-2012',
    from: channelName(need(q, 'from', 'Choose the channel the contacts leave.')),
    to: channelName(need(q, 'to', 'Choose the channel they move to.')),
    share,
    service: one(q.service)?.trim() || null,
    minBand,
    protect: [...new Set(protect)].sort(),
  };
}

const readSheets = (q: Query) => ({
  dataset: need(q, 'dataset', 'Choose a contact log.'),
  tiers: readTiers(one(q.tiers)),
});

const describe = {
  mix: (q: MixQuery) => `${q.dataset}: by ${q.by}${q.service ? ', one service' : ''}`,
  volumes: (q: VolumesQuery) => `${q.dataset}: by ${q.by}${q.channel ? `, ${q.channel}` : ''}`,
  plan: (q: PlanQuery) =>
    `${q.dataset}: ${q.share}% ${q.from} to ${q.to} at ${q.unitCosts}, from ${q.minBand}${q.service ? ', one service' : ''}${q.protect.length ? `, ${q.protect.length} protected` : ''}`,
  sheets: (q: { dataset: string; tiers: unknown[] }) =>
    `${q.dataset}${q.tiers.length ? `: ${q.tiers.length} reasons in tiers` : ''}`,
};

/** The query string of an answer, for its download links. */
const qsOf = (o: Record<string, string | string[] | number | null>) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(o))
    if (Array.isArray(v)) v.forEach((x) => p.append(k, x));
    else if (v !== null && v !== '') p.set(k, String(v));
  return p.toString();
};

// ---------------------------------------------------------------------------------------------
// The chart: each segment's contacts as a bar divided by channel, drawn on the server

const PALETTE = [
  '#1d70b8',
  '#00703c',
  '#d4351c',
  '#6f72af',
  '#f47738',
  '#28a197',
  '#912b88',
  '#505a5f',
  '#b58840',
  '#5694ca',
  '#85994b',
  '#0b0c0c',
];

export function mixChart(r: ChannelMixResult) {
  const labelW = 260,
    plotW = 420,
    rowH = 30,
    top = 10;
  const colour = new Map(r.channels.map((c, i) => [c.channel, PALETTE[i % PALETTE.length]]));
  const rows = r.groups.map((g, i) => {
    const y = top + i * rowH;
    let x = labelW + 10;
    const parts = r.cells
      .filter((c) => c.code === g.code)
      .map((c) => {
        const w = c.pct === null ? 0 : (c.pct / 100) * plotW;
        const part = {
          x: Math.round(x * 10) / 10,
          width: Math.round(w * 10) / 10,
          fill: colour.get(c.channel)!,
          channel: c.channel,
          pct: c.pct,
        };
        x += w;
        return part;
      })
      .filter((p) => p.width > 0);
    return {
      label: g.name ? `${g.code} ${g.name}` : g.code,
      textY: y + rowH / 2 + 5,
      barY: y + 5,
      barH: rowH - 10,
      parts,
    };
  });
  const desc = r.groups
    .map((g) => {
      const top3 = r.cells
        .filter((c) => c.code === g.code && c.pct !== null)
        .sort((a, b) => (b.pct ?? 0) - (a.pct ?? 0))
        .slice(0, 2)
        .map((c) => `${c.channel} ${(c.pct ?? 0).toFixed(0)}%`);
      return `${g.name ?? g.code}: ${top3.length ? top3.join(', ') : 'hidden (small numbers)'}`;
    })
    .join('; ');
  return {
    width: labelW + 10 + plotW + 10,
    height: top + r.groups.length * rowH + 10,
    labelX: labelW,
    rows,
    legend: r.channels.map((c) => ({ channel: c.channel, fill: colour.get(c.channel)! })),
    desc: `${desc}. Unfilled space is the share hidden.`,
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

/** The forms' choices: channels of the vocabulary, the published unit costs, the bands. */
function formItems(q: Query) {
  const sets = publishedUnitCosts();
  const setChannels = [...new Set(sets.flatMap((s) => s.costs.map((c) => c.channel)))];
  const chosen = (name: string, fallback: string) => channelName(one(q[name]) ?? fallback);
  const items = (name: string, fallback: string) =>
    setChannels.map((c) => ({ value: c, text: c, selected: c === chosen(name, fallback) }));
  return {
    channelItems: [
      { value: '', text: 'Every channel', selected: !one(q.channel) },
      ...VOCABULARY.map((c) => ({ value: c, text: c, selected: one(q.channel) === c })),
    ],
    setItems: sets.map((s) => ({
      value: s.name,
      text: s.name,
      selected: s.name === (one(q.unitCosts) ?? 'socitm-2012'),
    })),
    fromItems: items('from', 'phone'),
    toItems: items('to', 'web'),
    bandItems: DEFAULT_BANDS.map((b) => ({
      value: b.name,
      text: b.name,
      selected: b.name === (one(q.minBand) ?? 'Average'),
    })),
    shareValue: one(q.share) ?? '50',
  };
}

/** The field a form error belongs to, for the error summary's link. */
function fieldOf(message: string, fields: string[]): string {
  const pick = (f: string) => (fields.includes(f) ? f : fields[0]);
  if (/unit costs/.test(message)) return pick('unitCosts');
  if (/share|%/.test(message)) return pick('share');
  if (/band/.test(message)) return pick('minBand');
  if (/protect|segment/.test(message)) return pick('protect');
  if (/leave|to itself|made by/.test(message)) return pick('from');
  if (/move to/.test(message)) return pick('to');
  if (/service/.test(message)) return pick('service');
  if (/channel/.test(message)) return pick('channel');
  if (/tier|reason/i.test(message)) return pick('tiers');
  if (/group|by "/.test(message)) return pick('by');
  return 'dataset';
}

export async function channelAnalysisRoutes(app: FastifyInstance): Promise<void> {
  /** A page: the form, and the answer when the form was sent (a dataset chosen). */
  const page = (
    path: string,
    view: string,
    title: string,
    fields: string[],
    answer: (q: Query, viewer: Viewer, ctx: Record<string, unknown>, ip: string) => Promise<void>,
  ) =>
    app.get(path, { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
      const q = request.query as Query;
      const logs = await visibleContactLogs(app.engine, request.viewer);
      const chosen = one(q.dataset);
      const ctx: Record<string, unknown> = {
        title,
        tabs: channelTabs(path),
        q,
        logs,
        minCell: DEFAULT_MIN_CELL,
        datasetItems: [
          { value: '', text: 'Choose a contact log' },
          ...logs.map((d) => ({
            value: d.name,
            text: `${datasetName(d.name, [d])}${d.partner ? ` (${d.partner})` : ''}`,
            selected: d.name === chosen,
          })),
        ],
        owner: logs.find((d) => d.name === chosen)?.owner ?? false,
        datasetTitle: chosen ? datasetName(chosen, logs) : '',
        ...formItems(q),
      };
      // The services anyone but the owner may choose are those its owner published (public to them).
      const log = logs.find((d) => d.name === chosen);
      ctx.publishedServices = log && !log.owner ? await publishedServices(app, log.name) : [];
      let status = 200;
      try {
        if (chosen !== undefined) await answer(q, request.viewer, ctx, request.ip);
      } catch (e) {
        const f = formError(e);
        Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true, field: fieldOf(f.error, fields) });
        status = f.status;
      }
      const picked = new Set(([q.protect].flat() as (string | undefined)[]).flatMap((x) => (x ?? '').split(/[|,]/)));
      ctx.protectItems = ((ctx.segments ?? []) as { code: string; name: string | null }[]).map((g) => ({
        value: g.code,
        text: g.name ? `${g.code} ${g.name}` : g.code,
        checked: picked.has(g.code),
      }));
      return app.page(request, reply, view, ctx as { title: string }, status);
    });

  const download = (
    path: string,
    formats: string[],
    send: (q: Query, viewer: Viewer, format: string, reply: FastifyReply, request: FastifyRequest) => Promise<unknown>,
  ) =>
    app.get(path, { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
      const q = request.query as Query;
      const format = formatOf(q.format, formats);
      return send(q, request.viewer, format, reply, request);
    });

  // Channel mix
  page('/channels/mix', 'channel-mix.njk', 'Channel mix', ['dataset', 'by', 'service'], async (q, viewer, ctx, ip) => {
    const mq = readMix(q);
    const result = await disclosedMix(app, viewer, mq);
    await audit(app.engine, viewer, 'channel mix', describe.mix(mq), ip);
    Object.assign(ctx, {
      result,
      chart: mixChart(result),
      qs: qsOf({ dataset: mq.dataset, by: mq.by, service: mq.service ?? null }),
      by: mq.by,
      groupRows: result.groups.map((g) => ({ ...g, cells: result.cells.filter((c) => c.code === g.code) })),
    });
    if (mq.by !== 'ward') return;
    // By ward: a map of one channel, drawn from the mix just shown (so from the same cells).
    const mm = readMixMap(q);
    const figures = await disclosedMixMap(app, result, mm.channel, mm.measure);
    if (!figures) return;
    const column = figures.measure.split(':')[2];
    const mapQs = qsOf({
      dataset: mq.dataset,
      by: mq.by,
      service: mq.service ?? null,
      channel: column,
      measure: mm.measure,
    });
    const view = await mapViewFor(app, figures);
    Object.assign(ctx, {
      figures,
      // One GeoJSON of the disclosed figures, never the generic map's tiles (which know no channel mix).
      mapMeta: { ...view.mapMeta, tiles: null },
      dataUrl: `/channels/mix/map.geojson?${mapQs}`,
      mapQs,
      mapChannelItems: mappableChannels(result).map((c) => ({ value: c, text: c, selected: c === column })),
      mapMeasure: mm.measure,
    });
  });
  // The map's figures as GeoJSON (for map.js, and as a download): the same disclosed mix as the page.
  app.get('/channels/mix/map.geojson', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Query;
    const mq = { ...readMix(q), by: 'ward' as const };
    const mm = readMixMap(q);
    const mix = await disclosedMix(app, request.viewer, mq);
    const figures = await disclosedMixMap(app, mix, mm.channel, mm.measure);
    if (!figures)
      throw new ParameterError(
        'The workspace has no ward boundaries, so the channel mix cannot be drawn as a map.',
        'Load the ward boundaries (civic reference), or download the mix by ward as CSV.',
      );
    await audit(app.engine, request.viewer, 'export geojson', `channel mix map ${describe.mix(mq)}`, request.ip);
    const text = mapToGeoJson(figures, await app.services.maps.shapes(figures.level));
    return reply.type('application/geo+json; charset=utf-8').header('cache-control', 'private, no-store').send(text);
  });
  download('/channels/mix/download', ['csv', 'json'], async (q, viewer, format, reply, request) => {
    const mq = readMix(q);
    const r = await disclosedMix(app, viewer, mq);
    await audit(app.engine, viewer, `export ${format}`, `channel mix ${describe.mix(mq)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['channel-mix', r.dataset, `by-${mq.by}`, ...(r.service ? [r.service] : [])], format),
      format,
      format === 'csv' ? channelMixToCsv(r) : `${JSON.stringify(r, null, 2)}\n`,
    );
  });

  // Volumes and handling time
  page(
    '/channels/volumes',
    'channel-volumes.njk',
    'Volumes and handling time',
    ['dataset', 'by', 'channel'],
    async (q, viewer, ctx, ip) => {
      const vq = readVolumes(q);
      const result = await disclosedVolumes(app, viewer, vq);
      await audit(app.engine, viewer, 'contact volumes', describe.volumes(vq), ip);
      Object.assign(ctx, {
        result,
        qs: qsOf({ dataset: vq.dataset, by: vq.by, channel: vq.channel }),
      });
    },
  );
  download('/channels/volumes/download', ['csv', 'xlsx', 'json'], async (q, viewer, format, reply, request) => {
    const vq = readVolumes(q);
    const r = await disclosedVolumes(app, viewer, vq);
    await audit(app.engine, viewer, `export ${format}`, `contact volumes ${describe.volumes(vq)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['volumes', r.dataset, `by-${vq.by}`, vq.channel ?? 'all-channels'], format),
      format,
      format === 'csv'
        ? volumesToCsv(r)
        : format === 'xlsx'
          ? await volumesToXlsx(r)
          : `${JSON.stringify(r, null, 2)}\n`,
    );
  });

  // Communications framework
  page(
    '/channels/framework',
    'channel-framework.njk',
    'Communications framework',
    ['dataset'],
    async (q, viewer, ctx, ip) => {
      const dataset = need(q, 'dataset', 'Choose a contact log.');
      const result = await disclosedFramework(app, viewer, dataset);
      await audit(app.engine, viewer, 'communications framework', dataset, ip);
      Object.assign(ctx, { result, qs: qsOf({ dataset }) });
    },
  );
  download('/channels/framework/download', ['csv', 'json'], async (q, viewer, format, reply, request) => {
    const dataset = need(q, 'dataset', 'Say which contact log to download.');
    const r = await disclosedFramework(app, viewer, dataset);
    await audit(app.engine, viewer, `export ${format}`, `communications framework ${dataset}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['framework', dataset], format),
      format,
      format === 'csv' ? frameworkToCsv(r) : `${JSON.stringify(r, null, 2)}\n`,
    );
  });

  // Channel shift by segment
  page(
    '/channels/plan',
    'channel-plan.njk',
    'Channel shift by segment',
    ['dataset', 'unitCosts', 'from', 'to', 'share', 'service', 'minBand', 'protect'],
    async (q, viewer, ctx, ip) => {
      // The segments to protect are the classification's (public), as the mix lists them.
      const chosen = one(q.dataset);
      if (chosen) {
        const access = await contactLogFor(app.engine, viewer, chosen);
        const mix = await mixTruth(app, chosen, 'segment');
        ctx.segments = mix.groups.map((g) => ({ code: g.code, name: g.name }));
        ctx.owner = access.owner;
      }
      const pq = readPlan(q);
      const result = await disclosedPlan(app, viewer, pq);
      await audit(app.engine, viewer, 'channel shift plan', describe.plan(pq), ip);
      Object.assign(ctx, {
        result,
        qs: qsOf(planQs(pq)),
        leftBehind: result.segments.filter((s) => s.eligible === false),
      });
    },
  );
  download('/channels/plan/download', ['xlsx', 'json'], async (q, viewer, format, reply, request) => {
    const pq = readPlan(q);
    const r = await disclosedPlan(app, viewer, pq);
    await audit(app.engine, viewer, `export ${format}`, `channel shift plan ${describe.plan(pq)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['channel-shift', r.dataset, `${pq.share}pct`, r.from, r.to], format),
      format,
      format === 'xlsx' ? await shiftModelToXlsx(r, publishedSet(pq.unitCosts)) : `${JSON.stringify(r, null, 2)}\n`,
    );
  });

  // Access sheets
  page('/channels/sheets', 'channel-sheets.njk', 'Access sheets', ['dataset', 'tiers'], async (q, viewer, ctx, ip) => {
    const sq = readSheets(q);
    const result = await disclosedSheets(app, viewer, sq);
    await audit(app.engine, viewer, 'access sheets', describe.sheets(sq), ip);
    Object.assign(ctx, {
      result,
      qs: qsOf({ dataset: sq.dataset, tiers: sq.tiers.map(([r, t]) => `${r}=${t}`).join('|') }),
      sheets: result.mix.groups.map((g) => ({
        code: g.code,
        name: result.portraits.find((p) => p.code === g.code)?.name ?? g.name ?? g.code,
        contacts: g.contacts,
        channels: result.mix.cells.filter((c) => c.code === g.code),
      })),
    });
  });
  download('/channels/sheets/print', ['html'], async (q, viewer, _format, reply, request) => {
    const sq = readSheets(q);
    const r = await disclosedSheets(app, viewer, sq);
    await audit(app.engine, viewer, 'export html', `access sheets ${describe.sheets(sq)}`, request.ip);
    // The handout's own stylesheet is inline: it carries this answer's CSP nonce (hex digits).
    const nonce = (reply as unknown as { cspNonce?: { style?: string } }).cspNonce?.style;
    const html = accessSheetsToHtml(r).replace('<style>', nonce ? `<style nonce="${nonce}">` : '<style>');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
  });
}

const planQs = (pq: PlanQuery) => ({
  dataset: pq.dataset,
  unitCosts: pq.unitCosts,
  from: pq.from,
  to: pq.to,
  share: pq.share,
  service: pq.service,
  minBand: pq.minBand,
  protect: pq.protect,
});

// ---------------------------------------------------------------------------------------------
// API

const text = (description: string) => z.string().trim().min(1).describe(description);
const WHO =
  "Staff see the council's logs; a partner its own, and the council's under disclosure control (the cell key method, and counts hidden so that no two answers differ by a small number). Another partner's log answers as a name nobody has (404).";

export async function channelAnalysisApiRoutes(app: FastifyInstance): Promise<void> {
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/contacts/mix',
      operationId: 'contactsMix',
      tag: 'Channels',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Channel mix by segment or by ward: share, 95% interval, index and band (as civic contacts mix --format json)',
      description: WHO,
      query: z.strictObject({
        dataset: text('The contact log'),
        by: z.enum(['segment', 'ward']).optional().describe('By segment (the top tier, the default) or by ward'),
        service: text(
          'Only this service’s contacts; for another organisation’s log, a service its owner has published',
        ).optional(),
      }),
      response: {
        name: 'ChannelMixResult',
        schema: ChannelMixResultSchema,
        description: 'The mix, after disclosure control',
      },
      errors: [400, 403, 404],
    },
    async ({ request, query: q }) => {
      const mq: MixQuery = { dataset: q.dataset, by: q.by ?? 'segment', service: q.service ?? null };
      const r = await disclosedMix(app, request.viewer, mq);
      await audit(app.engine, request.viewer, 'api channel mix', describe.mix(mq), request.ip);
      return r;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/contacts/volumes',
      operationId: 'contactsVolumes',
      tag: 'Channels',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Contacts and handling time by service or reason, for one channel or all (as civic contacts volumes --format json)',
      description: `${WHO} For anyone but the owner, only the channels of the vocabulary, and the values of the column its owner has published (the rest are one row).`,
      query: z.strictObject({
        dataset: text('The contact log'),
        by: z.enum(['service', 'reason']).optional().describe('Group by service (the default) or reason'),
        channel: text('Only this channel’s contacts, e.g. phone').optional(),
      }),
      response: {
        name: 'ContactVolumesResult',
        schema: ContactVolumesResultSchema,
        description: 'The volumes, after disclosure control',
      },
      errors: [400, 404],
    },
    async ({ request, query: q }) => {
      const vq: VolumesQuery = {
        dataset: q.dataset,
        by: q.by ?? 'service',
        channel: q.channel ? channelName(q.channel) : null,
      };
      const r = await disclosedVolumes(app, request.viewer, vq);
      await audit(app.engine, request.viewer, 'api contact volumes', describe.volumes(vq), request.ip);
      return r;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/contacts/framework',
      operationId: 'contactsFramework',
      tag: 'Channels',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'The communications framework: each segment’s service channels banded High to Low from the channel mix as the viewer may see it (as civic contacts framework --format json)',
      description: WHO,
      query: z.strictObject({ dataset: text('The contact log') }),
      response: { name: 'FrameworkResult', schema: FrameworkResultSchema, description: 'The framework' },
      errors: [400, 404],
    },
    async ({ request, query: q }) => {
      const r: FrameworkResult = await disclosedFramework(app, request.viewer, q.dataset);
      await audit(app.engine, request.viewer, 'api communications framework', q.dataset, request.ip);
      return r;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/channel-shift/plan',
      operationId: 'channelShiftPlan',
      tag: 'Channels',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'Channel shift planned by segment on a contact log, with who is left behind (as civic channel-shift WORKSPACE DATASET --format json)',
      description: `${WHO} Only published unit costs (GET /api/unit-costs). For another organisation’s log, only a service its owner has published.`,
      query: z.strictObject({
        dataset: text('The contact log'),
        unitCosts: z
          .enum(publishedUnitCosts().map((s) => s.name) as [string, ...string[]])
          .describe('A published set of unit costs'),
        from: text('The channel the contacts leave, e.g. phone'),
        to: text('The channel they move to, e.g. web'),
        share: z.coerce.number().int().min(1).max(100).describe('The % of each segment’s contacts by from that move'),
        service: text(
          'Only this service’s contacts; for another organisation’s log, a service its owner has published',
        ).optional(),
        minBand: z
          .enum(DEFAULT_BANDS.map((b) => b.name) as [string, ...string[]])
          .optional()
          .describe('The lowest band of propensity planned on (default Average)'),
        protect: text('Segments never planned on, separated by | or commas, e.g. E|F').optional(),
      }),
      response: {
        name: 'ShiftModelResult',
        schema: ShiftModelResultSchema,
        description: 'The plan, after disclosure control',
      },
      errors: [400, 403, 404],
    },
    async ({ request, query: q }) => {
      const pq = readPlan({
        dataset: q.dataset,
        unitCosts: q.unitCosts,
        from: q.from,
        to: q.to,
        share: String(q.share),
        service: q.service,
        minBand: q.minBand,
        protect: q.protect,
      } as Query);
      const r = await disclosedPlan(app, request.viewer, pq);
      await audit(app.engine, request.viewer, 'api channel shift plan', describe.plan(pq), request.ip);
      return r;
    },
  );
}
