/** Number formatting for reports, as a council analyst writes them. */
const int = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const two = new Intl.NumberFormat('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

export function fmtInt(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : int.format(Math.round(n));
}
export function fmtPct(n: number | null | undefined): string {
  return n === null || n === undefined ? '' : two.format(n);
}
/** A count with its noun, singular or plural as the count needs: "1 row", "2,118 rows". */
export function fmtCount(n: number, one: string, many = one + 's'): string {
  return `${fmtInt(n)} ${n === 1 ? one : many}`;
}

/** Cells that cannot be shown are marked as the ONS does. */
export const SUPPRESSED_MARK = '[c]';

/**
 * Text that a spreadsheet would run as a formula (=, +, -, @, tab, CR at the start) is prefixed
 * with an apostrophe so an export cannot carry a formula into someone's Excel.
 */
export function safeCellText(s: string): string {
  return /^[=+\-@\t\r]/.test(s) && !/^-?\d+(\.\d+)?$/.test(s) ? `'${s}` : s;
}

/** A plain-text table: columns padded, numbers right-aligned, long text cut with an ellipsis. */
export function textTable(head: string[], rows: string[][], numeric: (i: number) => boolean, maxWidth = 40): string {
  const all = [head, ...rows];
  const widths = head.map((_, i) => Math.min(maxWidth, Math.max(...all.map((r) => (r[i] ?? '').length))));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => {
        const v = (c ?? '').length > widths[i] ? c.slice(0, widths[i] - 1) + '…' : (c ?? '');
        return numeric(i) ? v.padStart(widths[i]) : v.padEnd(widths[i]);
      })
      .join('  ')
      .trimEnd();
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** One CSV field: empty for null and non-finite numbers, formula-safe, quoted where it must be. */
export function csvField(v: string | number | boolean | null | undefined): string {
  const s = v === null || v === undefined ? '' : typeof v === 'number' && !Number.isFinite(v) ? '' : String(v);
  const safe = safeCellText(s);
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** CSV with a header row; text that a spreadsheet would run as a formula is made safe. */
export function csvText(
  head: string[],
  rows: readonly (readonly (string | number | boolean | null | undefined)[])[],
): string {
  return [head, ...rows].map(csvRow).join('\r\n') + '\r\n';
}

/** One CSV line. */
export function csvRow(cells: readonly (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvField).join(',');
}

const HTML_ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text made safe inside HTML, in an element or in any attribute quoted with " or ' (the one escaper for HTML exports). */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]);
}
