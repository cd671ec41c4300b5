/**
 * Location planning in the portal. Facilities as points are public (where a library is, is public);
 * the location page is for staff and partners: how far households are from each kind of facility,
 * a site's catchment profiled by segment (the Sheerness table), and what closing, opening or moving
 * sites does to coverage, overall and for each segment. Every count shown passes disclosure control.
 * Journey times are straight-line estimates in the portal (a road network is a CLI option).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AccessError, DEFAULT_MIN_CELL, ParameterError, suppressOneWay } from '../../core/index.ts';
import { ownsRecords } from '../access.ts';
import {
  travelWords,
  accessibility,
  accessPatterns,
  catchment,
  withKeptSites,
  facilityKinds,
  facilitiesOfKind,
  listFacilities,
  loadSiteInputs,
  SITE_TASKS,
  TRAVEL_MODES,
  type CatchmentResult,
  type Facility,
  type ScenarioResult,
  type TravelMode,
} from '../../location/index.ts';
import {
  discloseCatchment,
  disclosePatterns,
  catchmentToCsv,
  catchmentToXlsx,
  locationToJson,
} from '../../outputs/index.ts';
import { getDataset } from '../../profiling/index.ts';
import { ANALYSTS_AND_PARTNERS, EVERYONE } from '../http.ts';
import { AnalysisBusyError, AnalysisViewerLimitError } from '../analysis-pool.ts';
import { audit } from '../users.ts';
import { facilitiesGeoJson, kindLabel, kindNoun } from '../facility-map.ts';
import type { AreaLevel } from '../../geo/index.ts';
import { mapViewFor } from './map.ts';
import { classificationChoices, datasetChoices, formError, safeFilename, sendDownload } from './profile.ts';
import { field, formatOf, many, one, readQuery, type Query } from '../query.ts';

/** Household shares within these journey times (minutes), as in the DfT Journey Time Statistics. */
const ACCESS_THRESHOLDS = [5, 10, 15, 20, 30, 45, 60];

interface LocationQuery {
  kind?: string;
  mode: TravelMode;
  within: number;
  site?: string;
  classification?: string;
  tier?: string;
  close: string[];
  open: string[];
  /** Site choice: how many sites in all, and which problem. */
  choose?: { problem: 'mclp' | 'p-median' | 'p-center'; sites: number; keepExisting: boolean };
}

/** The location page's query: a kind of facility, a journey, a segment tier, a site, sites to close or open, a site choice. */
const LOCATION_QUERY = {
  mode: field.choice(TRAVEL_MODES, {
    default: 'car',
    message: (v) => `"${v}" is not a way of travelling the page knows.`,
    fix: 'Choose car, walk or cycle.',
  }),
  within: field.positiveNumber({
    max: 240,
    default: 15,
    message: (v) => `"${v}" is not a journey time the page can use.`,
    fix: 'Enter a number of minutes from 1 to 240.',
  }),
  by: field.tier(),
  sites: field.wholeNumber({
    min: 1,
    max: 50,
    message: (v) => `"${v}" is not a number of sites the page can choose.`,
    fix: 'Enter a whole number from 1 to 50.',
  }),
  problem: field.text(),
  keep: field.text(),
  kind: field.text(),
  site: field.text(),
  close: field.texts(),
  open: field.texts(),
};

function locationQuery(q: Query): LocationQuery {
  const l = readQuery(q, LOCATION_QUERY);
  return {
    kind: l.kind,
    mode: l.mode,
    within: l.within,
    site: l.site,
    classification: l.by.classification,
    tier: l.by.tier,
    close: l.close,
    open: l.open,
    // Choosing sites when a number of sites is given: the MCLP unless the p-median or p-center is asked for.
    choose:
      l.sites === undefined
        ? undefined
        : {
            problem: l.problem === 'p-median' || l.problem === 'p-center' ? l.problem : 'mclp',
            sites: l.sites,
            keepExisting: l.keep === 'existing',
          },
  };
}

