/**
 * Targeting in the portal (C6): areas ranked by expected new customers among non-users in the
 * segments where a service does well, cut into delivery rounds, with the postcode list to download.
 * Small numbers of users are hidden in the page and every download, for every viewer.
 */
import type { FastifyInstance } from 'fastify';
import { AccessError, DEFAULT_MIN_CELL, MAX_NOISE, ParameterError } from '../../core/index.ts';
import { disclosureForDataset, ownsRecords } from '../access.ts';
import type { Viewer } from '../users.ts';
import { evaluateCampaign, parseAreaList, targetAreas, type TargetResult } from '../../targeting/index.ts';
import { facilityKinds, listFacilities, TRAVEL_MODES, type TravelMode } from '../../location/index.ts';
import { discloseEvaluation, discloseTarget, targetToCsv, targetToJson, targetToXlsx } from '../../outputs/index.ts';
import { ANALYSTS_AND_PARTNERS } from '../http.ts';
import { audit } from '../users.ts';
import { kindLabel, kindNoun } from '../facility-map.ts';
import { classificationChoices, datasetChoices, formError, safeFilename, sendDownload } from './profile.ts';
import { field, formatOf, one, readForm, readQuery, type Query } from '../query.ts';

const LEVELS = [
  { value: 'ward', text: 'Wards' },
  { value: 'lsoa', text: 'LSOAs' },
  { value: 'oa', text: 'Output areas' },
  { value: 'postcode', text: 'Postcodes' },
];
const LEVEL_VALUES = LEVELS.map((l) => l.value);
const LEVELS_FIX = 'Choose wards, LSOAs, output areas or postcodes.';

interface TargetQuery {
  dataset: string;
  classification?: string;
  tier?: string;
  areas: string;
  distance?: 'within' | 'beyond';
  minutes?: number;
  of?: string;
  mode: TravelMode;
  rounds: number;
}

/** The targeting form: null until a dataset is chosen. */
const TARGET_QUERY = {
  dataset: field.text(),
  by: field.tier(),
  areas: field.choice(LEVEL_VALUES, {
    default: 'ward',
    message: (v) => `"${v}" is not a kind of area the page can rank.`,
    fix: LEVELS_FIX,
  }),
  mode: field.choice(TRAVEL_MODES, {
    default: 'car',
    message: (v) => `"${v}" is not a way of travelling the page knows.`,
  }),
  rounds: field.wholeNumber({
    min: 1,
    max: 50,
    default: 4,
    message: (v) => `"${v}" is not a number of rounds the page can use.`,
    fix: 'Enter a whole number from 1 to 50.',
  }),
  distance: field.text(),
};

/** Read only when the areas are limited to within or beyond a journey time of a facility. */
const JOURNEY_QUERY = {
  minutes: field.positiveNumber({
    message: () => 'Enter the journey time in minutes.',
    fix: 'For example 10, to target streets beyond a 10-minute drive.',
  }),
  of: field.text({ required: { message: 'Choose the facility the journey time is to.' } }),
};

/** The evaluation form: null until a dataset is chosen (the targeted areas are a list read by targeting). */
const EVALUATE_QUERY = {
  dataset: field.text(),
  areas: field.choice(LEVEL_VALUES, {
    default: 'ward',
    message: (v) => `"${v}" is not a kind of area the page can use.`,
    fix: LEVELS_FIX,
  }),
  dateColumn: field.text(),
  since: field.text(),
  until: field.text(),
};

function targetQuery(q: Query): TargetQuery | null {
  const t = readForm(q, 'dataset', TARGET_QUERY);
  if (!t) return null;
  const distance = t.distance === 'within' || t.distance === 'beyond' ? t.distance : undefined;
  const journey = distance ? readQuery(q, JOURNEY_QUERY) : undefined;
  return {
    dataset: t.dataset,
    classification: t.by.classification,
    tier: t.by.tier,
    areas: t.areas,
    distance,
    minutes: journey?.minutes,
    of: journey?.of,
    mode: t.mode,
    rounds: t.rounds,
  };
}

const queryString = (t: TargetQuery) =>
  new URLSearchParams({
    dataset: t.dataset,
    ...(t.classification ? { by: `seg:${t.classification}:${t.tier}` } : {}),
    areas: t.areas,
    rounds: String(t.rounds),
    mode: t.mode,
    ...(t.distance ? { distance: t.distance, minutes: String(t.minutes), of: t.of! } : {}),
  }).toString();

