/**
 * C12 journeys: what a customer journey is (issue 14, point 5). A journey is an ordered list of
 * steps, each a moment when the customer deals with an agency about a service: by a channel of the
 * intake's vocabulary (phone, email, face to face …, or the council's own, such as internal email),
 * perhaps filling in a form or going through an assessment, giving data items, waiting, feeling
 * something. A step may stand for several contacts ("15 calls"). A step with no channel is an event
 * on the way (a councillor written to, the bin collected), not a contact with a service.
 *
 * The format is plain JSON, validated here, with a spreadsheet template (read.ts) that says the
 * same thing one row per step. Money is pounds with pence in files, worked in whole pence.
 */
import { z } from 'zod';

/** The version of the journey file format: a file says it, and one written by a later release is refused. */
export const JOURNEY_FORMAT_VERSION = 1 as const;

const text = z.string().trim().min(1);
const optionalText = z
  .string()
  .trim()
  .nullish()
  .transform((v) => (v ? v : null));

export const JourneyStepSchema = z.strictObject({
  /** who the customer deals with: an organisation, or a department of one */
  agency: text,
  /** the service this step is about */
  service: text,
  /** how: a channel of the vocabulary, or the council's own; null for an event that is not a contact */
  channel: optionalText,
  /** the application form filled in at this step, by its name */
  form: optionalText,
  /** the assessment made at this step (a means test, an identity check …), by its name */
  assessment: optionalText,
  /** the data items the customer is asked for at this step */
  dataItems: z.array(text).default([]),
  /** days the customer waits after this step, before the next */
  waitDays: z
    .number()
    .nonnegative()
    .nullish()
    .transform((v) => v ?? null),
  /** pounds per contact of this step; null: the unit-cost table's cost for the channel */
  cost: z
    .number()
    .nonnegative()
    .refine((v) => Math.abs(v * 100 - Math.round(v * 100)) < 1e-6, 'a cost is pounds and whole pence')
    .nullish()
    .transform((v) => v ?? null),
  /** how many contacts the step stands for ("15 calls"); 1 unless said */
  count: z.number().int().positive().default(1),
  /** how the customer felt at this point, in their words where there are any */
  feeling: optionalText,
  note: optionalText,
  /** true: the step is not in the source as such, but worked out to fit what the source gives (say how in the note) */
  reconstructed: z.boolean().default(false),
});
export type JourneyStep = z.infer<typeof JourneyStepSchema>;
export type JourneyStepInput = z.input<typeof JourneyStepSchema>;

export const JOURNEY_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

export const JourneySchema = z.strictObject({
  version: z.literal(JOURNEY_FORMAT_VERSION),
  /** a short name for the command line and web addresses: lower case letters, digits and hyphens */
  name: z.string().regex(JOURNEY_NAME, 'a name is lower-case letters, digits and hyphens, e.g. kay-before'),
  title: text,
  /** whose journey: a persona ("Kay"), a household, a segment */
  customer: optionalText,
  /** the council or partnership the journey is mapped in */
  council: optionalText,
  /** the segment the customer belongs to, by name or code, if one was used */
  segment: optionalText,
  /** before (as it is) or after (as redesigned); null when neither */
  stage: z
    .enum(['before', 'after'])
    .nullish()
    .transform((v) => v ?? null),
  /** the journey this one is compared with (the other of a before/after pair), by name */
  compareWith: z
    .string()
    .regex(JOURNEY_NAME)
    .nullish()
    .transform((v) => v ?? null),
  /** the unit costs the steps without a cost of their own are costed at: a published set, by name; null: none */
  unitCosts: optionalText,
  /** where the journey comes from */
  source: optionalText,
  /** what was worked out rather than given by the source, in words */
  reconstruction: optionalText,
  steps: z.array(JourneyStepSchema).min(1, 'a journey has at least one step'),
});
export type Journey = z.infer<typeof JourneySchema>;
export type JourneyInput = z.input<typeof JourneySchema>;

/** A journey as a list shows it. */
export const JourneySummarySchema = z.object({
  name: z.string(),
  title: z.string(),
  customer: z.string().nullable(),
  council: z.string().nullable(),
  stage: z.enum(['before', 'after']).nullable(),
  compareWith: z.string().nullable(),
  steps: z.number(),
  source: z.string().nullable(),
  importedFrom: z.string().nullable(),
  importedAt: z.string().nullable(),
});
export type JourneySummary = z.infer<typeof JourneySummarySchema>;

export function summarise(j: Journey, importedFrom: string | null = null, importedAt: string | null = null) {
  return JourneySummarySchema.parse({
    name: j.name,
    title: j.title,
    customer: j.customer,
    council: j.council,
    stage: j.stage,
    compareWith: j.compareWith,
    steps: j.steps.length,
    source: j.source,
    importedFrom,
    importedAt,
  });
}

/** A name from a title or a file name: "Kay (before)" → "kay-before". */
export function nameFrom(s: string): string {
  const n = s
    .toLowerCase()
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/&/g, ' and ')
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
    .replace(/-+$/, '');
  return n || 'journey';
}
