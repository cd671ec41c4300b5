/**
 * What a journey costs the customer and the council (issue 14, point 5): how many agencies,
 * services and forms it takes, the contacts by channel, the assessments made more than once, the
 * data items asked for more than once, the days waited, and what the contacts cost at a table of
 * unit costs. And a before/after comparison: the contacts, money and forms a redesign saves.
 *
 * Counting rules (docs/journeys.md): names are compared ignoring case and spacing; a step with no
 * channel is an event, not a contact; a step of n contacts counts n contacts, costs n times its
 * unit cost and asks for its data items n times (every call asks again); a form or an assessment
 * counts once per step. Money is worked in whole pence.
 */
import { z } from 'zod';
import { CHANNELS } from '../intake/index.ts';
import type { UnitCostSet } from '../channels/index.ts';
import type { Journey } from './schema.ts';

export const JOURNEY_MEASURES_VERSION = 1 as const;

const Named = z.object({ name: z.string(), steps: z.number() });
const Repeated = z.object({
  name: z.string(),
  /** how many times it happens in the journey */
  times: z.number(),
  /** the agencies that do it (or ask for it) */
  agencies: z.array(z.string()),
});

export const JourneyMeasuresSchema = z.object({
  version: z.literal(JOURNEY_MEASURES_VERSION),
  journey: z.string(),
  title: z.string(),
  stage: z.enum(['before', 'after']).nullable(),
  /** the unit costs used for steps without a cost of their own; null: none */
  unitCosts: z.string().nullable(),
  steps: z.number(),
  /** steps marked as reconstructed (worked out to fit the source) */
  reconstructedSteps: z.number(),
  /** each distinct name, as first written, with the steps it appears at */
  agencies: z.array(Named),
  services: z.array(Named),
  forms: z.array(Named),
  contacts: z.object({
    total: z.number(),
    byChannel: z.array(
      z.object({
        channel: z.string(),
        contacts: z.number(),
        /** pounds; null when some of the channel's contacts have no cost */
        cost: z.number().nullable(),
        /** the table's unit cost for the channel, pounds; null when the table has none (or there is no table) */
        unitCost: z.number().nullable(),
      }),
    ),
    /** channels named that are not in the intake's vocabulary (the council's own, or a slip of the pen) */
    outsideVocabulary: z.array(z.string()),
  }),
  /** assessments made at more than one step */
  repeatedAssessments: z.array(Repeated),
  /** assessments made in all (steps with one) and how many of them repeat an earlier one */
  assessments: z.object({ made: z.number(), distinct: z.number(), repeats: z.number() }),
  /** data items asked for more than once, most first */
  repeatedDataItems: z.array(Repeated),
  dataItems: z.object({ asked: z.number(), distinct: z.number(), repeats: z.number() }),
  wait: z.object({
    /** days, over the steps that give a wait */
    totalDays: z.number(),
    stepsWithWait: z.number(),
  }),
  cost: z.object({
    /** pounds: every contact with a cost (its own or the table's) */
    total: z.number(),
    costedContacts: z.number(),
    /** contacts with neither a cost of their own nor one in the table */
    uncostedContacts: z.number(),
    uncostedChannels: z.array(z.string()),
    /** true when every contact has a cost */
    complete: z.boolean(),
  }),
  /** each step's contacts and cost, in the order of the steps */
  stepCosts: z.array(
    z.object({
      step: z.number(),
      contacts: z.number(),
      /** pounds per contact; null when the step has no cost of its own and its channel none in the table */
      unitCost: z.number().nullable(),
      /** pounds: contacts × unit cost (or the cost of an event costed by hand); null when uncosted */
      cost: z.number().nullable(),
      /** where the unit cost came from: the step itself, the table, or nowhere */
      from: z.enum(['step', 'table']).nullable(),
    }),
  ),
  /** the moments that matter: every step where a feeling was recorded */
  feelings: z.array(z.object({ step: z.number(), agency: z.string(), feeling: z.string() })),
});
export type JourneyMeasures = z.infer<typeof JourneyMeasuresSchema>;

/** A name as compared: case and spacing ignored. */
export const sameName = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();

