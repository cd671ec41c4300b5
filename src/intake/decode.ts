/**
 * Turns the bytes of a text file into a string, detecting the encodings councils' files arrive in:
 * UTF-8 (with or without a byte-order mark), UTF-16 with a mark (Excel "Unicode text"), and
 * Windows-1252 (Excel "CSV" on Windows). Anything else gets a clear error rather than mojibake.
 */
import { InputError } from '../core/index.ts';

export type Encoding = 'utf-8' | 'windows-1252' | 'utf-16le' | 'utf-16be';
export const ENCODINGS: readonly string[] = ['auto', 'utf-8', 'windows-1252', 'utf-16le', 'utf-16be'];

/** Bytes Windows-1252 leaves undefined: their presence means the file is in neither encoding. */
const UNDEFINED_1252 = new Set([0x81, 0x8d, 0x8f, 0x90, 0x9d]);

function rowOfOffset(bytes: Uint8Array, offset: number): number {
  let row = 1;
  for (let i = 0; i < offset && i < bytes.length; i++) if (bytes[i] === 0x0a) row++;
  return row;
}

export function decodeText(bytes: Uint8Array, file: string, requested: string = 'auto'): { text: string; encoding: Encoding } {
  if (!ENCODINGS.includes(requested)) {
    throw new InputError(`Unknown encoding "${requested}".`, { location: { file }, fix: `Use one of: ${ENCODINGS.join(', ')}.` });
  }
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    return { text: decodeStrict(bytes.subarray(3), 'utf-8', file, 3), encoding: 'utf-8' };
  }
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return { text: new TextDecoder('utf-16le').decode(bytes.subarray(2)), encoding: 'utf-16le' };
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return { text: new TextDecoder('utf-16be').decode(bytes.subarray(2)), encoding: 'utf-16be' };
  if (requested !== 'auto') return { text: decodeStrict(bytes, requested as Encoding, file, 0), encoding: requested as Encoding };

  const sample = bytes.subarray(0, 65536);
  let nul = 0;
  for (const b of sample) if (b === 0) nul++;
  if (nul > 0) {
    throw new InputError('The file contains binary data (NUL bytes): it is not a text file, or it is UTF-16 without a byte-order mark.', {
      location: { file }, code: 'input_encoding',
      fix: 'If it is UTF-16 text, name it with --encoding utf-16le (or utf-16be); otherwise save it as "CSV UTF-8 (Comma delimited)" from Excel, or import the .xlsx workbook directly.',
    });
  }
  try {
    return { text: new TextDecoder('utf-8', { fatal: true }).decode(bytes), encoding: 'utf-8' };
  } catch {
    for (let i = 0; i < bytes.length; i++) {
      if (UNDEFINED_1252.has(bytes[i])) {
        throw new InputError('The file is neither UTF-8 nor Windows-1252 text.', {
          location: { file, row: rowOfOffset(bytes, i) }, code: 'input_encoding',
          fix: 'Save the file as "CSV UTF-8 (Comma delimited)" and import it again, or name its encoding with --encoding.',
        });
      }
    }
    return { text: new TextDecoder('windows-1252').decode(bytes), encoding: 'windows-1252' };
  }
}

function decodeStrict(bytes: Uint8Array, encoding: Encoding, file: string, skipped: number): string {
  try {
    return new TextDecoder(encoding, { fatal: true }).decode(bytes);
  } catch {
    // Find the first offending byte to name its row.
    let lo = 0, hi = bytes.length;
    while (hi - lo > 1) {
      const mid = (lo + hi) >> 1;
      try { new TextDecoder(encoding, { fatal: true }).decode(bytes.subarray(0, mid), { stream: true }); lo = mid; } catch { hi = mid; }
    }
    throw new InputError(`The file is not valid ${encoding} text.`, {
      location: { file, row: rowOfOffset(bytes, lo + skipped) }, code: 'input_encoding',
      fix: 'Check the encoding the file was saved in and pass it with --encoding (e.g. --encoding windows-1252), or re-save it as UTF-8.',
    });
  }
}
