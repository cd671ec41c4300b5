/**
 * The RAG synopsis (Canterbury's Marlowe Theatre, seed 001): two measures side by side per
 * segment — theatre attendance and Friends membership, say — each as an index coloured Red, Amber
 * or Green, for the whole workspace and, when an area is given, for that area alone (records and
 * base both restricted to it). One page that shows where a service is strong and where it is not.
 *
 * Each column is a profile. The caller passes `disclose` to apply disclosure control to each one
 * before the synopsis is built (outputs' discloseProfile).
 */
import type { RecordFilter } from './specs.ts';
import { z } from 'zod';
import { ParameterError, type BandDefinition } from '../core/index.ts';
import { type Engine, sqlAnyValue } from '../store/index.ts';
import { parseLevel, AREA_LEVELS } from '../geo/index.ts';
import { profileDataset } from './profile.ts';
import type { ProfileResult } from './result.ts';
import { DEFAULT_RAG_THRESHOLDS, type RagThresholds } from './constants.ts';

export const RAG_RESULT_VERSION = 1;

export const RAG_COLOURS = ['Green', 'Amber', 'Red'] as const;
export type RagColour = (typeof RAG_COLOURS)[number];

export { DEFAULT_RAG_THRESHOLDS, type RagThresholds };

/** RAG for an index, applied to the index as shown (rounded to a whole number), as bands are. */
export function ragOf(index: number | null, t: RagThresholds = DEFAULT_RAG_THRESHOLDS): RagColour | null {
  if (index === null || Number.isNaN(index)) return null;
  const shown = Math.round(index);
  return shown >= t.green ? 'Green' : shown >= t.red ? 'Amber' : 'Red';
}

export function checkThresholds(t: RagThresholds): void {
  if (!Number.isFinite(t.green) || !Number.isFinite(t.red))
    throw new ParameterError('The RAG thresholds must be numbers.', 'For example --green 110 --red 90.');
  if (!(t.red < t.green))
    throw new ParameterError(
      `The Red threshold (${t.red}) must be below the Green threshold (${t.green}).`,
      'For example --green 110 --red 90.',
    );
}

export const RagCellSchema = z.object({
  index: z.number().nullable(),
  rag: z.enum(RAG_COLOURS).nullable(),
  count: z.number().nullable(),
  penetration: z.number().nullable(),
  significant: z.boolean().nullable(),
  suppressed: z.boolean(),
});
export type RagCell = z.infer<typeof RagCellSchema>;

const DisclosureSchema = z
  .object({ minCell: z.number(), primary: z.number(), secondary: z.number(), perturbed: z.boolean() })
  .nullable();

export const RagColumnSchema = z.object({
  /** "A", "B", ...: the measure this column belongs to */
  measure: z.string(),
  label: z.string(),
  dataset: z.string(),
  filter: z.string().nullable(),
  /** the area alone, or the whole workspace */
  scope: z.enum(['local', 'whole']),
  total: z.object({ count: z.number().nullable(), base: z.number(), penetration: z.number().nullable() }),
  unmatched: z.number().nullable(),
  baseMethod: z.string(),
  disclosure: DisclosureSchema,
});
export type RagColumn = z.infer<typeof RagColumnSchema>;

export const RagResultSchema = z.object({
  version: z.literal(RAG_RESULT_VERSION),
  classification: z.string(),
  level: z.string(),
  baseMeasure: z.enum(['households', 'population']),
  thresholds: z.object({ green: z.number(), red: z.number() }),
  area: z.object({ level: z.string(), code: z.string(), name: z.string().nullable() }).nullable(),
  /** per measure: the local column (when there is an area), then the whole */
  columns: z.array(RagColumnSchema),
  rows: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      /** the segment's base in the whole workspace */
      base: z.number(),
      /** the segment's base inside the area; null without an area */
      localBase: z.number().nullable(),
      /** one per column, in the order of `columns` */
      cells: z.array(RagCellSchema),
    }),
  ),
  disclosure: z.object({ minCell: z.number() }).nullable(),
});
export type RagResult = z.infer<typeof RagResultSchema>;

export interface RagMeasure {
  dataset: string;
  /** only records with one of these values, as profile's --where */
  where?: RecordFilter;
  /** how the measure is called on the page, e.g. "Attendance"; the dataset name by default */
  label?: string;
}

export interface RagRequest {
  measures: RagMeasure[];
  /** the local area, e.g. { level: 'ward', code: 'E05000001' } */
  area?: { level: string; code: string };
  classification?: string;
  tier?: string;
  base?: 'households' | 'population';
  thresholds?: RagThresholds;
  bands?: readonly BandDefinition[];
}

export interface RagOptions {
  /** applied to each column's profile before the synopsis is built: disclosure control for anything shown */
  disclose?: (p: ProfileResult) => ProfileResult;
}

