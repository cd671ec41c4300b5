/**
 * Maps leave for a viewer here. A map is the same for everyone who may see it, so one rule holds
 * for every viewer, the portal's and `civic map`'s alike: counts under the threshold are hidden,
 * with enough others that none can be worked out (households and segments: zeros are shown, as a
 * segment absent from an area is what the classification publishes); a dataset's figures go
 * through discloseProfile with the cell key method's noise for everyone (decision 0013).
 * Then the renderers: GeoJSON (the portal's /map/data.geojson, byte for byte), CSV, XLSX, a table.
 */
import { DEFAULT_MIN_CELL, MAX_NOISE, suppressOneWay } from '../core/index.ts';
import {
  CLASSED_KINDS,
  DATASET_MEASURES,
  MAP_RESULT_VERSION,
  classedLegend,
  datasetAreas,
  hiddenArea,
  type AreaFigure,
  type LevelShapes,
  type MapResult,
} from '../maps/index.ts';
import { discloseProfile, type Disclosure } from './disclosure.ts';
import { csvText, textTable } from './format.ts';
import { addNoteRows, addTableSheet, newWorkbook } from './xlsx.ts';

/** The rule for maps: the default threshold, and dataset counts perturbed for every viewer. */
export const mapRule = (r: Pick<MapResult, 'kind'>, minCell = DEFAULT_MIN_CELL): Disclosure => ({
  minCell,
  perturb: DATASET_MEASURES.includes(r.kind),
});

/**
 * Which counts to hide across the areas: primary (under the threshold) and secondary (so that no
 * hidden count can be worked out from the total). Zeros and areas with no figure are left alone.
 */
function suppressAreas(counts: readonly (number | null)[], minCell: number) {
  const idx = counts.map((c, i) => (c !== null && c > 0 ? i : -1)).filter((i) => i >= 0);
  const s = suppressOneWay(
    idx.map((i) => counts[i]!),
    minCell,
  );
  const hidden = counts.map(() => false);
  idx.forEach((i, j) => {
    hidden[i] = s.suppressed[j];
  });
  return { hidden, primary: s.primary, secondary: s.secondary };
}

/** What every viewer sees of a map: small cells hidden, dataset counts perturbed, keys and the source profile gone. */
export function discloseMap(truth: MapResult, rule: Disclosure = mapRule(truth)): MapResult {
  if (truth.kind === 'channel-share' || truth.kind === 'channel-index')
    throw new Error(
      'A channel map is drawn from a disclosed channel mix (channelMixMap); it has no truth to disclose.',
    );
  const minCell = rule.minCell;
  const perturb = rule.perturb || DATASET_MEASURES.includes(truth.kind);
  let areas: AreaFigure[] = truth.areas.map((a) => ({ ...a, cellKey: null }));
  let legend = truth.legend;
  let primary = 0,
    secondary = 0;
  const notes = [...truth.notes];
  if (truth.kind === 'households' || truth.kind === 'segment') {
    const counts = truth.areas.map((a) => (a.cls === -2 ? null : truth.kind === 'segment' ? a.count : a.value));
    const s = suppressAreas(counts, minCell);
    primary = s.primary;
    secondary = s.secondary;
    areas = areas.map((a, i) => (s.hidden[i] ? hiddenArea(a.code, a.name, minCell) : a));
    legend = classedLegend(truth.kind, areas, minCell);
    notes.push(`Counts under ${minCell} are not shown, with enough others that they cannot be worked out.`);
  } else if (truth.kind === 'penetration' || truth.kind === 'index') {
    if (!truth.source) throw new Error('A dataset map without its profile cannot be disclosed.');
    const shown = discloseProfile(truth.source, { minCell, perturb });
    primary = shown.disclosure?.primary ?? 0;
    secondary = shown.disclosure?.secondary ?? 0;
    areas = datasetAreas(
      truth.areas.map((a) => [a.code, a.name] as const),
      shown.rows,
      truth.kind,
      minCell,
    ).map((a) => ({ ...a, cellKey: null }));
    legend = classedLegend(truth.kind, areas, minCell);
    notes.unshift(
      `Areas with fewer than ${minCell} records are not shown, with enough others that they cannot be worked out.`,
    );
    if (perturb)
      notes.push(
        `Each count shown carries a small fixed noise (at most ${MAX_NOISE} either way, the same every time for the same records), so counts and rates may not add up exactly.`,
      );
  }
  if (!CLASSED_KINDS.includes(truth.kind)) legend = truth.legend;
  return {
    ...truth,
    version: MAP_RESULT_VERSION,
    areas,
    legend,
    notes,
    minCell,
    suppressed: areas.filter((a) => a.cls === -1).length,
    disclosure: { minCell, primary, secondary, perturbed: perturb && DATASET_MEASURES.includes(truth.kind) },
    source: null,
  };
}

