/**
 * The guide's command examples, run so that they cannot drift from the program (issue 11, point 10).
 *
 * Every ```sh block of docs/*.md and README.md is read; each line that starts with `civic ` or
 * `npx civic ` (or `$ civic ` / `$ npx civic `, a command shown with its output) is a command, with
 * lines continued by `\` joined. Each runs, in the order of its page, through the in-process CLI
 * against one Sample Borough built once here (10,000 households, seed 2026), with the guide's
 * paths replaced by this test's own. Each must exit 0, or 2 where the page shows an error on
 * purpose. Where a page shows what a command prints (the lines after a `$` command, or a text block
 * right after the command's block), the first lines of the real output are compared with it, counts
 * masked: the guide's figures come from the default 100,000-household build.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
// data-intake.md makes the small workspace that cli.md and reference-geography.md go on to use.
const FIRST = ['docs/data-intake.md'];
const PAGES = [
  ...FIRST,
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`)
    .filter((p) => !FIRST.includes(p)),
  'README.md',
];

interface Example {
  page: string;
  line: number;
  command: string;
  /** What the page shows the command printing, if it does. */
  shown?: string[];
  /** A variable that the page exports from a file (`export NAME=$(cat FILE)`) before the command. */
  env?: [string, string];
}

/** The commands of every ```sh block of a page, with the output shown for each. */
function examples(page: string): Example[] {
  const lines = readFileSync(join(ROOT, page), 'utf8').split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() !== '```sh') continue;
    let last: Example | undefined;
    let dollar = false;
    let env: [string, string] | undefined;
    for (i++; i < lines.length && lines[i].trim() !== '```'; i++) {
      const start = i;
      let text = lines[i];
      while (text.endsWith('\\') && i + 1 < lines.length) text = text.slice(0, -1) + ' ' + lines[++i].trim();
      const m = /^(\$ )?((npx )?civic .*)$/.exec(text.trim());
      const exported = /^(\$ )?export (\w+)=\$\(cat (\S+)\)/.exec(text.trim());
      if (exported) env = [exported[2], exported[3]];
      if (m) {
        last = { page, line: start + 1, command: m[2].replace(/\s+/g, ' ').trim(), env };
        env = undefined;
        dollar = Boolean(m[1]);
        if (dollar) last.shown = [];
        out.push(last);
      } else if (/^\$ /.test(text)) last = undefined;
      else if (last?.shown && dollar) last.shown.push(text);
    }
    // A plain block right after the command's block is what it printed.
    let j = i + 1;
    while (j < lines.length && lines[j].trim() === '') j++;
    if (last && !dollar && /^```(text)?$/.test(lines[j]?.trim() ?? '')) {
      const shown: string[] = [];
      for (j++; j < lines.length && lines[j].trim() !== '```'; j++) shown.push(lines[j]);
      if (!shown.some((l) => /^\$ /.test(l))) last.shown = shown;
    }
  }
  for (const e of out) while (e.shown?.length && e.shown.at(-1)!.trim() === '') e.shown.pop();
  return out;
}

/**
 * Commands that cannot run here, each with why. A command is skipped when it contains the text of
 * an entry; every entry must still match a command in the guide, so the list cannot go stale.
 */
const SKIP: Array<[string, string]> = [
  ['[', 'a synopsis with placeholders in brackets, not a command'],
  ['civic COMMAND', 'a synopsis: any command with --help'],
  [
    '/tmp/trafford/',
    "Trafford's open data ($D, ../shared/data) and the file that docs/examples/synthetic-stop-smoking.awk makes, a shell step (test/reference/trafford.int.test.ts imports that data)",
  ],
  ['trafford.civic', "the reader's own downloaded files and service extract, in their own folder"],
  ['/tmp/national', 'a workspace the page does not make (it shows only that the national IMD file imports)'],
  ['/tmp/seed003/', 'the workspace that docs/examples/seed003.sh (a shell script) builds'],
  ['/tmp/dz/', 'files the page makes by hand in its prose'],
  ['/tmp/intake/members.json', 'a file the page makes by hand in its prose'],
  ['/tmp/intake/council_tax.parquet', 'a file the page makes by hand in its prose'],
  ['/tmp/intake/titled.csv', 'a file the page makes by hand in its prose'],
  ['/tmp/intake/pipe.txt', 'a file the page makes by hand in its prose'],
  ['small.civic pipe', 'removes the dataset imported from that hand-made file'],
  ['/tmp/intake/wards.csv', 'files the page makes by hand in its prose'],
  ['civic demo', 'builds a 20,000- or 100,000-household borough; this test builds one of 10,000 the same way'],
  ['civic serve', 'starts the portal, which runs until stopped (test/server covers it)'],
  ['--valhalla', 'needs a Valhalla routing server'],
  ['visits.csv', "the reader's own service file"],
  ['--targeted targets.csv', "the reader's own list of targeted areas"],
  ['export-from-workspace', 'needs a workspace made before the key moved out of it'],
];

