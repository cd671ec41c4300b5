/**
 * bench/cli: the CPU time `civic` takes to start and answer, against a bare `node -e 0` in the same
 * run (issue 11, acceptance 1: `--help` and `--version` within 4× `node -e 0`).
 *
 *   npm run bench:cli [-- --rounds 10] [-- --before REV] [-- --write]
 *
 * Each case runs `--rounds` times, the cases interleaved round by round so that a busy moment of the
 * machine falls on all of them alike. The CPU time of a run is its user + system time as the kernel
 * accounts it to its parent once the child is reaped: the `cutime` and `cstime` fields of
 * /proc/self/stat (Linux; clock ticks), read before and after each spawnSync, which gives no
 * resource usage of its own. Worker threads count, being threads of the child.
 *
 * Three ways of running civic, where asked for:
 *   after   bin/civic.js running dist/ (compiled, each command's code loaded when it runs); dist/
 *           must be up to date (npm run build)
 *   source  the same code as TypeScript through tsx (CIVIC_FROM_SOURCE=1), as while developing
 *   before  --before REV: the program as it was at REV (git archive into a temporary folder,
 *           sharing node_modules), e.g. tsx and every command imported up front
 * Prints a Markdown section for bench/RESULTS.md (--write puts it there, replacing an older one)
 * and writes bench/out/cli.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const arg = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : (process.argv[i + 1] ?? '');
};
const rounds = Number(arg('rounds') ?? 10);
const before = arg('before');
const write = process.argv.includes('--write');

const TICK = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;

/** CPU seconds (user + system) of this process's reaped children so far. */
function childrenCpu(): number {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 16 and 17 of proc(5), counted from 1 with the two before the ')' (pid, comm).
  return (Number(fields[13]) + Number(fields[14])) / TICK;
}

/** Whether dist/ is newer than every file and folder of src/ (the rule bin/civic.js follows). */
function distUpToDate(): boolean {
  const stamp = join(ROOT, 'dist/.built');
  if (!existsSync(stamp)) return false;
  const t = statSync(stamp).mtimeMs;
  const newer = (dir: string): boolean =>
    statSync(dir).mtimeMs > t ||
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > t,
    );
  return !newer(join(ROOT, 'src'));
}

interface Variant {
  name: 'before' | 'source' | 'after';
  title: string;
  bin: string;
  env: Record<string, string>;
}

