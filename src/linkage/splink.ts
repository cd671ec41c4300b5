/**
 * A Splink settings file (Splink 4's saved model, DuckDB dialect) read as a spec, so a model
 * trained in Splink elsewhere runs here with the same weights: each comparison level's
 * sql_condition becomes a SQL level (it reads "col_l" and "col_r", as pairs here do), its
 * m_probability and u_probability are kept as they are (weight log2(m/u)), tf_adjustment_column
 * and tf_adjustment_weight become the level's term-frequency adjustment, each of
 * blocking_rules_to_generate_predictions a SQL rule on l and r, and
 * probability_two_random_records_match the prior. Every condition is checked to be an expression
 * on the two records before anything runs (spec.ts, checkSqlFragment).
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { type Level, LINK_SPEC_VERSION, type LinkSpec, parseLinkSpec } from './spec.ts';

const SplinkLevel = z
  .object({
    sql_condition: z.string(),
    label_for_charts: z.string().optional(),
    is_null_level: z.boolean().optional(),
    m_probability: z.number().nullable().optional(),
    u_probability: z.number().nullable().optional(),
    tf_adjustment_column: z.string().nullable().optional(),
    tf_adjustment_weight: z.number().nullable().optional(),
  })
  .passthrough();

const SplinkRule = z.union([
  z.string(),
  z.object({ blocking_rule: z.string(), sql_dialect: z.string().optional() }).passthrough(),
]);

export const SplinkSettingsSchema = z
  .object({
    link_type: z.enum(['dedupe_only', 'link_only', 'link_and_dedupe']),
    probability_two_random_records_match: z.number().gt(0).lt(1).optional(),
    blocking_rules_to_generate_predictions: z.array(SplinkRule).min(1),
    comparisons: z
      .array(
        z
          .object({
            output_column_name: z.string().optional(),
            comparison_description: z.string().optional(),
            comparison_levels: z.array(SplinkLevel).min(2),
          })
          .passthrough(),
      )
      .min(1),
    sql_dialect: z.string().optional(),
    em_convergence: z.number().optional(),
    max_iterations: z.number().optional(),
  })
  .passthrough();

/** Whether a JSON object looks like a Splink settings file rather than one of our specs. */
export function isSplinkSettings(x: unknown): boolean {
  return typeof x === 'object' && x !== null && 'comparisons' in x && 'link_type' in x && !('version' in x);
}

export function fromSplinkSettings(input: unknown, where = 'The Splink settings'): LinkSpec {
  const r = SplinkSettingsSchema.safeParse(input);
  if (!r.success)
    throw new ParameterError(
      `${where} are not a Splink 4 settings file: ${r.error.issues
        .slice(0, 5)
        .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
        .join('; ')}.`,
      'Save the model from Splink with linker.misc.save_model_to_json(path), and give that file with --splink.',
    );
  const s = r.data;
  if (s.sql_dialect && s.sql_dialect.toLowerCase() !== 'duckdb')
    throw new ParameterError(
      `${where} were written for ${s.sql_dialect}, whose SQL differs from DuckDB's.`,
      'Train the model in Splink with the DuckDB backend, or write the spec here.',
    );
  if (s.link_type === 'link_and_dedupe')
    throw new ParameterError(
      `${where} are for link_and_dedupe, which is not supported here.`,
      'Use link_only (two datasets) or dedupe_only (one).',
    );
  const dialects = s.blocking_rules_to_generate_predictions
    .map((b) => (typeof b === 'string' ? undefined : b.sql_dialect))
    .filter((d) => d && d.toLowerCase() !== 'duckdb');
  if (dialects.length)
    throw new ParameterError(`A blocking rule in ${where} was written for ${dialects[0]}, not DuckDB.`);
  const names = new Set<string>();
  const comparisons = s.comparisons.map((c, k) => {
    let name = (c.output_column_name ?? `comparison_${k + 1}`).replace(/[^A-Za-z0-9_]/g, '_');
    if (!/^[A-Za-z]/.test(name)) name = `c_${name}`;
    while (names.has(name)) name += '_';
    names.add(name);
    const levels: Level[] = c.comparison_levels.map((l) => {
      const m = l.m_probability ?? undefined;
      const u = l.u_probability ?? undefined;
      if (l.sql_condition.trim().toUpperCase() === 'ELSE') return { kind: 'else', label: l.label_for_charts, m, u };
      return {
        kind: 'sql',
        condition: l.sql_condition,
        label: l.label_for_charts,
        ...(l.is_null_level ? { isNull: true } : { m, u }),
        ...(l.tf_adjustment_column && !l.is_null_level ? { tfColumn: l.tf_adjustment_column } : {}),
        ...(l.tf_adjustment_column && !l.is_null_level && l.tf_adjustment_weight != null
          ? { tfWeight: l.tf_adjustment_weight }
          : {}),
      };
    });
    return { name, description: c.comparison_description, levels };
  });
  return parseLinkSpec(
    {
      version: LINK_SPEC_VERSION,
      linkType: s.link_type === 'dedupe_only' ? 'dedupe' : 'link',
      // Splink compares the values as they are: so does a model read from it.
      lowerCase: false,
      comparisons,
      blocking: {
        predict: s.blocking_rules_to_generate_predictions.map((b) => ({
          sql: typeof b === 'string' ? b : b.blocking_rule,
        })),
      },
      prior: s.probability_two_random_records_match,
      training: {
        seed: 42,
        uMaxPairs: 1_000_000,
        emMaxIterations: s.max_iterations ? Math.max(1, Math.trunc(s.max_iterations)) : 25,
        emConvergence: s.em_convergence && s.em_convergence > 0 ? s.em_convergence : 1e-4,
      },
      origin: 'splink',
    },
    where,
  );
}
