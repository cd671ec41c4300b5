/** Shared CLI plumbing: output formats, writing files, progress bars and error reporting. */
import { writeFileSync } from 'node:fs';
import cliProgress from 'cli-progress';
import { Option } from 'commander';
import { ObservatoryError, ParameterError } from '../core/index.ts';

export type OutputFormat = 'table' | 'csv' | 'xlsx' | 'json' | 'html' | 'pdf' | 'svg';

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

export function json(value: unknown): string {
  return JSON.stringify(value, null, 2) + '\n';
}

/** A progress bar on stderr when a person is watching; silent in scripts, CI and JSON mode. */
export function progressBar(enabled: boolean) {
  const show = enabled && process.stderr.isTTY && !process.env.CI;
  let bar: cliProgress.SingleBar | null = null;
  let stage = '';
  return {
    update(p: { stage: string; done: number; total: number }) {
      if (process.env.CIVIC_PROGRESS_LOG) process.stderr.write(`progress ${p.stage} ${p.done}/${p.total}\n`);
      if (!show) return;
      if (p.stage !== stage) {
        bar?.stop();
        stage = p.stage;
        bar = new cliProgress.SingleBar(
          {
            format: `${p.stage.padEnd(9)} [{bar}] {percentage}% | {value}/{total}`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(p.total, p.done);
      } else bar?.update(p.done);
    },
    stop() {
      bar?.stop();
      bar = null;
    },
  };
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