const work = mkdtempSync(join(tmpdir(), 'civic-bench-cli-'));
const variants: Variant[] = [];
let beforeCommit: string | undefined;
try {
  if (before) {
    beforeCommit = execFileSync('git', ['-C', ROOT, 'rev-parse', '--short', before], { encoding: 'utf8' }).trim();
    const dir = join(work, 'before');
    mkdirSync(dir);
    const tar = execFileSync('git', ['-C', ROOT, 'archive', beforeCommit, 'bin', 'src', 'package.json'], {
      maxBuffer: 1 << 30,
    });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    variants.push({ name: 'before', title: `before (${beforeCommit})`, bin: join(dir, 'bin/civic.js'), env: {} });
  }
  variants.push({
    name: 'source',
    title: 'source (tsx)',
    bin: join(ROOT, 'bin/civic.js'),
    env: { CIVIC_FROM_SOURCE: '1' },
  });
  if (!distUpToDate()) throw new Error('dist/ is missing or older than src/: run npm run build first.');
  variants.push({ name: 'after', title: 'after (dist)', bin: join(ROOT, 'bin/civic.js'), env: {} });

  // A workspace for the light real command (made by the current program; the schema is the same before).
  const ws = join(work, 'bench.civic');
  execFileSync(process.execPath, [join(ROOT, 'bin/civic.js'), 'init', ws], { stdio: 'ignore' });

  const COMMANDS: { label: string; args: string[] }[] = [
    { label: '`civic --help`', args: ['--help'] },
    { label: '`civic --version`', args: ['--version'] },
    { label: '`civic reference --help`', args: ['reference', '--help'] },
    { label: '`civic profile --help`', args: ['profile', '--help'] },
    { label: '`civic location choose --help`', args: ['location', 'choose', '--help'] },
    { label: '`civic serve --help`', args: ['serve', '--help'] },
    { label: '`civic key status WORKSPACE` (opens the workspace)', args: ['key', 'status', ws] },
  ];
  interface Case {
    label: string;
    variant?: Variant['name'];
    argv: string[];
    env: Record<string, string>;
    cpu: number[];
    wall: number[];
  }
  const cases: Case[] = [{ label: '`node -e 0`', argv: ['-e', '0'], env: {}, cpu: [], wall: [] }];
  for (const c of COMMANDS)
    for (const v of variants)
      cases.push({ label: c.label, variant: v.name, argv: [v.bin, ...c.args], env: v.env, cpu: [], wall: [] });

  const env: NodeJS.ProcessEnv = { ...process.env, CI: '1', CIVIC_PSEUDONYM_KEY: 'ab'.repeat(32) };
  delete env.CIVIC_FROM_SOURCE;
  for (let r = 0; r < rounds; r++) {
    for (const c of cases) {
      const cpu0 = childrenCpu();
      const t0 = performance.now();
      const run = spawnSync(process.execPath, c.argv, { env: { ...env, ...c.env }, encoding: 'utf8' });
      c.wall.push((performance.now() - t0) / 1000);
      c.cpu.push(childrenCpu() - cpu0);
      if (run.status !== 0) throw new Error(`${c.argv.join(' ')} exited ${run.status}: ${run.stderr}`);
    }
    process.stderr.write(`round ${r + 1}/${rounds}\n`);
  }

  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const base = mean(cases[0].cpu);
  const ms = (s: number) => (s * 1000).toFixed(0);
  const ratio = (c: Case) => mean(c.cpu) / base;
  const cell = (c: Case | undefined) => (c ? `${ms(mean(c.cpu))} ms (**${ratio(c).toFixed(1)}×**)` : '');

  const date = new Date().toISOString().slice(0, 10);
  const rows = [
    `| command | ${variants.map((v) => v.title).join(' | ')} |`,
    `|---|${variants.map(() => '---:|').join('')}`,
    `| \`node -e 0\` | ${variants.map(() => `${ms(base)} ms (1×)`).join(' | ')} |`,
    ...COMMANDS.map(
      (c) =>
        `| ${c.label} | ${variants.map((v) => cell(cases.find((k) => k.label === c.label && k.variant === v.name))).join(' | ')} |`,
    ),
  ];
  const after = (args: string) => cases.find((k) => k.variant === 'after' && k.argv.slice(1).join(' ') === args)!;
  const worst = Math.max(ratio(after('--help')), ratio(after('--version')));
  /** Words wrapped at 100 columns, as the rest of RESULTS.md is written. */
  const wrap = (text: string) =>
    text
      .split(' ')
      .reduce<string[]>((lines, word) => {
        const last = lines.length - 1;
        if (last >= 0 && lines[last].length + word.length < 100) lines[last] += ` ${word}`;
        else lines.push(word);
        return lines;
      }, [])
      .join('\n');
  const about = [
    `Command: \`npm run bench:cli -- --rounds ${rounds}${before ? ` --before ${before}` : ''}${write ? ' --write' : ''}\`.`,
    `Measured ${date} on the ${cpus().length}-core development machine (Node ${process.version}; load average`,
    `${loadavg()[0].toFixed(1)} as it ended: other work was running, so compare the ratios, not the milliseconds).`,
    `Each cell is the mean CPU time (user + system, from the kernel's account of reaped children) of`,
    `${rounds} runs, the cases interleaved round by round, and its ratio to \`node -e 0\` in the same run.`,
    before
      ? `*before* is the program at ${beforeCommit} (TypeScript through tsx, every command and package imported up front);`
      : '',
    `*source* is today's code through tsx (\`CIVIC_FROM_SOURCE=1\`, as while developing); *after* is today's`,
    `\`bin/civic.js\` running the compiled \`dist/\`, each command's code loaded when it runs (decision 15).`,
  ]
    .filter(Boolean)
    .join(' ');
  const section = `## bench/cli — start-up CPU time against a bare \`node -e 0\` (issue 11, acceptance 1)

${wrap(about)}

${rows.join('\n')}

Aim: \`--help\` and \`--version\` within 4× \`node -e 0\`: **${worst <= 4 ? 'met' : 'not met'}** (at most ${worst.toFixed(1)}×). \`key status\`
opens a workspace: most of what it adds is the DuckDB driver, a native module every command on a
workspace needs (importing it alone costs about 4× \`node -e 0\` here).
`;
  process.stdout.write(`${section}\n`);
  mkdirSync(join(ROOT, 'bench/out'), { recursive: true });
  writeFileSync(
    join(ROOT, 'bench/out/cli.json'),
    JSON.stringify(
      {
        date,
        rounds,
        before: beforeCommit ?? null,
        node: process.version,
        cases: cases.map((c) => ({
          label: c.label,
          variant: c.variant ?? null,
          cpuMeanMs: mean(c.cpu) * 1000,
          ratio: mean(c.cpu) / base,
          wallMedianMs: median(c.wall) * 1000,
        })),
      },
      null,
      2,
    ),
  );
  if (write) {
    const file = join(ROOT, 'bench/RESULTS.md');
    const text = readFileSync(file, 'utf8');
    const start = text.indexOf('## bench/cli');
    const next = start < 0 ? -1 : text.indexOf('\n## ', start + 1);
    writeFileSync(
      file,
      start < 0
        ? `${text.trimEnd()}\n\n${section}`
        : `${text.slice(0, start)}${section}${next < 0 ? '' : `\n${text.slice(next + 1)}`}`,
    );
    process.stderr.write('Written to bench/RESULTS.md\n');
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
