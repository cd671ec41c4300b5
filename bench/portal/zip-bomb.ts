/**
 * A "zip bomb" spreadsheet for the load bench's attack run (bench/portal/run.ts --with-attacks): a valid
 * XLSX whose one sheet holds millions of tiny rows, so that a few tens of megabytes on the wire unpack
 * into gigabytes of XML. Written by hand as a ZIP (deflate, data descriptors, no ZIP64, so the sheet
 * stays under 4 GiB unpacked), streaming, so the bench itself never holds it in memory.
 */
import { closeSync, openSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { createDeflateRaw, crc32 } from 'node:zlib';

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PARTS: [string, string][] = [
  [
    '[Content_Types].xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`,
  ],
  [
    '_rels/.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
  ],
  [
    'xl/workbook.xml',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><workbook xmlns="${MAIN}" xmlns:r="${DOC}"><sheets><sheet name="Records" sheetId="1" r:id="rId1"/></sheets></workbook>`,
  ],
  [
    'xl/_rels/workbook.xml.rels',
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${DOC}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`,
  ],
];

export interface ZipBomb {
  path: string;
  bytes: number;
  unpackedBytes: number;
  rows: number;
}

/** Writes the XLSX to `path`, stopping when the file reaches about `targetBytes` (or the sheet nears 4 GiB unpacked). */
export async function writeZipBombXlsx(path: string, targetBytes = 29 * 1024 * 1024): Promise<ZipBomb> {
  const fd = openSync(path, 'w');
  let offset = 0;
  const out = (b: Buffer) => {
    writeSync(fd, b);
    offset += b.length;
  };
  const central: Buffer[] = [];
  let rows = 0,
    unpackedSheet = 0;
  const entry = async (name: string, fill: (write: (s: string) => Promise<void>) => Promise<void>) => {
    const nameBytes = Buffer.from(name, 'utf8');
    const start = offset;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0008, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(nameBytes.length, 26);
    out(local);
    out(nameBytes);
    const deflate = createDeflateRaw({ level: 9 });
    let crc = 0,
      size = 0,
      csize = 0;
    deflate.on('data', (b: Buffer) => {
      csize += b.length;
      out(b);
    });
    const ended = once(deflate, 'end');
    await fill(async (s) => {
      const b = Buffer.from(s, 'utf8');
      crc = crc32(b, crc);
      size += b.length;
      if (!deflate.write(b)) await once(deflate, 'drain');
    });
    deflate.end();
    await ended;
    const desc = Buffer.alloc(16);
    desc.writeUInt32LE(0x08074b50, 0);
    desc.writeUInt32LE(crc >>> 0, 4);
    desc.writeUInt32LE(csize, 8);
    desc.writeUInt32LE(size, 12);
    out(desc);
    const cd = Buffer.alloc(46);
    cd.writeUInt32LE(0x02014b50, 0);
    cd.writeUInt16LE(20, 4);
    cd.writeUInt16LE(20, 6);
    cd.writeUInt16LE(0x0008, 8);
    cd.writeUInt16LE(8, 10);
    cd.writeUInt32LE(crc >>> 0, 16);
    cd.writeUInt32LE(csize, 20);
    cd.writeUInt32LE(size, 24);
    cd.writeUInt16LE(nameBytes.length, 28);
    cd.writeUInt32LE(start, 42);
    central.push(cd, nameBytes);
    return size;
  };
  try {
    for (const [name, xml] of PARTS) await entry(name, (write) => write(xml));
    unpackedSheet = await entry('xl/worksheets/sheet1.xml', async (write) => {
      await write(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}"><sheetData>`);
      await write(
        '<row r="1"><c r="A1" t="inlineStr"><is><t>postcode</t></is></c><c r="B1" t="inlineStr"><is><t>n</t></is></c></row>',
      );
      let written = 0;
      for (let r = 2; offset < targetBytes && written < 3.8e9; r += 20_000) {
        let s = '';
        for (let k = r; k < r + 20_000; k++)
          s += `<row r="${k}"><c r="A${k}" t="inlineStr"><is><t>SW1A 1AA</t></is></c><c r="B${k}"><v>1</v></c></row>`;
        written += s.length;
        rows += 20_000;
        await write(s);
      }
      await write('</sheetData></worksheet>');
    });
    const cdStart = offset;
    for (const b of central) out(b);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(PARTS.length + 1, 8);
    end.writeUInt16LE(PARTS.length + 1, 10);
    end.writeUInt32LE(offset - cdStart, 12);
    end.writeUInt32LE(cdStart, 16);
    out(end);
  } finally {
    closeSync(fd);
  }
  return { path, bytes: offset, unpackedBytes: unpackedSheet, rows };
}
