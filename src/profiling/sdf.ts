/**
 * The Service Delivery Framework (Kent & Medway's SDF, seed 001): for each segment and each
 * service, is take-up High, Above average, Average, Below average or Low relative to the whole
 * area? One column per dataset (each one a profile), one sheet per partner, and an "All partners"
 * sheet with every dataset side by side.
 *
 * The matrix is built from profiles. The caller passes `disclose` to apply disclosure control to
 * each profile before the matrix is built (outputs' discloseProfile), so that nothing the matrix
 * shows can reveal a suppressed count; the analysis itself knows nothing about viewers.
 */
import { z } from 'zod';
import { ParameterError, type BandDefinition } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { missingDataset } from '../intake/index.ts';
import { profileDataset } from './profile.ts';
import type { ProfileResult } from './result.ts';
import type { RagMeasure } from './rag.ts';

/**
 * Version 2: a column may be a dataset's filtered records (key, label, filter); sheets list columns.
 * Version 3: a column may count households or distinct customers instead of records (countOf).
 */
export const SDF_RESULT_VERSION = 3;
/** The sheet name for datasets that have no partner: the council's own services. */
export const COUNCIL_PARTNER = 'Council';
export const ALL_PARTNERS = 'All partners';

export const SdfCellSchema = z.object({
  /** records (or distinct customers) in the segment; null when suppressed */
  count: z.number().nullable(),
  penetration: z.number().nullable(),
  index: z.number().nullable(),
  band: z.string().nullable(),
  significant: z.boolean().nullable(),
  suppressed: z.boolean(),
});
export type SdfCell = z.infer<typeof SdfCellSchema>;

export const SdfServiceSchema = z.object({
  /** the column's name, unique in the result: the dataset's name, or the measure's label or filter when a dataset is shown more than once */
  key: z.string(),
  dataset: z.string(),
  title: z.string().nullable(),
  /** the name given to the measure (--labels); null when none was given */
  label: z.string().nullable(),
  /** the records counted, in words, when the column is filtered ("paid = Direct Debit"); null for every record */
  filter: z.string().nullable(),
  /** null: records are counted; "household": households (records at one property reference); else the column whose distinct values are */
  countOf: z.string().nullable(),
  partner: z.string(),
  /** one cell per segment, in the order of `segments` */
  cells: z.array(SdfCellSchema),
  total: z.object({ count: z.number().nullable(), penetration: z.number().nullable() }),
  /** records not in any segment (unmatched, rejected, no segment); null when hidden */
  unmatched: z.number().nullable(),
  disclosure: z
    .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
    .nullable(),
});
export type SdfService = z.infer<typeof SdfServiceSchema>;

export const SdfResultSchema = z.object({
  version: z.literal(SDF_RESULT_VERSION),
  classification: z.string(),
  level: z.string(),
  baseMeasure: z.enum(['households', 'population']),
  baseMethod: z.string(),
  /** the rows of the matrix: every segment with its base */
  segments: z.array(
    z.object({ code: z.string(), name: z.string().nullable(), base: z.number(), basePct: z.number().nullable() }),
  ),
  /** the columns: one per dataset, in the order asked for */
  services: z.array(SdfServiceSchema),
  /** one sheet per partner, then "All partners" with every column (left out when one partner was asked for); columns by key */
  sheets: z.array(z.object({ name: z.string(), columns: z.array(z.string()) })),
  bands: z.array(z.object({ name: z.string(), min: z.number().nullable() })),
  /** the threshold applied to every column; null when disclosure control was off */
  disclosure: z.object({ minCell: z.number() }).nullable(),
});
export type SdfResult = z.infer<typeof SdfResultSchema>;

export interface SdfRequest {
  /** datasets to include, in this order; every dataset in the workspace when omitted */
  datasets?: string[];
  /**
   * the columns instead, in this order: each a dataset, optionally only its records matching a
   * filter (an option, a period, a category), with a label; as RAG's measures
   */
  measures?: readonly RagMeasure[];
  /** only this partner's datasets (and its sheet); "Council" for datasets without a partner */
  partner?: string;
  classification?: string;
  tier?: string;
  base?: 'households' | 'population';
  bands?: readonly BandDefinition[];
  /** count households ("household") or distinct values of a column in every column, instead of records */
  distinct?: string;
}

