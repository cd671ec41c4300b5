// Loaded into every test file's process by scripts/run-tests.mjs when CIVIC_TEST_TIMES is set: on
// exit, writes how long the process lived (start-up, tsx, fixtures, tests) and which file it ran.
import { appendFileSync } from 'node:fs';
import { relative } from 'node:path';

const out = process.env.CIVIC_TEST_TIMES_RAW;
const file = process.argv[1];
if (out && file && file.endsWith('.test.ts'))
  process.on('exit', () =>
    appendFileSync(out, `${(performance.now() / 1000).toFixed(1)}\t${relative(process.cwd(), file)}\n`),
  );
