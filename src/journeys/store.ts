/**
 * Journeys and circles of need kept in a workspace (tables journey and need_circle, migration 14),
 * with each journey's owner and whether it is published (migration 15): the council's (partner
 * NULL) or a partner's; a draft is seen by its owners only (the rule is the server's, access.ts).
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { NotFoundError, ParameterError, WorkspaceStateError } from '../core/index.ts';
import { readSourceTable } from '../intake/index.ts';
import type { Engine } from '../store/index.ts';
import { JourneySchema, JourneySummarySchema, summarise, type Journey, type JourneySummary } from './schema.ts';
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
      await insertJourney(engine, j, { partner: null, published: true, sourceFile: basename(file), now });
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

// ---- Owned journeys, changed in the portal ---------------------------------------------------------

/** A journey as the workspace keeps it: the summary, with who owns it and whether it is published. */
export const JourneyEntrySchema = JourneySummarySchema.extend({
  partner: z.string().nullable().describe('The partner that owns the journey; null for the council'),
  published: z.boolean().describe('Whether everyone signed in sees it; a draft is seen by its owners only'),
  editedBy: z.string().nullable().describe('Who last changed it in the portal (null: as imported)'),
  editedAt: z.string().nullable(),
});
export type JourneyEntry = z.infer<typeof JourneyEntrySchema>;

/** A stored journey with its owner. */
export interface StoredJourney {
  journey: Journey;
  entry: JourneyEntry;
}

type JourneyRow = {
  spec: string;
  source_file: string | null;
  imported_at: string;
  partner: string | null;
  published: boolean | null;
  edited_by: string | null;
  edited_at: string | null;
};

const COLUMNS = `spec, source_file, imported_at, partner, published, edited_by, edited_at`;

function stored(r: JourneyRow): StoredJourney {
  const journey = JourneySchema.parse(JSON.parse(r.spec));
  return {
    journey,
    entry: JourneyEntrySchema.parse({
      ...summarise(journey, r.source_file, r.imported_at),
      partner: r.partner,
      published: r.published !== false,
      editedBy: r.edited_by,
      editedAt: r.edited_at,
    }),
  };
}

async function insertJourney(
  engine: Engine,
  j: Journey,
  o: {
    partner: string | null;
    published: boolean;
    sourceFile: string | null;
    now: string;
    importedAt?: string;
    by?: string | null;
  },
): Promise<void> {
  await engine.run(
    `INSERT INTO journey (name, title, stage, compare_with, spec, source_file, imported_at, partner, published, edited_by, edited_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
    [
      j.name,
      j.title,
      j.stage,
      j.compareWith,
      JSON.stringify(j),
      o.sourceFile,
      o.importedAt ?? o.now,
      o.partner,
      o.published,
      o.by ?? null,
      o.by === undefined ? null : o.now,
    ],
  );
}

/** Every journey with its owner, by name. */
export async function listStoredJourneys(engine: Engine): Promise<StoredJourney[]> {
  const rows = await engine.all<JourneyRow>(`SELECT ${COLUMNS} FROM journey ORDER BY name`);
  return rows.map(stored);
}

/** One journey with its owner, or null when there is none of that name. */
export async function findStoredJourney(engine: Engine, name: string): Promise<StoredJourney | null> {
  const r = await engine.one<JourneyRow>(`SELECT ${COLUMNS} FROM journey WHERE name = $1`, [name]);
  return r ? stored(r) : null;
}

/**
 * Saves journeys, all or none, in one transaction: each new, or replacing one of the same name
 * (keeping when it was first imported). A name already taken is refused unless `replace` names it.
 */
export async function saveJourneys(
  engine: Engine,
  items: readonly { journey: Journey; partner: string | null; published: boolean }[],
  opts: { by: string | null; sourceFile?: string | null; replace?: readonly string[]; now?: string },
): Promise<JourneyEntry[]> {
  const now = opts.now ?? new Date().toISOString();
  await engine.transaction(async () => {
    for (const it of items) {
      const had = await engine.one<{ imported_at: string; source_file: string | null }>(
        `SELECT imported_at, source_file FROM journey WHERE name = $1`,
        [it.journey.name],
      );
      if (had && !opts.replace?.includes(it.journey.name))
        throw new WorkspaceStateError(
          `The workspace already has a journey called ${it.journey.name}.`,
          'Give the journey another short name.',
        );
      await engine.run(`DELETE FROM journey WHERE name = $1`, [it.journey.name]);
      await insertJourney(engine, it.journey, {
        partner: it.partner,
        published: it.published,
        sourceFile: opts.sourceFile === undefined ? (had?.source_file ?? null) : opts.sourceFile,
        importedAt: had?.imported_at,
        now,
        by: opts.by,
      });
    }
  });
  const out: JourneyEntry[] = [];
  for (const it of items) out.push((await findStoredJourney(engine, it.journey.name))!.entry);
  return out;
}

/** Publishes a journey for everyone signed in, or takes it back to a draft. */
export async function setJourneyPublished(
  engine: Engine,
  name: string,
  published: boolean,
  by: string | null,
  now = new Date().toISOString(),
): Promise<void> {
  await engine.run(`UPDATE journey SET published = $2, edited_by = $3, edited_at = $4 WHERE name = $1`, [
    name,
    published,
    by,
    now,
  ]);
}

export async function deleteJourney(engine: Engine, name: string): Promise<void> {
  await engine.run(`DELETE FROM journey WHERE name = $1`, [name]);
}