export async function targetingRoutes(app: FastifyInstance): Promise<void> {
  const run = async (t: TargetQuery, viewer: Viewer): Promise<TargetResult> => {
    const req = {
      dataset: t.dataset,
      classification: t.classification,
      tier: t.tier,
      segments: 'auto' as const,
      areas: t.areas,
      rounds: t.rounds,
      mode: t.mode,
      within: t.distance === 'within' ? t.minutes : undefined,
      beyond: t.distance === 'beyond' ? t.minutes : undefined,
      of: t.distance ? t.of : undefined,
    };
    const truth = await app.results.get('target', req, () => targetAreas(app.engine, { ...req, costs: app.costs }));
    return discloseTarget(truth, await disclosureForDataset(app.engine, viewer, truth.dataset, DEFAULT_MIN_CELL));
  };

  app.get('/targeting', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const [datasets, classes, kinds, facilities] = await Promise.all([
      datasetChoices(app),
      classificationChoices(app, { deprivation: false }),
      facilityKinds(app.engine),
      listFacilities(app.engine),
    ]);
    const ctx: Record<string, unknown> = { title: 'Targeting', maxNoise: MAX_NOISE, datasets };
    let status = 200;
    let t: TargetQuery | null = null;
    try {
      t = targetQuery(q);
      if (t) {
        const r = await run(t, request.viewer);
        Object.assign(ctx, {
          result: r,
          qs: queryString(t),
          targeted: r.areas.filter((a) => a.targeted),
          chosen: r.segments.filter((s) => s.chosen),
        });
        await audit(
          app.engine,
          request.viewer,
          'targeting',
          `${r.dataset} by ${r.classification} ${r.tier}, ${r.areaLevel}`,
          request.ip,
        );
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    const dataset = t?.dataset ?? one(q.dataset);
    const by = t?.classification ? `seg:${t.classification}:${t.tier}` : one(q.by);
    const of = t?.of ?? one(q.of);
    Object.assign(ctx, {
      datasetItems: [
        { value: '', text: 'Choose a dataset' },
        ...datasets.map((d) => ({
          value: d.name,
          text: `${d.title ?? d.name}${d.partner ? ` (${d.partner})` : ''}`,
          selected: d.name === dataset,
        })),
      ],
      byItems: [
        { value: '', text: 'The first classification, top tier' },
        ...classes.flatMap((c) =>
          c.tiers.map((tier) => ({
            value: `seg:${c.name}:${tier}`,
            text: `${c.title && c.title !== c.name ? c.title : c.name}: ${tier}`,
            selected: `seg:${c.name}:${tier}` === by,
          })),
        ),
      ],
      levelItems: LEVELS.map((l) => ({ ...l, selected: l.value === (t?.areas ?? one(q.areas) ?? 'ward') })),
      distanceItems: [
        { value: '', text: 'Anywhere', checked: !t?.distance },
        { value: 'within', text: 'Only within a journey time of a facility', checked: t?.distance === 'within' },
        { value: 'beyond', text: 'Only beyond a journey time of a facility', checked: t?.distance === 'beyond' },
      ],
      ofItems: [
        { value: '', text: 'Choose a facility' },
        ...kinds.map((k) => ({ value: k.kind, text: `The nearest ${kindNoun(k.kind)}`, selected: k.kind === of })),
        ...facilities.map((f) => ({ value: f.name, text: f.name, selected: f.name === of })),
      ],
      minutes: t?.minutes ?? one(q.minutes) ?? '',
      rounds: t?.rounds ?? one(q.rounds) ?? 4,
    });
    return app.page(request, reply, 'targeting.njk', ctx as { title: string }, status);
  });

  // Did it work? Take-up in the targeted areas against the rest (Dartford: 16% against 4%).
  app.get('/targeting/evaluate', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const datasets = await datasetChoices(app);
    const dataset = one(q.dataset),
      areas = one(q.areas) ?? 'ward';
    const targetedText = one(q.targeted) ?? '';
    const ctx: Record<string, unknown> = {
      title: 'Did the campaign work?',
      datasets,
      targetedText,
      dateColumn: one(q.dateColumn) ?? '',
      since: one(q.since) ?? '',
      until: one(q.until) ?? '',
      datasetItems: [
        { value: '', text: 'Choose a dataset' },
        ...datasets.map((d) => ({ value: d.name, text: d.title ?? d.name, selected: d.name === dataset })),
      ],
      levelItems: LEVELS.map((l) => ({ ...l, selected: l.value === areas })),
    };
    let status = 200;
    try {
      const e = readForm(q, 'dataset', EVALUATE_QUERY);
      if (e) {
        const { dataset, areas } = e;
        const targeted = parseAreaList(targetedText);
        if (!targeted.length)
          throw new ParameterError(
            'List the areas that were targeted.',
            'Paste their codes, one per line (the first column of the targeting download).',
          );
        // A list of areas or postcodes of the viewer's choosing, and a date column, are free-form
        // filters on the records: for the data's owner only (decision 0012).
        const partner = datasets.find((d) => d.name === dataset)?.partner ?? null;
        if (datasets.some((d) => d.name === dataset) && !ownsRecords(request.viewer, partner)) {
          throw new AccessError(
            'Only the owner of a dataset can evaluate a campaign on it: a list of areas of your choosing would let you count its records in any area.',
            "Ask the dataset's owner to run the evaluation and share it, or evaluate a campaign on your own data.",
          );
        }
        const req = {
          dataset,
          areas,
          targeted,
          dateColumn: e.dateColumn,
          since: e.since,
          until: e.until,
        };
        const r = discloseEvaluation(
          await app.results.get('evaluate', req, () => evaluateCampaign(app.engine, req)),
          DEFAULT_MIN_CELL,
        );
        ctx.result = r;
        await audit(
          app.engine,
          request.viewer,
          'campaign evaluation',
          `${dataset}, ${targeted.length} targeted ${areas} areas`,
          request.ip,
        );
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true });
      status = f.status;
    }
    return app.page(request, reply, 'targeting-evaluate.njk', ctx as { title: string }, status);
  });

  app.get('/targeting/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Record<string, unknown>;
    const format = formatOf(q.format, ['csv', 'xlsx', 'json']);
    const t = targetQuery(q);
    if (!t) throw new ParameterError('Say which dataset to target (dataset=…).');
    const list = one(q.list) ?? 'postcodes';
    if (list !== 'postcodes' && list !== 'areas')
      throw new ParameterError(`"${list}" is not a list the page can give.`, 'Ask for postcodes or areas.');
    const r = await run(t, request.viewer);
    await audit(app.engine, request.viewer, `export ${format}`, `targeting ${r.dataset} ${list}`, request.ip);
    const name = safeFilename(['targets', r.dataset, r.areaLevel, format === 'csv' ? list : null], format);
    return sendDownload(
      reply,
      name,
      format,
      format === 'csv' ? targetToCsv(r, list) : format === 'xlsx' ? await targetToXlsx(r) : targetToJson(r),
    );
  });
}
