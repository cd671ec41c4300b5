/**
 * Intake's names and limits that commands show before they run.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

/** The environment variable that may hold the pseudonymisation key itself (64 hexadecimal characters). */
export const KEY_ENV = 'CIVIC_PSEUDONYM_KEY';

export interface ReadLimits {
  /** Records in one table (the header not counted). */
  maxRows: number;
  /** Rows × columns. */
  maxCells: number;
  /** Bytes of an XLSX workbook once unpacked (every part of the archive together). */
  maxUnpackedBytes: number;
  /** How many times bigger than its packed size one part of a workbook may unpack to. */
  maxCompressionRatio: number;
}

export const DEFAULT_READ_LIMITS: Readonly<ReadLimits> = Object.freeze({
  maxRows: 2_000_000,
  maxCells: 50_000_000,
  maxUnpackedBytes: 1024 * 1024 * 1024,
  maxCompressionRatio: 200,
});

/** Environment variables that change the limits (the CLI and the portal both read them). */
export const READ_LIMIT_ENV = {
  maxRows: 'CIVIC_MAX_ROWS',
  maxCells: 'CIVIC_MAX_CELLS',
  maxUnpackedBytes: 'CIVIC_MAX_UNPACKED_MB',
  maxCompressionRatio: 'CIVIC_MAX_COMPRESSION_RATIO',
} as const;
