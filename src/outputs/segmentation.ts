/** Plain-text and CSV views of segmentation results: the build report, k diagnostics, assignments. */
import type {
  AssignAreasResult,
  BuildResult,
  DiagnosticsResult,
  RecordSegments,
  PostcodeSegment,
  SegmentationSummary,
} from '../segmentation/index.ts';
import { fmtInt, safeCellText } from './format.ts';

const pad = (s: string, n: number) => (s.length >= n ? s : s + ' '.repeat(n - s.length));
const lpad = (s: string, n: number) => (s.length >= n ? s : ' '.repeat(n - s.length) + s);
const csvCell = (v: string | number | null) => {
  const s = v === null ? '' : typeof v === 'number' ? String(v) : safeCellText(v);
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};
export const toCsv = (header: string[], rows: (string | number | null)[][]) =>
  [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\r\n') + '\r\n';

export function buildToTable(r: BuildResult): string {
  const lines: string[] = [];
  lines.push(
    `Segmentation ${r.name}${r.title ? ` — ${r.title}` : ''}: ${fmtInt(r.areas)} ${r.areaLevel} areas, ${r.variables.length} variables, transformed ${r.transforms.join(' then ')}`,
  );
  lines.push(`k-means with k-means++ starts, best of ${r.restarts} restarts, seed ${r.seed}`);
  for (const t of r.tiers) {
    lines.push('', `${t.k} ${t.name}s (total within-cluster sum of squares ${t.wcss.toFixed(3)})`);
    lines.push(`  ${pad('code', 8)}${pad('name', 24)}${lpad('areas', 7)}  mean certainty`);
    for (const s of t.segments)
      lines.push(`  ${pad(s.code, 8)}${pad(s.name, 24)}${lpad(fmtInt(s.areas), 7)}  ${s.meanCertainty.toFixed(2)}`);
  }
  lines.push('');
  if (r.silhouette)
    lines.push(
      `Silhouette of the ${r.tiers[0].name}s: ${r.silhouette.value.toFixed(3)}${r.silhouette.sampled ? ` (on a sample of ${fmtInt(r.silhouette.sampled)} areas)` : ''} — above 0.25 the segments are reasonably distinct; near 0 they overlap.`,
    );
  if (r.stability)
    lines.push(
      `Stability: the ${r.tiers[0].name}s agree with ${r.stability.runs} builds from other seeds with an adjusted Rand index of ${r.stability.mean.toFixed(2)} on average (lowest ${r.stability.min.toFixed(2)}); 1 is identical, above 0.8 is stable.`,
    );
  lines.push(
    `Certainty: on average ${r.certainty.mean.toFixed(2)}; ${(r.certainty.uncertainShare * 100).toFixed(1)}% of areas sit close to the border of another ${r.tiers[0].name} (certainty under 0.1).`,
  );
  if (r.leftOut.length) {
    lines.push(`${fmtInt(r.leftOut.length)} area(s) left out because of missing or unreadable values:`);
    for (const l of r.leftOut.slice(0, 10))
      lines.push(
        `  ${l.area}: ${l.file}${l.row ? `, row ${l.row}` : ''}${l.column ? `, column ${l.column}` : ''}: ${l.reason}`,
      );
    if (r.leftOut.length > 10) lines.push(`  … and ${fmtInt(r.leftOut.length - 10)} more (see --format json)`);
  }
  return lines.join('\n') + '\n';
}

export function diagnosticsToTable(r: DiagnosticsResult): string {
  const lines = [
    `Choosing k: ${fmtInt(r.areas)} ${r.areaLevel} areas, ${r.variables} variables, transformed ${r.transforms.join(' then ')}`,
    '',
    `${lpad('k', 4)}  ${lpad('within-cluster SS', 18)}  ${lpad('fall', 7)}  ${lpad('silhouette', 10)}  smallest segment`,
  ];
  r.rows.forEach((row, i) => {
    const fall = i > 0 ? `${(((r.rows[i - 1].wcss - row.wcss) / r.rows[i - 1].wcss) * 100).toFixed(1)}%` : '';
    lines.push(
      `${lpad(String(row.k), 4)}  ${lpad(row.wcss.toFixed(3), 18)}  ${lpad(fall, 7)}  ${lpad(row.silhouette.toFixed(3), 10)}  ${fmtInt(row.smallest)} areas`,
    );
  });
  lines.push(
    '',
    'Look for the k after which the sum of squares stops falling steeply (the "elbow"), with a silhouette that holds up and no tiny segments.',
  );
  if (r.silhouetteSampled)
    lines.push(`Silhouettes are measured on a fixed sample of ${fmtInt(r.silhouetteSampled)} areas.`);
  return lines.join('\n') + '\n';
}

export function diagnosticsToCsv(r: DiagnosticsResult): string {
  return toCsv(
    ['k', 'wcss', 'silhouette', 'smallest_segment_areas'],
    r.rows.map((x) => [x.k, x.wcss, x.silhouette, x.smallest]),
  );
}

export function segmentationListToTable(list: SegmentationSummary[]): string {
  if (!list.length)
    return 'No segmentations yet. Build one with: civic segment build WORKSPACE --variables FILE --name NAME\n';
  return (
    list
      .map(
        (s) =>
          `${pad(s.name, 16)} ${s.origin.padEnd(9)} ${s.tiers.map((t) => `${t.k} ${t.name}s`).join(', ')}; ${s.variables} variables; ${fmtInt(s.areas)} ${s.areaLevel} areas${s.title ? ` — ${s.title}` : ''}`,
      )
      .join('\n') + '\n'
  );
}

export function assignToTable(r: AssignAreasResult): string {
  const lines = [
    `Assigned ${fmtInt(r.areas)} ${r.areaLevel} areas to ${r.segmentation} (mean certainty ${r.meanCertainty.toFixed(2)})`,
  ];
  for (const t of r.tiers)
    lines.push(
      `  ${t.name}: ${t.counts
        .filter((c) => c.areas > 0)
        .map((c) => `${c.code} ${fmtInt(c.areas)}`)
        .join(', ')}`,
    );
  if (r.leftOut.length)
    lines.push(
      `  ${fmtInt(r.leftOut.length)} area(s) left out: ${r.leftOut
        .slice(0, 5)
        .map((l) => `${l.area} (${l.column ?? ''} ${l.reason})`)
        .join('; ')}${r.leftOut.length > 5 ? ' …' : ''}`,
    );
  return lines.join('\n') + '\n';
}

export function postcodeSegmentsToCsv(rows: PostcodeSegment[], tiers: string[]): string {
  return toCsv(
    ['input', 'postcode', 'status', 'area_code', ...tiers.flatMap((t) => [t, `${t}_name`])],
    rows.map((r) => [
      r.input,
      r.postcode,
      r.status,
      r.area,
      ...tiers.flatMap((t) => {
        const s = r.segments.find((x) => x.tier === t);
        return [s?.code ?? null, s?.name ?? null];
      }),
    ]),
  );
}

export function recordSegmentsToCsv(r: RecordSegments): string {
  return toCsv(
    ['row', 'postcode_key', 'status', 'area_code', ...r.tiers],
    r.rows.map((x) => [x.row, x.postcode, x.status, x.area, ...x.codes]),
  );
}
