/**
 * Runs the `civic` command line in this process (the same code path as bin/civic.js), capturing
 * what it writes and its exit code. An error escaping the CLI's own handling counts as exit 1.
 */
import { runCli } from '../../src/cli/main.ts';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export async function civic(...args: string[]): Promise<CliRun> {
  return runHere(args, true);
}

async function runHere(args: string[], fillKey: boolean): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const argv = process.argv;
  const env = process.env.CI;
  process.env.CI = '1'; // no progress bars
  // The pseudonymisation key as a council gives it, from the environment (the test key), unless a test set its own.
  const key = process.env.CIVIC_PSEUDONYM_KEY;
  if (fillKey) process.env.CIVIC_PSEUDONYM_KEY ??= 'ab'.repeat(32);
  // The CLI writes text; the test runner's own messages (binary) pass through untouched.
  const capture = (into: string[], real: typeof process.stdout.write, stream: NodeJS.WriteStream) =>
    ((chunk: unknown, ...rest: unknown[]) => {
      if (typeof chunk === 'string') {
        into.push(chunk);
        return true;
      }
      return (real as (...a: unknown[]) => boolean).call(stream, chunk, ...rest);
    }) as typeof process.stdout.write;
  process.stdout.write = capture(out, write.out, process.stdout);
  process.stderr.write = capture(err, write.err, process.stderr);
  const full = [process.execPath, 'civic', ...args];
  process.argv = full; // the CLI decides JSON errors from its arguments
  let code: number;
  try {
    code = await runCli(full);
  } catch (e) {
    err.push(`Unexpected error: ${(e as Error).stack ?? e}`);
    code = 1;
  } finally {
    process.stdout.write = write.out;
    process.stderr.write = write.err;
    process.argv = argv;
    process.exitCode = undefined;
    if (env === undefined) delete process.env.CI;
    else process.env.CI = env;
    if (key === undefined) delete process.env.CIVIC_PSEUDONYM_KEY;
    else process.env.CIVIC_PSEUDONYM_KEY = key;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/**
 * `civic` in this process with some environment variables set (or, given as undefined, removed)
 * for the run; CIVIC_PSEUDONYM_KEY is not filled in for it. Shaped like spawnSync's answer.
 */
export async function civicWith(
  env: Record<string, string | undefined>,
  ...args: string[]
): Promise<{ status: number; stdout: string; stderr: string }> {
  const saved = new Map(Object.keys({ CIVIC_PSEUDONYM_KEY: 1, ...env }).map((k) => [k, process.env[k]]));
  delete process.env.CIVIC_PSEUDONYM_KEY;
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  try {
    const r = await runHere(args, false);
    return { status: r.code, stdout: r.stdout, stderr: r.stderr };
  } finally {
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

/** `civic` in this process, for its standard output; a non-zero exit throws, as execFileSync does. */
export async function civicOut(...args: string[]): Promise<string> {
  const r = await civic(...args);
  if (r.code !== 0)
    throw Object.assign(new Error(`civic ${args.join(' ')} exited with ${r.code}: ${r.stderr}`), {
      status: r.code,
      stdout: r.stdout,
      stderr: r.stderr,
    });
  return r.stdout;
}

/** `civic` in this process, shaped like spawnSync's answer. */
export async function civicRun(...args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const r = await civic(...args);
  return { status: r.code, stdout: r.stdout, stderr: r.stderr };
}

/**
 * A profile of the small fixture's classification by group, filtered, with nothing suppressed:
 * the records in segments A and B, and the filter as the profile says it.
 */
export async function smallGroupCounts(
  ws: string,
  dataset: string,
  where: string,
): Promise<{ A: number; B: number; filter: string }> {
  const r = await civic(
    'profile',
    ws,
    dataset,
    '--classification',
    'small',
    '--tier',
    'group',
    '--where',
    where,
    '--min-cell',
    '0',
    '--format',
    'json',
  );
  if (r.code !== 0) throw new Error(`${where}: exit ${r.code}: ${r.stderr}`);
  const res = JSON.parse(r.stdout) as { rows: { code: string; count: number }[]; filter: string };
  const of = (code: string) => res.rows.find((x) => x.code === code)?.count ?? 0;
  return { A: of('A'), B: of('B'), filter: res.filter };
}