const queryString = (l: LocationQuery, extra: Record<string, string> = {}) =>
  new URLSearchParams({
    ...(l.kind ? { kind: l.kind } : {}),
    mode: l.mode,
    within: String(l.within),
    ...(l.site ? { site: l.site } : {}),
    ...(l.classification ? { by: `seg:${l.classification}:${l.tier}` } : {}),
    ...extra,
  }).toString();

/** A count under the threshold (but not 0) is not shown. */
const hideUnder = (n: number) => (n > 0 && n < DEFAULT_MIN_CELL ? null : n);

/** A scenario's per-segment and lost-household figures, with small numbers of households hidden. */
function discloseScenario(r: ScenarioResult, minCell: number, description: string) {
  const weights = r.groups.map((g) => Math.round(g.weight));
  const hidden = suppressOneWay(weights, minCell).suppressed;
  const lost = Math.round(r.lostWeight),
    gained = Math.round(r.gainedWeight);
  return {
    description,
    standard: r.standard,
    before: r.before,
    after: r.after,
    change: r.change,
    totalWeight: r.totalWeight,
    groups: r.groups.map((g, i) => (hidden[i] ? { group: g.group, suppressed: true } : { ...g, suppressed: false })),
    lostAreas: r.losers.length,
    lostWeight: lost > 0 && lost < minCell ? null : lost,
    gainedAreas: r.gainers.length,
    gainedWeight: gained > 0 && gained < minCell ? null : gained,
  };
}

/** Who a heavy analysis is counted against for the per-viewer limit: the person, or the address for the public. */
export const viewerKey = (request: FastifyRequest) =>
  request.viewer.username ? `user:${request.viewer.username}` : `ip:${request.ip}`;

/**
 * HiGHS's own time limit, inside the analysis pool's: HiGHS stops in time to hand back its best
 * answer so far, rather than being stopped with nothing (20 s with the pool's default 30 s).
 */
export const solverSeconds = (poolSeconds: number) => Math.min(20, Math.max(poolSeconds - 10, poolSeconds / 2));

