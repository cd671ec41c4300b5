/**
 * Renderers for location results (C7): facilities, accessibility indicators, floating-catchment
 * ratios, catchment profiles and access patterns — as terminal tables, CSV (formula-safe), XLSX,
 * JSON and GeoJSON. Disclosure control for the two results that count people (catchments count
 * households from the base; access patterns count a service's users) is applied here, at the
 * boundary, as for profiles. None of these computes an analysis.
 */
import { suppressOneWay } from '../core/index.ts';
import {
  travelWords,
  type AccessResult,
  type CatchmentResult,
  type Facility,
  type FacilityImportResult,
  type OutletPattern,
  type PatternsResult,
  type SfcaResult,
} from '../location/index.ts';
import { fmtCount, fmtInt, fmtPct, safeCellText, SUPPRESSED_MARK, textTable, csvText } from './format.ts';
import { addNoteRows, styleHeaderRows, newWorkbook } from './xlsx.ts';
import type { StoredBoundary } from './geojson.ts';

type Cell = string | number | null;

// ---------------------------------------------------------------- shared pieces

const fmt1 = (n: number | null | undefined) =>
  n === null || n === undefined || !Number.isFinite(n) ? '' : n.toFixed(1);
const fmtRatio = (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toPrecision(4));
const pct = (share: number | null | undefined) => (share === null || share === undefined ? '' : fmtPct(share * 100));
const shown = (n: number | null | undefined, f: (x: number) => string = fmtInt) =>
  n === null || n === undefined ? SUPPRESSED_MARK : f(n);

export function locationToJson(result: unknown): string {
  return JSON.stringify(result, (_k, v) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2) + '\n';
}

interface SheetSpec {
  name: string;
  title: string;
  head: string[];
  rows: Cell[][];
  formats?: Record<number, string>;
  widths?: number[];
}

/** A workbook of plain sheets (title, blue header, frozen panes, A4 landscape) and a Notes sheet. */
async function workbook(sheets: SheetSpec[], notes: [string, string][]): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  for (const s of sheets) {
    const ws = wb.addWorksheet(s.name, {
      views: [{ state: 'frozen', ySplit: 2 }],
      pageSetup: {
        paperSize: 9,
        orientation: 'landscape',
        fitToPage: true,
        fitToWidth: 1,
        fitToHeight: 0,
        printTitlesRow: '2:2',
      },
      headerFooter: { oddFooter: '&LCivic Insight Observatory&RPage &P of &N' },
    });
    ws.addRow([safeCellText(s.title)]).font = { bold: true, size: 14 };
    styleHeaderRows([ws.addRow(s.head.map(safeCellText))]);
    for (const r of s.rows)
      ws.addRow(
        r.map((c) =>
          typeof c === 'string'
            ? safeCellText(c)
            : c === null || (typeof c === 'number' && !Number.isFinite(c))
              ? null
              : c,
        ),
      );
    for (const [col, f] of Object.entries(s.formats ?? {})) ws.getColumn(Number(col)).numFmt = f;
    s.head.forEach((_, i) => {
      ws.getColumn(i + 1).width = s.widths?.[i] ?? (i === 0 ? 14 : i === 1 ? 32 : 13);
    });
  }
  const n = wb.addWorksheet('Notes');
  n.getColumn(1).width = 28;
  n.getColumn(2).width = 100;
  addNoteRows(n, [...notes, ['Produced', new Date().toISOString().slice(0, 10) + ' by the Civic Insight Observatory']]);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

function geometryOf(text: string | undefined): unknown {
  if (!text) return null;
  try {
    const g = JSON.parse(text) as { type?: string; geometry?: unknown };
    return g && g.type === 'Feature' ? (g.geometry ?? null) : g;
  } catch {
    return null;
  }
}

/** An area's boundary when the workspace has it, else its centroid as a point. */
const areaGeometry = (code: string, lon: number, lat: number, boundaries?: ReadonlyMap<string, StoredBoundary>) =>
  geometryOf(boundaries?.get(code)?.geojson) ?? { type: 'Point', coordinates: [lon, lat] };

// ---------------------------------------------------------------- facilities

