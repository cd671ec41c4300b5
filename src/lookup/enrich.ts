/**
 * Bulk postcode enrichment: for each postcode as typed, the postcode as it should be written, its
 * status, its area codes and the segment of every tier of every classification (or of the one
 * named). Offline and with no cap: an enricher answers a list in batches, each batch one query for
 * its postcodes and one per classification for the areas it has not met before, so a file of
 * millions streams through in constant memory for the directory. The API (up to its cap per
 * request) and `civic postcodes enrich` give the same answers because they run this.
 */
import { NotFoundError } from '../core/index.ts';
import { checkPostcode, AREA_LEVELS } from '../geo/index.ts';
import { type Engine, ident, sqlTextList, textList } from '../store/index.ts';
import {
  AREA_COLUMNS,
  ENRICHMENT_VERSION,
  type EnrichedPostcode,
  type EnrichedSegment,
  type EnrichmentClassification,
  type EnrichmentCounts,
  type PostcodeEnrichment,
} from './result.ts';

/** Postcodes per batch: large enough that queries are few, small enough that a batch's rows stay small. */
export const ENRICH_BATCH = 50_000;

const NO_AREAS = Object.freeze(Object.fromEntries(AREA_COLUMNS.map((c) => [c, null]))) as EnrichedPostcode['areas'];
const NO_SEGMENTS: EnrichedSegment[] = [];
Object.freeze(NO_SEGMENTS);

/** A found postcode's answer, shared by every input that reads as it (the renderers rely on the sharing to write it once). */
interface Place {
  status: 'found' | 'terminated';
  areas: EnrichedPostcode['areas'];
  segments: EnrichedSegment[];
}

/** The classifications enrichment reports, in its order: segmentations first, then classifications, then the rest. */
export async function enrichmentClassifications(engine: Engine): Promise<EnrichmentClassification[]> {
  const rows = await engine.all<{
    name: string;
    title: string | null;
    kind: string;
    area_level: string;
    tiers: string;
  }>(
    `SELECT name, title, kind, area_level, tiers FROM classification ORDER BY kind = 'segmentation' DESC, kind = 'classification' DESC, imported_at, name`,
  );
  return rows.map((c) => ({
    name: c.name,
    title: c.title,
    kind: c.kind,
    areaLevel: c.area_level,
    tiers: JSON.parse(c.tiers) as string[],
  }));
}

export class PostcodeEnricher {
  readonly counts: EnrichmentCounts = { inputs: 0, found: 0, terminated: 0, notInDirectory: 0, notAPostcode: 0 };
  /** per classification: area code → its segments, tiers in order (an empty list: no segment) */
  private readonly segmentsOf = new Map<string, Map<string, EnrichedSegment[]>>();
  private readonly levels: string[];
  private readonly cols: string[];

  private constructor(
    private readonly engine: Engine,
    readonly segmentation: string | null,
    readonly classifications: EnrichmentClassification[],
    private readonly names: Map<string, Map<string, string | null>>,
  ) {
    this.levels = [...new Set(classifications.map((c) => c.areaLevel))].filter((l) =>
      (AREA_LEVELS as readonly string[]).includes(l),
    );
    this.cols = [...new Set([...AREA_COLUMNS, ...this.levels])];
    for (const c of classifications) this.segmentsOf.set(c.name, new Map());
  }

  /** An enricher for every classification, or for the one named (a NotFoundError if there is none). */
  static async open(engine: Engine, segmentation?: string | null): Promise<PostcodeEnricher> {
    const all = await enrichmentClassifications(engine);
    const classes = segmentation ? all.filter((c) => c.name === segmentation) : all;
    if (segmentation && !classes.length) {
      throw new NotFoundError(
        `There is no segmentation or classification called "${segmentation}".`,
        all.length
          ? `Segmentations and classifications: ${all.map((c) => c.name).join(', ')}.`
          : 'Build a segmentation or import a classification first.',
      );
    }
    const names = new Map<string, Map<string, string | null>>();
    for (const c of classes) {
      const rows = await engine.all<{ tier: string; code: string; name: string | null }>(
        `SELECT tier, code, name FROM segment WHERE classification = $1`,
        [c.name],
      );
      names.set(c.name, new Map(rows.map((r) => [`${r.tier}\u0000${r.code}`, r.name])));
    }
    return new PostcodeEnricher(engine, segmentation ?? null, classes, names);
  }

