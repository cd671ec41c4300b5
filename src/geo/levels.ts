/**
 * Area levels the Observatory knows, the postcode-table column holding each, and how to tell a
 * level from an ONS code. Census years matter: IMD 2019 and OAC 2011 use 2011 areas; Census 2021
 * and OAC 2021 use 2021 areas.
 */
import { AREA_LEVELS, type AreaLevel } from './constants.ts';

export { AREA_LEVELS, type AreaLevel };

export const LEVEL_TITLES: Record<AreaLevel, string> = {
  oa21: 'Output area (2021)',
  lsoa21: 'LSOA (2021)',
  msoa21: 'MSOA (2021)',
  oa11: 'Output area (2011)',
  lsoa11: 'LSOA (2011)',
  msoa11: 'MSOA (2011)',
  ward: 'Ward',
  lad: 'Local authority',
};

/** "a" or "an" before a level's title ("an Output area (2021)"). */
export function withArticle(level: AreaLevel): string {
  const t = LEVEL_TITLES[level];
  // Said letter by letter, LSOA and MSOA take "an".
  return /^([aeiou]|LSOA|MSOA)/i.test(t) ? `an ${t}` : `a ${t}`;
}

/** Accepts a level as a user might type it ("oa", "LSOA11", "ward") and returns the canonical level. */
export function parseLevel(input: string, defaultYear: '11' | '21' = '21'): AreaLevel | null {
  const s = input
    .trim()
    .toLowerCase()
    .replace(/[\s_-]/g, '');
  const aliases: Record<string, AreaLevel> = {
    oa: `oa${defaultYear}` as AreaLevel,
    lsoa: `lsoa${defaultYear}` as AreaLevel,
    msoa: `msoa${defaultYear}` as AreaLevel,
    oa21: 'oa21',
    oa2021: 'oa21',
    oa21cd: 'oa21',
    oa11: 'oa11',
    oa2011: 'oa11',
    oa11cd: 'oa11',
    lsoa21: 'lsoa21',
    lsoa2021: 'lsoa21',
    lsoa21cd: 'lsoa21',
    lsoa11: 'lsoa11',
    lsoa2011: 'lsoa11',
    lsoa11cd: 'lsoa11',
    msoa21: 'msoa21',
    msoa2021: 'msoa21',
    msoa21cd: 'msoa21',
    msoa11: 'msoa11',
    msoa2011: 'msoa11',
    msoa11cd: 'msoa11',
    ward: 'ward',
    wd: 'ward',
    osward: 'ward',
    lad: 'lad',
    la: 'lad',
    laua: 'lad',
    oslaua: 'lad',
    localauthority: 'lad',
    authority: 'lad',
  };
  return aliases[s] ?? null;
}

/** The level family an ONS/GSS code belongs to, from its prefix (year is not in the code). */
export function levelFamilyOfCode(code: string): 'oa' | 'lsoa' | 'msoa' | 'ward' | 'lad' | null {
  const p = code.trim().toUpperCase().slice(0, 3);
  if (['E00', 'W00', 'S00', 'N00'].includes(p)) return 'oa';
  if (['E01', 'W01', 'S01', 'N20', 'N21'].includes(p)) return 'lsoa';
  if (['E02', 'W02', 'S02'].includes(p)) return 'msoa';
  if (['E05', 'W05', 'S13', 'N08'].includes(p)) return 'ward';
  if (['E06', 'E07', 'E08', 'E09', 'W06', 'S12', 'N09'].includes(p)) return 'lad';
  return null;
}

/** Guesses the census year of area codes named in a header ("OA11CD", "LSOA code (2011)"). */
export function yearFromHeader(header: string): '11' | '21' | null {
  const m = /(?:^|[^0-9])(20)?(11|21)(?:[^0-9]|$)/.exec(header);
  return m ? (m[2] as '11' | '21') : null;
}

export function levelFor(family: 'oa' | 'lsoa' | 'msoa' | 'ward' | 'lad', year: '11' | '21'): AreaLevel {
  return family === 'ward' || family === 'lad' ? family : (`${family}${year}` as AreaLevel);
}

/**
 * The highest 2011 code of each kind of area in England and Wales, counted from ONS's 2011 lookup
 * (OA11 → LSOA11 → MSOA11, as in ../shared/data/national/oac2011-national). Areas that kept their
 * boundaries in 2021 kept their codes; the areas made by splitting or merging were given codes
 * above these (checked against the OA21 → LSOA21 lookup: all 12,983 new English OA codes and 1,945
 * new LSOA codes are higher). So a code above one of these is certainly a 2021 code.
 */
const HIGHEST_2011_CODE: Record<string, number> = {
  E00: 176_774,
  W00: 10_265,
  E01: 33_768,
  W01: 1_958,
  E02: 6_934,
  W02: 423,
};

/** Whether a code was first used in 2021 (England and Wales; false when it cannot be told). */
export function firstUsedIn2021(code: string): boolean {
  const c = code.trim().toUpperCase();
  const max = HIGHEST_2011_CODE[c.slice(0, 3)];
  if (max === undefined || !/^[EW]\d{8}$/.test(c)) return false;
  return Number(c.slice(3)) > max;
}

/** The highest 2011 code with this code's prefix, as text (E00176774), or null. */
export function highest2011Code(code: string): string | null {
  const p = code.trim().toUpperCase().slice(0, 3);
  const max = HIGHEST_2011_CODE[p];
  return max === undefined ? null : `${p}${String(max).padStart(6, '0')}`;
}
