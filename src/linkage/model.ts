/**
 * Saved linkage models: a name, its datasets and its spec (proposed, written, or read from Splink,
 * and after training with its parameters), so that a spec can be printed, edited and run again.
 */
import { NotFoundError, ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { type LinkSpec, parseLinkSpec } from './spec.ts';
import type { TrainingReport } from './train.ts';

export interface SavedModel {
  name: string;
  datasets: string[];
  spec: LinkSpec;
  origin: LinkSpec['origin'];
  training: TrainingReport | null;
  createdAt: string;
  trainedAt: string | null;
}

const NAME_RE = /^[a-z][a-z0-9_-]{0,62}$/;

export function validateModelName(name: string): void {
  if (!NAME_RE.test(name))
    throw new ParameterError(
      `"${name}" cannot be used as a model's name.`,
      'Use lower-case letters, digits, "-" and "_", starting with a letter (e.g. housing_dedupe).',
    );
}

export async function saveModel(
  engine: Engine,
  m: { name: string; datasets: readonly string[]; spec: LinkSpec; training?: TrainingReport | null },
): Promise<void> {
  validateModelName(m.name);
  const now = new Date().toISOString();
  const old = await engine.one<{ created_at: string }>(`SELECT created_at FROM link_model WHERE name = $1`, [m.name]);
  await engine.transaction(async () => {
    await engine.run(`DELETE FROM link_model WHERE name = $1`, [m.name]);
    await engine.run(`INSERT INTO link_model VALUES ($1, $2, $3, $4, $5, $6, $7)`, [
      m.name,
      JSON.stringify(m.datasets),
      JSON.stringify(m.spec),
      m.spec.origin,
      m.training ? JSON.stringify(m.training) : null,
      old?.created_at ?? now,
      m.training ? now : null,
    ]);
  });
}

/** The saved model of this name, or null. */
export async function findModel(engine: Engine, name: string): Promise<SavedModel | null> {
  return (await engine.one(`SELECT name FROM link_model WHERE name = $1`, [name])) ? getModel(engine, name) : null;
}

export async function getModel(engine: Engine, name: string): Promise<SavedModel> {
  const r = await engine.one<Record<string, string | null>>(`SELECT * FROM link_model WHERE name = $1`, [name]);
  if (!r) {
    const names = (await engine.all<{ name: string }>(`SELECT name FROM link_model ORDER BY name`)).map((x) => x.name);
    throw new NotFoundError(
      `There is no linkage model called "${name}".`,
      names.length
        ? `Models in this workspace: ${names.join(', ')}.`
        : 'Train one first: civic link train WORKSPACE --model NAME --datasets DATASET',
    );
  }
  const spec = parseLinkSpec(JSON.parse(r.spec!), `The saved model "${name}"`);
  return {
    name,
    datasets: JSON.parse(r.datasets!) as string[],
    spec,
    origin: spec.origin,
    training: r.training ? (JSON.parse(r.training) as TrainingReport) : null,
    createdAt: r.created_at!,
    trainedAt: r.trained_at,
  };
}

/** Whether a spec has every parameter predict needs (m and u on each level that is not null, and λ). */
export function isTrained(spec: LinkSpec): boolean {
  return (
    spec.prior !== undefined &&
    spec.comparisons.every((c) =>
      c.levels.every(
        (l) => l.kind === 'null' || (l.kind === 'sql' && l.isNull) || (l.m !== undefined && l.u !== undefined),
      ),
    )
  );
}
