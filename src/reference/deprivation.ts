/**
 * C1: deprivation indices as published (English IMD 2019 File 1 and File 2: ranks quoted with
 * thousands separators, a byte-order mark, one Rank/Decile pair per domain). Stored long, one row
 * per area and domain; the overall decile is also registered as a one-tier classification so
 * any dataset can be profiled by deprivation decile.
 */
import { InputError } from '../core/index.ts';
import { type Engine, ident, sqlTryNumber } from '../store/index.ts';
import { levelFamilyOfCode, levelFor, yearFromHeader, type AreaLevel } from '../geo/index.ts';
import { type LoadedCsv, loadReferenceCsv, dropLoaded, gssColumns } from './csv.ts';

export interface DeprivationImportResult {
  name: string;
  areaLevel: AreaLevel;
  areas: number;
  domains: string[];
}

const MEASURE = /^(.*?)\s*(Rank|Decile|Score)\b/i;

function domainName(raw: string): string {
  const d = raw
    .replace(/\(.*?\)/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return /^index of multiple deprivation/i.test(d) ? 'IMD' : d;
}

export async function importDeprivation(
  engine: Engine,
  source: string | LoadedCsv,
  opts: { name?: string; title?: string; areaYear?: '11' | '21' } = {},
): Promise<DeprivationImportResult> {
  const loaded = typeof source === 'string' ? await loadReferenceCsv(engine, source) : source;
  const file = loaded.file;
  try {
    const t = ident(loaded.table);
    const codeCol =
      loaded.header.find((h) => /lsoa code|lsoa\d*cd|area_?code/i.test(h)) ?? (await gssColumns(engine, loaded))[0];
    if (!codeCol)
      throw new InputError('The deprivation file has no area code column.', {
        location: { file },
        code: 'reference_columns',
        fix: 'Expected the published "LSOA code (2011)" column.',
      });
    const first = await engine.one(`SELECT ${ident(codeCol)} AS c FROM ${t} LIMIT 1`);
    const fam = levelFamilyOfCode(String(first?.c ?? ''));
    if (!fam)
      throw new InputError(`Cannot tell which kind of area "${first?.c}" is.`, {
        location: { file, row: 2, column: codeCol },
      });
    const areaLevel = levelFor(fam, yearFromHeader(codeCol) ?? opts.areaYear ?? '11');
    const ladYear = loaded.header.map((h) => /district.*\((\d{4})\)/i.exec(h)?.[1]).find(Boolean);
    const name = opts.name ?? (ladYear === '2019' ? 'imd2019' : ladYear === '2015' ? 'imd2015' : 'imd');

    const measures = new Map<string, { rank?: string; decile?: string; score?: string }>();
    for (const h of loaded.header) {
      if (h === codeCol) continue;
      const m = MEASURE.exec(h);
      if (!m) continue;
      const d = domainName(m[1]);
      const e = measures.get(d) ?? {};
      e[m[2].toLowerCase() as 'rank' | 'decile' | 'score'] = h;
      measures.set(d, e);
    }
    if (!measures.size)
      throw new InputError('The deprivation file has no Rank, Decile or Score columns.', {
        location: { file },
        code: 'reference_columns',
      });
    for (const cols of measures.values()) {
      for (const c of Object.values(cols)) {
        const bad = await engine.one<{ row: number; v: string }>(
          `SELECT _row AS row, ${ident(c!)} AS v FROM ${t} WHERE ${ident(c!)} IS NOT NULL AND ${sqlTryNumber(ident(c!))} IS NULL ORDER BY _row LIMIT 1`,
        );
        if (bad)
          throw new InputError(`"${bad.v}" is not a number.`, {
            location: { file, row: bad.row, column: c },
            code: 'reference_values',
            fix: 'Correct the value; nothing was imported.',
          });
      }
    }
    return await engine.transaction(async () => {
      // A file for more areas of the same index adds to it; the areas it holds are replaced.
      await engine.run(
        `DELETE FROM deprivation WHERE index_name = $1 AND (area_level <> $2 OR area_code IN (SELECT trim(${ident(codeCol)}) FROM ${t}))`,
        [name, areaLevel],
      );
      for (const [domain, cols] of measures) {
        const num = (c?: string) => (c ? sqlTryNumber(ident(c)) : 'NULL');
        await engine.run(
          `INSERT INTO deprivation SELECT $1, trim(${ident(codeCol)}), $2, $3, CAST(${num(cols.rank)} AS INTEGER), CAST(${num(cols.decile)} AS INTEGER), ${num(cols.score)}
          FROM ${t} WHERE ${ident(codeCol)} IS NOT NULL`,
          [name, areaLevel, domain],
        );
      }
      const areas = (await engine.one<{ n: number }>(
        `SELECT count(DISTINCT area_code)::BIGINT AS n FROM deprivation WHERE index_name = $1`,
        [name],
      ))!.n;
      // The overall decile as a classification: "profile by deprivation" comes for free.
      const overall = measures.has('IMD') ? 'IMD' : [...measures.keys()][0];
      if (measures.get(overall)?.decile) {
        await engine.run(`DELETE FROM area_segment WHERE classification = $1`, [name]);
        // Rebuilt from every area the index now holds.
        await engine.run(`DELETE FROM segment WHERE classification = $1`, [name]);
        await engine.run(`DELETE FROM classification WHERE name = $1`, [name]);
        await engine.run(
          `INSERT INTO area_segment SELECT $1, 'decile', area_code, CAST(decile AS VARCHAR) FROM deprivation WHERE index_name = $1 AND domain = $2 AND decile IS NOT NULL`,
          [name, overall],
        );
        for (let d = 1; d <= 10; d++) {
          const label =
            d === 1 ? 'Decile 1 (most deprived 10%)' : d === 10 ? 'Decile 10 (least deprived 10%)' : `Decile ${d}`;
          await engine.run(`INSERT INTO segment VALUES ($1, 'decile', $2, $3, NULL, NULL, $4)`, [
            name,
            String(d),
            label,
            d,
          ]);
        }
        await engine.run(`INSERT INTO classification VALUES ($1, $2, $3, '["decile"]', 'deprivation', $4, $5)`, [
          name,
          opts.title ?? `${name.toUpperCase()} deprivation decile`,
          areaLevel,
          file,
          new Date().toISOString(),
        ]);
      }
      return { name, areaLevel, areas, domains: [...measures.keys()] };
    });
  } finally {
    await dropLoaded(engine, loaded);
  }
}