const tmp = tempDir('civic-docs-');
const WS = join(tmp.dir, '.demo', 'sample-borough.civic');
const FILES = join(tmp.dir, '.demo', 'sample-borough-files');
const KEY = join(tmp.dir, '.demo', 'sample-borough.key');
const cwd = process.cwd();
/** Trafford's open data, which the README's "own data" example imports (as a council would). */
const SHARED = join(ROOT, '..', 'shared', 'data');
const OWN_DATA = 'trafford-trial.civic';
const haveData = existsSync(join(SHARED, 'trafford'));

/** The guide's paths as this test's. */
function substitute(arg: string): string {
  const exact: Record<string, string> = {
    '.demo/sample-borough.civic': WS,
    '.demo/sample-borough.key': KEY,
    '/tmp/docs-demo/sb.civic': WS,
    'borough.civic': WS,
    WORKSPACE: WS,
    'facilities.csv': join(FILES, 'facilities.csv'),
  };
  if (arg in exact) return exact[arg];
  for (const [from, to] of [
    ['.demo/sample-borough-files/', FILES + '/'],
    ['/tmp/', join(tmp.dir, 'tmp') + '/'],
    ['~/', join(tmp.dir, 'home') + '/'],
    ['test/fixtures/', join(ROOT, 'test/fixtures/')],
    ['docs/', join(ROOT, 'docs/')],
    ['examples/', join(ROOT, 'examples/')],
    ['../shared/data/', join(SHARED, '/')],
  ])
    if (arg.startsWith(from)) return to + arg.slice(from.length);
  return arg;
}

/** This test's paths in what a command printed, as the guide's. */
function unsubstitute(text: string): string {
  return text
    .replaceAll(WS, '.demo/sample-borough.civic')
    .replaceAll(KEY, '.demo/sample-borough.key')
    .replaceAll(FILES + '/', '.demo/sample-borough-files/')
    .replaceAll(join(tmp.dir, 'tmp') + '/', '/tmp/')
    .replaceAll(join(tmp.dir, 'out') + '/', '');
}

