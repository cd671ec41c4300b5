/**
 * Small helpers shared by the Sample Borough generator: seeded streams, CSV text, encodings,
 * dates and a fix that makes XLSX files byte-identical between runs.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { createRandom, type Random } from '../core/index.ts';

/**
 * A random stream for one stage of the generator. Each stage gets its own stream (seed mixed with
 * a label) so that changing how one file is made does not reshuffle every file after it.
 */
export function stream(seed: number, label: string): Random {
  let h = (2166136261 ^ Math.imul(seed >>> 0, 2654435761)) >>> 0;
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 16777619) >>> 0;
  }
  return createRandom(h);
}

export function uniform(rng: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.next();
}

/** Fisher–Yates, in place. */
export function shuffle<T>(rng: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = items[i];
    items[i] = items[j];
    items[j] = t;
  }
  return items;
}

/** Picks a key of `weights` with probability proportional to its weight. */
export function weighted<K extends string>(rng: Random, weights: Readonly<Record<K, number>>): K {
  const keys = Object.keys(weights) as K[];
  let total = 0;
  for (const k of keys) total += weights[k];
  let r = rng.next() * total;
  for (const k of keys) {
    r -= weights[k];
    if (r < 0) return k;
  }
  return keys[keys.length - 1];
}

export const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
export const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
export const pad = (n: number, width: number) => String(n).padStart(width, '0');

/** `1234567` → `1,234,567`, the way published statistics write large numbers. */
export function thousands(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

// ---------------------------------------------------------------------------------------------
// CSV

/** A value in a generated row; dates only occur in rows written to XLSX (CSV gets ISO dates). */
export type Cell = string | number | Date | null | undefined;

export function csvCell(v: Cell): string {
  const s = v === null || v === undefined ? '' : v instanceof Date ? v.toISOString().slice(0, 10) : String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export interface CsvOptions {
  /** Line ending; Windows exports use CRLF. */
  eol?: '\n' | '\r\n';
  /** Prefix a UTF-8 byte-order mark, as Excel and many government files do. */
  bom?: boolean;
}

/**
 * Writes a CSV file a block of rows at a time, for files of hundreds of thousands of rows (the
 * gazetteer and the truth files), so that neither the rows nor the text are all held at once.
 */
export function writeCsvFile(
  path: string,
  header: readonly string[],
  count: number,
  row: (i: number) => readonly Cell[],
): void {
  const fd = openSync(path, 'w');
  try {
    writeSync(fd, header.map(csvCell).join(',') + '\n');
    for (let start = 0; start < count; start += 20_000) {
      const lines: string[] = [];
      for (let i = start; i < Math.min(count, start + 20_000); i++) lines.push(row(i).map(csvCell).join(','));
      writeSync(fd, lines.join('\n') + '\n');
    }
  } finally {
    closeSync(fd);
  }
}

export function csvText(header: readonly string[], rows: readonly (readonly Cell[])[], opts: CsvOptions = {}): string {
  const eol = opts.eol ?? '\n';
  const lines = [header.map(csvCell).join(',')];
  for (const row of rows) lines.push(row.map(csvCell).join(','));
  return (opts.bom ? '\uFEFF' : '') + lines.join(eol) + eol;
}

/**
 * Encodes text as Windows-1252. Only Latin-1 characters outside the C1 block (0x80–0x9F) are
 * accepted: for those the 1252 byte equals the code point, and anything else is a bug in the
 * generator's word lists, so it throws rather than writing a '?'.
 */
export function encodeWindows1252(text: string): Uint8Array {
  const out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c > 0xff || (c >= 0x80 && c <= 0x9f)) {
      throw new Error(`Character ${JSON.stringify(text[i])} cannot be written as Windows-1252`);
    }
    out[i] = c;
  }
  return out;
}

/** Strips accents and apostrophes for e-mail addresses (Zoë O'Brien → zoe.obrien). */
export function asciiFold(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9]/g, '');
}

// ---------------------------------------------------------------------------------------------
// Dates, held as whole days since 1970-01-01 (UTC) so that nothing depends on the clock or zone.

const DAY_MS = 86_400_000;
export const day = (y: number, m: number, d: number) => Date.UTC(y, m - 1, d) / DAY_MS;
export const dateOf = (dayNumber: number) => new Date(dayNumber * DAY_MS);
export const isoDate = (dayNumber: number) => dateOf(dayNumber).toISOString().slice(0, 10);
export function ukDate(dayNumber: number): string {
  const [y, m, d] = isoDate(dayNumber).split('-');
  return `${d}/${m}/${y}`;
}
/** `YYYYMM`, the ONS postcode directory's date format. */
export const yyyymm = (y: number, m: number) => `${y}${pad(m, 2)}`;

/** The date the synthetic extracts were "taken": fixed, so output never depends on today. */
export const EXTRACT_DAY = day(2025, 12, 1);

// ---------------------------------------------------------------------------------------------
// ZIP (XLSX) determinism

/**
 * exceljs stamps every entry of the XLSX zip with the current time; overwrite those DOS
 * timestamps (local headers and central directory) with a fixed one so that the same seed gives
 * the same bytes.
 */
export function fixZipTimestamps(buf: Uint8Array, year = 2025, month = 12, dayOfMonth = 1): Uint8Array {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const dosDate = ((year - 1980) << 9) | (month << 5) | dayOfMonth;
  const dosTime = 9 << 11; // 09:00:00
  let eocd = -1;
  for (let i = buf.length - 22; i >= 0; i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error('Not a zip file: end of central directory not found');
  const entries = view.getUint16(eocd + 10, true);
  let p = view.getUint32(eocd + 16, true);
  for (let e = 0; e < entries; e++) {
    if (view.getUint32(p, true) !== 0x02014b50) throw new Error('Corrupt zip central directory');
    view.setUint16(p + 12, dosTime, true);
    view.setUint16(p + 14, dosDate, true);
    const local = view.getUint32(p + 42, true);
    view.setUint16(local + 10, dosTime, true);
    view.setUint16(local + 12, dosDate, true);
    p += 46 + view.getUint16(p + 28, true) + view.getUint16(p + 30, true) + view.getUint16(p + 32, true);
  }
  return buf;
}
