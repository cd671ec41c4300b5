/**
 * Checks an XLSX workbook (a zip archive) against the read limits before anything reads it for
 * real: first its central directory (the sizes each part says it unpacks to, and how tightly it is
 * packed), then by unpacking every part as a stream and counting the bytes, rows and cells, keeping
 * nothing, and stopping at the first limit passed. Declared sizes can lie; the count cannot.
 * A sheet far over the rows or cells limit is refused early, from an estimate after its first few
 * MB (PROJECTION_SAMPLE_BYTES and PROJECTION_MARGIN in limits.ts); one closer to a limit is counted.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { createInflateRaw } from 'node:zlib';
import { InputError } from '../core/index.ts';
import {
  overLimit,
  overLimitEstimate,
  PROJECTION_MARGIN,
  PROJECTION_SAMPLE_BYTES,
  type LimitEstimate,
  type ReadLimits,
} from './limits.ts';

interface ZipEntry {
  name: string;
  flags: number;
  method: number;
  compressed: number;
  uncompressed: number;
  offset: number;
}

const EOCD = 0x06054b50,
  EOCD64 = 0x06064b50,
  EOCD64_LOCATOR = 0x07064b50,
  CENTRAL = 0x02014b50,
  LOCAL = 0x04034b50,
  DESCRIPTOR = 0x08074b50;
const MAX_ENTRIES = 10_000;
/** Parts smaller than this unpack fast whatever their ratio (tiny XML parts pack very tightly). */
const RATIO_FLOOR = 1024 * 1024;
const CHUNK = 1024 * 1024;
const SHEET = /^xl\/worksheets\/[^/]+\.xml$/i;

const notWorkbook = (file: string, why: string) =>
  new InputError(`The file could not be read as an Excel workbook: ${why}.`, {
    location: { file },
    code: 'input_not_xlsx',
    fix: 'Open it in Excel and save it again as .xlsx, or export CSV UTF-8.',
  });

async function readAt(fh: FileHandle, position: number, length: number): Promise<Buffer> {
  const b = Buffer.alloc(length);
  const { bytesRead } = await fh.read(b, 0, length, position);
  return b.subarray(0, bytesRead);
}

async function centralDirectory(
  fh: FileHandle,
  size: number,
  file: string,
): Promise<{ entries: ZipEntry[]; cdOffset: number }> {
  const tailLen = Math.min(size, 22 + 65535 + 20);
  const tail = await readAt(fh, size - tailLen, tailLen);
  let at = -1;
  for (let i = tail.length - 22; i >= 0; i--)
    if (tail.readUInt32LE(i) === EOCD) {
      at = i;
      break;
    }
  if (at < 0) throw notWorkbook(file, 'it is not a complete zip archive (it may have been cut short while copying)');
  let count = tail.readUInt16LE(at + 10),
    cdSize = tail.readUInt32LE(at + 12),
    cdOffset = tail.readUInt32LE(at + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    if (at < 20 || tail.readUInt32LE(at - 20) !== EOCD64_LOCATOR)
      throw notWorkbook(file, 'its zip directory is damaged');
    const rec = await readAt(fh, Number(tail.readBigUInt64LE(at - 20 + 8)), 56);
    if (rec.length < 56 || rec.readUInt32LE(0) !== EOCD64) throw notWorkbook(file, 'its zip directory is damaged');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (count > MAX_ENTRIES) throw notWorkbook(file, `it holds ${count} parts, far more than a workbook has`);
  if (cdOffset + cdSize > size || cdSize > 64 * 1024 * 1024) throw notWorkbook(file, 'its zip directory is damaged');
  const cd = await readAt(fh, cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let n = 0; n < count; n++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL) throw notWorkbook(file, 'its zip directory is damaged');
    const nameLen = cd.readUInt16LE(p + 28),
      extraLen = cd.readUInt16LE(p + 30),
      commentLen = cd.readUInt16LE(p + 32);
    const e: ZipEntry = {
      flags: cd.readUInt16LE(p + 8),
      method: cd.readUInt16LE(p + 10),
      compressed: cd.readUInt32LE(p + 20),
      uncompressed: cd.readUInt32LE(p + 24),
      offset: cd.readUInt32LE(p + 42),
      name: cd.toString('utf8', p + 46, p + 46 + nameLen),
    };
    // ZIP64: sizes and offset that did not fit in 32 bits are in an extra field, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x),
        len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        const next = () => {
          const v = q + 8 <= x + 4 + len ? Number(cd.readBigUInt64LE(q)) : NaN;
          q += 8;
          return v;
        };
        if (e.uncompressed === 0xffffffff) e.uncompressed = next();
        if (e.compressed === 0xffffffff) e.compressed = next();
        if (e.offset === 0xffffffff) e.offset = next();
      }
      x += 4 + len;
    }
    if (![e.uncompressed, e.compressed, e.offset].every(Number.isFinite))
      throw notWorkbook(file, 'its zip directory is damaged');
    entries.push(e);
    p += 46 + nameLen + extraLen + commentLen;
  }
  return { entries, cdOffset };
}