export function facilitiesToTable(list: readonly Facility[]): string {
  if (!list.length) return 'No facilities.\n';
  const rows = list.map((f) => [
    f.id,
    f.name,
    f.kind,
    f.postcode ?? '',
    f.lon.toFixed(5),
    f.lat.toFixed(5),
    f.capacity === null ? '' : fmtInt(f.capacity),
    f.openingHours ?? '',
  ]);
  return (
    textTable(
      ['Id', 'Name', 'Kind', 'Postcode', 'Lon', 'Lat', 'Capacity', 'Opening hours'],
      rows,
      (i) => i >= 4 && i <= 6,
    ) + `\n\n${fmtCount(list.length, 'facility', 'facilities')}.\n`
  );
}

export function facilitiesToCsv(list: readonly Facility[]): string {
  return csvText(
    ['id', 'name', 'kind', 'postcode', 'lon', 'lat', 'capacity', 'opening_hours', 'source_file', 'source_row'],
    list.map((f) => [
      f.id,
      f.name,
      f.kind,
      f.postcode,
      f.lon,
      f.lat,
      f.capacity,
      f.openingHours,
      f.sourceFile,
      f.sourceRow,
    ]),
  );
}

export function facilitiesToGeoJson(list: readonly Facility[]): string {
  return (
    JSON.stringify({
      type: 'FeatureCollection',
      name: 'facilities',
      features: list.map((f) => ({
        type: 'Feature',
        id: f.id,
        geometry: { type: 'Point', coordinates: [f.lon, f.lat] },
        properties: {
          id: f.id,
          name: f.name,
          kind: f.kind,
          postcode: f.postcode,
          capacity: f.capacity,
          openingHours: f.openingHours,
        },
      })),
    }) + '\n'
  );
}

export function facilityImportToTable(r: FacilityImportResult): string {
  const out = [
    `Imported ${fmtCount(r.imported, 'facility', 'facilities')} from ${r.file} (${r.kinds.map((k) => `${k.kind} ${fmtInt(k.facilities)}`).join(', ')}).`,
    `Rows read: ${fmtInt(r.read)} = ${fmtInt(r.imported)} imported + ${fmtInt(r.rejected)} rejected.` +
      (r.placedBy.postcode ? ` ${fmtInt(r.placedBy.postcode)} placed at their postcode.` : ''),
    r.replaced
      ? `Replaced ${fmtCount(r.replaced, 'facility', 'facilities')} from an earlier import of the same file.`
      : '',
    `Columns: name "${r.columns.name}"` +
      (r.columns.lon
        ? `, position ${r.columns.lon === 'geometry' ? 'from the points' : `"${r.columns.lon}"/"${r.columns.lat}"`}`
        : '') +
      (r.columns.postcode ? `, postcode "${r.columns.postcode}"` : '') +
      (r.columns.capacity ? `, capacity "${r.columns.capacity}"` : '') +
      (r.columns.openingHours ? `, opening hours ${r.columns.openingHours}` : '') +
      '.',
  ].filter(Boolean);
  if (r.rejects.length) {
    out.push(
      '',
      'Rejected rows (not imported):',
      textTable(
        ['Row', 'Column', 'Value', 'Reason'],
        r.rejects.map((x) => [String(x.row), x.column ?? '', x.value ?? '', x.reason]),
        (i) => i === 0,
        70,
      ),
    );
  }
  return out.join('\n') + '\n';
}

// ---------------------------------------------------------------- accessibility