/** A command line's words, as a POSIX shell splits them (quotes, and a `#` comment at the end). */
function words(command: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(#.*$)|(\S+)/g;
  let m: RegExpExecArray | null;
  let word: string | undefined;
  let lastEnd = -1;
  while ((m = re.exec(command))) {
    if (m[3] !== undefined && m.index > 0 && command[m.index - 1] === ' ') break;
    const piece = m[1] ?? m[2] ?? m[3] ?? m[4];
    if (word !== undefined && m.index === lastEnd) word += piece;
    else {
      if (word !== undefined) out.push(word);
      word = piece;
    }
    lastEnd = re.lastIndex;
  }
  if (word !== undefined) out.push(word);
  return out;
}

/** Counts and figures masked, spacing and table rules made one, so shape is compared, not data. */
const mask = (line: string) =>
  line
    .replace(/\bkey-[0-9a-f]+/g, 'key-#')
    .replace(/\d[\d,]*(\.\d+)?/g, '#')
    .replace(/-{2,}/g, '-')
    .replace(/\s+/g, ' ')
    .trim();

/**
 * The lines of shown output that are compared: those before the first `…`, and of a table only its
 * title, column names and rule, since the rows depend on the size of the borough.
 */
function headline(shown: string[]): string[] {
  const upTo = shown.findIndex((l) => l.trim() === '…');
  const lines = upTo < 0 ? shown : shown.slice(0, upTo);
  const rule = lines.findIndex((l) => /^-{3,}/.test(l.trim()));
  if (rule >= 0 && rule < 10) return lines.slice(0, rule + 1);
  const header = lines.findIndex((l) => /^[A-Z][a-z]*( [a-z%]+)*( {2,}[A-Z][a-z]*( [a-z%]+)*){2,}$/.test(l.trim()));
  return header >= 0 ? lines.slice(0, header + 1) : lines;
}

/**
 * The 10,000-household borough has 2 wards (Old Town and St Mary's) where the default build has 21:
 * a page's command that names another ward (and what it shows) uses Old Town instead.
 */
const SMALLER: Array<[string, string]> = [
  ['ward:E05900014', 'ward:E05900001'],
  ['ward E05900014', 'ward E05900001'],
  ['Northgate', 'Old Town'],
];
const smaller = (text: string) => SMALLER.reduce((t, [from, to]) => t.replaceAll(from, to), text);

const all = PAGES.flatMap(examples);
const skipped = (e: Example) => SKIP.find(([text]) => e.command.includes(text));

before(async () => {
  mkdirSync(join(tmp.dir, 'tmp', 'intake'), { recursive: true });
  mkdirSync(join(tmp.dir, 'out'), { recursive: true });
  // sample-borough.md's `npx civic demo --no-serve`, smaller, with what it shows compared.
  const demo = all.find((e) => e.page === 'docs/sample-borough.md' && e.command === 'npx civic demo --no-serve');
  assert.ok(demo?.shown, 'sample-borough.md shows the demo build');
  const r = await civic('demo', WS, '--no-serve', '--households', '10000', '--seed', '2026');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(
    (r.stderr + r.stdout).split('\n').map(mask).filter(Boolean).slice(0, headline(demo.shown).length),
    headline(demo.shown).map(mask).filter(Boolean),
    'sample-borough.md: the demo build',
  );
  process.chdir(join(tmp.dir, 'out')); // where the examples' relative --out files go
});
after(() => {
  process.chdir(cwd);
  tmp.cleanup();
});

test('the guide has command examples, and every skipped one is still in it', (t) => {
  assert.ok(all.length > 50, `${all.length} commands`);
  for (const [text, why] of SKIP)
    assert.ok(
      all.some((e) => e.command.includes(text)),
      `skip-list entry "${text}" (${why}) matches no command in the guide: remove it`,
    );
  const run = all.filter((e) => !skipped(e)).length;
  t.diagnostic(`${all.length} commands in the guide: ${run} run, ${all.length - run} skipped`);
  for (const e of all.filter(skipped)) t.diagnostic(`skipped ${e.page}:${e.line}: ${e.command} (${skipped(e)![1]})`);
  assert.ok(run > 40, 'most examples run');
});

test('docs/README.md: `npx civic --version` prints the version it says', async () => {
  const said = /The second command prints `([^`]+)`/.exec(readFileSync(join(ROOT, 'docs/README.md'), 'utf8'));
  assert.ok(said, 'docs/README.md says what --version prints');
  assert.equal((await civic('--version')).stdout.trim(), said[1]);
});

test('docs/README.md lists every decision in docs/decisions', () => {
  const guide = readFileSync(join(ROOT, 'docs/README.md'), 'utf8');
  for (const f of readdirSync(join(ROOT, 'docs/decisions')).filter((f) => f.endsWith('.md')))
    assert.ok(guide.includes(`](decisions/${f})`), `docs/README.md does not list decisions/${f}`);
});

test("the README's own-data example has Trafford's open data to read", () => {
  // Absent data may skip the example on a developer's machine, never in CI.
  if (process.env.CI === 'true') assert.ok(haveData, `${SHARED}/trafford is missing: CI must have ../shared/data`);
  assert.ok(
    all.some((e) => e.page === 'README.md' && e.command.includes(OWN_DATA)),
    'the README shows its own-data example',
  );
});

for (const page of PAGES) {
  const runs = all.filter((e) => e.page === page && !skipped(e) && (haveData || !e.command.includes(OWN_DATA)));
  if (runs.length === 0) continue;
  test(`${page}: its ${runs.length} commands run as shown`, async (t) => {
    const key = process.env.CIVIC_PSEUDONYM_KEY;
    t.after(() => {
      if (key === undefined) delete process.env.CIVIC_PSEUDONYM_KEY;
      else process.env.CIVIC_PSEUDONYM_KEY = key;
    });
    let compared = 0;
    for (const e of runs) {
      if (e.env) process.env[e.env[0]] = readFileSync(substitute(e.env[1]), 'utf8').trim();
      const argv = words(smaller(e.command))
        .slice(e.command.startsWith('npx ') ? 2 : 1)
        .map(substitute);
      const r = await civic(...argv);
      const where = `${page}:${e.line}: ${e.command}`;
      const errorShown = e.shown?.some((l) => /^(Error|error):|"error":/.test(l.trim())) ?? false;
      assert.equal(r.code, errorShown ? 2 : 0, `${where}\n${r.stderr}`);
      if (!e.shown?.length) continue;
      // The page shows an error message (stderr), or else the result (stdout, or stderr when a
      // command prints only messages there). Of an error, its first line is compared: what it
      // suggests can name what skipped commands would have made.
      const stderrShown = /^(Error|error):/.test(e.shown.find((l) => l.trim())?.trim() ?? '');
      const printed = unsubstitute(stderrShown ? r.stderr : r.stdout || r.stderr)
        .split('\n')
        .map(mask);
      const lines = headline(e.shown.map(smaller));
      const expected = (stderrShown ? lines.filter((l) => l.trim()).slice(0, 1) : lines).map(mask);
      const real = printed.filter((l) => l !== '');
      const want = expected.filter((l) => l !== '');
      assert.deepEqual(real.slice(0, want.length), want, where);
      compared++;
    }
    t.diagnostic(`${compared} of them with the output the page shows`);
  });
}
