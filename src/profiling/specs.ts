/**
 * The two small languages people type for a profile's records, read once here for the CLI and the
 * API alike: a filter, `column=value` (values separated by |), and RAG measures, `DATASET` or
 * `DATASET:column=value`, comma-separated. Only the words naming the option differ between the two
 * (`--where` at the command line, `where` in a URL).
 */
import { ParameterError } from '../core/index.ts';
import type { RagMeasure } from './rag.ts';

export interface RecordFilter {
  column: string;
  values: string[];
}

/** How the option is named where it was typed, for the messages. */
export interface SpecNames {
  where: string;
  measures: string;
  labels: string;
}

export const CLI_SPEC_NAMES: SpecNames = { where: '--where', measures: '--measures', labels: '--labels' };
export const API_SPEC_NAMES: SpecNames = { where: 'where', measures: 'measures', labels: 'labels' };

/** `column=value` or `column=a|b`. */
export function parseWhere(spec: string, what: string): RecordFilter {
  const i = spec.indexOf('=');
  if (i <= 0)
    throw new ParameterError(`Cannot read ${what} "${spec}".`, 'Write it as column=value (values separated by |).');
  return {
    column: spec.slice(0, i).trim(),
    values: spec
      .slice(i + 1)
      .split('|')
      .map((v) => v.trim()),
  };
}

/** "bookings" or "bookings:scheme=Friends|Friends plus", comma-separated, with optional labels and a filter for every measure without its own. */
export function parseMeasures(
  spec: string,
  where?: string,
  labels?: string,
  names: SpecNames = CLI_SPEC_NAMES,
): RagMeasure[] {
  const parts = spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const example =
    names === CLI_SPEC_NAMES ? '--measures theatre_bookings,friends' : 'measures=theatre_bookings,friends';
  if (!parts.length) throw new ParameterError('Give the measures to compare.', `For example ${example}`);
  const titles = labels ? labels.split(',').map((s) => s.trim()) : [];
  if (labels && titles.length !== parts.length)
    throw new ParameterError(
      `${names.labels} gives ${titles.length} labels for ${parts.length} measures.`,
      'Give one label per measure, in the same order.',
    );
  const common = where ? parseWhere(where, names.where) : undefined;
  return parts.map((p, i) => {
    const c = p.indexOf(':');
    const dataset = (c > 0 ? p.slice(0, c) : p).trim();
    const own = c > 0 ? parseWhere(p.slice(c + 1), 'the measure') : undefined;
    return { dataset, where: own ?? common, label: titles[i] || undefined };
  });
}
