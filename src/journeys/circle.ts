/**
 * The Circle of Need (Chorley Borough Council, 2007; used by Greater Manchester for "families with
 * low incomes and young children"): for one segment of customers, its needs (economic security,
 * housing, education …), the services that meet each need, and who provides them. Read from a CSV
 * (or XLSX) of one row per need, service and provider; shown as a table and drawn as a circle.
 *
 * Linked to the Service Delivery Framework when one is at hand: a service that names the dataset
 * holding its customers lists the segments whose take-up of it is high (index at or above a
 * threshold, 110 unless said), and each need lists the segments that use any of its services.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { InputError, ObservatoryError } from '../core/index.ts';
import { datasetExists, readSourceTable } from '../intake/index.ts';
import { serviceDeliveryFramework, type SdfOptions, type SdfResult } from '../profiling/index.ts';
import type { Engine } from '../store/index.ts';
import { JourneyFileError, type JourneyProblem } from './read.ts';
import { JOURNEY_NAME, nameFrom } from './schema.ts';
import { sameName } from './measure.ts';

export const NEED_CIRCLE_VERSION = 1 as const;

export const NeedCircleSchema = z.object({
  version: z.literal(NEED_CIRCLE_VERSION),
  name: z.string().regex(JOURNEY_NAME),
  /** the segment (customer profile) the circle is drawn for */
  segment: z.string(),
  source: z.string().nullable(),
  needs: z.array(
    z.object({
      need: z.string(),
      services: z.array(
        z.object({
          service: z.string(),
          providers: z.array(z.string()),
          /** the dataset of the service's customers in the workspace, for the link to the SDF */
          dataset: z.string().nullable(),
          note: z.string().nullable(),
        }),
      ),
    }),
  ),
});
export type NeedCircle = z.infer<typeof NeedCircleSchema>;

export const CIRCLE_COLUMNS = ['segment', 'need', 'service', 'provider', 'dataset', 'note'] as const;

/** Whether a header is a circle of need's (it has need, service and provider columns). */
export function isCircleHeader(header: readonly string[]): boolean {
  const h = header.map((x) => x.trim().toLowerCase());
  return ['need', 'service', 'provider'].every((c) => h.includes(c));
}

/** A circle of need from a CSV or XLSX file: segment, need, service, provider (several: separated by semicolons), dataset, note. */
export async function readCircleFile(
  file: string,
  opts: { name?: string; segment?: string; source?: string } = {},
): Promise<NeedCircle> {
  const table = await readSourceTable(file);
  const shown = basename(file);
  const problems: JourneyProblem[] = [];
  const header = table.header.map((h) => h.trim().toLowerCase());
  header.forEach((h, i) => {
    if (!(CIRCLE_COLUMNS as readonly string[]).includes(h))
      problems.push({
        row: 1,
        column: table.header[i],
        message: `"${table.header[i]}" is not a column of a circle of need (${CIRCLE_COLUMNS.join(', ')}).`,
      });
  });
  for (const need of ['need', 'service', 'provider'])
    if (!header.includes(need)) problems.push({ row: 1, column: need, message: `The file has no "${need}" column.` });
  if (problems.length) throw new JourneyFileError(file, problems);
  const col = (c: string) => header.indexOf(c);
  let segment = opts.segment?.trim() || null;
  const needs: NeedCircle['needs'] = [];
  for (const r of table.rows) {
    const v = (c: string) => (col(c) >= 0 ? (r.values[col(c)] ?? '').trim() : '');
    if (r.values.every((x) => !x || !x.trim())) continue;
    for (const c of ['need', 'service', 'provider'])
      if (!v(c)) problems.push({ row: r.rowNo, column: c, message: `The ${c} is blank.` });
    const seg = v('segment');
    if (seg && !opts.segment) {
      if (segment && sameName(segment) !== sameName(seg))
        problems.push({
          row: r.rowNo,
          column: 'segment',
          message: `A circle of need is for one segment: this row says "${seg}", an earlier one "${segment}".`,
        });
      segment ??= seg;
    }
    if (!v('need') || !v('service') || !v('provider')) continue;
    let need = needs.find((n) => sameName(n.need) === sameName(v('need')));
    if (!need) needs.push((need = { need: v('need'), services: [] }));
    let service = need.services.find((s) => sameName(s.service) === sameName(v('service')));
    if (!service) need.services.push((service = { service: v('service'), providers: [], dataset: null, note: null }));
    for (const p of v('provider')
      .split(';')
      .map((x) => x.trim()))
      if (p && !service.providers.some((q) => sameName(q) === sameName(p))) service.providers.push(p);
    if (v('dataset')) {
      if (service.dataset && service.dataset !== v('dataset'))
        problems.push({
          row: r.rowNo,
          column: 'dataset',
          message: `${service.service} already names the dataset ${service.dataset}.`,
        });
      service.dataset ??= v('dataset');
    }
    if (v('note')) service.note = service.note ? `${service.note} ${v('note')}` : v('note');
  }
  if (!segment)
    problems.push({
      column: 'segment',
      message: 'The circle of need does not say which segment it is for.',
    });
  if (problems.length) throw new JourneyFileError(file, problems);
  if (!needs.length)
    throw new InputError('The file has no needs in it.', {
      location: { file: shown },
      fix: 'Add a row for each need, service and provider.',
    });
  return NeedCircleSchema.parse({
    version: NEED_CIRCLE_VERSION,
    name: opts.name ?? nameFrom(shown.replace(/\.[^.]+$/, '')),
    segment,
    source: opts.source ?? null,
    needs,
  });
}

