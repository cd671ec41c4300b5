/**
 * Changing a journey a step at a time, as the portal's forms do (issue 14 point 5: "entered in the
 * portal"): the journey's own fields, and adding, changing, moving and deleting a step. Each change
 * is a pure function from one valid journey to another, checked against the format (schema.ts).
 *
 * The fields come as a form sends them, as text; they are read with the template's rules (read.ts):
 * a cost is pounds and whole pence, a count a whole number of 1 or more, a wait days of 0 or more,
 * data items separated by semicolons or lines, a channel in the vocabulary or the council's own.
 * Every problem is found before anything is refused, each named by its field, with what to do.
 */
import { ParameterError } from '../core/index.ts';
import { channelName } from '../channels/index.ts';
import {
  JOURNEY_FORMAT_VERSION,
  JOURNEY_NAME,
  JourneySchema,
  JourneyStepSchema,
  type Journey,
  type JourneyStep,
} from './schema.ts';

/** One field's problem, by the form field's name. */
export interface FieldProblem {
  field: string;
  message: string;
}

/** The step's fields as a form has them (all text). */
export interface StepFields {
  agency: string;
  service: string;
  channel: string;
  form: string;
  assessment: string;
  dataItems: string;
  waitDays: string;
  cost: string;
  count: string;
  feeling: string;
  note: string;
  reconstructed: boolean;
}

/** The journey's own fields as a form has them. */
export interface JourneyFields {
  name: string;
  title: string;
  customer: string;
  council: string;
  segment: string;
  stage: string;
  compareWith: string;
  unitCosts: string;
  source: string;
  reconstruction: string;
}

const LONG = 2000;
const SHORT = 200;

const str = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? str(v[0]) : '');

/** A form's body as step fields (anything missing is blank). */
export function stepFieldsFrom(body: Record<string, unknown>): StepFields {
  return {
    agency: str(body.agency),
    service: str(body.service),
    channel: str(body.channel) === 'other' ? str(body.otherChannel) : str(body.channel),
    form: str(body.form),
    assessment: str(body.assessment),
    dataItems: str(body.dataItems),
    waitDays: str(body.waitDays),
    cost: str(body.cost),
    count: str(body.count),
    feeling: str(body.feeling),
    note: str(body.note),
    reconstructed: ['yes', 'true', 'on'].includes(str(body.reconstructed).toLowerCase()),
  };
}

/** A step as a form shows it. */
export function stepFieldsOf(s: JourneyStep): StepFields {
  return {
    agency: s.agency,
    service: s.service,
    channel: s.channel ?? '',
    form: s.form ?? '',
    assessment: s.assessment ?? '',
    dataItems: s.dataItems.join('; '),
    waitDays: s.waitDays === null ? '' : String(s.waitDays),
    cost: s.cost === null ? '' : s.cost.toFixed(2),
    count: String(s.count),
    feeling: s.feeling ?? '',
    note: s.note ?? '',
    reconstructed: s.reconstructed,
  };
}

/** A form's body as the journey's own fields. */
export function journeyFieldsFrom(body: Record<string, unknown>): JourneyFields {
  return {
    name: str(body.name),
    title: str(body.title),
    customer: str(body.customer),
    council: str(body.council),
    segment: str(body.segment),
    stage: str(body.stage),
    compareWith: str(body.compareWith),
    unitCosts: str(body.unitCosts),
    source: str(body.source),
    reconstruction: str(body.reconstruction),
  };
}

export function journeyFieldsOf(j: Journey): JourneyFields {
  return {
    name: j.name,
    title: j.title,
    customer: j.customer ?? '',
    council: j.council ?? '',
    segment: j.segment ?? '',
    stage: j.stage ?? '',
    compareWith: j.compareWith ?? '',
    unitCosts: j.unitCosts ?? '',
    source: j.source ?? '',
    reconstruction: j.reconstruction ?? '',
  };
}

const orNull = (s: string) => (s.trim() ? s.trim() : null);