export function accessToTable(r: AccessResult, maxAreas = 40): string {
  const out: string[] = [
    `Accessibility ${travelWords(r.mode)} (${r.costSource}), from ${fmtCount(r.areas.length, `${r.level} area`)}`,
    '',
  ];
  const head = [
    'Facility',
    'Facilities',
    ...r.thresholds.map((t) => `≤ ${t} min %`),
    'Mean min',
    `${r.measure === 'households' ? 'Households' : 'People'} out of reach`,
  ];
  out.push(
    textTable(
      head,
      r.kinds.map((k) => [
        k.kind,
        fmtInt(k.facilities),
        ...k.borough.share.map(pct),
        fmt1(k.borough.meanMinutes),
        fmtInt(k.borough.unreachable),
      ]),
      (i) => i >= 1,
    ),
    '',
  );
  out.push(
    `Share of ${r.measure} whose nearest facility is within each time; mean of the minutes to the nearest, weighted by ${r.measure}.`,
    '',
  );
  const areaHead = [
    'Area',
    'Name',
    ...r.kinds.flatMap((k) => [
      `${k.kind} min`,
      `${k.kind} ≤${r.thresholds[0]}`,
      `≤${r.thresholds[r.thresholds.length - 1]}`,
    ]),
  ];
  const sorted = [...r.areas].sort(
    (a, b) => (b.kinds[0].nearestMinutes ?? Infinity) - (a.kinds[0].nearestMinutes ?? Infinity),
  );
  const rows = sorted
    .slice(0, maxAreas)
    .map((a) => [
      a.code,
      a.name ?? '',
      ...a.kinds.flatMap((k) => [
        k.nearestMinutes === null ? 'none' : fmt1(k.nearestMinutes),
        fmtInt(k.reachable[0]),
        fmtInt(k.reachable[k.reachable.length - 1]),
      ]),
    ]);
  out.push(
    `Areas furthest from a ${r.kinds[0].kind}${r.areas.length > maxAreas ? ` (the ${maxAreas} furthest of ${fmtInt(r.areas.length)}; --format csv for all)` : ''}:`,
    textTable(areaHead, rows, (i) => i >= 2),
  );
  out.push('', `Origins: ${r.originMethod}.`);
  return out.join('\n') + '\n';
}

export function accessToCsv(r: AccessResult): string {
  const head = [
    'code',
    'name',
    'households',
    'population',
    'lon',
    'lat',
    ...r.kinds.flatMap((k) => [
      `${k.kind}_nearest_minutes`,
      `${k.kind}_nearest`,
      ...r.thresholds.map((t) => `${k.kind}_within_${t}`),
    ]),
  ];
  return csvText(
    head,
    r.areas.map((a) => [
      a.code,
      a.name,
      a.households,
      a.population,
      a.lon,
      a.lat,
      ...a.kinds.flatMap((k) => [k.nearestMinutes, k.nearestName, ...k.reachable]),
    ]),
  );
}

export async function accessToXlsx(r: AccessResult): Promise<Buffer> {
  const by = r.measure === 'households' ? 'households' : 'people';
  return workbook(
    [
      {
        name: 'Summary',
        title: `Accessibility ${travelWords(r.mode)}: share of ${by} within each time of their nearest facility`,
        head: [
          'Facility',
          'Facilities',
          ...r.thresholds.map((t) => `Within ${t} min`),
          'Mean minutes to nearest',
          `${by} out of reach`,
        ],
        rows: r.kinds.map((k) => [
          k.kind,
          k.facilities,
          ...k.borough.share,
          k.borough.meanMinutes,
          k.borough.unreachable,
        ]),
        formats: Object.fromEntries([...r.thresholds.map((_, i) => [3 + i, '0.0%']), [3 + r.thresholds.length, '0.0']]),
      },
      {
        name: 'Areas',
        title: `Minutes to the nearest facility and facilities within each time, per ${r.level} area`,
        head: [
          'Code',
          'Name',
          'Households',
          'Population',
          ...r.kinds.flatMap((k) => [
            `${k.kind}: minutes to nearest`,
            `${k.kind}: nearest`,
            ...r.thresholds.map((t) => `${k.kind}: within ${t} min`),
          ]),
        ],
        rows: r.areas.map((a) => [
          a.code,
          a.name,
          a.households,
          a.population,
          ...a.kinds.flatMap((k) => [
            k.nearestMinutes === null ? null : Math.round(k.nearestMinutes * 10) / 10,
            k.nearestName,
            ...k.reachable,
          ]),
        ]),
      },
    ],
    [
      [
        'What this is',
        'Journey times from each area to the nearest facility of each kind, in the shape of the DfT Journey Time Statistics.',
      ],
      ['Travel', `${r.mode}; ${r.costSource}`],
      ['Origins', r.originMethod],
      ['Thresholds', r.thresholds.map((t) => `${t} minutes`).join(', ')],
    ],
  );
}

