/**
 * How much a file may hold before it is refused: rows, cells, and bytes once unpacked (an XLSX
 * workbook is a zip archive; a small one can unpack to gigabytes). The limits are checked before
 * the real reading starts (from the zip's directory, then by unpacking and counting without
 * keeping anything), and again while reading, so a hostile or accidental "zip bomb" is refused in
 * seconds with a plain reason instead of filling the memory.
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