const VOCABULARY = new Set(Object.keys(CHANNELS));

/** Distinct names in order of first appearance, as first written, with the steps each appears at. */
function distinct(values: (string | null)[]): { name: string; steps: number }[] {
  const out = new Map<string, { name: string; steps: number }>();
  for (const v of values) {
    if (!v) continue;
    const k = sameName(v);
    const e = out.get(k);
    if (e) e.steps++;
    else out.set(k, { name: v.trim(), steps: 1 });
  }
  return [...out.values()];
}

function repeated(items: { name: string; times: number; agency: string }[]) {
  const by = new Map<string, { name: string; times: number; agencies: string[] }>();
  for (const it of items) {
    const k = sameName(it.name);
    const e = by.get(k) ?? { name: it.name.trim(), times: 0, agencies: [] };
    e.times += it.times;
    if (!e.agencies.some((a) => sameName(a) === sameName(it.agency))) e.agencies.push(it.agency);
    by.set(k, e);
  }
  const all = [...by.values()];
  const asked = all.reduce((t, e) => t + e.times, 0);
  return {
    repeated: all.filter((e) => e.times > 1).sort((a, b) => b.times - a.times),
    totals: { asked, distinct: all.length, repeats: asked - all.length },
  };
}

/** The pence one contact of a channel costs in a set, or null. */
function tablePence(set: UnitCostSet | null, channel: string): number | null {
  const c = set?.costs.find((x) => sameName(x.channel) === sameName(channel));
  return c ? Math.round(c.cost * 100) : null;
}

/** A journey's measures, its steps without a cost of their own costed at `unitCosts` (or none). */
export function measureJourney(j: Journey, unitCosts: UnitCostSet | null): JourneyMeasures {
  const channels = new Map<
    string,
    { channel: string; contacts: number; pence: number; uncosted: number; unit: number | null }
  >();
  let costed = 0,
    uncosted = 0,
    totalPence = 0;
  const stepCosts: JourneyMeasures['stepCosts'] = [];
  for (const [i, s] of j.steps.entries()) {
    const own = s.cost === null ? null : Math.round(s.cost * 100);
    if (!s.channel) {
      // An event, not a contact: a cost of its own still counts (an officer's visit costed by hand).
      if (own !== null) totalPence += own * s.count;
      stepCosts.push({
        step: i + 1,
        contacts: 0,
        unitCost: own === null ? null : own / 100,
        cost: own === null ? null : (own * s.count) / 100,
        from: own === null ? null : 'step',
      });
      continue;
    }
    const unit = tablePence(unitCosts, s.channel);
    const e = channels.get(s.channel) ?? { channel: s.channel, contacts: 0, pence: 0, uncosted: 0, unit };
    e.contacts += s.count;
    const p = own ?? unit;
    if (p === null) {
      e.uncosted += s.count;
      uncosted += s.count;
    } else {
      e.pence += p * s.count;
      costed += s.count;
      totalPence += p * s.count;
    }
    channels.set(s.channel, e);
    stepCosts.push({
      step: i + 1,
      contacts: s.count,
      unitCost: p === null ? null : p / 100,
      cost: p === null ? null : (p * s.count) / 100,
      from: own !== null ? 'step' : p === null ? null : 'table',
    });
  }
  const byChannel = [...channels.values()]
    .sort((a, b) => b.contacts - a.contacts || a.channel.localeCompare(b.channel))
    .map((c) => ({
      channel: c.channel,
      contacts: c.contacts,
      cost: c.uncosted ? null : c.pence / 100,
      unitCost: c.unit === null ? null : c.unit / 100,
    }));
  const assessments = repeated(
    j.steps.filter((s) => s.assessment).map((s) => ({ name: s.assessment!, times: 1, agency: s.agency })),
  );
  const data = repeated(
    j.steps.flatMap((s) => s.dataItems.map((d) => ({ name: d, times: s.count, agency: s.agency }))),
  );
  const waits = j.steps.filter((s) => s.waitDays !== null);
  return JourneyMeasuresSchema.parse({
    version: JOURNEY_MEASURES_VERSION,
    journey: j.name,
    title: j.title,
    stage: j.stage,
    unitCosts: unitCosts?.name ?? null,
    steps: j.steps.length,
    reconstructedSteps: j.steps.filter((s) => s.reconstructed).length,
    agencies: distinct(j.steps.map((s) => s.agency)),
    services: distinct(j.steps.map((s) => s.service)),
    forms: distinct(j.steps.map((s) => s.form)),
    contacts: {
      total: byChannel.reduce((t, c) => t + c.contacts, 0),
      byChannel,
      outsideVocabulary: byChannel.map((c) => c.channel).filter((c) => !VOCABULARY.has(c)),
    },
    repeatedAssessments: assessments.repeated,
    assessments: {
      made: assessments.totals.asked,
      distinct: assessments.totals.distinct,
      repeats: assessments.totals.repeats,
    },
    repeatedDataItems: data.repeated,
    dataItems: data.totals,
    wait: {
      totalDays: waits.reduce((t, s) => t + s.waitDays!, 0),
      stepsWithWait: waits.length,
    },
    cost: {
      total: totalPence / 100,
      costedContacts: costed,
      uncostedContacts: uncosted,
      uncostedChannels: [...channels.values()].filter((c) => c.uncosted).map((c) => c.channel),
      complete: uncosted === 0,
    },
    stepCosts,
    feelings: j.steps.flatMap((s, i) => (s.feeling ? [{ step: i + 1, agency: s.agency, feeling: s.feeling }] : [])),
  });
}