export function accessToGeoJson(r: AccessResult, boundaries?: ReadonlyMap<string, StoredBoundary>): string {
  return (
    JSON.stringify({
      type: 'FeatureCollection',
      name: `accessibility by ${r.level}`,
      accessibility: {
        version: r.version,
        mode: r.mode,
        costSource: r.costSource,
        thresholds: r.thresholds,
        kinds: r.kinds,
      },
      features: r.areas.map((a) => ({
        type: 'Feature',
        id: a.code,
        geometry: areaGeometry(a.code, a.lon, a.lat, boundaries),
        properties: {
          code: a.code,
          name: a.name,
          households: a.households,
          population: a.population,
          ...Object.fromEntries(
            a.kinds.flatMap((k) => [
              [`${k.kind}_minutes`, k.nearestMinutes],
              [`${k.kind}_nearest`, k.nearestName],
              ...r.thresholds.map((t, i) => [`${k.kind}_within_${t}`, k.reachable[i]]),
            ]),
          ),
        },
      })),
    }) + '\n'
  );
}

// ---------------------------------------------------------------- 2SFCA

export function sfcaToTable(r: SfcaResult, maxAreas = 30): string {
  const unit = r.supplyMeasure === 'capacity' ? 'capacity' : 'facilities';
  const per = r.demandMeasure === 'households' ? 'households' : 'people';
  const out = [`Floating catchment ratios for ${r.kind}: ${r.decay.description}; ${r.mode}, ${r.costSource}`, ''];
  const Per = per[0].toUpperCase() + per.slice(1);
  out.push(
    textTable(
      ['Facility', 'Supply', `${Per} in reach (weighted)`, `Supply per 1,000`],
      r.facilities.map((f) => [f.name, fmtInt(f.supply), fmtInt(f.demandInReach), fmtRatio(f.ratio * 1000)]),
      (i) => i >= 1,
    ),
    '',
  );
  const sorted = [...r.areas].sort((a, b) => a.ratio - b.ratio || a.code.localeCompare(b.code));
  out.push(
    `Areas with the least ${unit} per 1,000 ${per}${r.areas.length > maxAreas ? ` (the ${maxAreas} lowest of ${fmtInt(r.areas.length)}; --format csv for all)` : ''}:`,
  );
  out.push(
    textTable(
      ['Area', 'Name', Per, 'Per 1,000', 'Facilities in reach'],
      sorted
        .slice(0, maxAreas)
        .map((a) => [a.code, a.name ?? '', fmtInt(a.demand), fmtRatio(a.per1000), fmtInt(a.facilitiesWithin)]),
      (i) => i >= 2,
    ),
    '',
  );
  out.push(
    `Whole area: ${fmtInt(r.totals.supply)} ${unit} for ${fmtInt(r.totals.demand)} ${per} = ${fmtRatio((r.totals.overallRatio ?? 0) * 1000)} per 1,000. ` +
      `${fmtInt(r.totals.demandCovered)} ${per} (${pct(r.totals.demand ? r.totals.demandCovered / r.totals.demand : null)}%) have a facility within ${r.catchmentMinutes} minutes.`,
  );
  if (r.totals.supplyReached < r.totals.supply)
    out.push(
      `${fmtInt(r.totals.supply - r.totals.supplyReached)} of the supply has nobody within its catchment and is not shared out.`,
    );
  out.push(`Origins: ${r.originMethod}.`);
  return out.join('\n') + '\n';
}

export function sfcaToCsv(r: SfcaResult): string {
  return csvText(
    ['code', 'name', 'demand', 'lon', 'lat', 'ratio', 'per_1000', 'facilities_within'],
    r.areas.map((a) => [a.code, a.name, a.demand, a.lon, a.lat, a.ratio, a.per1000, a.facilitiesWithin]),
  );
}

