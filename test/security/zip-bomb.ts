/**
 * Builds XLSX workbooks for the upload-bomb tests (issue 10, finding 5): a real, minimal workbook
 * (Excel and exceljs open it) whose one sheet holds a header and `rows` tiny records (or records
 * of the test's own making). Written as a hand-assembled zip with the sheet deflated as a stream, so
 * millions of rows pack into a few MB without ever being held in memory.
 */
import { createWriteStream } from 'node:fs';
import { crc32, createDeflateRaw, deflateRawSync } from 'node:zlib';

export interface BombOptions {
  rows: number;
  /** Every record the same (packs about 1000:1) or numbered like a real sheet (packs about 20:1). */
  identical?: boolean;
  /** Declare a small unpacked size in the zip directory (declared sizes can lie). */
  lie?: boolean;
  /** Deflate level (1 is fast; 9 packs repeated rows about 1000:1). */
  level?: number;
  /** The XML of record `i` (0-based; sheet row i + 2), for sheets whose rows differ in length. */
  record?: (i: number) => string;
}

const STATIC: [string, string][] = [
  [
    '[Content_Types].xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
  ],
  [
    '_rels/.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
  ],
  [
    'xl/workbook.xml',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>',
  ],
  [
    'xl/_rels/workbook.xml.rels',
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
  ],
];

function localHeader(name: Buffer, crc: number, compressed: number, size: number): Buffer {
  const h = Buffer.alloc(30);
  h.writeUInt32LE(0x04034b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(0, 6);
  h.writeUInt16LE(8, 8);
  h.writeUInt32LE(crc >>> 0, 14);
  h.writeUInt32LE(compressed, 18);
  h.writeUInt32LE(size, 22);
  h.writeUInt16LE(name.length, 26);
  return Buffer.concat([h, name]);
}
function centralHeader(name: Buffer, crc: number, compressed: number, size: number, offset: number): Buffer {
  const h = Buffer.alloc(46);
  h.writeUInt32LE(0x02014b50, 0);
  h.writeUInt16LE(20, 4);
  h.writeUInt16LE(20, 6);
  h.writeUInt16LE(0, 8);
  h.writeUInt16LE(8, 10);
  h.writeUInt32LE(crc >>> 0, 16);
  h.writeUInt32LE(compressed, 20);
  h.writeUInt32LE(size, 24);
  h.writeUInt16LE(name.length, 28);
  h.writeUInt32LE(offset, 42);
  return Buffer.concat([h, name]);
}

/** Writes the workbook to `path`; returns its size in bytes and the sheet's real unpacked size. */
export async function writeBombXlsx(path: string, opts: BombOptions): Promise<{ bytes: number; unpacked: number }> {
  const out = createWriteStream(path);
  const write = (b: Buffer) => new Promise<void>((res, rej) => out.write(b, (e) => (e ? rej(e) : res())));
  const central: Buffer[] = [];
  let offset = 0,
    unpacked = 0;
  for (const [n, text] of STATIC) {
    const name = Buffer.from(n),
      raw = Buffer.from(text),
      packed = deflateRawSync(raw);
    const lh = localHeader(name, crc32(raw), packed.length, raw.length);
    central.push(centralHeader(name, crc32(raw), packed.length, raw.length, offset));
    await write(lh);
    await write(packed);
    offset += lh.length + packed.length;
  }
  // The sheet: deflated as a stream into memory (a few MB), then written with its sizes.
  const deflate = createDeflateRaw({ level: opts.level ?? 1, chunkSize: 1024 * 1024 });
  const packedChunks: Buffer[] = [];
  deflate.on('data', (c: Buffer) => packedChunks.push(c));
  const done = new Promise<void>((res) => deflate.on('end', () => res()));
  let crc = 0;
  const feed = (s: string) => {
    const b = Buffer.from(s);
    crc = crc32(b, crc);
    unpacked += b.length;
    return new Promise<void>((res) => {
      if (deflate.write(b)) res();
      else deflate.once('drain', () => res());
    });
  };
  await feed(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>' +
      '<row r="1"><c r="A1" t="inlineStr"><is><t>ref</t></is></c><c r="B1" t="inlineStr"><is><t>postcode</t></is></c></row>',
  );
  const BATCH = 10_000;
  const same = '<row><c t="n"><v>1</v></c><c t="inlineStr"><is><t>M1 1AE</t></is></c></row>';
  const sameBatch = same.repeat(BATCH);
  for (let i = 0; i < opts.rows; i += BATCH) {
    if (opts.identical && !opts.record && i + BATCH <= opts.rows) {
      await feed(sameBatch);
      continue;
    }
    let s = '';
    for (let j = i; j < Math.min(opts.rows, i + BATCH); j++) {
      s += opts.record
        ? opts.record(j)
        : opts.identical
          ? same
          : `<row r="${j + 2}"><c r="A${j + 2}"><v>${j}</v></c><c r="B${j + 2}" t="inlineStr"><is><t>M1 1AE</t></is></c></row>`;
    }
    await feed(s);
  }
  await feed('</sheetData></worksheet>');
  deflate.end();
  await done;
  const packed = Buffer.concat(packedChunks);
  const name = Buffer.from('xl/worksheets/sheet1.xml');
  const declared = opts.lie ? Math.min(unpacked, packed.length * 3) : unpacked;
  const lh = localHeader(name, crc, packed.length, declared);
  central.push(centralHeader(name, crc, packed.length, declared, offset));
  await write(lh);
  await write(packed);
  offset += lh.length + packed.length;
  const cd = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(central.length, 8);
  end.writeUInt16LE(central.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  await write(cd);
  await write(end);
  await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
  return { bytes: offset + cd.length + 22, unpacked };
}