/** A GeoJSON FeatureCollection of the areas with their figures; the legend travels as a foreign member. */
export function mapToGeoJson(f: MapResult, shapes: LevelShapes): string {
  const byCode = new Map(f.areas.map((a) => [a.code, a]));
  const parts: string[] = [];
  shapes.features.forEach((s, i) => {
    const a = byCode.get(s.code);
    if (!a) return;
    const props = { code: a.code, name: a.name, value: a.value, count: a.count, base: a.base, c: a.cls, text: a.text };
    parts.push(`{"type":"Feature","id":${i},"properties":${JSON.stringify(props)},"geometry":${s.geometry}}`);
  });
  const meta = {
    measure: f.measure,
    level: f.level,
    title: f.title,
    valueLabel: f.valueLabel,
    countLabel: f.countLabel,
    baseLabel: f.baseLabel,
    minCell: f.minCell,
    legend: f.legend.map((l) => ({ cls: l.cls, colour: l.colour, label: l.label })),
  };
  return `{"type":"FeatureCollection","bbox":${JSON.stringify(shapes.bbox)},"metadata":${JSON.stringify(meta)},"features":[${parts.join(',')}]}`;
}

const legendLabel = (f: MapResult, cls: number) => f.legend.find((l) => l.cls === cls)?.label ?? '';

function mapRows(f: MapResult) {
  return f.areas.map((a) => [a.code, a.name, a.value, a.count, a.base, a.text, legendLabel(f, a.cls), a.cls === -1]);
}
const HEAD = ['code', 'name', 'value', 'count', 'base', 'text', 'class', 'suppressed'];

/** One row per area: code, name, value, count, base, the value as read, its class in the legend, and whether it is hidden. */
export function mapToCsv(f: MapResult): string {
  return csvText(HEAD, mapRows(f));
}

export function mapToJson(f: MapResult): string {
  return JSON.stringify(f, null, 2) + '\n';
}

export function mapToTable(f: MapResult): string {
  const head = [
    'Code',
    'Name',
    f.valueLabel,
    ...(f.countLabel ? [f.countLabel] : []),
    ...(f.baseLabel ? [f.baseLabel] : []),
  ];
  const rows = f.areas.map((a) => [
    a.code,
    a.name ?? '',
    a.text,
    ...(f.countLabel ? [a.count === null ? '' : a.count.toLocaleString('en-GB')] : []),
    ...(f.baseLabel ? [a.base === null ? '' : a.base.toLocaleString('en-GB')] : []),
  ]);
  const lines = [f.title, ...(f.levelChanged ? [f.levelChanged] : []), ''];
  lines.push(textTable(head, rows, (i) => i >= 3 || (i === 2 && CLASSED_KINDS.includes(f.kind))));
  lines.push('', 'Key:', ...f.legend.map((l) => `  ${l.label}`), '', ...f.notes);
  return lines.join('\n') + '\n';
}

export async function mapToXlsx(f: MapResult): Promise<Buffer> {
  const wb = await newWorkbook();
  addTableSheet(
    wb,
    'Areas',
    f.title,
    ['Code', 'Name', f.valueLabel, f.countLabel ?? 'Count', f.baseLabel ?? 'Base', 'As read', 'Class', 'Not shown'],
    mapRows(f),
    [14, 30, 16, 16, 14, 28, 28, 10],
  );
  const notes = wb.addWorksheet('Notes');
  addNoteRows(notes, [
    ['Measure', f.measure],
    ['Level', f.levelTitle],
    ...(f.levelChanged ? ([['Level changed', f.levelChanged]] as [string, string][]) : []),
    ['Areas', String(f.areas.length)],
    ['Not shown', String(f.suppressed)],
    ...f.legend.map((l) => ['Key', l.label] as [string, string]),
    ...f.notes.map((n) => ['Note', n] as [string, string]),
  ]);
  notes.getColumn(1).width = 16;
  notes.getColumn(2).width = 100;
  return Buffer.from(await wb.xlsx.writeBuffer());
}
