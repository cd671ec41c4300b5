/**
 * Putting areas, postcodes and households into a segmentation: areas from their own variables
 * (a partner applying a county segmentation to its own data), postcodes and dataset records
 * through the area their postcode is in.
 */
import { z } from 'zod';
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { checkPostcode, type AreaLevel } from '../geo/index.ts';
import { loadAreaVariables, type LeftOutArea, type VariableFile } from './variables.ts';
import { assignToModel, toModelSpace } from './model.ts';
import { getModel, storeAssignments, requireAreas } from './store.ts';

export const AssignAreasResultSchema = z.object({
  version: z.literal(1),
  segmentation: z.string(),
  areaLevel: z.string(),
  areas: z.number(),
  tiers: z.array(
    z.object({
      name: z.string(),
      counts: z.array(z.object({ code: z.string(), name: z.string(), areas: z.number() })),
    }),
  ),
  meanCertainty: z.number(),
  leftOut: z.array(
    z.object({
      area: z.string(),
      file: z.string(),
      row: z.number().nullable(),
      column: z.string().nullable(),
      reason: z.string(),
    }),
  ),
});
export type AssignAreasResult = z.infer<typeof AssignAreasResultSchema>;

/**
 * Assigns areas from a variables file, made into rates exactly as the model's variables were
 * (each variable divided by the same denominator column), then put through the model's fitted
 * transformations and weights, and given the nearest centre tier by tier.
 */
export async function assignAreasFromVariables(
  engine: Engine,
  name: string,
  files: Omit<VariableFile, 'rates' | 'definitions'>[],
): Promise<AssignAreasResult> {
  const model = await getModel(engine, name);
  const byDenominator = new Map<string, string[]>();
  const fromFiles = model.variables.filter(
    (v) => !v.source.startsWith('deprivation:') && !v.source.startsWith('take-up:'),
  );
  for (const v of fromFiles)
    if (v.denominator) byDenominator.set(v.denominator, [...(byDenominator.get(v.denominator) ?? []), v.name]);
  const deprivation = [
    ...new Set(
      model.variables
        .filter((v) => v.source.startsWith('deprivation:'))
        .map((v) => v.source.slice('deprivation:'.length)),
    ),
  ];
  const takeUp = model.variables
    .filter((v) => v.source.startsWith('take-up:'))
    .map((v) => v.source.slice('take-up:'.length));
  const av = await loadAreaVariables(engine, {
    files: files.map((f) => ({
      ...f,
      rates: [...byDenominator].map(([denominator, columns]) => ({ denominator, columns })),
    })),
    deprivation,
    takeUp,
  });
  if (av.level !== model.areaLevel)
    throw new ParameterError(
      `The segmentation ${name} is for ${model.areaLevel} areas; the file has ${av.level} areas.`,
      'Give a file of areas at the level the segmentation was built on.',
    );
  // Columns in the model's order; extra columns in the file are ignored.
  const index = model.variables.map((v) =>
    av.variables.findIndex((x) => x.name.toLowerCase() === v.name.toLowerCase()),
  );
  const absent = model.variables.filter((_, j) => index[j] < 0).map((v) => v.name);
  if (absent.length)
    throw new ParameterError(
      `The file lacks ${absent.length} of the segmentation's variables: ${absent.slice(0, 10).join(', ')}${absent.length > 10 ? ' …' : ''}.`,
      'Give a file with every variable the segmentation was built from (see civic segment show).',
    );
  const d = model.variables.length,
    n = av.areas.length;
  const data = new Float64Array(n * d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) data[i * d + j] = av.raw.data[i * av.raw.d + index[j]];
  const assigned = assignToModel(model, toModelSpace(model, { data, n, d }, av.areas));
  await engine.transaction(() => storeAssignments(engine, model, av.areas, assigned.codes, assigned.certainty));
  const mean = n ? assigned.certainty[0].reduce((a, b) => a + b, 0) / n : 0;
  return {
    version: 1,
    segmentation: name,
    areaLevel: av.level,
    areas: n,
    tiers: model.tiers.map((t, ti) => ({
      name: t.name,
      counts: t.segments.map((s) => ({
        code: s.code,
        name: s.name,
        areas: assigned.codes[ti].filter((c) => c === s.code).length,
      })),
    })),
    meanCertainty: mean,
    leftOut: av.leftOut as LeftOutArea[],
  };
}

