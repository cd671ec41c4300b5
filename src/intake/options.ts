/**
 * Options columns (C2): what a customer chose, as councils' systems export it. Either one column
 * per option holding yes or no in any of the ways forms write it ("YES", "Y", "x", "TRUE", 1, a
 * blank), or one column listing several ("Garden waste; Recycling bags", or "garden waste: yes /
 * recycling bags: no"). Each option becomes a column of its own holding "yes" or "no", so a
 * profile, a RAG measure or a published category can use it like any other column
 * (`--where "services_garden_waste=yes"`). Every row is accounted for: a value that is neither yes
 * nor no is kept as it is and counted.
 */
import { InputError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { columnIndex } from './columns.ts';

const YES = new Set(['yes', 'y', 'true', 't', '1', 'x', '✓', '✔', 'ticked', 'checked', 'on']);
const NO = new Set(['no', 'n', 'false', 'f', '0', 'off', 'unticked', 'none', '-']);
/** A column listing more distinct options than this is free text, not options. */
export const MAX_OPTIONS = 40;
const SEPARATORS = /[;|,/\n]+/;

export interface OptionsSpec {
  /** Columns each holding yes or no for one option. */
  flags?: string[];
  /** Columns listing several options in one cell. */
  listed?: string[];
}

export interface OptionsSummary {
  /** A yes/no column: how many rows say yes, no (a blank is no), or something else (kept as it is). */
  flags: { column: string; yes: number; no: number; other: number }[];
  /** A listing column and the columns made from it, one per option, with how many rows chose it. */
  listed: { column: string; options: { option: string; column: string; yes: number }[] }[];
}

/** Whether a cell says yes (true), no (false: blank included), or neither (null). */
export function readYesNo(v: string | null | undefined): boolean | null {
  const s = (v ?? '').trim().toLowerCase();
  if (!s || NO.has(s)) return false;
  if (YES.has(s)) return true;
  return null;
}

/** The options a listing cell names: "Garden waste; Recycling bags", "garden waste: yes / bags: no". */
export function listedOptions(cell: string | null): string[] {
  if (!cell) return [];
  const out: string[] = [];
  for (const part of cell.split(SEPARATORS)) {
    const t = part.trim();
    if (!t) continue;
    const c = t.lastIndexOf(':');
    if (c > 0) {
      const said = readYesNo(t.slice(c + 1));
      if (said === false) continue;
      if (said === true) {
        out.push(tidy(t.slice(0, c)));
        continue;
      }
    }
    out.push(tidy(t));
  }
  return [...new Set(out.filter(Boolean))];
}

const tidy = (s: string) => s.trim().replace(/\s+/g, ' ');

/** The column made for an option: services + "Garden waste" → services_garden_waste. */
export function optionColumnName(source: string, option: string): string {
  const slug = (s: string) =>
    s
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
  return `${slug(source) || 'option'}_${slug(option) || 'other'}`.slice(0, 64);
}

/**
 * Turns the named columns of the staging table into options: yes/no columns are written as "yes"
 * or "no" in place; listing columns gain one column per option. Returns the new columns (to keep
 * with the dataset) and what was found.
 */
export async function deriveOptions(
  engine: Engine,
  staging: string,
  header: string[],
  spec: OptionsSpec,
  file: string,
  pseudonymised: readonly string[],
): Promise<{ added: string[]; summary: OptionsSummary }> {
  const summary: OptionsSummary = { flags: [], listed: [] };
  const added: string[] = [];
  const resolve = (option: string, c: string) => {
    const i = columnIndex(header, c);
    if (i < 0)
      throw new InputError(`${option} names a column "${c}" that is not in the file.`, {
        location: { file, column: c },
        fix: `Columns in the file: ${header.join(', ')}.`,
      });
    if (pseudonymised.includes(header[i]))
      throw new InputError(`"${header[i]}" is to be pseudonymised, so its options cannot be read.`, {
        location: { file, column: header[i] },
        fix: `Keep it readable with --keep-in-clear "${header[i]}" if it holds only options, or leave it out of ${option}.`,
      });
    return header[i];
  };
  for (const c of spec.flags ?? []) {
    const col = resolve('--option-columns', c);
    const values = await engine.all<{ v: string | null; n: number }>(
      `SELECT ${ident(col)} AS v, count(*)::BIGINT AS n FROM ${ident(staging)} GROUP BY 1`,
    );
    const row = { column: col, yes: 0, no: 0, other: 0 };
    const map: [string | null, string][] = [];
    for (const { v, n } of values) {
      const said = readYesNo(v);
      if (said === null) row.other += n;
      else {
        row[said ? 'yes' : 'no'] += n;
        map.push([v, said ? 'yes' : 'no']);
      }
    }
    await rewrite(engine, staging, col, col, map);
    summary.flags.push(row);
  }
  for (const c of spec.listed ?? []) {
    const col = resolve('--options', c);
    const values = await engine.all<{ v: string | null; n: number }>(
      `SELECT ${ident(col)} AS v, count(*)::BIGINT AS n FROM ${ident(staging)} WHERE ${ident(col)} IS NOT NULL GROUP BY 1`,
    );
    const chosen = values.map((r) => ({ ...r, options: listedOptions(r.v) }));
    // The same option written in another case is one option, named as it is most often written.
    const byKey = new Map<string, { names: Map<string, number>; yes: number }>();
    for (const r of chosen)
      for (const o of r.options) {
        const k = o.toLowerCase();
        const e = byKey.get(k) ?? { names: new Map(), yes: 0 };
        e.names.set(o, (e.names.get(o) ?? 0) + r.n);
        e.yes += r.n;
        byKey.set(k, e);
      }
    if (byKey.size > MAX_OPTIONS)
      throw new InputError(
        `"${col}" lists ${byKey.size} different options: more like free text than a list of options.`,
        {
          location: { file, column: col },
          fix: `Options columns hold a few choices (at most ${MAX_OPTIONS}), separated by ; , | or /. Import it without --options.`,
        },
      );
    const options: OptionsSummary['listed'][number]['options'] = [];
    const taken = new Set(header.map((h) => h.toLowerCase()).concat(added.map((a) => a.toLowerCase())));
    for (const [k, e] of [...byKey].sort((a, b) => b[1].yes - a[1].yes || a[0].localeCompare(b[0]))) {
      // Ties go to the name in sentence case ("Garden waste"), then to the first by code point.
      const sentence = (x: string) => x === x.charAt(0).toUpperCase() + x.slice(1).toLowerCase();
      const option = [...e.names].sort(
        (a, b) =>
          b[1] - a[1] || Number(sentence(b[0])) - Number(sentence(a[0])) || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0),
      )[0][0];
      const name = optionColumnName(col, option);
      if (taken.has(name))
        throw new InputError(
          `The option "${option}" of "${col}" would make a column "${name}", which the file already has.`,
          {
            location: { file, column: col },
            fix: `Rename the file's column on the way in, e.g. --map "${name}=${name}_source".`,
          },
        );
      taken.add(name);
      await engine.run(`ALTER TABLE ${ident(staging)} ADD COLUMN ${ident(name)} VARCHAR DEFAULT 'no'`);
      const map: [string | null, string][] = chosen
        .filter((r) => r.options.some((o) => o.toLowerCase() === k))
        .map((r) => [r.v, 'yes']);
      await rewrite(engine, staging, col, name, map);
      added.push(name);
      options.push({ option, column: name, yes: e.yes });
    }
    summary.listed.push({ column: col, options });
  }
  return { added, summary };
}

