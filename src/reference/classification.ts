/**
 * C1: area classifications with tiers — the ONS OAC 2011 and 2021 files as published, licensed
 * Mosaic/Acorn codes a council holds, or any `area_code, <tier columns>` CSV — and the names and
 * descriptions of their segments from a second file.
 */
import { basename } from 'node:path';
import { readInputFile } from '../intake/index.ts';
import { InputError, NotFoundError, ParameterError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import type { BoundaryFeatures } from '../geo/index.ts';
import { levelFamilyOfCode, levelFor, yearFromHeader, type AreaLevel } from '../geo/index.ts';
import { chooseAreaYear, type YearChoice } from './years.ts';
import {
  type LoadedCsv,
  loadReferenceCsv,
  loadRows,
  dropLoaded,
  findHeader,
  gssColumns,
  refuseDuplicateCodes,
} from './csv.ts';

export interface ClassificationImportResult {
  name: string;
  areaLevel: AreaLevel;
  tiers: string[];
  areas: number;
  segments: Record<string, number>;
  format: string;
  /** The census year its area codes were taken to be, and why (null when its format says). */
  year?: { year: 2011 | 2021; reason: string } | null;
}

interface TierSource {
  tier: string;
  sql: string;
}

function naturalCompare(a: string, b: string) {
  return a.localeCompare(b, 'en', { numeric: true, sensitivity: 'base' });
}

/**
 * Imports a classification file, or a table already loaded (the OAC codes a boundary file or an
 * ONSPD carries); `format` then says where it came from.
 */
export async function importClassification(
  engine: Engine,
  source: string | LoadedCsv,
  opts: { name?: string; title?: string; areaYear?: '11' | '21'; format?: string; areaLevel?: AreaLevel } = {},
): Promise<ClassificationImportResult> {
  const loaded = typeof source === 'string' ? await loadReferenceCsv(engine, source) : source;
  const file = loaded.file;
  try {
    const t = ident(loaded.table);
    let name: string, format: string, codeCol: string, areaLevel: AreaLevel;
    let yearChoice: YearChoice | null = null;
    let tiers: TierSource[];
    let subgroupNameCol: string | null = null;
    const oac11 = findHeader(loaded.header, ['OAC11CD']);
    const oac21 = findHeader(loaded.header, ['Supergroup']) && findHeader(loaded.header, ['Geography_Code']);
    if (oac21) {
      const absent = ['Group', 'Subgroup'].filter((h) => !findHeader(loaded.header, [h]));
      if (absent.length) {
        throw new InputError(
          `The file looks like the 2021 OAC (it has Geography_Code and Supergroup) but has no ${absent.join(' or ')} column.`,
          {
            location: { file },
            code: 'reference_columns',
            fix: `Use the OAC file as ONS publishes it, with Supergroup, Group and Subgroup columns, or give a CSV with area_code and one column per tier. Columns found: ${loaded.header.join(', ')}.`,
          },
        );
      }
    }
    if (oac11) {
      // ONS OA11 → 2011 OAC lookup: the subgroup code (e.g. 7d1) carries the group (7d) and supergroup (7).
      format = 'ONS 2011 OAC lookup';
      name = opts.name ?? 'oac2011';
      codeCol = findHeader(loaded.header, ['OA11CD'])!;
      areaLevel = 'oa11';
      const c = ident(oac11);
      tiers = [
        { tier: 'supergroup', sql: `left(trim(${c}), 1)` },
        { tier: 'group', sql: `left(trim(${c}), 2)` },
        { tier: 'subgroup', sql: `trim(${c})` },
      ];
      subgroupNameCol = findHeader(loaded.header, ['OAC11NM']);
    } else if (oac21) {
      format = 'ONS 2021 OAC';
      name = opts.name ?? 'oac2021';
      codeCol = findHeader(loaded.header, ['Geography_Code'])!;
      areaLevel = 'oa21';
      tiers = ['Supergroup', 'Group', 'Subgroup'].map((h) => ({
        tier: h.toLowerCase(),
        sql: `trim(CAST(${ident(findHeader(loaded.header, [h])!)} AS VARCHAR))`,
      }));
    } else {
      format = 'area code and tier columns';
      const gss = await gssColumns(engine, loaded);
      codeCol = findHeader(loaded.header, ['area_code', 'code', 'oa', 'geography_code']) ?? gss[0];
      if (!codeCol)
        throw new InputError('The classification file has no area code column.', {
          location: { file },
          code: 'reference_columns',
          fix: 'Give a CSV with area_code and one column per tier (e.g. area_code, group, type).',
        });
      const tierCols = loaded.header.filter((h) => h !== codeCol && !gss.includes(h) && !/name$|nm$/i.test(h));
      if (!tierCols.length)
        throw new InputError('The classification file has no tier columns after the area code.', {
          location: { file },
          code: 'reference_columns',
          fix: 'Add one column per tier, broadest first (e.g. group, type).',
        });
      name =
        opts.name ??
        file
          .replace(/\.(csv|txt)(\.gz)?$/i, '')
          .toLowerCase()
          .replace(/[^a-z0-9_-]+/g, '_');
      const first = await engine.one(`SELECT ${ident(codeCol)} AS c FROM ${t} LIMIT 1`);
      const fam = levelFamilyOfCode(String(first?.c ?? ''));
      if (!fam && !opts.areaLevel)
        throw new InputError(`Cannot tell which kind of area "${first?.c}" is.`, {
          location: { file, row: 2, column: codeCol },
          fix: 'Area codes must be ONS codes such as E00012345.',
        });
      if (opts.areaLevel) areaLevel = opts.areaLevel;
      else if (fam === 'ward' || fam === 'lad') areaLevel = fam;
      else {
        yearChoice = await chooseAreaYear(engine, {
          family: fam!,
          column: codeCol,
          codesSql: `SELECT ${ident(codeCol)} AS code FROM ${t}`,
          asked: opts.areaYear,
        });
        areaLevel = levelFor(fam!, yearChoice.year);
      }
      tiers = tierCols.map((h) => ({ tier: h.trim().toLowerCase(), sql: `trim(${ident(h)})` }));
    }
    if (!/^[a-z][a-z0-9_-]*$/.test(name))
      throw new ParameterError(
        `"${name}" cannot be used as a classification name.`,
        'Give one with --classification-name (lower-case letters, digits, _ and -).',
      );
    const missing = await engine.one<{ n: number; row: number | null }>(
      `SELECT count(*)::BIGINT AS n, min(_row) AS row FROM ${t} WHERE ${ident(codeCol)} IS NULL OR ${tiers.map((x) => `${x.sql} IS NULL OR ${x.sql} = ''`).join(' OR ')}`,
    );
    if (missing && missing.n > 0) {
      throw new InputError(`${missing.n} row(s) of the classification have no area code or no segment code.`, {
        location: { file, row: missing.row ?? undefined },
        code: 'reference_values',
        fix: 'Every row needs an area code and a code for every tier; nothing was imported.',
      });
    }

    // An area listed twice would be counted twice (once per segment) in every profile: refuse, naming the rows.
    await refuseDuplicateCodes(engine, loaded.table, `trim(${ident(codeCol)})`, file, codeCol, 'classification');
    return await engine.transaction(async () => {
      // Another authority's file for the same classification adds to it: only the areas in this
      // file are replaced, and segment names already given are kept.
      const previous = await engine.one<{ area_level: string; tiers: string; imported_at: string }>(
        `SELECT area_level, tiers, imported_at FROM classification WHERE name = $1`,
        [name],
      );
      const previousAt = previous?.imported_at ?? null;
      const sameShape =
        previous && previous.area_level === areaLevel && previous.tiers === JSON.stringify(tiers.map((x) => x.tier));
      if (sameShape) {
        await engine.run(
          `DELETE FROM area_segment WHERE classification = $1 AND area_code IN (SELECT trim(${ident(codeCol)}) FROM ${t})`,
          [name],
        );
      } else {
        await engine.run(`DELETE FROM area_segment WHERE classification = $1`, [name]);
      }
      await engine.run(
        `CREATE TEMP TABLE seg_kept AS SELECT tier, code, name, description FROM segment WHERE classification = $1 ${sameShape ? '' : 'AND false'}`,
        [name],
      );
      await engine.run(`DELETE FROM segment WHERE classification = $1`, [name]);
      await engine.run(`DELETE FROM classification WHERE name = $1`, [name]);
      for (const tier of tiers) {
        await engine.run(
          `INSERT INTO area_segment SELECT DISTINCT $1, $2, trim(${ident(codeCol)}), ${tier.sql} FROM ${t}`,
          [name, tier.tier],
        );
      }
      const segments: Record<string, number> = {};
      for (let i = 0; i < tiers.length; i++) {
        const tier = tiers[i];
        const parentTier = tiers[i - 1];
        // A segment's parent is the upper-tier segment most of its areas belong to.
        const rows = await engine.all<{ code: string; parent: string | null }>(
          parentTier
            ? `SELECT s.code, mode(p.code) AS parent FROM area_segment s JOIN area_segment p ON p.classification = s.classification AND p.area_code = s.area_code AND p.tier = $3
              WHERE s.classification = $1 AND s.tier = $2 GROUP BY s.code`
            : `SELECT DISTINCT code, NULL AS parent FROM area_segment WHERE classification = $1 AND tier = $2`,
          parentTier ? [name, tier.tier, parentTier.tier] : [name, tier.tier],
        );
        rows.sort((a, b) => naturalCompare(a.code, b.code));
        const title = tier.tier.charAt(0).toUpperCase() + tier.tier.slice(1);
        await engine.append(
          'segment',
          rows.map((r, k) => [name, tier.tier, r.code, `${title} ${r.code}`, null, r.parent, k + 1]),
        );
        segments[tier.tier] = rows.length;
      }
      await engine.run(
        `UPDATE segment SET name = k.name, description = k.description FROM seg_kept k
        WHERE segment.classification = $1 AND segment.tier = k.tier AND segment.code = k.code`,
        [name],
      );
      await engine.run(`DROP TABLE seg_kept`);
      if (subgroupNameCol) {
        await engine.run(
          `UPDATE segment SET name = n.nm FROM (SELECT trim(${ident(oac11!)}) AS code, ${sqlAnyValue(`trim(${ident(subgroupNameCol)})`)} AS nm FROM ${t} GROUP BY 1) n
          WHERE segment.classification = $1 AND segment.tier = 'subgroup' AND segment.code = n.code`,
          [name],
        );
      }
      const areas = (await engine.one<{ n: number }>(
        `SELECT count(DISTINCT area_code)::BIGINT AS n FROM area_segment WHERE classification = $1`,
        [name],
      ))!.n;
      // Adding areas keeps the original import time, which decides the default classification.
      await engine.run(`INSERT INTO classification VALUES ($1, $2, $3, $4, 'classification', $5, $6)`, [
        name,
        opts.title ?? defaultTitle(name),
        areaLevel,
        JSON.stringify(tiers.map((x) => x.tier)),
        file,
        (sameShape && previous ? previousAt : null) ?? new Date().toISOString(),
      ]);
      return {
        name,
        areaLevel,
        tiers: tiers.map((x) => x.tier),
        areas,
        segments,
        format: opts.format ?? format,
        year: yearChoice ? { year: yearChoice.year === '11' ? 2011 : 2021, reason: yearChoice.reason } : null,
      };
    });
  } finally {
    await dropLoaded(engine, loaded);
  }
}

function defaultTitle(name: string): string {
  if (name === 'oac2011') return '2011 Output Area Classification';
  if (name === 'oac2021') return '2021 Output Area Classification';
  return name;
}

export interface SegmentNamesResult {
  classification: string;
  named: number;
  unknown: string[];
}

/**
 * Names and descriptions for segments: the plain `tier, code, name, description[, parent]` file,
 * or the ONS "2011 OAC names and codes" file (OAC11, Supergroup, Group, Subgroup).
 * Codes match case-insensitively (the ONS lookup writes 7d1, the names file 7D1).
 */
export async function importSegmentNames(
  engine: Engine,
  path: string,
  classification?: string,
): Promise<SegmentNamesResult> {
  const sectioned = sectionedNames(path);
  if (sectioned) {
    if (classification && !(await engine.one(`SELECT name FROM classification WHERE name = $1`, [classification])))
      throw new NotFoundError(`There is no classification called "${classification}".`);
    return applySegmentNames(engine, sectioned, classification);
  }
  const loaded = await loadReferenceCsv(engine, path);
  const file = basename(path);
  try {
    if (classification && !(await engine.one(`SELECT name FROM classification WHERE name = $1`, [classification]))) {
      throw new NotFoundError(`There is no classification called "${classification}".`);
    }
    const t = ident(loaded.table);
    const names: SegmentName[] = [];
    const oacCode = findHeader(loaded.header, ['OAC11', 'OAC11CD', 'subgroup code']);
    const pairs = tierColumns(loaded.header).filter((p) => p.name);
    if (pairs.length) {
      // One row per subgroup with its parents' codes and names (the CDRC's OAC tables):
      // every tier's code and name, each segment once.
      const rows = await engine.all(`SELECT * FROM ${t}`);
      const seen = new Set<string>();
      for (const r of rows)
        pairs.forEach((p, i) => {
          const code = String(r[p.code] ?? '').trim();
          if (!code || seen.has(`${p.tier}:${code.toLowerCase()}`)) return;
          seen.add(`${p.tier}:${code.toLowerCase()}`);
          const parent = i > 0 ? String(r[pairs[i - 1].code] ?? '').trim() || null : null;
          names.push({ tier: p.tier, code, name: cleanName(code, r[p.name!]), description: null, parent });
        });
    } else if (oacCode && findHeader(loaded.header, ['Supergroup'])) {
      const rows = await engine.all(`SELECT * FROM ${t}`);
      const sg = findHeader(loaded.header, ['Supergroup'])!,
        g = findHeader(loaded.header, ['Group'])!,
        s = findHeader(loaded.header, ['Subgroup'])!;
      const seen = new Set<string>();
      for (const r of rows) {
        const code = String(r[oacCode]).trim();
        const add = (tier: string, c: string, n: unknown) => {
          if (!seen.has(tier + c.toLowerCase())) {
            seen.add(tier + c.toLowerCase());
            names.push({ tier, code: c, name: n ? String(n) : null, description: null, parent: null });
          }
        };
        add('supergroup', code.slice(0, 1), r[sg]);
        add('group', code.slice(0, 2), r[g]);
        add('subgroup', code, r[s]);
      }
    } else {
      const tierH = findHeader(loaded.header, ['tier']),
        codeH = findHeader(loaded.header, ['code', 'segment', 'segment_code']);
      const nameH = findHeader(loaded.header, ['name', 'segment_name']),
        descH = findHeader(loaded.header, ['description', 'summary', 'pen portrait']);
      if (!codeH || !nameH)
        throw new InputError('The segment names file needs columns code and name (and tier, description).', {
          location: { file },
          code: 'reference_columns',
        });
      const rows = await engine.all(`SELECT * FROM ${t}`);
      const parentH = findHeader(loaded.header, ['parent']);
      for (const r of rows)
        names.push({
          tier: tierH
            ? String(r[tierH] ?? '')
                .trim()
                .toLowerCase()
            : '',
          code: String(r[codeH]).trim(),
          name: (r[nameH] as string | null) ?? null,
          description: descH ? (r[descH] as string | null) : null,
          parent: parentH ? (r[parentH] as string | null) : null,
        });
    }
    return await applySegmentNames(engine, names, classification);
  } finally {
    await dropLoaded(engine, loaded);
  }
}

/**
 * Columns giving each tier's code (and name), as the CDRC writes them in its OAC tables and
 * geodata packs (supgrpcode, supgrpname, grpcode …) or spelt out ("Supergroup Code", "Group Name").
 */
export function tierColumns(header: string[]): { tier: string; code: string; name: string | null }[] {
  const tiers: [string, string][] = [
    ['supergroup', '(supgrp|supergroup|spgrp)'],
    ['group', '(grp|group)'],
    ['subgroup', '(subgrp|subgroup)'],
  ];
  const out: { tier: string; code: string; name: string | null }[] = [];
  for (const [tier, stem] of tiers) {
    const code = header.find((h) => new RegExp(`^${stem}[\\s_]*(code|cd)$`, 'i').test(h.trim()));
    if (!code) continue;
    const name = header.find((h) => new RegExp(`^${stem}[\\s_]*(name|nm)$`, 'i').test(h.trim())) ?? null;
    out.push({ tier, code, name });
  }
  return out;
}

/** "1a - Farming Communities" written with its code before it: the name alone. */
function cleanName(code: string, raw: unknown): string | null {
  if (raw === null || raw === undefined || String(raw).trim() === '') return null;
  const n = String(raw).trim();
  const prefix = new RegExp(`^${code.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\s*[-–:]\\s*`, 'i');
  return n.replace(prefix, '');
}

/**
 * The CDRC's Cluster_Names.csv: a heading line per tier ("Supergroup", "Group", "Subgroup"), then
 * one "code - name" line per segment ("1a - Farming Communities"). Null when the file is not so.
 */
function sectionedNames(path: string): SegmentName[] | null {
  const head = readInputFile(path)
    .toString('utf8')
    .replace(/^\uFEFF/, '');
  const lines = head.split(/\r\n|\r|\n/).map((l) => l.trim().replace(/^"(.*)"$/, '$1'));
  if (!/^supergroups?$/i.test(lines[0] ?? '')) return null;
  const names: SegmentName[] = [];
  let tier = '';
  const file = basename(path);
  lines.forEach((l, i) => {
    if (!l) return;
    if (/^(supergroup|group|subgroup)s?$/i.test(l)) {
      tier = l.toLowerCase().replace(/s$/, '');
      return;
    }
    const m = /^([0-9][A-Za-z]?[0-9]?)\s*[-–:]\s*(.+)$/.exec(l);
    if (!m)
      throw new InputError(`Line ${i + 1} of the names file is neither a tier heading nor "code - name".`, {
        location: { file, row: i + 1 },
        code: 'reference_values',
        fix: 'Each line is Supergroup, Group or Subgroup, or a segment such as "1a - Farming Communities"; correct that line.',
      });
    const code = m[1];
    names.push({
      tier,
      code,
      name: m[2].trim().replace(/^"|"$/g, ''),
      description: null,
      parent: code.length > 1 ? code.slice(0, code.length - 1) : null,
    });
  });
  return names;
}

export interface SegmentName {
  tier: string;
  code: string;
  name: string | null;
  description: string | null;
  parent: string | null;
}

/** Gives segments their names (codes match case-insensitively; tier '' matches any tier). */
export async function applySegmentNames(
  engine: Engine,
  names: SegmentName[],
  classification?: string,
): Promise<SegmentNamesResult> {
  return engine.transaction(async () => {
    await engine.run(
      `CREATE TEMP TABLE seg_names (tier VARCHAR, code VARCHAR, name VARCHAR, description VARCHAR, parent VARCHAR)`,
    );
    await engine.append(
      'seg_names',
      names.map((n) => [n.tier, n.code, n.name, n.description, n.parent]),
    );
    // Unless told, the names go to the classification whose codes they match best.
    const cls =
      classification ??
      (
        await engine.one<{ name: string }>(`SELECT c.name FROM classification c
        LEFT JOIN segment s ON s.classification = c.name
        LEFT JOIN seg_names n ON lower(s.code) = lower(n.code) AND (n.tier = '' OR s.tier = n.tier)
      WHERE c.kind = 'classification' GROUP BY c.name, c.imported_at ORDER BY count(n.code) DESC, c.imported_at DESC LIMIT 1`)
      )?.name;
    if (!cls)
      throw new NotFoundError(
        'There is no classification to attach segment names to.',
        'Import the classification first, with --classification.',
      );
    const unknown = await engine.all<{ code: string }>(
      `SELECT n.code FROM seg_names n WHERE NOT EXISTS (SELECT 1 FROM segment s WHERE s.classification = $1
      AND lower(s.code) = lower(n.code) AND (n.tier = '' OR s.tier = n.tier))`,
      [cls],
    );
    await engine.run(
      `UPDATE segment SET name = coalesce(n.name, segment.name), description = coalesce(n.description, segment.description)
      FROM seg_names n WHERE segment.classification = $1 AND lower(segment.code) = lower(n.code) AND (n.tier = '' OR segment.tier = n.tier)`,
      [cls],
    );
    const named = (await engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM segment s WHERE classification = $1 AND EXISTS (SELECT 1 FROM seg_names n WHERE lower(s.code) = lower(n.code) AND (n.tier = '' OR s.tier = n.tier))`,
      [cls],
    ))!.n;
    await engine.run(`DROP TABLE seg_names`);
    return { classification: cls, named, unknown: unknown.map((u) => u.code) };
  });
}

/** The classification tiers a boundary file's properties carry (the CDRC's supgrpcode, grpcode, subgrpcode), if any. */
export function classificationProperties(read: BoundaryFeatures): string[] {
  const keys = Object.keys(read.properties[0] ?? {});
  const pairs = tierColumns(keys);
  if (pairs.length) return pairs.map((p) => p.code);
  const oac = keys.find((k) => /^oac11(cd)?$/i.test(k));
  return oac ? [oac] : [];
}

/**
 * A classification given as properties of a boundary file (the CDRC's geodata packs carry the OAC
 * codes and names beside each output area's polygon): the tiers named, broadest first, or those
 * found by name. The names the properties give name the segments.
 */
export async function importClassificationFromBoundaries(
  engine: Engine,
  read: BoundaryFeatures,
  file: string,
  level: AreaLevel,
  opts: { properties?: string[]; name?: string } = {},
): Promise<{ classification: ClassificationImportResult; names: SegmentNamesResult | null }> {
  const keys = Object.keys(read.properties[0] ?? {});
  const missing = (opts.properties ?? []).filter((p) => !keys.includes(p));
  if (missing.length)
    throw new InputError(
      `The boundary file has no propert${missing.length === 1 ? 'y' : 'ies'} ${missing.map((m) => `"${m}"`).join(', ')}.`,
      {
        location: { file },
        code: 'reference_columns',
        fix: `Its properties are: ${keys.join(', ')}. Name the classification's, broadest first, e.g. --classification-from-boundaries supgrpcode,grpcode,subgrpcode.`,
      },
    );
  const found = tierColumns(keys);
  const oac11 = keys.find((k) => /^oac11(cd)?$/i.test(k));
  let tiers: { tier: string; code: string; name: string | null }[];
  if (opts.properties?.length)
    tiers = opts.properties.map(
      (p) =>
        found.find((f) => f.code === p) ?? {
          tier: p.toLowerCase().replace(/[\s_]*(code|cd)$/, '') || p.toLowerCase(),
          code: p,
          name: null,
        },
    );
  else if (found.length) tiers = found;
  else if (oac11) tiers = [];
  else
    throw new InputError(`The boundary file carries no classification (properties: ${keys.join(', ')}).`, {
      location: { file },
      code: 'reference_columns',
      fix: 'Name the properties holding its tiers, broadest first, e.g. --classification-from-boundaries supgrpcode,grpcode,subgrpcode.',
    });
  const value = (v: unknown) => (v === null || v === undefined || String(v).trim() === '' ? null : String(v).trim());
  const format = `properties of ${file}`;
  if (!tiers.length) {
    // A single 2011 OAC subgroup code (7d1) carries its group and supergroup.
    const loaded = await loadRows(
      engine,
      file,
      ['OA11CD', 'OAC11CD'],
      read.shapes.map((s, i) => [s.code, value(read.properties[i][oac11!])]),
    );
    return { classification: await importClassification(engine, loaded, { name: opts.name, format }), names: null };
  }
  const tierNames = tiers.map((t) => t.tier);
  const standard = tierNames.join(',') === 'supergroup,group,subgroup';
  const name =
    opts.name ??
    (standard && level === 'oa11'
      ? 'oac2011'
      : standard && level === 'oa21'
        ? 'oac2021'
        : file
            .replace(/\.(shp|geojson|json)$/i, '')
            .toLowerCase()
            .replace(/[^a-z0-9_-]+/g, '_'));
  const loaded = await loadRows(
    engine,
    file,
    ['area_code', ...tierNames],
    read.shapes.map((s, i) => [s.code, ...tiers.map((t) => value(read.properties[i][t.code]))]),
  );
  const classification = await importClassification(engine, loaded, { name, format, areaLevel: level });
  const named: SegmentName[] = [];
  const seen = new Set<string>();
  read.properties.forEach((p) =>
    tiers.forEach((t, k) => {
      const code = value(p[t.code]);
      if (!t.name || !code || seen.has(`${t.tier}:${code}`)) return;
      seen.add(`${t.tier}:${code}`);
      named.push({
        tier: t.tier,
        code,
        name: cleanName(code, p[t.name]),
        description: null,
        parent: k ? value(p[tiers[k - 1].code]) : null,
      });
    }),
  );
  return { classification, names: named.length ? await applySegmentNames(engine, named, name) : null };
}
