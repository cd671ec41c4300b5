/**
 * How much a file may hold before it is refused: rows, cells, and bytes once unpacked (an XLSX
 * workbook is a zip archive; a small one can unpack to gigabytes). The limits are checked before
 * the real reading starts (from the zip's directory, then by unpacking and counting without
 * keeping anything), and again while reading, so a hostile or accidental "zip bomb" is refused in
 * seconds with a plain reason instead of filling the memory. A workbook sheet or a CSV file far over
 * the rows or cells limit is refused from an estimate after its first few MB (PROJECTION_MARGIN).
 */
import { InputError, ParameterError } from '../core/index.ts';
import { DEFAULT_READ_LIMITS, READ_LIMIT_ENV, type ReadLimits } from './constants.ts';

export { DEFAULT_READ_LIMITS, READ_LIMIT_ENV, type ReadLimits };

const MB = 1024 * 1024;

function positive(value: string, what: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0)
    throw new ParameterError(
      `${what} must be a positive number, not "${value}".`,
      'Give a whole number greater than 0.',
    );
  return n;
}

/**
 * The limits to use: the defaults, changed by the environment (CIVIC_MAX_ROWS, CIVIC_MAX_CELLS,
 * CIVIC_MAX_UNPACKED_MB, CIVIC_MAX_COMPRESSION_RATIO), changed by what is given (flags, settings).
 */
export function resolveReadLimits(given: Partial<ReadLimits> = {}, env: NodeJS.ProcessEnv = process.env): ReadLimits {
  const out: ReadLimits = { ...DEFAULT_READ_LIMITS };
  if (env[READ_LIMIT_ENV.maxRows])
    out.maxRows = Math.floor(positive(env[READ_LIMIT_ENV.maxRows]!, READ_LIMIT_ENV.maxRows));
  if (env[READ_LIMIT_ENV.maxCells])
    out.maxCells = Math.floor(positive(env[READ_LIMIT_ENV.maxCells]!, READ_LIMIT_ENV.maxCells));
  if (env[READ_LIMIT_ENV.maxUnpackedBytes])
    out.maxUnpackedBytes = Math.floor(
      positive(env[READ_LIMIT_ENV.maxUnpackedBytes]!, READ_LIMIT_ENV.maxUnpackedBytes) * MB,
    );
  if (env[READ_LIMIT_ENV.maxCompressionRatio])
    out.maxCompressionRatio = positive(env[READ_LIMIT_ENV.maxCompressionRatio]!, READ_LIMIT_ENV.maxCompressionRatio);
  for (const k of Object.keys(out) as (keyof ReadLimits)[]) {
    const v = given[k];
    if (v === undefined) continue;
    if (!Number.isFinite(v) || v <= 0) throw new ParameterError(`The limit ${k} must be a positive number, not ${v}.`);
    out[k] = v;
  }
  return out;
}

/**
 * After this much of a workbook sheet is unpacked (or of a CSV file is read), its rows and cells are
 * projected to the whole (the counts so far × the whole size ÷ the bytes so far); for a sheet, again
 * each time its unpacked bytes double. 4 MB is tens of thousands of rows of a real table, enough for a
 * steady average row length, and four inflate chunks: a fraction of a second even on a loaded
 * server, where counting a 2,000,000-row sheet to the end took 32 s (bench/RESULTS.md).
 */
export const PROJECTION_SAMPLE_BYTES = 4 * 1024 * 1024;
/**
 * A projection refuses only when it is more than this many times a limit. It assumes the rest of the
 * file is as dense (rows per byte) as the part read, so an honest file is wrongly refused only if that
 * part is denser than the file as a whole by more than this factor × limit ÷ its rows: 1.5 times for
 * a file at the limit, 3 times for one at half of it. Rows of one table vary in length with their
 * values (a notes column filled only in later records), and grow a little down the file (cell
 * references run from A2 to A1999999: the bench's two-column bomb projects 6% high from its first
 * 4 MB); the XML after a sheet's rows (merged cells, hyperlinks, print settings) adds bytes but no
 * rows, which errs towards refusing too. Over tens of thousands of rows these move the average far
 * less than half. A bigger margin would send bombs back to the slow count: the bench's is 1.87 times
 * the rows limit. At the default limit a refusal needs about 3,000,000 rows, nearly three times what
 * Excel can hold in one sheet (1,048,576). A file under the margin, however its rows are spread, is
 * counted to the end: the exact count stays the backstop and decides.
 */