export async function sfcaToXlsx(r: SfcaResult): Promise<Buffer> {
  return workbook(
    [
      {
        name: 'Areas',
        title: `Supply per 1,000 ${r.demandMeasure} within ${r.catchmentMinutes} minutes: ${r.kind}`,
        head: ['Code', 'Name', r.demandMeasure, 'Ratio', 'Per 1,000', 'Facilities in reach'],
        rows: r.areas.map((a) => [a.code, a.name, a.demand, a.ratio, a.per1000, a.facilitiesWithin]),
        formats: { 3: '#,##0', 4: '0.000000', 5: '0.000' },
      },
      {
        name: 'Facilities',
        title: "Each facility's supply and the demand within its catchment",
        head: ['Id', 'Name', 'Supply', 'Demand in reach (weighted)', 'Supply per 1,000'],
        rows: r.facilities.map((f) => [f.id, f.name, f.supply, f.demandInReach, f.ratio * 1000]),
        formats: { 4: '#,##0', 5: '0.000' },
      },
    ],
    [
      [
        'What this is',
        "Two-step floating catchment: each facility's supply is shared among the demand within its catchment; each area adds up the shares of the facilities within its reach.",
      ],
      ['Method', r.decay.description],
      [
        'Supply',
        r.supplyMeasure === 'capacity' ? "each facility's capacity" : 'one per facility (no capacities given)',
      ],
      ['Demand', r.demandMeasure],
      ['Travel', `${r.mode}; ${r.costSource}`],
      ['Origins', r.originMethod],
    ],
  );
}

export function sfcaToGeoJson(r: SfcaResult, boundaries?: ReadonlyMap<string, StoredBoundary>): string {
  return (
    JSON.stringify({
      type: 'FeatureCollection',
      name: `2SFCA ${r.kind}`,
      sfca: {
        version: r.version,
        kind: r.kind,
        catchmentMinutes: r.catchmentMinutes,
        decay: r.decay,
        supplyMeasure: r.supplyMeasure,
        demandMeasure: r.demandMeasure,
        totals: r.totals,
      },
      features: r.areas.map((a) => ({
        type: 'Feature',
        id: a.code,
        geometry: areaGeometry(a.code, a.lon, a.lat, boundaries),
        properties: {
          code: a.code,
          name: a.name,
          demand: a.demand,
          ratio: a.ratio,
          per1000: a.per1000,
          facilitiesWithin: a.facilitiesWithin,
        },
      })),
    }) + '\n'
  );
}

// ---------------------------------------------------------------- catchments

/** Hides segment counts under the threshold (and enough others that none can be worked out from the total). */
export function discloseCatchment(r: CatchmentResult, minCell: number): CatchmentResult {
  if (!(minCell > 0) || !r.segments.length) return r;
  const s = suppressOneWay(
    r.segments.map((x) => Math.round(x.inCatchment ?? 0)),
    minCell,
  );
  return {
    ...r,
    segments: r.segments.map((x, i) =>
      s.suppressed[i] ? { ...x, inCatchment: null, catchmentPct: null, reach: null, index: null, suppressed: true } : x,
    ),
    disclosure: { minCell, primary: s.primary, secondary: s.secondary },
  };
}

function catchmentTitle(r: CatchmentResult): string {
  const within =
    r.within.minutes !== null
      ? `${r.within.minutes} minutes ${travelWords(r.mode)}`
      : `${fmtInt(r.within.metres)} metres as the crow flies`;
  return `Catchment of ${r.site.name}: within ${within}`;
}

export function catchmentToTable(r: CatchmentResult): string {
  const m = r.measure === 'households' ? 'Households' : 'People';
  const out = [catchmentTitle(r), ''];
  out.push(
    `${fmtCount(r.total.areas, `${r.level} area`)} of ${fmtInt(r.borough.areas)}; ${fmtInt(r.total.households)} households (${pct(r.borough.households ? (r.total.households ?? 0) / r.borough.households : null)}% of the borough), ${fmtInt(r.total.population)} people.`,
    '',
  );
  if (r.segments.length) {
    out.push(`By ${r.classification} ${r.tier}:`);
    out.push(
      textTable(
        ['Segment', 'Name', `${m} in catchment`, '% of catchment', '% of borough', 'Index'],
        r.segments.map((s) => [
          s.code,
          s.name ?? '',
          shown(s.inCatchment),
          s.suppressed ? SUPPRESSED_MARK : fmtPct(s.catchmentPct),
          fmtPct(s.boroughPct),
          s.suppressed ? SUPPRESSED_MARK : fmtInt(s.index),
        ]),
        (i) => i >= 2,
      ),
    );
    out.push('', 'Index: % of catchment ÷ % of borough × 100.');
    if (r.disclosure)
      out.push(
        r.disclosure.primary + r.disclosure.secondary
          ? `Counts under ${r.disclosure.minCell} are suppressed (${SUPPRESSED_MARK}).`
          : `No count is under ${r.disclosure.minCell}, so nothing is suppressed.`,
      );
  }
  out.push(
    `An area is inside when its population-weighted centroid is; travel: ${r.costSource}. The outline on the map is for display only.`,
  );
  return out.join('\n') + '\n';
}