export const CIRCLE_RESULT_VERSION = 1 as const;

const UsedBy = z.object({
  code: z.string(),
  name: z.string().nullable(),
  index: z.number(),
  band: z.string().nullable(),
});

export const CircleResultSchema = z.object({
  version: z.literal(CIRCLE_RESULT_VERSION),
  name: z.string(),
  segment: z.string(),
  source: z.string().nullable(),
  needs: z.array(
    z.object({
      need: z.string(),
      services: z.array(
        z.object({
          service: z.string(),
          providers: z.array(z.string()),
          dataset: z.string().nullable(),
          note: z.string().nullable(),
          /** segments whose take-up of the service is high in the SDF, highest first; null: not linked */
          usedBy: z.array(UsedBy).nullable(),
        }),
      ),
      providers: z.array(z.string()),
      /** segments with high take-up of any of the need's services, and of how many; null: none linked */
      usedBy: z.array(z.object({ code: z.string(), name: z.string().nullable(), services: z.number() })).nullable(),
    }),
  ),
  /** each provider with the services it provides and the needs they meet */
  providers: z.array(z.object({ provider: z.string(), services: z.array(z.string()), needs: z.array(z.string()) })),
  counts: z.object({ needs: z.number(), services: z.number(), providers: z.number() }),
  /** the SDF the circle was linked to; null when none */
  sdf: z
    .object({
      classification: z.string(),
      level: z.string(),
      minIndex: z.number(),
      /** datasets the circle names that the SDF does not have */
      missing: z.array(z.string()),
    })
    .nullable(),
});
export type CircleResult = z.infer<typeof CircleResultSchema>;

export const DEFAULT_HIGH_INDEX = 110;

