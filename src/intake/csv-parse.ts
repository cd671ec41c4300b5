/**
 * The careful path's CSV parser: RFC 4180 quoting, any mix of CRLF, LF and CR line endings, and
 * recovery from broken quoting so that one bad quote never swallows the records after it.
 *
 * A quoted value may hold line breaks. When a record that spans several lines is broken — its
 * quote never closes, text follows a closing quote, or it does not have the header's number of
 * values — it is taken to be an unclosed quote rather than a quoted line break: only its first
 * line is kept (as a record with a problem) and reading starts again on the next line, so every
 * later record is read as the person who wrote the file meant it.
 */

export interface CsvRecord {
  values: string[];
  /** The problem with the record's quoting, when it has one. */
  problem?: string;
}

const NOT_CLOSED = 'a quoted value is not closed properly';
const NEVER_CLOSED = 'a quote (") opens a value that is never closed; the rest of this line was read as one value';

interface Parsed {
  values: string[];
  end: number;
  lines: number;
  problem?: string;
  eofInQuote: boolean;
}

/** Position just past the line break at or after pos (or the end of the text). */
function nextLineStart(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) return i + 1;
    if (c === 13) return text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
  }
  return text.length;
}

/**
 * Parses one record starting at pos. With singleLine, a quote that is not closed on the line runs
 * to the end of the line instead of past it.
 */
function parseRecord(text: string, pos: number, delim: string, singleLine: boolean): Parsed {
  const values: string[] = [];
  const d = delim.charCodeAt(0);
  let lines = 1;
  let problem: string | undefined;
  let i = pos;
  const n = text.length;
  for (;;) {
    // One field.
    if (i < n && text.charCodeAt(i) === 34) {
      let v = '';
      let j = i + 1;
      let closed = false;
      for (;;) {
        const q = text.indexOf('"', j);
        const stop = singleLine ? lineEnd(text, j) : n;
        if (q < 0 || q >= stop) {
          v += text.slice(j, stop);
          j = stop;
          break;
        }
        v += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 34) {
          v += '"';
          j = q + 2;
          continue;
        }
        j = q + 1;
        closed = true;
        break;
      }
      if (!singleLine)
        for (let k = i; k < j; k++) {
          const c = text.charCodeAt(k);
          if (c === 10 || (c === 13 && text.charCodeAt(k + 1) !== 10)) lines++;
        }
      if (!closed) {
        values.push(v);
        if (singleLine)
          return { values, end: nextLineStart(text, j), lines: 1, problem: NEVER_CLOSED, eofInQuote: false };
        return { values, end: n, lines, problem: NEVER_CLOSED, eofInQuote: true };
      }
      // Text after the closing quote, before the delimiter: kept, and the record marked.
      let k = j;
      while (k < n) {
        const c = text.charCodeAt(k);
        if (c === d || c === 10 || c === 13) break;
        k++;
      }
      if (k > j) {
        v += text.slice(j, k);
        problem ??= NOT_CLOSED;
      }
      values.push(v);
      i = k;
    } else {
      let k = i;
      while (k < n) {
        const c = text.charCodeAt(k);
        if (c === d || c === 10 || c === 13) break;
        k++;
      }
      values.push(text.slice(i, k));
      i = k;
    }
    if (i >= n) return { values, end: n, lines, problem, eofInQuote: false };
    const c = text.charCodeAt(i);
    if (c === d) {
      i++;
      continue;
    }
    // A line break ends the record.
    return {
      values,
      end: c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1,
      lines,
      problem,
      eofInQuote: false,
    };
  }
}

function lineEnd(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) return i;
  }
  return text.length;
}

/**
 * Splits text into records. expectedWidth, when known, is the header's number of columns: a
 * record spanning lines with another width is taken to be broken (see above). Records before
 * fromRecord are checked only for quotes that never close (the header and any title lines).
 * onSample, with sampleAt, is told how many records were read by the time sampleAt characters were,
 * and again each time that doubles (it may throw to stop reading).
 */
export function parseCsv(
  text: string,
  delimiter: string,
  opts: {
    expectedWidth?: number;
    fromRecord?: number;
    maxRecords?: number;
    sampleAt?: number;
    onSample?: (records: number, chars: number) => void;
  } = {},
): CsvRecord[] {
  const out: CsvRecord[] = [];
  let pos = 0;
  const max = opts.maxRecords ?? Infinity;
  let sampleAt = opts.onSample ? (opts.sampleAt ?? Infinity) : Infinity;
  while (pos < text.length && out.length < max) {
    if (pos >= sampleAt) {
      opts.onSample!(out.length, pos);
      sampleAt *= 2;
    }
    const r = parseRecord(text, pos, delimiter, false);
    const checkWidth = opts.expectedWidth !== undefined && out.length >= (opts.fromRecord ?? 0);
    const broken =
      r.lines > 1 &&
      (r.eofInQuote ||
        r.problem !== undefined ||
        (checkWidth && r.values.length !== opts.expectedWidth && !trailingEmpty(r.values, opts.expectedWidth!)));
    if (broken || r.eofInQuote) {
      // Keep the first line only, as a record with a problem, and read on from the next line.
      const line = parseRecord(text, pos, delimiter, true);
      out.push({ values: line.values, problem: line.problem ?? NOT_CLOSED });
      pos = line.end;
      continue;
    }
    out.push(r.problem ? { values: r.values, problem: r.problem } : { values: r.values });
    pos = r.end;
  }
  return out;
}

/** More values than the header only by empty trailing ones (a trailing delimiter), which readers forgive. */
function trailingEmpty(values: string[], width: number): boolean {
  return values.length > width && values.slice(width).every((v) => v.trim() === '');
}
