/**
 * Keeping segmentations in the workspace. A built or imported segmentation is also a
 * classification (kind "segmentation"), so profiles, the SDF and every other analysis use it
 * exactly as they use the OAC.
 */
import { readFileSync, existsSync } from 'node:fs';
import { basename } from 'node:path';
import { InputError, NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import type { Engine, SqlValue } from '../store/index.ts';
import { BuildResultSchema, type BuildResult, type BuiltSegmentation } from './build.ts';
import { SegmentationModelSchema, type SegmentationModel } from './model.ts';

const NAME = /^[a-z][a-z0-9_-]*$/;

export function checkSegmentationName(name: string): void {
  if (!NAME.test(name))
    throw new ParameterError(
      `"${name}" cannot be used as a segmentation name.`,
      'Use lower-case letters, digits, _ and -, starting with a letter (e.g. county13).',
    );
}

async function clearExisting(engine: Engine, name: string, replace: boolean): Promise<void> {
  const cls = await engine.one<{ kind: string }>(`SELECT kind FROM classification WHERE name = $1`, [name]);
  if (!cls) return;
  if (cls.kind !== 'segmentation')
    throw new ParameterError(
      `There is already a classification called "${name}" that was imported, not built.`,
      'Choose another --name.',
    );
  if (!replace)
    throw new ParameterError(
      `There is already a segmentation called "${name}".`,
      'Give --replace to rebuild it (its pen portraits are replaced too), or choose another --name.',
    );
  for (const t of ['area_segment', 'segment', 'area_certainty', 'area_variable', 'pen_portrait'])
    await engine.run(`DELETE FROM ${t} WHERE classification = $1`, [name]);
  await engine.run(`DELETE FROM classification WHERE name = $1`, [name]);
  await engine.run(`DELETE FROM segmentation WHERE name = $1`, [name]);
}

async function registerClassification(engine: Engine, model: SegmentationModel, source: string): Promise<void> {
  await engine.run(`INSERT INTO classification VALUES ($1, $2, $3, $4, 'segmentation', $5, $6)`, [
    model.name,
    model.title,
    model.areaLevel,
    JSON.stringify(model.tiers.map((t) => t.name)),
    source,
    new Date().toISOString(),
  ]);
  const rows: SqlValue[][] = [];
  for (const tier of model.tiers)
    tier.segments.forEach((s, i) => rows.push([model.name, tier.name, s.code, s.name, null, s.parent, i + 1]));
  await engine.append('segment', rows);
}

/** Writes each area's segment (every tier) and certainty. */
export async function storeAssignments(
  engine: Engine,
  model: SegmentationModel,
  areas: readonly string[],
  codes: string[][],
  certainty: Float64Array[],
): Promise<void> {
  const seg: SqlValue[][] = [],
    cert: SqlValue[][] = [];
  model.tiers.forEach((tier, t) =>
    areas.forEach((a, i) => {
      seg.push([model.name, tier.name, a, codes[t][i]]);
      cert.push([model.name, tier.name, a, certainty[t][i]]);
    }),
  );
  // Areas assigned before keep their place unless assigned again (a second authority's file adds to the first).
  await engine.run(`CREATE OR REPLACE TABLE _assigning (area_code VARCHAR)`);
  await engine.append(
    '_assigning',
    areas.map((a) => [a]),
  );
  for (const t of ['area_segment', 'area_certainty'])
    await engine.run(`DELETE FROM ${t} WHERE classification = $1 AND area_code IN (SELECT area_code FROM _assigning)`, [
      model.name,
    ]);
  await engine.run(`DROP TABLE _assigning`);
  await engine.append('area_segment', seg);
  await engine.append('area_certainty', cert);
}

export async function saveSegmentation(
  engine: Engine,
  built: BuiltSegmentation,
  raw: { variables: string[]; data: Float64Array },
  opts: { replace?: boolean } = {},
): Promise<void> {
  const { model } = built;
  checkSegmentationName(model.name);
  await engine.transaction(async () => {
    await clearExisting(engine, model.name, opts.replace ?? false);
    await registerClassification(
      engine,
      model,
      `built from ${[...new Set(model.variables.map((v) => v.source))].join(', ')}`,
    );
    await engine.run(`INSERT INTO segmentation VALUES ($1, $2, $3, $4, $5, 'built', $6)`, [
      model.name,
      model.title,
      model.areaLevel,
      JSON.stringify(model),
      JSON.stringify(built.result),
      model.build.createdAt,
    ]);
    await storeAssignments(engine, model, built.areas, built.codes, built.certainty);
    const d = raw.variables.length;
    const values: SqlValue[][] = [];
    built.areas.forEach((a, i) =>
      raw.variables.forEach((v, j) => values.push([model.name, a, v, raw.data[i * d + j]])),
    );
    await engine.append('area_variable', values);
  });
}

export interface SegmentationSummary {
  name: string;
  title: string | null;
  areaLevel: string;
  origin: string;
  tiers: { name: string; k: number }[];
  variables: number;
  areas: number;
  createdAt: string | null;
}

export async function listSegmentations(engine: Engine): Promise<SegmentationSummary[]> {
  const rows = await engine.all<{
    name: string;
    title: string | null;
    area_level: string;
    origin: string;
    model: string;
    created_at: string | null;
  }>(`SELECT name, title, area_level, origin, model, created_at FROM segmentation ORDER BY name`);
  const out: SegmentationSummary[] = [];
  for (const r of rows) {
    const m = JSON.parse(r.model) as SegmentationModel;
    const areas = (await engine.one<{ n: number }>(
      `SELECT count(DISTINCT area_code)::BIGINT AS n FROM area_segment WHERE classification = $1`,
      [r.name],
    ))!.n;
    out.push({
      name: r.name,
      title: r.title,
      areaLevel: r.area_level,
      origin: r.origin,
      tiers: m.tiers.map((t) => ({ name: t.name, k: t.segments.length })),
      variables: m.variables.length,
      areas,
      createdAt: r.created_at,
    });
  }
  return out;
}

async function missing(engine: Engine, name: string): Promise<NotFoundError> {
  const all = (await engine.all<{ name: string }>(`SELECT name FROM segmentation ORDER BY name`)).map((r) => r.name);
  return new NotFoundError(
    `There is no segmentation called "${name}".`,
    all.length
      ? `Segmentations: ${all.join(', ')}.`
      : 'Build one with: civic segment build WORKSPACE --variables FILE --name NAME',
  );
}

/** The model with segment names as they stand now (pen portrait edits rename segments). */
export async function getModel(engine: Engine, name: string): Promise<SegmentationModel> {
  const row = await engine.one<{ model: string }>(`SELECT model FROM segmentation WHERE name = $1`, [name]);
  if (!row) throw await missing(engine, name);
  const model = SegmentationModelSchema.parse(JSON.parse(row.model));
  const names = new Map(
    (
      await engine.all<{ tier: string; code: string; name: string | null }>(
        `SELECT tier, code, name FROM segment WHERE classification = $1`,
        [name],
      )
    ).map((r) => [`${r.tier}\u0000${r.code}`, r.name]),
  );
  for (const t of model.tiers) for (const s of t.segments) s.name = names.get(`${t.name}\u0000${s.code}`) ?? s.name;
  return model;
}

export async function getBuildResult(engine: Engine, name: string): Promise<BuildResult | null> {
  const row = await engine.one<{ diagnostics: string | null }>(`SELECT diagnostics FROM segmentation WHERE name = $1`, [
    name,
  ]);
  if (!row) throw await missing(engine, name);
  return row.diagnostics ? BuildResultSchema.parse(JSON.parse(row.diagnostics)) : null;
}

/** Reads a model file another workspace exported, refusing anything that is not one. */
export function readModelFile(path: string): SegmentationModel {
  const file = basename(path);
  if (!existsSync(path))
    throw new InputError(`File not found: ${path}`, {
      location: { file },
      code: 'file_missing',
      fix: 'Check the path and file name.',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new InputError(`The segmentation file is not valid JSON: ${(e as Error).message}`, {
      location: { file },
      code: 'segment_model_file',
      fix: 'Give the file written by civic segment export.',
    });
  }
  const r = SegmentationModelSchema.safeParse(parsed);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new InputError(
      `The segmentation file is not one civic segment export writes (${issue.path.join('.') || 'top level'}: ${issue.message}).`,
      { location: { file }, code: 'segment_model_file', fix: 'Give the file written by civic segment export.' },
    );
  }
  const m = r.data;
  const d = m.variables.length;
  const bad = m.tiers.flatMap((t) => t.segments).find((s) => s.centre.length !== d);
  if (bad)
    throw new InputError(`Segment ${bad.code} has ${bad.centre.length} centre values, not ${d}.`, {
      location: { file },
      code: 'segment_model_file',
    });
  return m;
}

/** Adds an exported segmentation to this workspace (its centres, transformations and names); areas join it when assigned. */
export async function importModel(
  engine: Engine,
  model: SegmentationModel,
  opts: { name?: string; replace?: boolean } = {},
): Promise<SegmentationModel> {
  const m = { ...model, name: opts.name ?? model.name };
  checkSegmentationName(m.name);
  await engine.transaction(async () => {
    await clearExisting(engine, m.name, opts.replace ?? false);
    await registerClassification(engine, m, `imported segmentation ${model.name}`);
    await engine.run(`INSERT INTO segmentation VALUES ($1, $2, $3, $4, NULL, 'imported', $5)`, [
      m.name,
      m.title,
      m.areaLevel,
      JSON.stringify(m),
      new Date().toISOString(),
    ]);
  });
  return m;
}

export async function ensureSegmentation(engine: Engine, name: string): Promise<void> {
  if (!(await engine.one(`SELECT 1 AS x FROM segmentation WHERE name = $1`, [name]))) throw await missing(engine, name);
}

export async function requireAreas(engine: Engine, name: string): Promise<void> {
  const n = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM area_segment WHERE classification = $1`,
    [name],
  ))!.n;
  if (!n)
    throw new WorkspaceStateError(
      `No areas have been assigned to the segmentation "${name}" yet.`,
      `Assign your areas first: civic segment assign WORKSPACE ${name} --variables FILE`,
    );
}
