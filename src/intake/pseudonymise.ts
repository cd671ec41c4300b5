/**
 * Pseudonymisation at intake: personal identifiers are replaced by a keyed hash (HMAC-SHA-256)
 * before they reach the workspace. The same value gives the same pseudonym under the same key, so
 * records still link, but the value cannot be recovered.
 *
 * The key is kept OUTSIDE the workspace (a key file, or the CIVIC_PSEUDONYM_KEY environment
 * variable): anyone holding the key and a copy of the workspace could hash a list of names and
 * find them, so the two must never travel together. The workspace keeps only each dataset's key
 * id, a one-way fingerprint of the key that tells which key made which pseudonyms.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { ObservatoryError, InputError, ParameterError } from '../core/index.ts';

import { KEY_ENV } from './constants.ts';

export { KEY_ENV };

/** A pseudonymisation key as loaded for use: the secret, its fingerprint, and where it came from. */
export interface PseudonymKey {
  /** The secret: never written into a workspace, a log or a message. */
  readonly secret: string;
  /** A one-way fingerprint, stored with each dataset: "key-" and 12 hexadecimal characters. */
  readonly id: string;
  /** "key file PATH" or "the CIVIC_PSEUDONYM_KEY environment variable". */
  readonly source: string;
}

const KEY_RE = /^[0-9a-f]{64}$/i;

export function pseudonymise(value: string | null, key: string | PseudonymKey): string | null {
  if (value === null) return null;
  const normal = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!normal) return null;
  const secret = typeof key === 'string' ? key : key.secret;
  return 'p_' + createHmac('sha256', secret).update(normal).digest('hex').slice(0, 24);
}

/** The fingerprint of a key: an HMAC of a fixed text, so it reveals nothing about the secret. */
export function keyIdOf(secret: string): string {
  return (
    'key-' +
    createHmac('sha256', secret.toLowerCase()).update('civic insight observatory: key id').digest('hex').slice(0, 12)
  );
}

function keyFrom(secret: string, source: string): PseudonymKey {
  return { secret: secret.toLowerCase(), id: keyIdOf(secret), source };
}

/** The error for an import that needs to pseudonymise but was given no key. */
export function missingKeyError(columns: string[], how: 'cli' | 'portal' = 'cli'): ObservatoryError {
  const which = columns.length ? ` (${columns.map((c) => `"${c}"`).join(', ')})` : '';
  return new ObservatoryError(
    'pseudonym_key_missing',
    `Personal columns${which} need pseudonymising, but no pseudonymisation key was given.`,
    {
      status: 400,
      fix:
        how === 'portal'
          ? 'Ask an administrator to restart the portal with its key: civic serve WORKSPACE --key-file PATH (or the CIVIC_PSEUDONYM_KEY environment variable).'
          : `Give the key with --key-file PATH or the ${KEY_ENV} environment variable. If the council has no key yet, make one with: civic key generate --out PATH (keep it apart from the workspace and its backups). To keep a column readable on purpose, name it with --keep-in-clear.`,
    },
  );
}

/**
 * The key for this run: from the key file if one is named, else from CIVIC_PSEUDONYM_KEY, else
 * none (an import that needs one then stops with missingKeyError). A key file that other people
 * on the machine can read gives a warning.
 */
export function loadPseudonymKey(opts: { keyFile?: string; env?: NodeJS.ProcessEnv } = {}): {
  key: PseudonymKey | null;
  warnings: string[];
} {
  const warnings: string[] = [];
  if (opts.keyFile) {
    const full = resolve(opts.keyFile);
    if (!existsSync(full) || !statSync(full).isFile()) {
      throw new InputError(`There is no key file at ${full}.`, {
        code: 'pseudonym_key_missing',
        location: { file: opts.keyFile },
        fix: 'Check the path, or make a new key with: civic key generate --out PATH (a new key gives new pseudonyms: see "Changing the key" in docs/data-intake.md).',
      });
    }
    const text = readFileSync(full, 'utf8').trim();
    if (!KEY_RE.test(text)) {
      throw new InputError('The key file does not hold a pseudonymisation key.', {
        code: 'pseudonym_key_invalid',
        location: { file: opts.keyFile },
        fix: 'A key file holds one line of 64 hexadecimal characters, as made by: civic key generate --out PATH.',
      });
    }
    const mode = statSync(full).mode & 0o777;
    if (process.platform !== 'win32' && mode & 0o077) {
      warnings.push(
        `The key file ${opts.keyFile} can be read by other people on this machine. Make it private with: chmod 600 ${opts.keyFile}`,
      );
    }
    return { key: keyFrom(text, `key file ${opts.keyFile}`), warnings };
  }
  const env = (opts.env ?? process.env)[KEY_ENV];
  if (env !== undefined && env.trim() !== '') {
    if (!KEY_RE.test(env.trim())) {
      throw new ParameterError(
        `The ${KEY_ENV} environment variable does not hold a pseudonymisation key.`,
        'It must be 64 hexadecimal characters, as made by: civic key generate --out PATH.',
      );
    }
    return { key: keyFrom(env.trim(), `the ${KEY_ENV} environment variable`), warnings };
  }
  return { key: null, warnings };
}

/** A new random key (256 bits) as its 64 hexadecimal characters. */
export function newKeySecret(): string {
  return randomBytes(32).toString('hex');
}

/** Writes a key to a new file readable by its owner only (0600). Never overwrites. */
export function writeKeyFile(path: string, secret: string = newKeySecret()): PseudonymKey {
  const full = resolve(path);
  if (existsSync(full)) {
    throw new ParameterError(
      `A file already exists at ${full}, so no key was written.`,
      'Choose a new path: an existing key is never overwritten, because the pseudonyms made with it could no longer be matched.',
    );
  }
  mkdirSync(dirname(full), { recursive: true, mode: 0o700 });
  writeFileSync(full, secret + '\n', { flag: 'wx', mode: 0o600 });
  return keyFrom(secret, `key file ${path}`);
}