export function catchmentToCsv(r: CatchmentResult): string {
  return csvText(
    ['code', 'name', 'in_catchment', 'catchment_pct', 'borough', 'borough_pct', 'reach_pct', 'index', 'suppressed'],
    r.segments.map((s) => [
      s.code,
      s.name,
      s.inCatchment,
      s.catchmentPct,
      s.borough,
      s.boroughPct,
      s.reach,
      s.index,
      s.suppressed,
    ]),
  );
}

export async function catchmentToXlsx(r: CatchmentResult): Promise<Buffer> {
  return workbook(
    [
      {
        name: 'Segments',
        title: catchmentTitle(r),
        head: ['Segment', 'Name', `${r.measure} in catchment`, '% of catchment', '% of borough', 'Index'],
        rows: r.segments.map((s) => [
          s.code,
          s.name,
          s.suppressed ? SUPPRESSED_MARK : s.inCatchment,
          s.catchmentPct === null ? null : s.catchmentPct / 100,
          s.boroughPct === null ? null : s.boroughPct / 100,
          s.index === null ? (s.suppressed ? SUPPRESSED_MARK : null) : Math.round(s.index),
        ]),
        formats: { 3: '#,##0', 4: '0.00%', 5: '0.00%', 6: '0' },
      },
      {
        name: 'Areas',
        title: `${r.level} areas inside`,
        head: ['Code', 'Name', 'Households', 'Population', 'Minutes', 'Metres'],
        rows: r.areas.map((a) => [
          a.code,
          a.name,
          a.households,
          a.population,
          Math.round(a.minutes * 10) / 10,
          Math.round(a.metres),
        ]),
        formats: { 3: '#,##0', 4: '#,##0', 6: '#,##0' },
      },
    ],
    [
      ['What this is', 'Who lives within reach of a site, profiled by segment against the whole borough.'],
      ['Site', `${r.site.name} (${r.site.lon.toFixed(5)}, ${r.site.lat.toFixed(5)})`],
      ['Inside', 'An area counts in full when its population-weighted centroid is within reach.'],
      ['Travel', `${r.mode}; ${r.costSource}`],
      ['Classification', r.classification ? `${r.classification} — ${r.tier}` : 'none'],
      ['Base', r.baseMethod ?? ''],
      [
        'Disclosure control',
        r.disclosure
          ? `Counts under ${r.disclosure.minCell} suppressed (${r.disclosure.primary + r.disclosure.secondary} cells).`
          : 'None: for the data owner only.',
      ],
    ],
  );
}

/** The outline (for display only), the site, and the areas inside as points, with their figures. */
export function catchmentToGeoJson(r: CatchmentResult): string {
  const features: unknown[] = [];
  if (r.polygon) features.push({ ...r.polygon, id: 'catchment' });
  features.push({
    type: 'Feature',
    id: 'site',
    geometry: { type: 'Point', coordinates: [r.site.lon, r.site.lat] },
    properties: { role: 'site', name: r.site.name, facility: r.site.id },
  });
  for (const a of r.areas)
    features.push({
      type: 'Feature',
      id: a.code,
      geometry: { type: 'Point', coordinates: [a.lon, a.lat] },
      properties: {
        role: 'area centroid',
        code: a.code,
        name: a.name,
        households: a.households,
        population: a.population,
        minutes: a.minutes,
        metres: a.metres,
      },
    });
  return (
    JSON.stringify({
      type: 'FeatureCollection',
      name: catchmentTitle(r),
      catchment: {
        version: r.version,
        site: r.site,
        within: r.within,
        mode: r.mode,
        costSource: r.costSource,
        total: r.total,
        classification: r.classification,
        tier: r.tier,
        segments: r.segments,
        disclosure: r.disclosure,
        outline: 'for display only',
      },
      features,
    }) + '\n'
  );
}