/** Sets `target` from `source` by a table of values (source value → new value); other rows are left alone. */
async function rewrite(
  engine: Engine,
  staging: string,
  source: string,
  target: string,
  map: [string | null, string][],
): Promise<void> {
  if (!map.length) return;
  await engine.run(`CREATE OR REPLACE TEMP TABLE option_map (v VARCHAR, o VARCHAR)`);
  await engine.append('option_map', map);
  await engine.run(
    `UPDATE ${ident(staging)} SET ${ident(target)} = m.o FROM option_map m WHERE ${ident(staging)}.${ident(source)} IS NOT DISTINCT FROM m.v`,
  );
  await engine.run(`DROP TABLE option_map`);
}

/** The summary in plain English, for the import's report to its owner. */
export function describeOptions(s: OptionsSummary): string[] {
  const lines: string[] = [];
  for (const f of s.flags)
    lines.push(
      `${f.column}: ${f.yes} yes, ${f.no} no (blank counts as no)` +
        (f.other ? `; ${f.other} rows say something else, kept as written` : ''),
    );
  for (const l of s.listed)
    lines.push(
      `${l.column}: ${l.options.length} options, each now a column of its own holding yes or no: ${l.options.map((o) => `${o.column} (${o.yes} yes)`).join(', ')}`,
    );
  return lines;
}
