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