// ---------------------------------------------------------------- access patterns

function discloseOutlet(o: OutletPattern, minCell: number): { o: OutletPattern; primary: number; secondary: number } {
  const users = o.users ?? 0;
  if (users < minCell) {
    return {
      o: {
        ...o,
        users: null,
        byArea: [],
        bands: o.bands.map((b) => ({ ...b, users: null, share: null })),
        meanKm: null,
        medianKm: null,
        usesNearest: null,
        passedNearer: null,
        passedShare: null,
        suppressed: true,
      },
      primary: 1,
      secondary: 0,
    };
  }
  const a = suppressOneWay(
    o.byArea.map((x) => x.users ?? 0),
    minCell,
  );
  const b = suppressOneWay(
    o.bands.map((x) => x.users ?? 0),
    minCell,
  );
  const n = suppressOneWay([o.usesNearest ?? 0, o.passedNearer ?? 0], minCell);
  const hideNearest = n.suppressed.some(Boolean);
  return {
    o: {
      ...o,
      byArea: o.byArea.map((x, i) => (a.suppressed[i] ? { ...x, users: null, suppressed: true } : x)),
      bands: o.bands.map((x, i) => (b.suppressed[i] ? { ...x, users: null, share: null } : x)),
      usesNearest: hideNearest ? null : o.usesNearest,
      passedNearer: hideNearest ? null : o.passedNearer,
      passedShare: hideNearest ? null : o.passedShare,
    },
    primary: a.primary + b.primary + n.primary,
    secondary: a.secondary + b.secondary + n.secondary,
  };
}

/** Suppresses small counts of users: per outlet by area, by band and past-a-nearer-outlet, and small outlets whole. */
export function disclosePatterns(r: PatternsResult, minCell: number): PatternsResult {
  if (!(minCell > 0)) return r;
  let primary = 0,
    secondary = 0;
  const outlets = r.outlets.map((o) => {
    const d = discloseOutlet(o, minCell);
    primary += d.primary;
    secondary += d.secondary;
    return d.o;
  });
  const overall = discloseOutlet(r.overall, minCell);
  return {
    ...r,
    outlets,
    overall: overall.o,
    unmatchedOutlets: r.unmatchedOutlets.map((u) => ({ ...u, records: u.records < minCell ? 0 : u.records })),
    disclosure: { minCell, primary: primary + overall.primary, secondary: secondary + overall.secondary },
  };
}

export function patternsToTable(r: PatternsResult): string {
  const all = [...r.outlets, r.overall];
  const out = [
    `Where users of each ${r.kind} come from: ${r.dataset}, outlet column "${r.outletColumn}" (${r.mode}, ${r.costSource})`,
    '',
  ];
  out.push(
    textTable(
      ['Outlet', 'Users', ...r.overall.bands.map((b) => b.label + ' %'), 'Median km', 'Past a nearer %'],
      all.map((o) => [
        o.outlet,
        shown(o.users),
        ...o.bands.map((b) => (b.share === null ? SUPPRESSED_MARK : fmtPct(b.share * 100))),
        o.medianKm === null ? '' : o.medianKm.toFixed(2),
        o.passedShare === null ? SUPPRESSED_MARK : fmtPct(o.passedShare * 100),
      ]),
      (i) => i >= 1,
    ),
  );
  out.push(
    '',
    `Bands: share of the outlet's users by ${r.bandUnit === 'km' ? 'straight-line distance from home' : 'minutes of travel from home'}. "Past a nearer": users with another ${r.kind} nearer home than the one they use.`,
  );
  for (const o of r.outlets.filter((x) => !x.suppressed)) {
    const top = o.byArea
      .slice(0, 5)
      .map((a) => `${a.name ?? a.code} ${shown(a.users)}`)
      .join(', ');
    out.push(`${o.outlet}: most users from ${top || '—'}.`);
  }
  if (r.unmatchedOutlets.length)
    out.push(
      '',
      `Outlet names matching no ${r.kind}: ${r.unmatchedOutlets.map((u) => `"${u.value}" (${u.records ? fmtCount(u.records, 'record') : `fewer than ${r.disclosure?.minCell} records`})`).join(', ')}.`,
    );
  if (r.unusedFacilities.length)
    out.push(`${r.kind} facilities nobody in the file uses: ${r.unusedFacilities.join(', ')}.`);
  const np = r.notPlaced;
  if (np.postcodeNotMatched + np.noOutlet + np.noCoordinates)
    out.push(
      `Not placed: ${fmtInt(np.postcodeNotMatched)} with an unmatched postcode, ${fmtInt(np.noOutlet)} with no outlet, ${fmtInt(np.noCoordinates)} at postcodes without coordinates.`,
    );
  if (r.disclosure)
    out.push(
      r.disclosure.primary + r.disclosure.secondary
        ? `Counts under ${r.disclosure.minCell} are suppressed (${SUPPRESSED_MARK}).`
        : `No count is under ${r.disclosure.minCell}, so nothing is suppressed.`,
    );
  return out.join('\n') + '\n';
}

