// Started by scripts/run-tests.mjs (with `--import tsx`, which each test file's process inherits):
// runs the test files given, two at a time, in the order given. `node --test FILES` sorts its
// files by name, so the slowest could not be started first; Node's own run() keeps the order. The
// report is Node's own (TAP when the output is not a terminal, as `node --test` does), closing
// "# pass / # fail" lines included.
import { run } from 'node:test';
import { spec, tap } from 'node:test/reporters';

const files = process.argv.slice(2);
const stream = run({ files, concurrency: 2 });
stream.on('test:fail', () => {
  process.exitCode = 1;
});
stream.compose(process.stdout.isTTY ? new spec() : tap).pipe(process.stdout);
