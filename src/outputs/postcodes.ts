/**
 * Postcode enrichment written out: JSON (the API's answer, byte for byte what JSON.stringify
 * gives), NDJSON (one answer a line) and CSV (one row per postcode: its areas, then the segment code
 * and name of every tier of every classification). Enrichment carries no count and no record, so
 * nothing here is disclosure-controlled: it is reference data about places.
 *
 * Every input that reads as the same postcode shares one answer object (see lookup's enricher), so
 * the part of a line after the input is written once per postcode and reused. For JSON this was not
 * measured to beat JSON.stringify (bench/RESULTS.md, bench/postcodes); it lets the answer go out
 * in pieces, and CSV and NDJSON lean on it.
 */
import {
  AREA_COLUMNS,
  type EnrichedPostcode,
  type EnrichmentClassification,
  type PostcodeEnrichment,
} from '../lookup/index.ts';
import { csvField } from './format.ts';

const q = JSON.stringify;

/** The written tail of each answer, per shared areas object and status. */
class TailCache {
  private readonly byAreas = new WeakMap<object, Map<string, string>>();
  constructor(private readonly make: (r: EnrichedPostcode) => string) {}
  get(r: EnrichedPostcode): string {
    let m = this.byAreas.get(r.areas);
    if (!m) this.byAreas.set(r.areas, (m = new Map()));
    // the segments travel with the areas (both come from one directory row), so the status tells the rest
    const key = r.status;
    let t = m.get(key);
    if (t === undefined) m.set(key, (t = this.make(r)));
    return t;
  }
}

const jsonTail = (r: EnrichedPostcode) => `,"status":${q(r.status)},"areas":${q(r.areas)},"segments":${q(r.segments)}}`;

/** A writer of answers as JSON objects, one per call; reuse it across batches. */
export function enrichedJsonWriter(): (r: EnrichedPostcode) => string {
  const tails = new TailCache(jsonTail);
  return (r) =>
    `{"input":${q(r.input)},"postcode":${r.postcode === null ? 'null' : q(r.postcode)},"corrected":${r.corrected}${tails.get(r)}`;
}

/** The whole answer as JSON, identical to JSON.stringify(result). */
export function enrichmentToJson(result: PostcodeEnrichment): string {
  return [...enrichmentJsonChunks(result)].join('');
}

/**
 * The same JSON in pieces of `per` answers, for sending as a stream: no one string of the whole
 * answer (57 MB for 100,000 postcodes) is ever made, and the first bytes leave at once.
 */
export function* enrichmentJsonChunks(result: PostcodeEnrichment, per = 10_000): Generator<string> {
  const write = enrichedJsonWriter();
  yield `{"version":${result.version},"segmentation":${q(result.segmentation)},"classifications":${q(result.classifications)},"counts":${q(result.counts)},"results":[`;
  const n = result.results.length;
  for (let i = 0; i < n; i += per) {
    const end = Math.min(n, i + per);
    const parts = new Array<string>(end - i);
    for (let j = i; j < end; j++) parts[j - i] = write(result.results[j]);
    yield (i === 0 ? '' : ',') + parts.join(',');
  }
  yield ']}';
}

/** NDJSON lines for a batch of answers (each line the answer's JSON, then a newline). */
export function enrichedNdjsonWriter(): (batch: readonly EnrichedPostcode[]) => string {
  const write = enrichedJsonWriter();
  return (batch) => {
    let s = '';
    for (const r of batch) s += write(r) + '\n';
    return s;
  };
}

/** The CSV header: the answer's fields and areas, then `CLASSIFICATION:TIER` and `CLASSIFICATION:TIER:name` for each tier. */
export function enrichmentCsvHeader(classes: readonly EnrichmentClassification[]): string[] {
  return [
    'input',
    'postcode',
    'corrected',
    'status',
    ...AREA_COLUMNS,
    ...classes.flatMap((c) => c.tiers.flatMap((t) => [`${c.name}:${t}`, `${c.name}:${t}:name`])),
  ];
}

/** CSV lines (CRLF) for batches of answers; the header is the first batch's first line. */
export function enrichedCsvWriter(classes: readonly EnrichmentClassification[]): {
  header: string;
  rows: (batch: readonly EnrichedPostcode[]) => string;
} {
  const slots = new Map<string, number>();
  classes.forEach((c) => c.tiers.forEach((t) => slots.set(`${c.name}\u0000${t}`, slots.size)));
  const tails = new TailCache((r) => {
    const cells: (string | null)[] = AREA_COLUMNS.map((c) => r.areas[c]);
    const seg = new Array<string | null>(slots.size * 2).fill(null);
    for (const s of r.segments) {
      const i = slots.get(`${s.classification}\u0000${s.tier}`);
      if (i === undefined) continue;
      seg[2 * i] = s.code;
      seg[2 * i + 1] = s.name;
    }
    return [csvField(r.status), ...cells.map(csvField), ...seg.map(csvField)].join(',');
  });
  return {
    header: enrichmentCsvHeader(classes).map(csvField).join(',') + '\r\n',
    rows(batch) {
      let s = '';
      for (const r of batch) s += `${csvField(r.input)},${csvField(r.postcode)},${r.corrected},${tails.get(r)}\r\n`;
      return s;
    },
  };
}
