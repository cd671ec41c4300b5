/**
 * Turns the bytes of a text file into a string, detecting the encodings councils' files arrive in:
 * UTF-8 (with or without a byte-order mark), UTF-16 with a mark (Excel "Unicode text"), and
 * Windows-1252 (Excel "CSV" on Windows). Anything else gets a clear error rather than mojibake.
 */
import { InputError } from '../core/index.ts';

export type Encoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
export const ENCODINGS: readonly string[] = ['auto', 'utf-8', 'windows-1252', 'utf-16le', 'utf-16be'];

/**
 * What Windows-1252 gives bytes 0x80–0x9F (€, curly quotes, dashes ...), from the code page's
 * published table; 0 marks the five bytes it leaves undefined (0x81, 0x8D, 0x8F, 0x90, 0x9D),
 * whose presence means the file is not Windows-1252 at all. Decoded here rather than by
 * TextDecoder('windows-1252'), which some Node releases turn into control characters U+0080–U+009F.
 * Every other byte is the Unicode code point of the same number (ASCII and Latin-1).
 */
const CP1252_80_9F = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0,
  0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/** Decodes Windows-1252 bytes; the offset of the first undefined byte when there is one. */
export function decodeWindows1252(bytes: Uint8Array): { text: string } | { undefinedAt: number } {
  const codes = new Uint16Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b >= 0x80 && b <= 0x9f) {
      const c = CP1252_80_9F[b - 0x80];
      if (c === 0) return { undefinedAt: i };
      codes[i] = c;
    } else codes[i] = b;
  }
  let text = '';
  for (let i = 0; i < codes.length; i += 8192) text += String.fromCharCode(...codes.subarray(i, i + 8192));
  return { text };
}

function rowOfOffset(bytes: Uint8Array, offset: number): number {
  let row = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) row++;
  return row;
}

export function decodeText(
  bytes: Uint8Array,
  file: string,
  requested: string = 'auto',
): { text: string; encoding: Encoding } {
  if (!ENCODINGS.includes(requested)) {
    throw new InputError(`Unknown encoding "${requested}".`, {
      location: { file },
      fix: `Use one of: ${ENCODINGS.join(', ')}.`,
    });
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: decodeStrict(bytes.subarray(3), 'utf-8', file, 3), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  if (requested !== 'auto')
    return { text: decodeStrict(bytes, requested as Encoding, file, 0), encoding: requested as Encoding };

  const sample = bytes.subarray(0, 65536);
  let nul = 0;
  for (const b of sample) if (b === 0) nul++;
  if (nul > 0) {
    throw new InputError(
      'The file contains binary data (NUL bytes): it is not a text file, or it is UTF-16 without a byte-order mark.',
      {
        location: { file },
        code: 'input_encoding',
        fix: 'If it is UTF-16 text, name it with --encoding utf-16le (or utf-16be); otherwise save it as "CSV UTF-8 (Comma delimited)" from Excel, or import the .xlsx workbook directly.',
      },
    );
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    const w = decodeWindows1252(bytes);
    if ('undefinedAt' in w) {
      throw new InputError('The file is neither UTF-8 nor Windows-1252 text.', {
        location: { file, row: rowOfOffset(bytes, w.undefinedAt) },
        code: 'input_encoding',
        fix: 'Save the file as "CSV UTF-8 (Comma delimited)" and import it again, or name its encoding with --encoding.',
      });
    }
    return { text: w.text, encoding: 'windows-1252' };
  }
}

function decodeStrict(bytes: Uint8Array, encoding: Encoding, file: string, skipped: number): string {
  if (encoding === 'windows-1252') {
    const w = decodeWindows1252(bytes);
    if ('text' in w) return w.text;
    throw new InputError(
      `The file is not valid windows-1252 text: it holds a byte that code page leaves undefined (0x${bytes[w.undefinedAt].toString(16).toUpperCase()}).`,
      {
        location: { file, row: rowOfOffset(bytes, w.undefinedAt + skipped) },
        code: 'input_encoding',
        fix: 'Check the encoding the file was saved in and pass it with --encoding, or re-save it as UTF-8.',
      },
    );
  }
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    // Find the first offending byte to name its row.
    let lo = 0,
      hi = bytes.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try {
        new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, mid), { stream: true });
        lo = mid;
      } catch {
        hi = mid;
      }
    }
    throw new InputError(`The file is not valid ${encoding} text.`, {
      location: { file, row: rowOfOffset(bytes, lo + skipped) },
      code: 'input_encoding',
      fix: 'Check the encoding the file was saved in and pass it with --encoding (e.g. --encoding windows-1252), or re-save it as UTF-8.',
    });
  }
}