export const PROJECTION_MARGIN = 1.5;

const fmt = (n: number) => Math.round(n).toLocaleString('en-GB');
export const fmtMb = (bytes: number) => `${fmt(bytes / MB)} MB`;

const SPLIT =
  'Save the sheet as CSV, or split it into smaller files, and import each one; an administrator can raise the limit (see "Limits on file size" in the user guide).';

/** The one error for a file over a limit: says which limit, how big it is, and what to do. Quotes nothing from the file. */
export function overLimit(
  file: string,
  what: 'rows' | 'cells' | 'unpacked' | 'ratio',
  limits: ReadLimits,
  found?: number,
): InputError {
  const message = {
    rows: `The file has more than ${fmt(limits.maxRows)} rows, the most that can be imported in one file.`,
    cells: `The file has more than ${fmt(limits.maxCells)} cells (rows × columns), the most that can be imported in one file.`,
    unpacked: `The workbook unpacks to more than ${fmtMb(limits.maxUnpackedBytes)}${found ? ` (it says ${fmtMb(found)})` : ''}, the most that can be read.`,
    ratio: `The workbook is packed ${found ? `${fmt(found)} times` : 'far'} smaller than its contents (more than ${fmt(limits.maxCompressionRatio)} times is not accepted): it looks like a "zip bomb" rather than a table of data.`,
  }[what];
  const fix =
    what === 'ratio'
      ? `If this is a real workbook, open it in Excel and save it as CSV UTF-8, then import the CSV. ${SPLIT}`
      : SPLIT;
  return new InputError(message, { location: { file }, code: 'input_too_large', fix });
}

/** How an estimate was reached: what was counted in how much of the file, and what that projects to. */
export interface LimitEstimate {
  /** A workbook's sheet, as its part in the archive (e.g. xl/worksheets/sheet1.xml); absent for a CSV file. */
  part?: string;
  /** Bytes read (a sheet: unpacked) and counted when the projection was made. */
  readBytes: number;
  /** Bytes of the whole: what a sheet says it unpacks to (or what was unpacked, if more); a CSV file's size. */
  totalBytes: number;
  /** Rows and cells counted in the bytes read (a sheet: `<row` and `<c ` tags, its header row included). */
  rows: number;
  cells: number;
  /** The counts scaled from the bytes read to the whole. */
  projectedRows: number;
  projectedCells: number;
}

/** A file refused because an estimate from part of it is far over a limit (the estimate says how it was reached). */
export class EstimatedOverLimitError extends InputError {
  readonly estimate: LimitEstimate;
  constructor(message: string, opts: { location: { file: string }; fix: string }, estimate: LimitEstimate) {
    super(message, { ...opts, code: 'input_too_large' });
    this.estimate = estimate;
  }
}

/** Two significant figures: what an estimate can honestly claim ("about 3,700,000"). */
const roughly = (n: number) => {
  const step = 10 ** Math.max(0, Math.floor(Math.log10(Math.max(n, 1))) - 1);
  return fmt(Math.round(n / step) * step);
};

/**
 * The error for a file (a workbook's sheet, or a CSV file) that, judged from its first few MB, holds
 * far more rows or cells than the limit: names the file, gives the estimate as an estimate, and says
 * what to do. Quotes nothing from the file.
 */
export function overLimitEstimate(
  file: string,
  what: 'rows' | 'cells',
  limits: ReadLimits,
  estimate: LimitEstimate,
): EstimatedOverLimitError {
  const sample = `an estimate from the first ${fmtMb(estimate.readBytes)} of ${fmtMb(estimate.totalBytes)}${estimate.part ? ' of its sheet' : ''}`;
  const message =
    what === 'rows'
      ? `The file "${file}" has about ${roughly(estimate.projectedRows)} rows (${sample}), far more than the ${fmt(limits.maxRows)} rows that can be imported in one file.`
      : `The file "${file}" has about ${roughly(estimate.projectedCells)} cells, rows × columns (${sample}), far more than the ${fmt(limits.maxCells)} cells that can be imported in one file.`;
  return new EstimatedOverLimitError(message, { location: { file }, fix: SPLIT }, estimate);
}
