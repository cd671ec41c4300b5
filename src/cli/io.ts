/**
 * Shared CLI plumbing: output formats, writing files, error reporting, and the lazy loading of each
 * command's action. Command definitions import this, so it stays light: no capability module, no
 * package but commander (progress bars, which need cli-progress, are in actions/progress.ts).
 */
import { writeFileSync } from 'node:fs';
import { Option } from 'commander';
import { DEFAULT_MIN_CELL, ObservatoryError, ParameterError } from '../core/index.ts';

export type OutputFormat = 'table' | 'csv' | 'xlsx' | 'json' | 'html' | 'pdf' | 'svg' | 'geojson' | 'ndjson';

export function parseFormat(value: string, allowed: OutputFormat[]): OutputFormat {
  if (!(allowed as string[]).includes(value))
    throw new ParameterError(`Unknown format "${value}".`, `Use one of: ${allowed.join(', ')}.`);
  return value as OutputFormat;
}

/** The --format option of a command, refusing anything it cannot produce. */
export function formatOption(choices: OutputFormat[], description = 'output format'): Option {
  return new Option('--format <format>', description).choices(choices).default(choices[0]);
}

/** Whether the person asked for JSON (so errors come as JSON on stdout too). */
export function wantsJson(argv: string[] = process.argv): boolean {
  return argv.some((a, i) => a === '--format=json' || (a === '--format' && argv[i + 1] === 'json'));
}

export function emit(content: string | Buffer, out?: string): void {
  if (out) {
    writeFileSync(out, content);
    process.stderr.write(`Written to ${out}\n`);
  } else if (typeof content === 'string') process.stdout.write(content);
  else throw new ParameterError('This format is binary and needs a file.', 'Add --out FILE.xlsx');
}

/**
 * A command's JSON output: always an object (its result, or `{ "error": … }`), never a bare list,
 * so that every command's output can be read the same way and can grow fields (issue 12, point 6).
 */
export type JsonObject<T> = T extends readonly unknown[] ? never : T extends object ? T : never;

export function json<T>(value: JsonObject<T>): string {
  if (Array.isArray(value) || value === null || typeof value !== 'object')
    throw new Error("A command's JSON output must be an object");
  return JSON.stringify(value, null, 2) + '\n';
}

/** Runs a command action, printing errors in plain English and exiting non-zero. */
export function action<A extends unknown[]>(fn: (...args: A) => Promise<void>) {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (e) {
      const asJson = wantsJson();
      if (e instanceof ObservatoryError) {
        process.stderr.write(`Error: ${e.describe()}\n`);
        if (asJson) process.stdout.write(json({ error: e.toJSON() }));
        process.exitCode = e.status >= 500 ? 1 : 2;
      } else {
        process.stderr.write(`Unexpected error: ${(e as Error).stack ?? e}\n`);
        if (asJson) process.stdout.write(json({ error: { code: 'internal', message: (e as Error).message } }));
        process.exitCode = 1;
      }
    }
  };
}

/**
 * A command's action, loaded when the command runs: `name` exported by the module `load` imports.
 * Definitions (names, options, --help) stay light, and each command loads only the code and the
 * packages it uses (docs/decisions/0015-compiled-javascript-and-lazy-commands.md).
 */
export function lazy<K extends string>(load: () => Promise<Record<K, (...args: never[]) => Promise<void>>>, name: K) {
  return action(async (...args: unknown[]) => {
    const run = (await load())[name];
    await run(...(args as never[]));
  });
}

/** A number with thousands separators for help text, as outputs/format.ts's fmtInt writes it. */
export const thousands = (n: number) => new Intl.NumberFormat('en-GB').format(n);

export function list(value: string, previous: string[] = []): string[] {
  return previous.concat(
    value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}
export function repeat(value: string, previous: string[] = []): string[] {
  return previous.concat([value]);
}

/**
 * `--tier` names a tier of a classification (group, type …) in every command; `--level` always
 * means an area level elsewhere, so as a tier it is kept only as a hidden alias for old scripts.
 */
export const tierOption = (description: string) => new Option('--tier <tier>', description);
export const tierAlias = () =>
  new Option('--level <tier>', 'the same as --tier (its older name in this command)').hideHelp();

/** The tier asked for with --tier or its older name --level. */
export function tierOf(o: { tier?: unknown; level?: unknown }): string | undefined {
  if (o.tier && o.level && o.tier !== o.level)
    throw new ParameterError('Give either --tier or --level (its older name), not both.');
  return (o.tier ?? o.level) as string | undefined;
}

/**
 * A command's --min-cell: as given, or 0 for the owner's own screen (a table, not written to a
 * file) and the default threshold for anything else, which is an export.
 */
export function minCellOption(o: { minCell?: string; out?: string }, format: string | undefined): number {
  const minCell =
    o.minCell !== undefined ? Number(o.minCell) : (format ?? 'table') === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  return minCell;
}