  /** The answers for one batch, in the order given; the counts add up across batches. */
  async enrich(inputs: readonly string[]): Promise<EnrichedPostcode[]> {
    const checks = inputs.map((input) => checkPostcode(input));
    const keys = new Set<string>();
    for (const c of checks) if (c.kind === 'valid' || c.kind === 'corrected') keys.add(c.key);
    const places = keys.size ? await this.places([...keys]) : new Map<string, Place>();
    const counts = this.counts;
    counts.inputs += inputs.length;
    const out = new Array<EnrichedPostcode>(inputs.length);
    for (let i = 0; i < inputs.length; i++) {
      const input = String(inputs[i]);
      const check = checks[i];
      if (check.kind !== 'valid' && check.kind !== 'corrected') {
        counts.notAPostcode++;
        out[i] = {
          input,
          postcode: null,
          corrected: false,
          status: 'not a postcode',
          areas: NO_AREAS,
          segments: NO_SEGMENTS,
        };
        continue;
      }
      const corrected = check.kind === 'corrected';
      const place = places.get(check.key);
      if (!place) {
        counts.notInDirectory++;
        out[i] = {
          input,
          postcode: check.postcode,
          corrected,
          status: 'not in the directory',
          areas: NO_AREAS,
          segments: NO_SEGMENTS,
        };
        continue;
      }
      if (place.status === 'terminated') counts.terminated++;
      else counts.found++;
      out[i] = {
        input,
        postcode: check.postcode,
        corrected,
        status: place.status,
        areas: place.areas,
        segments: place.segments,
      };
    }
    return out;
  }

  /** The directory's answer for each postcode key found: one query, then the segments of areas not met before. */
  private async places(keys: string[]): Promise<Map<string, Place>> {
    type PcRow = { pc_key: string; status: string } & Record<string, string | null>;
    const rows = await this.engine.all<PcRow>(
      `WITH k AS (SELECT ${sqlTextList('$1')} AS pc_key)
       SELECT p.pc_key, p.status, ${this.cols.map((c) => `p.${ident(c)}`).join(', ')} FROM postcode p SEMI JOIN k ON p.pc_key = k.pc_key`,
      [textList(keys)],
    );
    for (const c of this.classifications) {
      if (!this.levels.includes(c.areaLevel)) continue;
      const known = this.segmentsOf.get(c.name)!;
      const fresh = [...new Set(rows.map((r) => r[c.areaLevel]).filter((a): a is string => !!a && !known.has(a)))];
      if (fresh.length) await this.loadSegments(c, fresh, known);
    }
    const places = new Map<string, Place>();
    for (const r of rows) {
      const areas = {} as EnrichedPostcode['areas'];
      for (const col of AREA_COLUMNS) areas[col] = r[col] ?? null;
      const segments: EnrichedSegment[] = [];
      for (const c of this.classifications) {
        const area = r[c.areaLevel];
        const s = area ? this.segmentsOf.get(c.name)!.get(area) : undefined;
        if (s) segments.push(...s);
      }
      places.set(r.pc_key, {
        status: r.status === 'terminated' ? 'terminated' : 'found',
        areas,
        segments: segments.length ? segments : NO_SEGMENTS,
      });
    }
    return places;
  }

  private async loadSegments(
    c: EnrichmentClassification,
    areas: string[],
    into: Map<string, EnrichedSegment[]>,
  ): Promise<void> {
    const names = this.names.get(c.name)!;
    const rows = await this.engine.all<{ area_code: string; tier: string; code: string }>(
      `WITH a AS (SELECT ${sqlTextList('$1')} AS area_code)
       SELECT s.area_code, s.tier, s.code FROM area_segment s SEMI JOIN a ON a.area_code = s.area_code WHERE s.classification = $2`,
      [textList(areas), c.name],
    );
    for (const a of areas) into.set(a, []);
    for (const r of rows)
      into.get(r.area_code)!.push({
        classification: c.name,
        tier: r.tier,
        code: r.code,
        name: names.get(`${r.tier}\u0000${r.code}`) ?? null,
      });
    for (const a of areas) into.get(a)!.sort((x, y) => c.tiers.indexOf(x.tier) - c.tiers.indexOf(y.tier));
  }

  /** The whole answer, once every batch is in. */
  result(results: EnrichedPostcode[]): PostcodeEnrichment {
    return {
      version: ENRICHMENT_VERSION,
      segmentation: this.segmentation,
      classifications: this.classifications,
      counts: { ...this.counts },
      results,
    };
  }
}

/** Every postcode of a list enriched, in order, with a progress report after each batch. */
export async function enrichPostcodes(
  engine: Engine,
  inputs: readonly string[],
  opts: { segmentation?: string | null; onProgress?: (done: number, total: number) => void } = {},
): Promise<PostcodeEnrichment> {
  const enricher = await PostcodeEnricher.open(engine, opts.segmentation);
  const results: EnrichedPostcode[] = [];
  for (let i = 0; i < inputs.length; i += ENRICH_BATCH) {
    const batch = await enricher.enrich(inputs.slice(i, i + ENRICH_BATCH));
    for (const r of batch) results.push(r);
    opts.onProgress?.(Math.min(inputs.length, i + ENRICH_BATCH), inputs.length);
  }
  return enricher.result(results);
}