export async function locationRoutes(app: FastifyInstance): Promise<void> {
  app.get('/location/facilities.geojson', { config: { roles: EVERYONE } }, async (request, reply) => {
    const kinds = many((request.query as { kind?: unknown }).kind);
    const body = await app.results.get('facilities geojson', kinds, () => facilitiesGeoJson(app.engine, kinds));
    return reply.type('application/geo+json; charset=utf-8').header('cache-control', 'private, max-age=60').send(body);
  });

  const runCatchment = (l: LocationQuery): Promise<CatchmentResult> => {
    const req = {
      site: { facility: l.site!, kind: l.kind },
      minutes: l.within,
      mode: l.mode,
      classification: l.classification,
      tier: l.tier,
    };
    return app.results.get('catchment', req, () => catchment(app.engine, req, app.costs));
  };

  app.get('/location/catchment.geojson', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const l = locationQuery(request.query as Query);
    if (!l.site) throw new ParameterError("Say which facility's catchment to draw (site=…).");
    const r = await runCatchment(l);
    const fc = {
      type: 'FeatureCollection',
      features: r.polygon
        ? [
            {
              ...r.polygon,
              properties: { ...r.polygon.properties, site: r.site.name, minutes: l.within, mode: l.mode },
            },
          ]
        : [],
    };
    return reply
      .type('application/geo+json; charset=utf-8')
      .header('cache-control', 'private, max-age=60')
      .send(JSON.stringify(fc));
  });

  app.get('/location', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const kinds = await facilityKinds(app.engine);
    const ctx: Record<string, unknown> = {
      title: 'Location planning',
      costWords: app.costs.description,
      kinds: kinds.map((k) => ({ value: k.kind, text: `${kindLabel(k.kind)} (${k.facilities})` })),
    };
    if (!kinds.length)
      return app.page(request, reply, 'location.njk', { ...ctx, title: 'Location planning', empty: true });
    let status = 200;
    try {
      const l = locationQuery(q);
      l.kind = l.kind ?? kinds[0].kind;
      if (!kinds.some((k) => k.kind === l.kind))
        throw new ParameterError(`There are no facilities of the kind "${l.kind}".`, 'Choose a kind from the list.');
      const classes = await classificationChoices(app, { deprivation: false });
      if (!l.classification && classes.length) {
        l.classification = classes[0].name;
        l.tier = classes[0].tiers[0];
      }
      const sites = await facilitiesOfKind(app.engine, l.kind);
      const others = (await listFacilities(app.engine)).filter((f) => f.kind !== l.kind);
      Object.assign(ctx, {
        q: l,
        kindLabel: kindLabel(l.kind),
        kindNoun: kindNoun(l.kind),
        modeWords: travelWords(l.mode),
        modes: TRAVEL_MODES.map((m) => ({
          value: m,
          text: travelWords(m).replace(/^./, (c) => c.toUpperCase()),
          selected: m === l.mode,
        })),
        kindItems: kinds.map((k) => ({
          value: k.kind,
          text: `${kindLabel(k.kind)} (${k.facilities})`,
          selected: k.kind === l.kind,
        })),
        siteItems: [
          { value: '', text: 'None' },
          ...sites.map((f) => ({ value: f.id, text: f.name, selected: f.id === l.site })),
        ],
        byItems: classes.flatMap((c) =>
          c.tiers.map((t) => ({
            value: `seg:${c.name}:${t}`,
            text: `${c.title && c.title !== c.name ? c.title : c.name}: ${t}`,
            selected: c.name === l.classification && t === l.tier,
          })),
        ),
        closeItems: sites.map((f) => ({ value: f.id, text: f.name, checked: l.close.includes(f.id) })),
        openItems: others.map((f: Facility) => ({
          value: f.id,
          text: `${f.name} (${kindNoun(f.kind)})`,
          checked: l.open.includes(f.id),
        })),
      });

      // How far households are from the nearest facility of the kind.
      const accessReq = { kinds: [l.kind], mode: l.mode, thresholds: ACCESS_THRESHOLDS };
      const access = await app.results.get('accessibility', accessReq, () =>
        accessibility(app.engine, accessReq, app.costs),
      );
      const k = access.kinds[0];
      ctx.access = {
        costSource: access.costSource,
        level: access.level,
        meanMinutes: k.borough.meanMinutes,
        unreachable: Math.round(k.borough.unreachable),
        rows: access.thresholds.map((t, i) => ({
          minutes: t,
          households: Math.round(k.borough.within[i]),
          share: k.borough.share[i] * 100,
        })),
        total: Math.round(k.borough.demand),
      };

      // The map: minutes to the nearest facility, facilities as points, the chosen site's catchment.
      // (Without boundaries at the areas' level there is no map: the tables carry the figures.)
      const levels = await app.services.maps.levels();
      if (levels.includes(access.level as AreaLevel)) {
        const measure = `access:${l.kind}:${l.mode}`;
        const figures = await app.services.maps.figures(measure, access.level);
        const view = await mapViewFor(app, figures);
        if (l.site)
          Object.assign(view.mapMeta, {
            overlay: { url: `/location/catchment.geojson?${queryString(l)}`, label: 'Catchment (for display only)' },
          });
        Object.assign(ctx, { figures, ...view });
      }

      if (l.site) {
        const c = discloseCatchment(await runCatchment(l), DEFAULT_MIN_CELL);
        ctx.catchment = c;
        ctx.downloadQs = queryString(l);
        await audit(app.engine, request.viewer, 'catchment', `${c.site.name}, ${l.within} min ${l.mode}`, request.ip);
      }

      if (l.choose) {
        // Where should the sites be? Today's sites and a 500 m grid over the borough as candidates.
        const inputReq = {
          kind: l.kind,
          gridMetres: 500,
          mode: l.mode,
          classification: l.classification,
          tier: l.tier,
        };
        const inputs = await app.results.get('site inputs', inputReq, () =>
          loadSiteInputs(app.engine, inputReq, app.costs),
        );
        const c = l.choose;
        if (c.keepExisting && c.sites < inputs.existing.length)
          throw new ParameterError(
            `There are ${inputs.existing.length} sites today: to keep them all, choose at least ${inputs.existing.length}.`,
          );
        const { fixed } = withKeptSites(inputs, { keepExisting: c.keepExisting });
        const problem = {
          weights: inputs.weights,
          groups: inputs.groups,
          costs: inputs.costs,
          fixed,
          standard: l.within,
          p: c.sites,
        };
        // In a worker of the analysis pool, within its time limit and the viewer's share (finding 6).
        const r = await app.results.get('site choice', { ...inputReq, ...c, within: l.within }, () =>
          app.analyses.run(viewerKey(request), SITE_TASKS.choose, {
            problem,
            kind: c.problem,
            options: { method: 'auto', timeLimitSeconds: solverSeconds(app.analyses.options.timeLimitSeconds) },
          }),
        );
        ctx.choice = {
          problem:
            c.problem === 'mclp'
              ? `the ${c.sites} sites that put the most households within ${l.within} minutes`
              : c.problem === 'p-center'
                ? `the ${c.sites} sites that make the longest journey to the nearest site shortest`
                : `the ${c.sites} sites with the shortest journeys overall`,
          maxMinutes: r.maxMinutes,
          method:
            r.method === 'exact'
              ? `exact (HiGHS)${r.status === 'optimal' ? ', proven best' : `, stopped at the time limit (gap ${((r.gap ?? 0) * 100).toFixed(2)}%)`}`
              : `heuristic (greedy and swaps)${r.gap !== null ? `, within ${(r.gap * 100).toFixed(2)}% of the best possible` : ''}`,
          coveredShare: r.coverage ? r.coverage.share * 100 : null,
          meanMinutes: r.meanMinutes,
          sites: r.sites.map((s) => ({
            name:
              inputs.candidates[s.index].source === 'grid'
                ? `New site near ${inputs.candidates[s.index].lat.toFixed(4)}, ${inputs.candidates[s.index].lon.toFixed(4)}`
                : inputs.candidates[s.index].name,
            existing: inputs.candidates[s.index].existing,
            households: hideUnder(Math.round(s.nearestWeight)),
          })),
        };
        await audit(
          app.engine,
          request.viewer,
          'site choice',
          `${c.problem} ${c.sites} ${l.kind}, ${l.within} min ${l.mode}`,
          request.ip,
        );
      }

      if (l.close.length || l.open.length) {
        const openPoints = others
          .filter((f) => l.open.includes(f.id))
          .map((f) => ({ name: f.name, lon: f.lon, lat: f.lat }));
        if (openPoints.length !== l.open.length)
          throw new ParameterError(
            'A site to open is not one of the facilities listed.',
            'Choose sites to open from the list.',
          );
        const inputReq = {
          kind: l.kind,
          points: openPoints,
          mode: l.mode,
          classification: l.classification,
          tier: l.tier,
        };
        const inputs = await app.results.get('site inputs', inputReq, () =>
          loadSiteInputs(app.engine, inputReq, app.costs),
        );
        const current = inputs.existing.map((i) => inputs.candidates[i].id);
        const idOf = (f: { name: string }) =>
          inputs.candidates.find((c) => c.source === 'point' && c.name === f.name)!.id;
        const closeIds = l.close.map((id) => {
          const c = inputs.candidates.find((x) => x.existing && x.id === id);
          if (!c)
            throw new ParameterError(
              'A site to close is not one of the open sites listed.',
              'Choose sites to close from the list.',
            );
          return c.id;
        });
        const change = { close: closeIds, open: openPoints.map(idOf) };
        const r = await app.results.get('scenario', { ...inputReq, ...change, within: l.within }, () =>
          app.analyses.run(viewerKey(request), SITE_TASKS.scenario, {
            input: { costs: inputs.costs, weights: inputs.weights, groups: inputs.groups, standard: l.within, current },
            change,
          }),
        );
        // Described by the sites' names, not their ids.
        const names = (ids: readonly string[]) =>
          ids.map((id) => inputs.candidates.find((c) => c.id === id)?.name ?? id).join(', ');
        const description = [
          closeIds.length ? `close ${names(closeIds)}` : '',
          openPoints.length ? `open ${openPoints.map((p) => p.name).join(', ')}` : '',
        ]
          .filter(Boolean)
          .join('; ');
        ctx.scenario = discloseScenario(r, DEFAULT_MIN_CELL, description);
        ctx.scenarioNotes = inputs.notes;
        await audit(app.engine, request.viewer, 'scenario', `${description}, ${l.within} min ${l.mode}`, request.ip);
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
      if (e instanceof AnalysisViewerLimitError || e instanceof AnalysisBusyError)
        reply.header('retry-after', String(e.retryAfterSeconds));
    }
    return app.page(request, reply, 'location.njk', ctx as { title: string }, status);
  });

  // Where an outlet's users come from, and who passes a nearer one (Dover's Whitfield office).
  app.get('/location/patterns', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const [datasets, kinds] = await Promise.all([datasetChoices(app), facilityKinds(app.engine)]);
    const dataset = one(q.dataset),
      column = one(q.column),
      kind = one(q.kind) ?? kinds[0]?.kind;
    const ctx: Record<string, unknown> = {
      title: 'Where users come from',
      datasets,
      datasetItems: [
        { value: '', text: 'Choose a dataset' },
        ...datasets.map((d) => ({ value: d.name, text: d.title ?? d.name, selected: d.name === dataset })),
      ],
      kindItems: kinds.map((k) => ({ value: k.kind, text: kindLabel(k.kind), selected: k.kind === kind })),
    };
    let status = 200;
    try {
      if (dataset) {
        const ds = await getDataset(app.engine, dataset);
        // An outlet column is a free-form filter on the records, and a median distance is a value
        // from them: access patterns are the data's owner's (decision 0013).
        if (!ownsRecords(request.viewer, datasets.find((d) => d.name === ds.name)?.partner ?? null))
          throw new AccessError(
            'Only the owner of a dataset can see where its users come from: the figures for one outlet can be about a handful of people.',
            "Ask the dataset's owner to run it and share the result, or choose one of your own datasets.",
          );
        const columns: string[] = JSON.parse(String(ds.columns ?? '[]'));
        ctx.columnItems = [
          { value: '', text: 'Choose the column naming the outlet' },
          ...columns.map((c) => ({ value: c, text: c, selected: c === column })),
        ];
        if (column && kind) {
          if (!columns.includes(column))
            throw new ParameterError(`${dataset} has no column "${column}".`, 'Choose the column from the list.');
          const req = { dataset, outletColumn: column, kind };
          const r = disclosePatterns(
            await app.results.get('patterns', req, () => accessPatterns(app.engine, req, app.costs)),
            DEFAULT_MIN_CELL,
          );
          ctx.result = r;
          ctx.kindNoun = kindNoun(kind);
          await audit(
            app.engine,
            request.viewer,
            'access patterns',
            `${dataset}.${column} against ${kind}`,
            request.ip,
          );
        }
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    return app.page(request, reply, 'location-patterns.njk', ctx as { title: string }, status);
  });

  app.get('/location/catchment/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['csv', 'xlsx', 'json']);
    const l = locationQuery(q);
    if (!l.site) throw new ParameterError("Say which facility's catchment to download (site=…).");
    const r = discloseCatchment(await runCatchment(l), DEFAULT_MIN_CELL);
    await audit(
      app.engine,
      request.viewer,
      `export ${format}`,
      `catchment ${r.site.name}, ${l.within} min ${l.mode}`,
      request.ip,
    );
    const name = safeFilename(['catchment', r.site.name, `${l.within}min`, l.mode], format);
    return sendDownload(
      reply,
      name,
      format,
      format === 'csv' ? catchmentToCsv(r) : format === 'xlsx' ? await catchmentToXlsx(r) : locationToJson(r),
    );
  });
}