function tooLong(problems: FieldProblem[], field: string, label: string, v: string, max: number) {
  if (v.trim().length > max)
    problems.push({ field, message: `${label} must be ${max.toLocaleString('en-GB')} characters or fewer` });
}

/** Reads a step's fields: the step, or every problem with it. */
export function readStepFields(f: StepFields): { step: JourneyStep; problems: [] } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (!f.agency.trim())
    problems.push({
      field: 'agency',
      message: 'Enter who the customer deals with at this step, for example Waste services',
    });
  if (!f.service.trim())
    problems.push({
      field: 'service',
      message: 'Enter the service the step is about, for example Missed bin collection',
    });
  for (const [field, label, max] of [
    ['agency', 'Who the customer deals with', SHORT],
    ['service', 'The service', SHORT],
    ['channel', 'The channel', SHORT],
    ['form', 'The form', SHORT],
    ['assessment', 'The assessment', SHORT],
    ['dataItems', 'The data items', LONG],
    ['feeling', 'How the customer felt', LONG],
    ['note', 'The note', LONG],
  ] as const)
    tooLong(problems, field, label, f[field], max);
  const number = (v: string) => Number(v.trim().replace(/^£/, '').replace(/,/g, ''));
  let waitDays: number | null = null;
  if (f.waitDays.trim()) {
    const n = number(f.waitDays);
    if (!Number.isFinite(n) || n < 0)
      problems.push({
        field: 'waitDays',
        message: 'Enter the wait as a number of days, for example 7, or leave it blank',
      });
    else waitDays = n;
  }
  let cost: number | null = null;
  if (f.cost.trim()) {
    const n = number(f.cost);
    if (!Number.isFinite(n) || n < 0 || Math.abs(n * 100 - Math.round(n * 100)) > 1e-6)
      problems.push({
        field: 'cost',
        message: 'Enter the cost in pounds and pence, for example 1.44, or leave it blank to use the unit costs',
      });
    else cost = Math.round(n * 100) / 100;
  }
  let count = 1;
  if (f.count.trim()) {
    const n = number(f.count);
    if (!Number.isInteger(n) || n < 1 || n > 100_000)
      problems.push({
        field: 'count',
        message: 'Enter how many contacts the step stands for as a whole number from 1, for example 15',
      });
    else count = n;
  }
  if (problems.length) return { problems };
  const r = JourneyStepSchema.safeParse({
    agency: f.agency.trim(),
    service: f.service.trim(),
    channel: f.channel.trim() ? channelName(f.channel) : null,
    form: orNull(f.form),
    assessment: orNull(f.assessment),
    dataItems: f.dataItems
      .split(/[;\r\n]/)
      .map((s) => s.trim())
      .filter(Boolean),
    waitDays,
    cost,
    count,
    feeling: orNull(f.feeling),
    note: orNull(f.note),
    reconstructed: f.reconstructed,
  });
  if (!r.success)
    return { problems: r.error.issues.map((i) => ({ field: String(i.path[0] ?? 'agency'), message: i.message })) };
  return { step: r.data, problems: [] };
}

