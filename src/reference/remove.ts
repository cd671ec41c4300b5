/**
 * Removing a piece of reference data imported wrongly (issue 12, point 3): a base of one level,
 * a classification, a deprivation index, the boundaries or the areas of one level, or the postcode
 * directory. One transaction; what it would break is refused with what to do instead.
 * Importing the right file afterwards replaces nothing else.
 */
import { NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import { parseLevel, AREA_LEVELS } from '../geo/index.ts';

export type ReferencePart =
  | { kind: 'base'; level: string; measure?: 'households' | 'population' }
  | { kind: 'classification'; name: string }
  | { kind: 'deprivation'; name: string }
  | { kind: 'boundaries'; level: string }
  | { kind: 'areas'; level: string }
  | { kind: 'postcodes' };

export interface ReferenceRemoveResult {
  /** What was removed, in words: "the base of households by oa21". */
  removed: string;
  /** Rows removed from the workspace's reference tables. */
  rows: number;
  /** Things to know afterwards. */
  notes: string[];
}

const count = async (engine: Engine, sql: string, params: unknown[] = []) =>
  (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${sql}`, params as never[]))!.n;

function levelOf(asked: string, what: string, present: string[]): string {
  const level = parseLevel(asked);
  if (!level) throw new ParameterError(`Unknown area level "${asked}".`, `Use one of: ${AREA_LEVELS.join(', ')}.`);
  if (!present.includes(level))
    throw new NotFoundError(
      `The workspace has no ${what} by ${level}.`,
      present.length ? `It has ${what} by: ${present.join(', ')}.` : `It has no ${what} at all.`,
    );
  return level;
}

export async function removeReference(engine: Engine, part: ReferencePart): Promise<ReferenceRemoveResult> {
  return engine.transaction(async () => {
    const r = await removeAlone(engine, part);
    await engine.run(
      `INSERT INTO import_log VALUES ((SELECT coalesce(max(id), 0) + 1 FROM import_log), 'removed', $1, NULL, $2, $3)`,
      [r.removed, r.rows, new Date().toISOString()],
    );
    return r;
  });
}

async function removeAlone(engine: Engine, part: ReferencePart): Promise<ReferenceRemoveResult> {
  switch (part.kind) {
    case 'base': {
      const present = (await engine.all<{ level: string }>(`SELECT DISTINCT level FROM area_base ORDER BY 1`)).map(
        (x) => x.level,
      );
      const level = levelOf(part.level, 'base', present);
      if (part.measure) {
        const n = await count(engine, `area_base WHERE level = $1 AND ${ident(part.measure)} IS NOT NULL`, [level]);
        if (!n) throw new NotFoundError(`The base by ${level} has no ${part.measure}.`);
        await engine.run(`UPDATE area_base SET ${ident(part.measure)} = NULL WHERE level = $1`, [level]);
        await engine.run(`DELETE FROM area_base WHERE level = $1 AND households IS NULL AND population IS NULL`, [
          level,
        ]);
        return { removed: `the base of ${part.measure} by ${level}`, rows: n, notes: [] };
      }
      const n = await count(engine, `area_base WHERE level = $1`, [level]);
      await engine.run(`DELETE FROM area_base WHERE level = $1`, [level]);
      return { removed: `the base by ${level}`, rows: n, notes: [] };
    }
    case 'classification':
    case 'deprivation': {
      const name = part.name.trim();
      const cls = await engine.one<{ kind: string }>(`SELECT kind FROM classification WHERE name = $1`, [name]);
      const isIndex =
        part.kind === 'deprivation' &&
        (await engine.one(`SELECT 1 AS x FROM deprivation WHERE index_name = $1 LIMIT 1`, [name]));
      if (!cls && !isIndex) {
        const names = (
          await engine.all<{ name: string }>(
            part.kind === 'deprivation'
              ? `SELECT DISTINCT index_name AS name FROM deprivation ORDER BY 1`
              : `SELECT name FROM classification WHERE kind NOT IN ('deprivation', 'segmentation') ORDER BY 1`,
          )
        ).map((x) => x.name);
        throw new NotFoundError(
          `There is no ${part.kind === 'deprivation' ? 'deprivation index' : 'classification'} called "${name}".`,
          names.length ? `The workspace has: ${names.join(', ')}.` : undefined,
        );
      }
      if (cls?.kind === 'segmentation')
        throw new ParameterError(
          `"${name}" is a segmentation built in this workspace, not imported reference data.`,
          `Build it again with civic segment build … --name ${name} --replace, or leave it.`,
        );
      if (part.kind === 'classification' && cls?.kind === 'deprivation')
        throw new ParameterError(
          `"${name}" is a deprivation index's deciles.`,
          `Remove the index with: civic reference remove WORKSPACE --deprivation ${name}`,
        );
      const portraits = await count(engine, `pen_portrait WHERE classification = $1`, [name]);
      let rows = 0;
      for (const t of ['area_segment', 'segment', 'area_certainty', 'area_variable', 'pen_portrait']) {
        rows += await count(engine, `${t} WHERE classification = $1`, [name]);
        await engine.run(`DELETE FROM ${t} WHERE classification = $1`, [name]);
      }
      if (part.kind === 'deprivation') {
        rows += await count(engine, `deprivation WHERE index_name = $1`, [name]);
        await engine.run(`DELETE FROM deprivation WHERE index_name = $1`, [name]);
      }
      await engine.run(`DELETE FROM classification WHERE name = $1`, [name]);
      return {
        removed: `the ${part.kind === 'deprivation' ? 'deprivation index' : 'classification'} ${name}`,
        rows,
        notes: portraits
          ? [
              `Its pen portraits went with it (${portraits} saved versions). Import the classification again to write new ones.`,
            ]
          : [],
      };
    }
    case 'boundaries': {
      const present = (await engine.all<{ level: string }>(`SELECT DISTINCT level FROM boundary ORDER BY 1`)).map(
        (x) => x.level,
      );
      const level = levelOf(part.level, 'boundaries', present);
      const n = await count(engine, `boundary WHERE level = $1`, [level]);
      await engine.run(`DELETE FROM boundary WHERE level = $1`, [level]);
      const placed = await count(engine, `postcode_placement WHERE level = $1`, [level]);
      return {
        removed: `the ${level} boundaries`,
        rows: n,
        notes: placed
          ? [
              `${placed} postcodes were given their ${level} code by these boundaries and keep it. Import the right boundaries, then the postcode directory again, to place them afresh.`,
            ]
          : [],
      };
    }
    case 'areas': {
      const present = (await engine.all<{ level: string }>(`SELECT DISTINCT level FROM area ORDER BY 1`)).map(
        (x) => x.level,
      );
      const level = levelOf(part.level, 'areas', present);
      const n = await count(engine, `area WHERE level = $1`, [level]);
      await engine.run(`DELETE FROM area WHERE level = $1`, [level]);
      return { removed: `the ${level} areas and their place in the area hierarchy`, rows: n, notes: [] };
    }
    case 'postcodes': {
      const n = await count(engine, `postcode`);
      if (!n) throw new NotFoundError('The workspace has no postcode directory.');
      const datasets = (await engine.all<{ name: string }>(`SELECT name FROM dataset ORDER BY name`)).map(
        (d) => d.name,
      );
      if (datasets.length)
        throw new WorkspaceStateError(
          `The datasets ${datasets.join(', ')} were matched against this postcode directory, so it cannot be removed under them.`,
          'Import the right directory over it instead (civic reference import WORKSPACE --postcodes FILE: postcodes in both are replaced), or remove those datasets first.',
        );
      await engine.run(`DELETE FROM postcode_placement`);
      await engine.run(`DELETE FROM postcode`);
      return { removed: 'the postcode directory', rows: n, notes: [] };
    }
  }
}
