// The fast path's check that a CSV is plain, read in chunks, against a byte-at-a-time reading of
// the whole file written here from the rule: valid UTF-8, no NUL, no blank line, one line ending
// throughout (no lone CR), and an even number of quotes on every line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isPlainCsvFile, PlainCsvScan } from '../../src/intake/clean-csv.ts';

function plainWhole(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  if (bytes.includes(0) || bytes.includes('\n\n') || bytes.includes('\n\r\n')) return false;
  let quotes = 0;
  let crlf = false;
  let lf = false;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === 0x22) quotes++;
    else if (b === 0x0d && bytes[i + 1] !== 0x0a) return false;
    else if (b === 0x0a) {
      if (quotes % 2) return false;
      quotes = 0;
      if (i > 0 && bytes[i - 1] === 0x0d) crlf = true;
      else lf = true;
      if (crlf && lf) return false;
    }
  }
  return quotes % 2 === 0;
}

function scanInChunks(bytes: Buffer, size: number): boolean {
  const s = new PlainCsvScan();
  for (let i = 0; i < bytes.length; i += size) if (!s.push(bytes.subarray(i, i + size))) return false;
  return s.end();
}

// A small seeded generator, so a failure can be run again.
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
const PIECES = ['a', 'b', ',', ',', '"', '""', '\n', '\n', '\r\n', '\r', '\0', 'é', '€', '😀', '\xff'];
function randomBytes(r: () => number, n: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < n; i++) {
    const p = PIECES[Math.floor(r() * PIECES.length)];
    // '\xff' stands for a byte that is never UTF-8; a cut emoji for a character left unfinished.
    if (p === '\xff') parts.push(Buffer.from([r() < 0.5 ? 0xff : 0xf0]));
    else parts.push(Buffer.from(p, 'utf8'));
  }
  return Buffer.concat(parts);
}

test('the chunked scan agrees with the whole-file rule on 20,000 random files, at every chunk size tried', () => {
  const r = rng(20261203);
  let plain = 0;
  for (let k = 0; k < 20000; k++) {
    // Mostly plain text with an occasional awkward byte, so both answers come up often.
    const bytes =
      r() < 0.5
        ? randomBytes(r, 1 + Math.floor(r() * 40))
        : Buffer.from(
            Array.from({ length: 1 + Math.floor(r() * 6) }, () => (r() < 0.3 ? '"a,b",c' : 'ab,é')).join(
              r() < 0.5 ? '\n' : '\r\n',
            ) + (r() < 0.5 ? '\n' : ''),
          );
    const want = plainWhole(bytes);
    if (want) plain++;
    for (const size of [1, 2, 3, 5, 8, 64])
      assert.equal(
        scanInChunks(bytes, size),
        want,
        `file ${k} ${JSON.stringify(bytes.toString('latin1'))} in ${size}-byte chunks`,
      );
  }
  assert.ok(plain > 4000 && plain < 16000, `plain files ${plain}`); // both kinds were tried
});

test('hand-picked files: each rule on its own, and across a chunk boundary', () => {
  const cases: [string | Buffer, boolean][] = [
    ['a,b\n1,2\n', true],
    ['a,b\r\n1,2\r\n', true],
    ['a,b\n1,2', true],
    ['a,b\n\n1,2\n', false], // blank line
    ['a,b\r\n\r\n1,2\r\n', false], // blank line, CRLF
    ['a,b\n1,2\r\n', false], // mixed endings
    ['a,b\r1,2\n', false], // lone CR
    ['a,b\n1,2\r', false], // lone CR at the end
    ['a,"b\n1",2\n', false], // a quoted line break
    ['a,"b""c"\n1,2\n', true], // a doubled quote inside quotes
    ['a,"b\n', false], // a quote never closed
    [Buffer.from([0x61, 0x2c, 0xc3]), false], // a character cut at the end
    [Buffer.from([0x61, 0x00, 0x0a]), false], // NUL
    [Buffer.from('a,b\nx,\u00e9\n', 'utf8'), true],
  ];
  for (const [text, want] of cases) {
    const bytes = Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8');
    assert.equal(plainWhole(bytes), want, `reference: ${JSON.stringify(String(text))}`);
    for (let size = 1; size <= bytes.length; size++)
      assert.equal(scanInChunks(bytes, size), want, `${JSON.stringify(String(text))} in ${size}-byte chunks`);
  }
});

test('isPlainCsvFile reads a file in chunks and gives the same answer', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'civic-clean-csv-'));
  try {
    const good = join(dir, 'good.csv');
    const line =
      'id,name,postcode\n' + Array.from({ length: 5000 }, (_, i) => `${i},"Smith, J",M33 6AB`).join('\n') + '\n';
    writeFileSync(good, line);
    assert.equal(await isPlainCsvFile(good, 4096), true);
    // One blank line near the end, far past the first chunk.
    const bad = join(dir, 'bad.csv');
    writeFileSync(bad, line + '\n');
    assert.equal(await isPlainCsvFile(bad, 4096), false);
    // An accented character written across the boundary between two chunks.
    const cut = join(dir, 'cut.csv');
    const text = 'a\n' + 'x'.repeat(4093) + 'é\n';
    writeFileSync(cut, text);
    assert.equal(Buffer.from(text, 'utf8')[4096 - 1], 0xc3); // the character's first byte ends the first chunk
    assert.equal(await isPlainCsvFile(cut, 4096), true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