export function patternsToCsv(r: PatternsResult): string {
  const rows: Cell[][] = [];
  for (const o of [...r.outlets, r.overall]) {
    rows.push([o.outlet, 'users', null, o.users]);
    for (const b of o.bands) rows.push([o.outlet, 'band', b.label, b.users]);
    rows.push(
      [o.outlet, 'uses nearest', null, o.usesNearest],
      [o.outlet, 'passed a nearer outlet', null, o.passedNearer],
    );
    for (const a of o.byArea) rows.push([o.outlet, `users from ${r.level}`, a.code, a.users]);
  }
  return csvText(['outlet', 'measure', 'category', 'users'], rows);
}

export async function patternsToXlsx(r: PatternsResult): Promise<Buffer> {
  const all = [...r.outlets, r.overall];
  const sup = (n: number | null) => (n === null ? SUPPRESSED_MARK : n);
  return workbook(
    [
      {
        name: 'Outlets',
        title: `Access patterns: ${r.dataset} by ${r.outletColumn}`,
        head: [
          'Outlet',
          'Users',
          ...r.overall.bands.map((b) => b.label),
          'Mean km',
          'Median km',
          'Uses nearest',
          'Passed a nearer',
          '% passed a nearer',
        ],
        rows: all.map((o) => [
          o.outlet,
          sup(o.users),
          ...o.bands.map((b) => (b.share === null ? SUPPRESSED_MARK : b.share)),
          o.meanKm,
          o.medianKm,
          sup(o.usesNearest),
          sup(o.passedNearer),
          o.passedShare === null ? SUPPRESSED_MARK : o.passedShare,
        ]),
        formats: {
          2: '#,##0',
          ...Object.fromEntries(r.overall.bands.map((_, i) => [3 + i, '0.0%'])),
          [3 + r.overall.bands.length]: '0.00',
          [4 + r.overall.bands.length]: '0.00',
          [7 + r.overall.bands.length]: '0.0%',
        },
      },
      {
        name: 'Users by area',
        title: `Where each outlet's users live, by ${r.level}`,
        head: ['Outlet', 'Area', 'Name', 'Users'],
        rows: r.outlets.flatMap((o) => o.byArea.map((a) => [o.outlet, a.code, a.name, sup(a.users)] as Cell[])),
        formats: { 4: '#,##0' },
      },
    ],
    [
      [
        'What this is',
        'For each outlet: how many users, where they live, how far they come, and how many pass a nearer outlet of the same kind.',
      ],
      [
        'Distance bands',
        r.bandUnit === 'km'
          ? "Straight-line distance from the user's postcode to the outlet."
          : `Minutes of travel (${r.costSource}).`,
      ],
      [
        'Passed a nearer outlet',
        `Another ${r.kind} is nearer (in travel time: ${r.costSource}) to the user's postcode than the outlet they use.`,
      ],
      ['Unmatched outlet names', r.unmatchedOutlets.map((u) => `${u.value} (${u.records})`).join('; ') || 'none'],
      [
        'Disclosure control',
        r.disclosure ? `Counts under ${r.disclosure.minCell} suppressed.` : 'None: for the data owner only.',
      ],
    ],
  );
}