export interface SdfOptions {
  /** applied to each profile before the matrix is built: disclosure control for anything shown */
  disclose?: (p: ProfileResult) => ProfileResult;
}

interface DatasetEntry {
  name: string;
  title: string | null;
  partner: string;
  /** a measure's filter and label, when the columns were given as measures */
  where?: RagMeasure['where'];
  label?: string;
}

const partnerOf = (p: string | null) => (p === null || p.trim() === '' ? COUNCIL_PARTNER : p.trim());
const samePartner = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/** Which columns go in (datasets, or measures of datasets), with their partners, checked against the workspace. */
export async function sdfDatasets(
  engine: Engine,
  req: Pick<SdfRequest, 'datasets' | 'measures' | 'partner'>,
): Promise<DatasetEntry[]> {
  if (req.datasets?.length && req.measures?.length)
    throw new ParameterError(
      'Give either the datasets or the measures, not both.',
      'A measure is a dataset with an optional filter, e.g. --measures "garden_waste,council_tax:payment_method=Direct Debit".',
    );
  const all = (
    await engine.all<{ name: string; title: string | null; partner: string | null }>(
      `SELECT name, title, partner FROM dataset ORDER BY name`,
    )
  ).map((d) => ({ name: d.name, title: d.title, partner: partnerOf(d.partner) }));
  // Datasets asked for by name are measures without a filter: one loop checks and orders both.
  const asked = req.measures?.length ? req.measures : req.datasets?.map((dataset) => ({ dataset }));
  let chosen: DatasetEntry[];
  if (asked?.length) {
    const seen = new Set<string>();
    chosen = [];
    for (const m of asked as readonly RagMeasure[]) {
      const d = all.find((x) => x.name === m.dataset);
      if (!d) throw await missingDataset(engine, m.dataset);
      const same = JSON.stringify([d.name, m.where ?? null, m.label ?? null]);
      if (!seen.has(same)) chosen.push(m.where || m.label ? { ...d, where: m.where, label: m.label } : d);
      seen.add(same);
    }
  } else chosen = all;
  if (req.partner !== undefined) {
    const partners = [...new Set(chosen.map((d) => d.partner))];
    chosen = chosen.filter((d) => samePartner(d.partner, req.partner!));
    if (!chosen.length) {
      const asked = req.datasets?.length || req.measures?.length;
      throw new ParameterError(
        `No dataset${asked ? ' of those asked for' : ''} belongs to the partner "${req.partner}".`,
        partners.length
          ? `Partners: ${partners.join(', ')} (datasets imported without --partner belong to "${COUNCIL_PARTNER}").`
          : 'Import a dataset first: civic dataset import WORKSPACE NAME FILE --partner NAME',
      );
    }
  }
  if (!chosen.length)
    throw new ParameterError(
      'The workspace has no datasets yet.',
      'Import one with: civic dataset import WORKSPACE NAME FILE [--partner NAME]',
    );
  return chosen;
}

/**
 * Each column's key: its label, else the dataset's name (with the filter when it has one), made
 * unique by a number when two columns would share one.
 */
export function sdfKeys(
  columns: readonly { dataset: string; label?: string | null; filter: string | null }[],
): string[] {
  const used = new Set<string>();
  return columns.map((c) => {
    const want = c.label?.trim() || (c.filter ? `${c.dataset} (${c.filter})` : c.dataset);
    let key = want;
    for (let k = 2; used.has(key.toLowerCase()); k++) key = `${want} (${k})`;
    used.add(key.toLowerCase());
    return key;
  });
}