export const JOURNEY_COMPARISON_VERSION = 1 as const;

export const JourneyComparisonSchema = z.object({
  version: z.literal(JOURNEY_COMPARISON_VERSION),
  before: JourneyMeasuresSchema,
  after: JourneyMeasuresSchema,
  contactsSaved: z.number(),
  /** pounds: the before's cost less the after's (each over its costed contacts) */
  costSaved: z.number(),
  /** false when either journey has contacts without a cost, so the saving is not the whole of it */
  costComplete: z.boolean(),
  /** forms the before asks for that the after does not */
  formsRemoved: z.array(z.string()),
  formsAdded: z.array(z.string()),
  agenciesRemoved: z.array(z.string()),
  stepsSaved: z.number(),
  /** data items asked again, before less after */
  dataRepeatsSaved: z.number(),
  assessmentRepeatsSaved: z.number(),
  waitDaysSaved: z.number(),
  byChannel: z.array(z.object({ channel: z.string(), before: z.number(), after: z.number(), change: z.number() })),
});
export type JourneyComparison = z.infer<typeof JourneyComparisonSchema>;

const minus = (a: { name: string }[], b: { name: string }[]) =>
  a.filter((x) => !b.some((y) => sameName(y.name) === sameName(x.name))).map((x) => x.name);

/** A journey before and after a redesign: what the redesign saves. */
export function compareJourneys(before: JourneyMeasures, after: JourneyMeasures): JourneyComparison {
  const channels = [...new Set([...before.contacts.byChannel, ...after.contacts.byChannel].map((c) => c.channel))].map(
    (channel) => {
      const b = before.contacts.byChannel.find((c) => c.channel === channel)?.contacts ?? 0;
      const a = after.contacts.byChannel.find((c) => c.channel === channel)?.contacts ?? 0;
      return { channel, before: b, after: a, change: a - b };
    },
  );
  return JourneyComparisonSchema.parse({
    version: JOURNEY_COMPARISON_VERSION,
    before,
    after,
    contactsSaved: before.contacts.total - after.contacts.total,
    costSaved: (Math.round(before.cost.total * 100) - Math.round(after.cost.total * 100)) / 100,
    costComplete: before.cost.complete && after.cost.complete,
    formsRemoved: minus(before.forms, after.forms),
    formsAdded: minus(after.forms, before.forms),
    agenciesRemoved: minus(before.agencies, after.agencies),
    stepsSaved: before.steps - after.steps,
    dataRepeatsSaved: before.dataItems.repeats - after.dataItems.repeats,
    assessmentRepeatsSaved: before.assessments.repeats - after.assessments.repeats,
    waitDaysSaved: before.wait.totalDays - after.wait.totalDays,
    byChannel: channels,
  });
}
