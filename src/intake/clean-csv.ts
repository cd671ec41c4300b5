/**
 * Whether a CSV file is plain enough for DuckDB's reader to number its rows as the careful reader
 * would: valid UTF-8, no NUL byte, no blank line, every line ending the same way (all CRLF or all
 * LF, no lone CR), and an even number of double quotes on every line (no quoted value runs over a
 * line break, no quote left open). Read in chunks, so a big file is never held in memory, and
 * cheap enough to run while DuckDB loads the same file.
 */
import { isUtf8 } from 'node:buffer';
import { open } from 'node:fs/promises';

const LF = 0x0a;
const CR = 0x0d;
const QUOTE = 0x22;

/** Bytes read at a time. */
export const CLEAN_CSV_CHUNK = 8 * 1024 * 1024;

/** The scan's state between chunks: one instance per file. */
export class PlainCsvScan {
  private quotesOdd = false;
  /** The last two bytes seen, for a blank line or a CR LF split across chunks. */
  private prev1 = -1;
  private prev2 = -1;
  private crlf = false;
  private lf = false;
  /** The bytes of a UTF-8 character cut at a chunk's end, carried to the next. */
  private carry: Buffer = Buffer.alloc(0);
  ok = true;

  /** Scans the next chunk; false (and `ok` false) as soon as the file is known not to be plain. */
  push(chunk: Buffer): boolean {
    if (!this.ok || !chunk.length) return this.ok;
    if (!this.utf8(chunk) || chunk.includes(0) || !this.lines(chunk)) this.ok = false;
    return this.ok;
  }

  /** The end of the file: nothing may be left open. */
  end(): boolean {
    if (this.carry.length || this.quotesOdd || this.prev1 === CR) this.ok = false;
    return this.ok;
  }

  private utf8(chunk: Buffer): boolean {
    const bytes = this.carry.length ? Buffer.concat([this.carry, chunk]) : chunk;
    // Back up over a character cut at the end (at most 3 bytes of a 4-byte sequence).
    let cut = bytes.length;
    for (let k = 1; k <= 3 && k <= bytes.length; k++) {
      const b = bytes[bytes.length - k];
      if ((b & 0xc0) === 0x80) continue; // a continuation byte: look further back
      if (b >= 0xc0) {
        const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : 2;
        if (need > k) cut = bytes.length - k;
      }
      break;
    }
    this.carry = Buffer.from(bytes.subarray(cut));
    return isUtf8(bytes.subarray(0, cut));
  }

  private lines(chunk: Buffer): boolean {
    // A blank line, within the chunk or across its start.
    if (chunk.includes('\n\n') || chunk.includes('\n\r\n')) return false;
    if (this.prev1 === LF && (chunk[0] === LF || (chunk[0] === CR && chunk[1] === LF))) return false;
    if (this.prev2 === LF && this.prev1 === CR && chunk[0] === LF) return false;
    // A CR is allowed only as part of CR LF, and the file keeps to one line ending.
    if (this.prev1 === CR && chunk[0] !== LF) return false;
    if (!this.lineEndings(chunk)) return false;
    if (!this.quotes(chunk)) return false;
    this.prev2 = chunk.length > 1 ? chunk[chunk.length - 2] : this.prev1;
    this.prev1 = chunk[chunk.length - 1];
    return true;
  }

  private lineEndings(chunk: Buffer): boolean {
    let cr = chunk.indexOf(CR);
    if (cr < 0) {
      // No CR here: every line feed ends an LF line, but for one completing a CR LF cut at the last chunk's end.
      let i = chunk.indexOf(LF);
      if (i === 0 && this.prev1 === CR) {
        this.crlf = true;
        i = chunk.indexOf(LF, 1);
      }
      if (i >= 0) this.lf = true;
      return !(this.crlf && this.lf);
    }
    // CRs here: walk the line feeds; either all follow a CR or none does.
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      if ((i > 0 ? chunk[i - 1] : this.prev1) === CR) this.crlf = true;
      else this.lf = true;
      if (this.crlf && this.lf) return false;
    }
    // And every CR is followed by a line feed (a CR ending the chunk is checked with the next one).
    for (; cr >= 0; cr = chunk.indexOf(CR, cr + 1)) if (cr + 1 < chunk.length && chunk[cr + 1] !== LF) return false;
    return true;
  }

  private quotes(chunk: Buffer): boolean {
    let from = 0;
    for (let q = chunk.indexOf(QUOTE); q >= 0; q = chunk.indexOf(QUOTE, q + 1)) {
      // A line that ended between the last quote and this one must have closed its quotes.
      if (this.quotesOdd) {
        const lf = chunk.indexOf(LF, from);
        if (lf >= 0 && lf < q) return false;
      }
      this.quotesOdd = !this.quotesOdd;
      from = q + 1;
    }
    return !(this.quotesOdd && chunk.indexOf(LF, from) >= 0);
  }
}

/** Scans a whole file in chunks: whether it is plain (PlainCsvScan), without holding it in memory. */
export async function isPlainCsvFile(path: string, chunkBytes = CLEAN_CSV_CHUNK): Promise<boolean> {
  const scan = new PlainCsvScan();
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(chunkBytes);
    for (;;) {
      const { bytesRead } = await fh.read(buf, 0, chunkBytes, null);
      if (!bytesRead) break;
      if (!scan.push(buf.subarray(0, bytesRead))) return false;
    }
  } finally {
    await fh.close();
  }
  return scan.end();
}