/** Where each part's packed data starts, checking the parts lie one after another with nothing hidden between them. */
async function dataStarts(
  fh: FileHandle,
  entries: ZipEntry[],
  cdOffset: number,
  file: string,
): Promise<Map<ZipEntry, number>> {
  const starts = new Map<ZipEntry, number>();
  const sorted = [...entries].sort((a, b) => a.offset - b.offset);
  // The local headers, then the data descriptors, are each read all at once: on a loaded server every
  // read awaited in turn waits for a turn of the event loop (about 0.1 s each in the load bench).
  const heads = await Promise.all(sorted.map((e) => readAt(fh, e.offset, 30)));
  const begins = heads.map((h, i) =>
    h.length < 30 || h.readUInt32LE(0) !== LOCAL
      ? NaN
      : sorted[i].offset + 30 + h.readUInt16LE(26) + h.readUInt16LE(28),
  );
  const descriptors = await Promise.all(
    sorted.map((e, i) =>
      e.flags & 0x08 && Number.isFinite(begins[i]) ? readAt(fh, begins[i] + e.compressed, 4) : null,
    ),
  );
  let expected = 0;
  sorted.forEach((e, i) => {
    if (e.offset !== expected) throw notWorkbook(file, 'its zip archive has data that its directory does not list');
    const start = begins[i];
    if (!Number.isFinite(start)) throw notWorkbook(file, 'its zip archive is damaged');
    starts.set(e, start);
    let end = start + e.compressed;
    const d = descriptors[i];
    if (d) {
      if (d.length === 4 && d.readUInt32LE(0) === DESCRIPTOR) end += 4;
      end += e.compressed >= 0xffffffff || e.uncompressed >= 0xffffffff ? 20 : 12;
    }
    expected = end;
  });
  if (expected !== cdOffset) throw notWorkbook(file, 'its zip archive has data that its directory does not list');
  return starts;
}

/** Counts the rows (`<row`) and cells (`<c `) of sheet XML as it streams past, across chunk seams. */
function tagCounter() {
  let carry = Buffer.alloc(0);
  const scan = (b: Buffer, from: number, to: number, n: { rows: number; cells: number }) => {
    // A byte loop: several times faster than indexOf for millions of short matches.
    for (let i = from; i < to; i++) {
      if (b[i] !== 0x3c) continue;
      const x = b[i + 1];
      if (x === 0x72 && b[i + 2] === 0x6f && b[i + 3] === 0x77) n.rows++;
      else if (x === 0x63 && b[i + 2] === 0x20) n.cells++;
    }
  };
  return (chunk: Buffer): { rows: number; cells: number } => {
    const n = { rows: 0, cells: 0 };
    if (carry.length) scan(Buffer.concat([carry, chunk.subarray(0, 3)]), 0, carry.length, n);
    scan(chunk, 0, Math.max(0, chunk.length - 3), n);
    carry = Buffer.from(chunk.subarray(Math.max(0, chunk.length - 3)));
    return n;
  };
}

/** A projection made while checking a sheet (given to WorkbookCheckOptions.onProjection). */
export interface SheetProjection extends LimitEstimate {
  /** Whether the projection refused the workbook (more than PROJECTION_MARGIN times a limit). */
  refused: boolean;
}

export interface WorkbookCheckOptions {
  /** Told of every projection of a sheet's rows and cells, whether or not it refused (tests, diagnostics). */
  onProjection?: (p: SheetProjection) => void;
}

/**
 * Refuses a workbook that passes a limit: by what its directory declares (in milliseconds), then by
 * unpacking and counting (about a second per few hundred MB, with nothing kept in memory); a sheet
 * whose first few MB project to far over the rows or cells limit is refused then (an
 * EstimatedOverLimitError, saying how much was read), without unpacking the rest.
 */
