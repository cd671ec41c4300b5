/**
 * The word lists that standardise addresses — the ONS synonyms (RD → ROAD, HANTS → HAMPSHIRE),
 * the uk_address_matcher abbreviations (APT → FLAT, GDNS → GARDENS) and the ONS county names —
 * are data, never code: they are read from their published files and kept in the workspace
 * (`civic reference import W --address-lookups DIR`), and the standardiser takes them as a
 * parameter (docs/decisions/0025-address-lookups-are-data-and-matching-by-identifiers.md). Only structural rules (case,
 * punctuation, number ranges, what a flat is) live in address-standardise.ts.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { InputError, ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';

export type LookupKind = 'synonym' | 'abbreviation' | 'county';

export interface LookupEntry {
  kind: LookupKind;
  token: string;
  /** the words the token becomes (null for a county, which is only recognised) */
  replacement: string | null;
  /** the file it came from */
  source: string;
}

/** The lookups as the standardiser uses them. */
export interface AddressLookups {
  /** one word → the words it becomes (a synonym wins over an abbreviation for the same word) */
  replacements: ReadonlyMap<string, readonly string[]>;
  /** county names, standardised, as word sequences joined by a space */
  counties: ReadonlySet<string>;
  /** how many entries of each kind */
  counts: Record<LookupKind, number>;
  /** changes whenever the lists do: a gazetteer standardised with other lists is standardised again */
  fingerprint: string;
}

/** The files of a lookups folder, as published (../shared/data/linkage/lookups). */
export const LOOKUP_FILES = {
  synonym: 'ons_synonyms.csv',
  abbreviation: 'ukam_address_abbreviations.json',
  county: 'ons_counties.csv',
} as const;