/** Reads "ward:E05000001" (or "lad=E06000001"). */
export function parseArea(spec: string): { level: string; code: string } {
  const m = /^\s*([a-z0-9_ -]+?)\s*[:=]\s*(\S.*?)\s*$/i.exec(spec);
  if (!m || !parseLevel(m[1])) {
    throw new ParameterError(
      `Cannot read the area "${spec}".`,
      `Write it as LEVEL:CODE, e.g. ward:E05000001 or lad:E06000001. Levels: ${AREA_LEVELS.join(', ')} (or oa, lsoa, msoa).`,
    );
  }
  return { level: parseLevel(m[1])!, code: m[2] };
}

const measureKey = (i: number) => String.fromCharCode(65 + i);

/**
 * Builds the synopsis from column profiles that are already as they may be shown: for each
 * measure, its local profile (or null) and its whole-workspace profile.
 */
export function buildRag(
  measures: readonly { label: string; local: ProfileResult | null; whole: ProfileResult }[],
  thresholds: RagThresholds,
  area: { level: string; code: string; name: string | null } | null,
): RagResult {
  if (!measures.length) throw new ParameterError('A RAG synopsis needs at least one measure.');
  checkThresholds(thresholds);
  const first = measures[0].whole;
  if (first.kind !== 'segment' || first.classification === null)
    throw new ParameterError('A RAG synopsis is by segment, not by area.');
  const profiles: { key: string; label: string; scope: 'local' | 'whole'; p: ProfileResult }[] = [];
  measures.forEach((m, i) => {
    if (m.local) profiles.push({ key: measureKey(i), label: m.label, scope: 'local', p: m.local });
    profiles.push({ key: measureKey(i), label: m.label, scope: 'whole', p: m.whole });
  });
  for (const { p } of profiles) {
    if (p.classification !== first.classification || p.level !== first.level || p.baseMeasure !== first.baseMeasure) {
      throw new ParameterError(
        `The profile of ${p.dataset} is by ${p.classification} ${p.level}, not ${first.classification} ${first.level}.`,
      );
    }
  }
  const local = measures.find((m) => m.local)?.local ?? null;
  const localBase = new Map(local ? local.rows.map((r) => [r.code, r.base]) : []);
  const columns: RagColumn[] = profiles.map(({ key, label, scope, p }) => ({
    measure: key,
    label,
    dataset: p.dataset,
    filter: p.filter,
    scope,
    total: p.total,
    unmatched: p.unmatched,
    baseMethod: p.baseMethod,
    disclosure: p.disclosure,
  }));
  const rows = first.rows.map((seg) => ({
    code: seg.code,
    name: seg.name,
    base: seg.base,
    localBase: local ? (localBase.get(seg.code) ?? 0) : null,
    cells: profiles.map(({ p }): RagCell => {
      const r = p.rows.find((x) => x.code === seg.code);
      if (!r) return { index: null, rag: null, count: 0, penetration: null, significant: null, suppressed: false };
      return {
        index: r.index,
        rag: r.suppressed ? null : ragOf(r.index, thresholds),
        count: r.count,
        penetration: r.penetration,
        significant: r.significant,
        suppressed: r.suppressed,
      };
    }),
  }));
  const minCells = profiles.map(({ p }) => p.disclosure?.minCell ?? 0).filter((m) => m > 0);
  return {
    version: RAG_RESULT_VERSION,
    classification: first.classification,
    level: first.level,
    baseMeasure: first.baseMeasure,
    thresholds: { green: thresholds.green, red: thresholds.red },
    area,
    columns,
    rows,
    disclosure: minCells.length ? { minCell: Math.max(...minCells) } : null,
  };
}

/** Profiles each measure for the whole workspace (and the area) and builds the RAG synopsis. */
export async function ragSynopsis(engine: Engine, req: RagRequest, opts: RagOptions = {}): Promise<RagResult> {
  if (!req.measures.length)
    throw new ParameterError('Give the measures to compare, e.g. --measures theatre_bookings,friends.');
  const thresholds = req.thresholds ?? DEFAULT_RAG_THRESHOLDS;
  checkThresholds(thresholds);
  const disclose = opts.disclose ?? ((p: ProfileResult) => p);
  let area: { level: string; code: string; name: string | null } | null = null;
  if (req.area) {
    const level = parseLevel(req.area.level);
    if (!level)
      throw new ParameterError(
        `Unknown area level "${req.area.level}".`,
        `Use one of: ${AREA_LEVELS.join(', ')} (or oa, lsoa, msoa).`,
      );
    const code = req.area.code.trim();
    const name =
      (
        await engine.one<{ name: string | null }>(
          `SELECT ${sqlAnyValue('name')} AS name FROM area WHERE level = $1 AND code = $2`,
          [level, code],
        )
      )?.name ?? null;
    area = { level, code, name };
  }
  const built = [];
  for (const m of req.measures) {
    const common = {
      dataset: m.dataset,
      where: m.where,
      classification: req.classification,
      tier: req.tier,
      base: req.base,
      bands: req.bands,
    };
    const whole = disclose(await profileDataset(engine, common));
    const local = area
      ? disclose(await profileDataset(engine, { ...common, area: { level: area.level, code: area.code } }))
      : null;
    built.push({ label: m.label ?? (whole.filter ? `${m.dataset} (${whole.filter})` : m.dataset), local, whole });
  }
  return buildRag(built, thresholds, area);
}
