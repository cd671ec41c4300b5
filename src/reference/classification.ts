/**
 * C1: area classifications with tiers — the ONS OAC 2011 and 2021 files as published, licensed
 * Mosaic/Acorn codes a council holds, or any `area_code, <tier columns>` CSV — and the names and
 * descriptions of their segments from a second file.
 */
import { basename } from 'node:path';
import { InputError, NotFoundError, ParameterError } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue } from '../store/index.ts';
import { levelFamilyOfCode, levelFor, yearFromHeader, type AreaLevel } from '../geo/index.ts';
import { type LoadedCsv, loadReferenceCsv, dropLoaded, findHeader, gssColumns, refuseDuplicateCodes } from './csv.ts';

export interface ClassificationImportResult {
  name: string;
  areaLevel: AreaLevel;
  tiers: string[];
  areas: number;
  segments: Record<string, number>;
  format: string;
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
  opts: { name?: string; title?: string; areaYear?: '11' | '21'; format?: string } = {},
): Promise<ClassificationImportResult> {
  const loaded = typeof source === 'string' ? await loadReferenceCsv(engine, source) : source;
  const file = loaded.file;
  try {
    const t = ident(loaded.table);
    let name: string, format: string, codeCol: string, areaLevel: AreaLevel;
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
      if (!fam)
        throw new InputError(`Cannot tell which kind of area "${first?.c}" is.`, {
          location: { file, row: 2, column: codeCol },
          fix: 'Area codes must be ONS codes such as E00012345.',
        });
      areaLevel = levelFor(fam, yearFromHeader(codeCol) ?? opts.areaYear ?? '21');
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
      return { name, areaLevel, tiers: tiers.map((x) => x.tier), areas, segments, format: opts.format ?? format };
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
  const loaded = await loadReferenceCsv(engine, path);
  const file = basename(path);
  try {
    if (classification && !(await engine.one(`SELECT name FROM classification WHERE name = $1`, [classification]))) {
      throw new NotFoundError(`There is no classification called "${classification}".`);
    }
    const t = ident(loaded.table);
    const names: {
      tier: string;
      code: string;
      name: string | null;
      description: string | null;
      parent: string | null;
    }[] = [];
    const oacCode = findHeader(loaded.header, ['OAC11', 'OAC11CD', 'subgroup code']);
    if (oacCode && findHeader(loaded.header, ['Supergroup'])) {
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
    return await engine.transaction(async () => {
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
  } finally {
    await dropLoaded(engine, loaded);
  }
}
