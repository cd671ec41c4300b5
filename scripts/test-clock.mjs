// Loaded into every test file's process by scripts/run-tests.mjs when CIVIC_TEST_TIMES is set: on
// exit, writes how long the process lived (start-up, tsx, fixtures, tests), the processor time it
// and the children it waited for (civic processes, chromium) used, and which file it ran. The
// processor time is what to compare on a busy machine: other people's work stretches the wall
// clock, not it.
import { appendFileSync, readFileSync } from 'node:fs';
import { relative } from 'node:path';

const out = process.env.CIVIC_TEST_TIMES_RAW;
const file = process.argv[1];
/** Seconds of processor time of this process and its waited-for children, from /proc (Linux); else this process's own. */
function cpuSeconds() {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which may hold spaces) in brackets: utime is the 14th field overall.
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14])) / 100;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  }
}
if (out && file && file.endsWith('.test.ts'))
  process.on('exit', () =>
    appendFileSync(
      out,
      `${(performance.now() / 1000).toFixed(1)}\t${relative(process.cwd(), file)}\t${cpuSeconds().toFixed(1)}\n`,
    ),
  );