/** A circle of need as a table, with each service's segments from the SDF when one is given. */
export function circleOfNeed(
  circle: NeedCircle,
  sdf: SdfResult | null = null,
  minIndex = DEFAULT_HIGH_INDEX,
): CircleResult {
  const missing = new Set<string>();
  const usedByService = (dataset: string | null) => {
    if (!sdf || !dataset) return null;
    const col = sdf.services.find((s) => s.key === dataset) ?? sdf.services.find((s) => s.dataset === dataset);
    if (!col) {
      missing.add(dataset);
      return null;
    }
    return sdf.segments
      .map((seg, i) => ({ seg, cell: col.cells[i] }))
      .filter(({ cell }) => !cell.suppressed && cell.index !== null && cell.index >= minIndex)
      .sort((a, b) => b.cell.index! - a.cell.index!)
      .map(({ seg, cell }) => ({ code: seg.code, name: seg.name, index: cell.index!, band: cell.band }));
  };
  const providers = new Map<string, { provider: string; services: string[]; needs: string[] }>();
  const needs = circle.needs.map((n) => {
    const services = n.services.map((s) => ({ ...s, usedBy: usedByService(s.dataset) }));
    for (const s of services)
      for (const p of s.providers) {
        const e = providers.get(sameName(p)) ?? { provider: p, services: [], needs: [] };
        if (!e.services.includes(s.service)) e.services.push(s.service);
        if (!e.needs.includes(n.need)) e.needs.push(n.need);
        providers.set(sameName(p), e);
      }
    const linked = services.filter((s) => s.usedBy !== null);
    const bySegment = new Map<string, { code: string; name: string | null; services: number }>();
    for (const s of linked)
      for (const u of s.usedBy!) {
        const e = bySegment.get(u.code) ?? { code: u.code, name: u.name, services: 0 };
        e.services++;
        bySegment.set(u.code, e);
      }
    return {
      need: n.need,
      services,
      providers: [...new Set(services.flatMap((s) => s.providers))],
      usedBy: linked.length
        ? [...bySegment.values()].sort((a, b) => b.services - a.services || a.code.localeCompare(b.code))
        : null,
    };
  });
  const serviceNames = new Set(needs.flatMap((n) => n.services.map((s) => sameName(s.service))));
  return CircleResultSchema.parse({
    version: CIRCLE_RESULT_VERSION,
    name: circle.name,
    segment: circle.segment,
    source: circle.source,
    needs,
    providers: [...providers.values()],
    counts: { needs: needs.length, services: serviceNames.size, providers: providers.size },
    sdf: sdf ? { classification: sdf.classification, level: sdf.level, minIndex, missing: [...missing] } : null,
  });
}

/**
 * A circle of need linked to the workspace's Service Delivery Framework: the SDF of the datasets its
 * services name (those the workspace has), by a classification's tier, each profile disclosed by
 * `disclose` before it is used. With no dataset named, or no classification to profile by (when
 * none was asked for), the circle comes back unlinked.
 */
export async function circleOfNeedInWorkspace(
  engine: Engine,
  circle: NeedCircle,
  opts: {
    classification?: string;
    tier?: string;
    minIndex?: number;
    disclose?: SdfOptions['disclose'];
    /** the SDF itself, when the caller has one (the portal's cached, disclosed one) */
    sdf?: (datasets: string[]) => Promise<SdfResult>;
  } = {},
): Promise<CircleResult> {
  const named = [...new Set(circle.needs.flatMap((n) => n.services.map((s) => s.dataset).filter((d) => d !== null)))];
  const present: string[] = [];
  for (const d of named) if (await datasetExists(engine, d)) present.push(d);
  let sdf: SdfResult | null = null;
  if (present.length) {
    const run = () =>
      opts.sdf
        ? opts.sdf(present)
        : serviceDeliveryFramework(
            engine,
            { datasets: present, classification: opts.classification, tier: opts.tier },
            { disclose: opts.disclose },
          );
    try {
      sdf = await run();
    } catch (e) {
      // Asked for by name: say what is wrong. Otherwise a workspace without a classification has no SDF to link.
      if (opts.classification || !(e instanceof ObservatoryError)) throw e;
    }
  }
  const r = circleOfNeed(circle, sdf, opts.minIndex ?? DEFAULT_HIGH_INDEX);
  if (r.sdf) r.sdf.missing = [...new Set([...r.sdf.missing, ...named.filter((d) => !present.includes(d))])];
  return r;
}
