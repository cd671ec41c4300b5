/**
 * Saved column mappings (C2): the choices made for one service's extract — which column holds the
 * postcode, renames, what to pseudonymise, encode for linkage or keep in clear, options columns, the sheet and header
 * row — kept by name so next month's extract of the same service imports the same way. A mapping
 * holds column names and choices only, never a value from a file. Each organisation (a partner,
 * or the council) has its own: nobody sees, uses or replaces another's.
 */
import { NotFoundError, ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import type { OptionsSpec } from './options.ts';
import { CONTACT_ROLES, type ContactRole } from './contacts.ts';

export interface SavedMapping {
  postcodeColumn?: string;
  map?: Record<string, string>;
  pseudonymise?: string[];
  keepInClear?: string[];
  encodeForLinkage?: string[];
  addressColumns?: string[];
  uprnColumn?: string;
  options?: OptionsSpec;
  channelColumn?: string;
  kind?: 'contacts';
  contactColumns?: Partial<Record<ContactRole, string>>;
  handlingUnit?: 'minutes' | 'seconds';
  sheet?: string;
  headerRow?: number;
  delimiter?: string;
  encoding?: string;
}

export interface MappingSummary {
  name: string;
  owner: string | null;
  savedBy: string | null;
  savedAt: string;
  mapping: SavedMapping;
}

const NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;

export function validateMappingName(name: string): void {
  if (!NAME_RE.test(name))
    throw new ParameterError(
      `"${name}" cannot be used as a mapping's name.`,
      'Use lower-case letters, digits, "-" and "_", starting with a letter (e.g. green_waste_monthly).',
    );
}

const ownerKey = (owner: string | null | undefined) => owner ?? '';

/** Only what a mapping may hold, from a stored or typed object: anything else is dropped. */
function clean(m: SavedMapping): SavedMapping {
  const out: SavedMapping = {};
  if (m.postcodeColumn) out.postcodeColumn = m.postcodeColumn;
  if (m.map && Object.keys(m.map).length) out.map = { ...m.map };
  if (m.pseudonymise?.length) out.pseudonymise = [...m.pseudonymise];
  if (m.keepInClear?.length) out.keepInClear = [...m.keepInClear];
  if (m.encodeForLinkage?.length) out.encodeForLinkage = [...m.encodeForLinkage];
  if (m.addressColumns?.length) out.addressColumns = [...m.addressColumns];
  if (m.uprnColumn) out.uprnColumn = m.uprnColumn;
  if (m.options && (m.options.flags?.length || m.options.listed?.length))
    out.options = {
      ...(m.options.flags?.length ? { flags: [...m.options.flags] } : {}),
      ...(m.options.listed?.length ? { listed: [...m.options.listed] } : {}),
    };
  if (m.channelColumn) out.channelColumn = m.channelColumn;
  if (m.kind === 'contacts') out.kind = m.kind;
  if (m.contactColumns && Object.keys(m.contactColumns).length)
    out.contactColumns = Object.fromEntries(
      Object.entries(m.contactColumns).filter(([r, c]) => (CONTACT_ROLES as readonly string[]).includes(r) && c),
    );
  if (m.handlingUnit === 'seconds') out.handlingUnit = m.handlingUnit;
  if (m.sheet) out.sheet = m.sheet;
  if (m.headerRow) out.headerRow = m.headerRow;
  if (m.delimiter) out.delimiter = m.delimiter;
  if (m.encoding && m.encoding !== 'auto') out.encoding = m.encoding;
  return out;
}

/** Saves (or replaces) an organisation's mapping. Run it inside the import's transaction. */
export async function saveMapping(
  engine: Engine,
  name: string,
  owner: string | null | undefined,
  mapping: SavedMapping,
  savedBy: string | null,
): Promise<void> {
  validateMappingName(name);
  await engine.run(`DELETE FROM column_mapping WHERE owner = $1 AND name = $2`, [ownerKey(owner), name]);
  await engine.run(`INSERT INTO column_mapping VALUES ($1, $2, $3, $4, $5)`, [
    ownerKey(owner),
    name,
    JSON.stringify(clean(mapping)),
    savedBy,
    new Date().toISOString(),
  ]);
}

/** An organisation's mappings, by name. */
export async function listMappings(engine: Engine, owner: string | null | undefined): Promise<MappingSummary[]> {
  const rows = await engine.all<{ name: string; mapping: string; saved_by: string | null; saved_at: string }>(
    `SELECT name, mapping, saved_by, saved_at FROM column_mapping WHERE owner = $1 ORDER BY name`,
    [ownerKey(owner)],
  );
  return rows.map((r) => ({
    name: r.name,
    owner: owner ?? null,
    savedBy: r.saved_by,
    savedAt: r.saved_at,
    mapping: clean(JSON.parse(r.mapping) as SavedMapping),
  }));
}

/** One of an organisation's mappings; an error naming the ones it has when there is none of that name. */
export async function getMapping(
  engine: Engine,
  name: string,
  owner: string | null | undefined,
): Promise<SavedMapping> {
  const all = await listMappings(engine, owner);
  const m = all.find((x) => x.name === name.trim());
  if (!m)
    throw new NotFoundError(
      `There is no saved mapping called "${name}".`,
      all.length
        ? `Saved mappings: ${all.map((x) => x.name).join(', ')}.`
        : 'Save one when you next import: add --save-mapping NAME to civic dataset import.',
    );
  return m.mapping;
}

/** Removes one of an organisation's mappings. */
export async function removeMapping(engine: Engine, name: string, owner: string | null | undefined): Promise<void> {
  await getMapping(engine, name, owner);
  await engine.run(`DELETE FROM column_mapping WHERE owner = $1 AND name = $2`, [ownerKey(owner), name.trim()]);
}