export interface PostcodeSegment {
  input: string;
  postcode: string | null;
  status: 'found' | 'not in the directory' | 'not a postcode' | 'no segment';
  area: string | null;
  segments: { tier: string; code: string; name: string }[];
}

async function lookups(engine: Engine, name: string) {
  const model = await getModel(engine, name);
  await requireAreas(engine, name);
  const seg = new Map<string, { tier: string; code: string; name: string }[]>();
  const names = new Map(model.tiers.flatMap((t) => t.segments.map((s) => [`${t.name}\u0000${s.code}`, s.name])));
  for (const r of await engine.all<{ area_code: string; tier: string; code: string }>(
    `SELECT area_code, tier, code FROM area_segment WHERE classification = $1`,
    [name],
  )) {
    const list = seg.get(r.area_code) ?? [];
    list.push({ tier: r.tier, code: r.code, name: names.get(`${r.tier}\u0000${r.code}`) ?? r.code });
    seg.set(r.area_code, list);
  }
  const order = model.tiers.map((t) => t.name);
  for (const l of seg.values()) l.sort((a, b) => order.indexOf(a.tier) - order.indexOf(b.tier));
  return { model, level: model.areaLevel as AreaLevel, seg };
}

/** The segment of each postcode, through the area it is in. No limit on how many. */
export async function segmentsForPostcodes(
  engine: Engine,
  name: string,
  inputs: readonly string[],
): Promise<PostcodeSegment[]> {
  const { level, seg } = await lookups(engine, name);
  const checks = inputs.map((input) => ({ input, check: checkPostcode(input) }));
  const keys = [
    ...new Set(checks.flatMap((c) => (c.check.kind === 'valid' || c.check.kind === 'corrected' ? [c.check.key] : []))),
  ];
  // In a transaction of its own: the working table's name is fixed, and the connection is shared.
  return engine.transaction(async () => {
    await engine.run(`CREATE OR REPLACE TABLE _lookup (pc_key VARCHAR)`);
    try {
      await engine.append(
        '_lookup',
        keys.map((k) => [k]),
      );
      const found = new Map(
        (
          await engine.all<{ pc_key: string; area: string | null }>(
            `SELECT p.pc_key, p.${ident(level)} AS area FROM _lookup l JOIN postcode p ON p.pc_key = l.pc_key`,
          )
        ).map((r) => [r.pc_key, r.area]),
      );
      return checks.map(({ input, check }) => {
        if (check.kind !== 'valid' && check.kind !== 'corrected')
          return { input, postcode: null, status: 'not a postcode', area: null, segments: [] };
        if (!found.has(check.key))
          return { input, postcode: check.postcode, status: 'not in the directory', area: null, segments: [] };
        const area = found.get(check.key) ?? null;
        const segments = area ? (seg.get(area) ?? []) : [];
        return { input, postcode: check.postcode, status: segments.length ? 'found' : 'no segment', area, segments };
      });
    } finally {
      await engine.run(`DROP TABLE IF EXISTS _lookup`);
    }
  });
}

export interface RecordSegments {
  tiers: string[];
  rows: { row: number; postcode: string | null; status: string; area: string | null; codes: (string | null)[] }[];
}

/** Every record of a dataset with the segment of its postcode's area (or why it has none). */
export async function segmentsForDataset(engine: Engine, name: string, dataset: string): Promise<RecordSegments> {
  const { model, level, seg } = await lookups(engine, name);
  const ds = await engine.one<{ table_name: string; postcode_column: string | null }>(
    `SELECT table_name, postcode_column FROM dataset WHERE name = $1`,
    [dataset],
  );
  if (!ds)
    throw new WorkspaceStateError(`There is no dataset called "${dataset}".`, 'See civic dataset list WORKSPACE.');
  const rows = await engine.all<{ row: number; pc: string | null; status: string; area: string | null }>(
    `SELECT d._row AS row, d._pc_key AS pc, d._status AS status, p.${ident(level)} AS area FROM ${ident(ds.table_name)} d LEFT JOIN postcode p ON p.pc_key = d._pc_key ORDER BY d._row`,
  );
  const tiers = model.tiers.map((t) => t.name);
  return {
    tiers,
    rows: rows.map((r) => {
      const s = r.area ? seg.get(r.area) : undefined;
      return {
        row: r.row,
        postcode: r.pc,
        status: r.status !== 'matched' ? r.status : s ? 'found' : 'no segment',
        area: r.area,
        codes: tiers.map((t) => s?.find((x) => x.tier === t)?.code ?? null),
      };
    }),
  };
}