const word = (s: string) =>
  s
    .toUpperCase()
    .replace(/[^A-Z0-9 ]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();

function splitCsvLine(line: string): string[] {
  return line.split(',').map((v) => v.trim().replace(/^"(.*)"$/, '$1'));
}

/** Reads the lookup files of a folder: synonyms and abbreviations are required, counties optional. */
export function readLookupFiles(dir: string): LookupEntry[] {
  const entries: LookupEntry[] = [];
  const path = (kind: LookupKind) => join(dir, LOOKUP_FILES[kind]);
  for (const kind of ['synonym', 'abbreviation'] as const)
    if (!existsSync(path(kind)))
      throw new ParameterError(
        `The address lookups folder has no ${LOOKUP_FILES[kind]}.`,
        `Point --address-lookups at the folder holding ${LOOKUP_FILES.synonym} and ${LOOKUP_FILES.abbreviation} (and optionally ${LOOKUP_FILES.county}).`,
      );
  {
    const file = basename(path('synonym'));
    const lines = readFileSync(path('synonym'), 'utf8').split(/\r?\n/);
    const header = splitCsvLine(lines[0] ?? '').map((h) => h.toLowerCase());
    const from = header.indexOf('from');
    const to = header.indexOf('to');
    if (from < 0 || to < 0)
      throw new InputError('The synonyms file needs the columns from and to.', {
        location: { file, row: 1 },
        fix: 'Use the ONS synonyms file as published (from,to).',
      });
    lines.slice(1).forEach((line, i) => {
      if (!line.trim()) return;
      const v = splitCsvLine(line);
      const token = word(v[from] ?? '');
      const replacement = word(v[to] ?? '');
      if (!token || !replacement || token.includes(' '))
        throw new InputError('A synonym needs one word and what it becomes.', {
          location: { file, row: i + 2, column: token ? 'to' : 'from' },
          fix: 'Give one word in "from" and its replacement in "to".',
        });
      entries.push({ kind: 'synonym', token, replacement, source: file });
    });
  }
  {
    const file = basename(path('abbreviation'));
    let data: unknown;
    try {
      data = JSON.parse(readFileSync(path('abbreviation'), 'utf8'));
    } catch (e) {
      throw new InputError('The abbreviations file is not JSON.', { location: { file }, cause: e });
    }
    if (!Array.isArray(data))
      throw new InputError('The abbreviations file must be a list of {"token", "replacement"}.', {
        location: { file },
      });
    data.forEach((d, i) => {
      const token = word(String((d as { token?: unknown })?.token ?? ''));
      const replacement = word(String((d as { replacement?: unknown })?.replacement ?? ''));
      if (!token || !replacement || token.includes(' '))
        throw new InputError(`Entry ${i + 1} of the abbreviations file needs a one-word token and a replacement.`, {
          location: { file },
        });
      entries.push({ kind: 'abbreviation', token, replacement, source: file });
    });
  }
  if (existsSync(path('county'))) {
    const file = basename(path('county'));
    const lines = readFileSync(path('county'), 'utf8').split(/\r?\n/);
    for (const line of lines.slice(1)) {
      const name = word(line);
      if (name) entries.push({ kind: 'county', token: name, replacement: null, source: file });
    }
  }
  return entries;
}

/** Builds the standardiser's lookups from entries (files or workspace rows). */
export function buildLookups(entries: readonly LookupEntry[]): AddressLookups {
  const replacements = new Map<string, readonly string[]>();
  const counts: Record<LookupKind, number> = { synonym: 0, abbreviation: 0, county: 0 };
  const counties = new Set<string>();
  // Abbreviations first, then synonyms over them: where the two lists disagree (STR: STREET in the
  // ONS list, STREAM in uk_address_matcher's) the ONS list, written for UK addresses, wins.
  for (const kind of ['abbreviation', 'synonym'] as const)
    for (const e of entries)
      if (e.kind === kind && e.replacement) {
        replacements.set(e.token, e.replacement.split(' '));
        counts[kind]++;
      }
  // A replacement that has its own (APPT → APARTMENT in one list, APARTMENT → FLAT in the other) is followed through.
  for (const [token, words] of replacements) {
    let w = words;
    for (let step = 0; step < 3 && w.length === 1 && w[0] !== token; step++) {
      const next = replacements.get(w[0]);
      if (!next || (next.length === 1 && next[0] === w[0])) break;
      w = next;
    }
    replacements.set(token, w);
  }
  for (const e of entries)
    if (e.kind === 'county') {
      counties.add(e.token);
      counts.county++;
    }
  const fingerprint = createHash('sha256')
    .update(JSON.stringify([[...replacements].sort(), [...counties].sort()]))
    .digest('hex')
    .slice(0, 16);
  return { replacements, counties, counts, fingerprint };
}

/** Lookups that change nothing: standardisation with the structural rules alone. */
export const NO_LOOKUPS: AddressLookups = buildLookups([]);

/** Reads a lookups folder into the standardiser's form (tests, tools; the CLI uses the workspace). */
export function lookupsFromFolder(dir: string): AddressLookups {
  return buildLookups(readLookupFiles(dir));
}

export interface LookupImportResult {
  folder: string;
  synonyms: number;
  abbreviations: number;
  counties: number;
}

/** Replaces the workspace's address lookups with those of a folder, in one transaction. */
export async function importAddressLookups(engine: Engine, dir: string): Promise<LookupImportResult> {
  const entries = readLookupFiles(dir);
  const at = new Date().toISOString();
  await engine.transaction(async () => {
    await engine.run(`DELETE FROM address_lookup`);
    await engine.append(
      'address_lookup',
      entries.map((e) => [e.kind, e.token, e.replacement, e.source, at]),
    );
  });
  const n = (k: LookupKind) => entries.filter((e) => e.kind === k).length;
  return { folder: basename(dir), synonyms: n('synonym'), abbreviations: n('abbreviation'), counties: n('county') };
}

/** The workspace's address lookups (empty lists when none were imported). */
export async function loadAddressLookups(engine: Engine): Promise<AddressLookups> {
  const rows = await engine.all<{ kind: string; token: string; replacement: string | null; source: string }>(
    `SELECT kind, token, replacement, source FROM address_lookup ORDER BY kind, token`,
  );
  return buildLookups(rows.map((r) => ({ ...r, kind: r.kind as LookupKind })));
}

/** Whether the workspace holds address lookups. */
export async function hasAddressLookups(engine: Engine): Promise<boolean> {
  const r = await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM address_lookup`);
  return (r?.n ?? 0) > 0;
}