/** The journey's own fields checked; `steps` are the steps it has (a new journey: its first). */
export function readJourneyFields(
  f: JourneyFields,
  steps: JourneyStep[],
  opts: { unitCostSets: readonly string[]; reserved?: readonly string[] },
): { journey: Journey; problems: [] } | { problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  const name = f.name.trim().toLowerCase();
  if (!name)
    problems.push({ field: 'name', message: 'Enter a short name for the journey, for example missed-bin-before' });
  else if (!JOURNEY_NAME.test(name))
    problems.push({
      field: 'name',
      message:
        'The short name must be lower-case letters, digits and hyphens, starting with a letter or digit, up to 63 characters, for example missed-bin-before',
    });
  else if (opts.reserved?.includes(name))
    problems.push({
      field: 'name',
      message: `"${name}" is a word the portal uses in its addresses: choose another name`,
    });
  if (!f.title.trim())
    problems.push({ field: 'title', message: 'Enter a title, for example Reporting a missed bin (before)' });
  for (const [field, label, max] of [
    ['title', 'The title', SHORT],
    ['customer', 'Whose journey it is', SHORT],
    ['council', 'The council', SHORT],
    ['segment', 'The segment', SHORT],
    ['source', 'Where it comes from', LONG],
    ['reconstruction', 'What was worked out', LONG],
  ] as const)
    tooLong(problems, field, label, f[field], max);
  const stage = f.stage.trim().toLowerCase();
  if (stage && stage !== 'before' && stage !== 'after')
    problems.push({ field: 'stage', message: 'Choose before, after or neither' });
  const compare = f.compareWith.trim().toLowerCase();
  if (compare && !JOURNEY_NAME.test(compare))
    problems.push({
      field: 'compareWith',
      message: 'Enter the short name of the other journey of the pair, for example missed-bin-after, or leave it blank',
    });
  else if (compare && compare === name)
    problems.push({
      field: 'compareWith',
      message: 'A journey cannot be compared with itself: name the other journey',
    });
  const unitCosts = f.unitCosts.trim();
  if (unitCosts && !opts.unitCostSets.includes(unitCosts))
    problems.push({ field: 'unitCosts', message: 'Choose one of the published unit costs, or none' });
  if (problems.length) return { problems };
  const r = JourneySchema.safeParse({
    version: JOURNEY_FORMAT_VERSION,
    name,
    title: f.title.trim(),
    customer: orNull(f.customer),
    council: orNull(f.council),
    segment: orNull(f.segment),
    stage: stage || null,
    compareWith: compare || null,
    unitCosts: unitCosts || null,
    source: orNull(f.source),
    reconstruction: orNull(f.reconstruction),
    steps,
  });
  if (!r.success)
    return { problems: r.error.issues.map((i) => ({ field: String(i.path[0] ?? 'title'), message: i.message })) };
  return { journey: r.data, problems: [] };
}

const checked = (j: Journey): Journey => JourneySchema.parse(j);

function stepIndex(j: Journey, n: number): number {
  if (!Number.isInteger(n) || n < 1 || n > j.steps.length)
    throw new ParameterError(
      `${j.title} has no step ${n}.`,
      `Its steps are numbered 1 to ${j.steps.length}: go back to the journey and choose one.`,
    );
  return n - 1;
}

/** The journey with a step added at the end (or before step `before`, numbered from 1). */
export function addStep(j: Journey, step: JourneyStep, before?: number): Journey {
  const steps = [...j.steps];
  const at = before === undefined ? steps.length : stepIndex(j, before);
  steps.splice(at, 0, step);
  return checked({ ...j, steps });
}

/** The journey with step n (from 1) changed. */
export function replaceStep(j: Journey, n: number, step: JourneyStep): Journey {
  const i = stepIndex(j, n);
  return checked({ ...j, steps: j.steps.map((s, k) => (k === i ? step : s)) });
}

/** The journey with step n (from 1) moved one place up (earlier) or down (later); at an end it stays. */
export function moveStep(j: Journey, n: number, direction: 'up' | 'down'): Journey {
  const i = stepIndex(j, n);
  const to = direction === 'up' ? i - 1 : i + 1;
  if (to < 0 || to >= j.steps.length) return j;
  const steps = [...j.steps];
  [steps[i], steps[to]] = [steps[to], steps[i]];
  return checked({ ...j, steps });
}

/** The journey without step n (from 1). A journey keeps at least one step: delete the journey instead. */
export function removeStep(j: Journey, n: number): Journey {
  const i = stepIndex(j, n);
  if (j.steps.length === 1)
    throw new ParameterError(
      `Step ${n} is the only step of ${j.title}, and a journey has at least one step.`,
      'Change the step instead, or delete the whole journey.',
    );
  return checked({ ...j, steps: j.steps.filter((_, k) => k !== i) });
}
