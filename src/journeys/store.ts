/** Journeys and circles of need kept in a workspace (tables journey and need_circle, migration 14). */
import { basename } from 'node:path';
import { NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { readSourceTable } from '../intake/index.ts';
import type { Engine } from '../store/index.ts';
import { JourneySchema, summarise, type Journey, type JourneySummary } from './schema.ts';
import { readJourneyFile } from './read.ts';
import { isCircleHeader, NeedCircleSchema, readCircleFile, type NeedCircle } from './circle.ts';

export interface JourneyImportResult {
  journeys: JourneySummary[];
  circles: { name: string; segment: string; needs: number }[];
  /** names that were there before and were replaced */
  replaced: string[];
}

/** What a file holds: journeys (JSON, or the template), or a circle of need (a CSV or XLSX with need, service and provider columns). */
export async function readImportFile(
  file: string,
  opts: { name?: string; segment?: string } = {},
): Promise<{ journeys: Journey[]; circles: NeedCircle[] }> {
  if (/\.(csv|xlsx|txt|tsv)$/i.test(file)) {
    const probe = await readSourceTable(file).catch(() => null);
    if (probe && isCircleHeader(probe.header))
      return { journeys: [], circles: [await readCircleFile(file, { name: opts.name, segment: opts.segment })] };
  }
  const journeys = await readJourneyFile(file);
  if (opts.name) {
    if (journeys.length !== 1)
      throw new ParameterError(
        `--name gives one journey a name, and ${basename(file)} holds ${journeys.length}.`,
        'Name each journey in the file (the journey column) instead.',
      );
    journeys[0] = JourneySchema.parse({ ...journeys[0], name: opts.name });
  }
  return { journeys, circles: [] };
}

/**
 * Imports a file's journeys (or circle of need) into the workspace, in one transaction. A name
 * already there is refused unless `replace`, so nothing is overwritten by accident.
 */
export async function importJourneys(
  engine: Engine,
  file: string,
  opts: { name?: string; segment?: string; replace?: boolean; now?: string } = {},
): Promise<JourneyImportResult> {
  const { journeys, circles } = await readImportFile(file, opts);
  const now = opts.now ?? new Date().toISOString();
  const replaced: string[] = [];
  await engine.transaction(async () => {
    for (const j of journeys) {
      const had = await engine.one(`SELECT name FROM journey WHERE name = $1`, [j.name]);
      if (had && !opts.replace)
        throw new WorkspaceStateError(
          `The workspace already has a journey called ${j.name}.`,
          'Add --replace to replace it, or give the journey another name.',
        );
      if (had) replaced.push(j.name);
      await engine.run(`DELETE FROM journey WHERE name = $1`, [j.name]);
      await engine.run(`INSERT INTO journey VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
        j.name,
        j.title,
        j.stage,
        j.compareWith,
        JSON.stringify(j),
        basename(file),
        now,
      ]);
    }
    for (const c of circles) {
      const had = await engine.one(`SELECT name FROM need_circle WHERE name = $1`, [c.name]);
      if (had && !opts.replace)
        throw new WorkspaceStateError(
          `The workspace already has a circle of need called ${c.name}.`,
          'Add --replace to replace it, or give it another name with --name.',
        );
      if (had) replaced.push(c.name);
      await engine.run(`DELETE FROM need_circle WHERE name = $1`, [c.name]);
      await engine.run(`INSERT INTO need_circle VALUES ($1, $2, $3, $4, $5)`, [
        c.name,
        c.segment,
        JSON.stringify(c),
        basename(file),
        now,
      ]);
    }
  });
  return {
    journeys: journeys.map((j) => summarise(j, basename(file), now)),
    circles: circles.map((c) => ({ name: c.name, segment: c.segment, needs: c.needs.length })),
    replaced,
  };
}

export async function listJourneys(engine: Engine): Promise<JourneySummary[]> {
  const rows = await engine.all<{ spec: string; source_file: string | null; imported_at: string }>(
    `SELECT spec, source_file, imported_at FROM journey ORDER BY name`,
  );
  return rows.map((r) => summarise(JourneySchema.parse(JSON.parse(r.spec)), r.source_file, r.imported_at));
}

export async function getJourney(engine: Engine, name: string): Promise<Journey> {
  const r = await engine.one<{ spec: string }>(`SELECT spec FROM journey WHERE name = $1`, [name]);
  if (!r) {
    const names = (await engine.all<{ name: string }>(`SELECT name FROM journey ORDER BY name`)).map((x) => x.name);
    throw new NotFoundError(
      `There is no journey called ${name}.`,
      names.length
        ? `The workspace has: ${names.join(', ')}.`
        : 'The workspace has no journeys yet: import one with civic journey import.',
    );
  }
  return JourneySchema.parse(JSON.parse(r.spec));
}

export async function listCircles(engine: Engine): Promise<{ name: string; segment: string; needs: number }[]> {
  const rows = await engine.all<{ spec: string }>(`SELECT spec FROM need_circle ORDER BY name`);
  return rows.map((r) => {
    const c = NeedCircleSchema.parse(JSON.parse(r.spec));
    return { name: c.name, segment: c.segment, needs: c.needs.length };
  });
}

export async function getCircle(engine: Engine, name: string): Promise<NeedCircle> {
  const r = await engine.one<{ spec: string }>(`SELECT spec FROM need_circle WHERE name = $1`, [name]);
  if (!r) {
    const names = (await engine.all<{ name: string }>(`SELECT name FROM need_circle ORDER BY name`)).map((x) => x.name);
    throw new NotFoundError(
      `There is no circle of need called ${name}.`,
      names.length
        ? `The workspace has: ${names.join(', ')}.`
        : 'The workspace has none yet: import a CSV of segment, need, service, provider with civic journey import.',
    );
  }
  return NeedCircleSchema.parse(JSON.parse(r.spec));
}