export async function checkWorkbookLimits(
  path: string,
  file: string,
  limits: ReadLimits,
  opts: WorkbookCheckOptions = {},
): Promise<void> {
  const fh = await open(path, 'r');
  let entries: ZipEntry[], starts: Map<ZipEntry, number>;
  try {
    const size = (await fh.stat()).size;
    const cd = await centralDirectory(fh, size, file);
    entries = cd.entries;
    let declared = 0;
    for (const e of entries) {
      declared += e.uncompressed;
      if (e.uncompressed > RATIO_FLOOR && e.uncompressed / Math.max(e.compressed, 1) > limits.maxCompressionRatio)
        throw overLimit(file, 'ratio', limits, e.uncompressed / Math.max(e.compressed, 1));
      if (e.method !== 0 && e.method !== 8) throw notWorkbook(file, 'it is packed in a way Excel does not use');
      if (e.flags & 0x01) throw notWorkbook(file, 'it is protected with a password');
    }
    if (declared > limits.maxUnpackedBytes) throw overLimit(file, 'unpacked', limits, declared);
    starts = await dataStarts(fh, entries, cd.cdOffset, file);
  } finally {
    await fh.close();
  }

  let unpacked = 0;
  // Sheets first: one far over a limit is refused from its estimate before the other parts are
  // opened (each takes a few turns of the event loop, slow on a loaded server). Every part is still
  // checked, and what they unpack to is added up all the same.
  const sheetsFirst = [...entries].sort((a, b) => Number(SHEET.test(b.name)) - Number(SHEET.test(a.name)));
  for (const e of sheetsFirst) {
    if (e.compressed === 0) continue;
    const start = starts.get(e)!;
    const sheet = SHEET.test(e.name);
    const count = tagCounter();
    let nRows = 0,
      nCells = 0,
      entryBytes = 0,
      projectAt = PROJECTION_SAMPLE_BYTES;
    const source = createReadStream(path, { start, end: start + e.compressed - 1, highWaterMark: CHUNK });
    const stream = e.method === 8 ? source.pipe(createInflateRaw({ chunkSize: CHUNK })) : source;
    try {
      for await (const chunk of stream as AsyncIterable<Buffer>) {
        unpacked += chunk.length;
        entryBytes += chunk.length;
        if (unpacked > limits.maxUnpackedBytes) throw overLimit(file, 'unpacked', limits);
        // Against what has been read so far (at least what was unpacked), so a lie is caught early.
        if (entryBytes > RATIO_FLOOR && entryBytes / Math.max(source.bytesRead, 1) > limits.maxCompressionRatio)
          throw overLimit(file, 'ratio', limits, entryBytes / Math.max(source.bytesRead, 1));
        if (sheet) {
          const n = count(chunk);
          nRows += n.rows;
          nCells += n.cells;
          if (nRows > limits.maxRows + 1) throw overLimit(file, 'rows', limits);
          if (nCells > limits.maxCells) throw overLimit(file, 'cells', limits);
          if (entryBytes >= projectAt) {
            projectAt *= 2;
            // The declared size can only be believed so far as it is not already passed; a size
            // that lies low is caught by the unpacked and ratio checks above, and by the count.
            const sheetBytes = Math.max(e.uncompressed, entryBytes);
            const scale = sheetBytes / entryBytes;
            // The header row is in the count: the limit is on records.
            const p: SheetProjection = {
              part: e.name,
              readBytes: entryBytes,
              totalBytes: sheetBytes,
              rows: nRows,
              cells: nCells,
              projectedRows: Math.max(0, nRows * scale - 1),
              projectedCells: nCells * scale,
              refused: false,
            };
            const what =
              p.projectedRows > PROJECTION_MARGIN * limits.maxRows
                ? 'rows'
                : p.projectedCells > PROJECTION_MARGIN * limits.maxCells
                  ? 'cells'
                  : null;
            p.refused = what !== null;
            opts.onProjection?.(p);
            if (what) {
              const { refused: _, ...estimate } = p;
              throw overLimitEstimate(file, what, limits, estimate);
            }
          }
        }
      }
    } catch (err) {
      if (err instanceof InputError) throw err;
      throw notWorkbook(file, 'a part of it cannot be unpacked');
    } finally {
      source.destroy();
      if (stream !== source) (stream as NodeJS.ReadableStream & { destroy(): void }).destroy();
    }
  }
}
