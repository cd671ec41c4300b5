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
  const out: string[] = [];
  const err: string[] = [];
  const write = { out: process.stdout.write, err: process.stderr.write };
  const argv = process.argv;
  const env = process.env.CI;
  process.env.CI = '1'; // no progress bars
  // The pseudonymisation key as a council gives it, from the environment (the test key), unless a test set its own.
  const key = process.env.CIVIC_PSEUDONYM_KEY;
  process.env.CIVIC_PSEUDONYM_KEY ??= 'ab'.repeat(32);
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