/** The sheets: the council first, then each partner alphabetically, then "All partners". */
export function sdfSheets(
  services: readonly { key: string; partner: string }[],
  onePartner: boolean,
): { name: string; columns: string[] }[] {
  const partners = [...new Set(services.map((s) => s.partner))].sort((a, b) =>
    a === COUNCIL_PARTNER ? -1 : b === COUNCIL_PARTNER ? 1 : a.localeCompare(b, 'en'),
  );
  const sheets = partners.map((p) => ({
    name: p,
    columns: services.filter((s) => s.partner === p).map((s) => s.key),
  }));
  if (!onePartner) sheets.push({ name: ALL_PARTNERS, columns: services.map((s) => s.key) });
  return sheets;
}

/**
 * Builds the matrix from profiles that are already as they may be shown. Every profile must be of
 * the same classification, tier and base: they share the rows.
 */
export function buildSdf(
  profiles: readonly { profile: ProfileResult; title: string | null; partner: string; label?: string | null }[],
  onePartner = false,
): SdfResult {
  if (!profiles.length) throw new ParameterError('A Service Delivery Framework needs at least one dataset.');
  const first = profiles[0].profile;
  if (first.kind !== 'segment' || first.classification === null)
    throw new ParameterError('A Service Delivery Framework is by segment, not by area.');
  for (const { profile: p } of profiles) {
    if (p.classification !== first.classification || p.level !== first.level || p.baseMeasure !== first.baseMeasure) {
      throw new ParameterError(
        `The profile of ${p.dataset} is by ${p.classification} ${p.level}, not ${first.classification} ${first.level}.`,
      );
    }
  }
  const segments = first.rows.map((r) => ({ code: r.code, name: r.name, base: r.base, basePct: r.basePct }));
  const keys = sdfKeys(profiles.map((x) => ({ dataset: x.profile.dataset, label: x.label, filter: x.profile.filter })));
  const services: SdfService[] = profiles.map(({ profile: p, title, partner, label }, i) => {
    const byCode = new Map(p.rows.map((r) => [r.code, r]));
    return {
      key: keys[i],
      dataset: p.dataset,
      title,
      label: label?.trim() || null,
      filter: p.filter,
      countOf: p.countOf,
      partner,
      cells: segments.map((s): SdfCell => {
        const r = byCode.get(s.code);
        return r
          ? {
              count: r.count,
              penetration: r.penetration,
              index: r.index,
              band: r.band,
              significant: r.significant,
              suppressed: r.suppressed,
            }
          : { count: 0, penetration: null, index: null, band: null, significant: null, suppressed: false };
      }),
      total: { count: p.total.count, penetration: p.total.penetration },
      unmatched: p.unmatched,
      disclosure: p.disclosure,
    };
  });
  // Every column is disclosed with the same threshold (or none is); the strictest one is reported.
  const minCells = profiles.map((p) => p.profile.disclosure?.minCell ?? 0).filter((m) => m > 0);
  return {
    version: SDF_RESULT_VERSION,
    classification: first.classification,
    level: first.level,
    baseMeasure: first.baseMeasure,
    baseMethod: first.baseMethod,
    segments,
    services,
    sheets: sdfSheets(services, onePartner),
    bands: first.bands,
    disclosure: minCells.length ? { minCell: Math.max(...minCells) } : null,
  };
}

/** Profiles every dataset asked for and builds the Service Delivery Framework. */
export async function serviceDeliveryFramework(
  engine: Engine,
  req: SdfRequest,
  opts: SdfOptions = {},
): Promise<SdfResult> {
  const datasets = await sdfDatasets(engine, req);
  const disclose = opts.disclose ?? ((p: ProfileResult) => p);
  const profiles = [];
  for (const d of datasets) {
    const truth = await profileDataset(engine, {
      dataset: d.name,
      classification: req.classification,
      tier: req.tier,
      base: req.base,
      bands: req.bands,
      where: d.where,
      distinct: req.distinct,
    });
    profiles.push({ profile: disclose(truth), title: d.title, partner: d.partner, label: d.label });
  }
  return buildSdf(profiles, req.partner !== undefined);
}
