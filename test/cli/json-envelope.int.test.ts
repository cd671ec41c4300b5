/**
 * Every command's `--format json` is one JSON object: its result, or `{ "error": … }` (issue 12,
 * point 6; `dataset rejects` and `segment portraits` used to print bare lists). This walks every
 * command the program defines: each must offer `--format json` and be listed here with arguments
 * that work on Sample Borough, or be named in NOT_RUN with why, so a new command cannot be missed.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli/main.ts';
import { openWorkspace } from '../../src/store/index.ts';
import { listUsers, verifyPassword } from '../../src/server/users.ts';
import { civic } from '../helpers/cli.ts';
import { sampleBorough } from '../helpers/sample-borough.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-json-');
const WS = join(tmp.dir, 'sb.civic');
const FILES = join(tmp.dir, 'sb-files');
const KEY = join(tmp.dir, 'sb.key');
const EXAMPLES = new URL('../../examples/journeys/', import.meta.url).pathname;
const VULNERABILITY_MODEL = new URL('../../examples/vulnerability/sample-borough.json', import.meta.url).pathname;
let postcode = '';
let dataset = '';

before(async () => {
  const built = await sampleBorough(WS, { households: 10_000, seed: 23 });
  postcode =
    (
      await built.workspace.engine.one<{ p: string }>(
        `SELECT pc_key AS p FROM postcode WHERE terminated IS NULL ORDER BY pc_key LIMIT 1`,
      )
    )?.p ?? '';
  dataset = built.datasets.find((d) => d.dataset === 'green_waste')?.dataset ?? built.datasets[0].dataset;
  built.workspace.close();
  writeFileSync(join(tmp.dir, 'postcodes.csv'), `postcode\n${postcode}\nNOT A POSTCODE\n`);
  writeFileSync(join(tmp.dir, 'targets.csv'), 'code\nE05900001\n');
  writeFileSync(join(tmp.dir, 'addresses.csv'), `address\n"12 High Street, ${postcode}"\n\n`);
  // People to link (no postcodes): twenty, each twice, the second time with a slip in the first name.
  const first = ['ann', 'bob', 'cyril', 'dora', 'eve', 'fred', 'gail', 'hugh', 'ivy', 'jack'];
  const last = ['smith', 'jones'];
  const rows = ['pid,first_name,surname,dob,truth'];
  for (let i = 0; i < 20; i++) {
    const f = first[i % 10];
    const s = last[Math.floor(i / 10)];
    const dob = `19${50 + i}-0${1 + (i % 9)}-1${i % 10}`;
    rows.push(
      `p${2 * i + 1},${f},${s},${dob},${i}`,
      `p${2 * i + 2},${f.slice(0, -1)}${f.endsWith('e') ? 'a' : 'e'},${s},${dob},${i}`,
    );
  }
  writeFileSync(join(tmp.dir, 'people.csv'), rows.join('\n') + '\n');
});
after(() => tmp.cleanup());

/** Commands not run here, each with why. */
const NOT_RUN: Record<string, string> = {
  serve: 'starts the portal, which runs until stopped (test/server covers it)',
};

/** Arguments for each command, in the order they run (later ones may use what earlier ones made). */
const RUNS = (): Array<[string, string[]]> => [
  ['init', [join(tmp.dir, 'fresh.civic')]],
  ['reference status', [WS]],
  ['reference import', [WS, '--deprivation', join(FILES, 'imd.csv')]],
  ['dataset list', [WS]],
  ['dataset mappings', [WS]],
  ['dataset rejects', [WS, dataset]],
  ['dataset import', [WS, 'json_copy', join(FILES, 'services', `${dataset}.csv`), '--key-file', KEY]],
  ['dataset publish', [WS, 'json_copy']],
  ['dataset remove', [WS, 'json_copy']],
  [
    'dataset import',
    [
      WS,
      'json_people',
      join(tmp.dir, 'people.csv'),
      '--no-postcode',
      '--id-column',
      'pid',
      '--keep-in-clear',
      'first_name,surname,dob',
    ],
  ],
  ['link train', [WS, '--model', 'json_people', '--datasets', 'json_people', '--ignore-columns', 'truth']],
  ['link predict', [WS, '--model', 'json_people']],
  ['link review', [WS, '--model', 'json_people']],
  ['link clusters', [WS, '--model', 'json_people']],
  ['link evaluate', [WS, '--model', 'json_people', '--truth-column', 'truth']],
  ['link explain', [WS, 'p1', 'p2', '--model', 'json_people']],
  ['link match-rates', [WS]],
  ['link household', [WS, '--uprn', '1']],
  ['contacts summary', [WS, 'contact_centre_callers']],
  ['contacts mix', [WS, 'contact_centre_callers']],
  ['contacts volumes', [WS, 'contact_centre_callers', '--channel', 'phone']],
  ['contacts framework', [WS, 'contact_centre_callers']],
  ['contacts sheets', [WS, 'contact_centre_callers']],
  [
    'channel-shift',
    [WS, 'contact_centre_callers', '--unit-costs', 'socitm-2012', '--from', 'phone', '--to', 'web', '--share', '50'],
  ],
  ['contacts unit-costs', []],
  ['contacts cost', ['--unit-costs', 'bristol', '--volumes', 'phone=750000,face to face=312500']],
  [
    'channel-shift',
    ['--unit-costs', 'bristol', '--from', 'phone', '--to', 'self-serve', '--contacts-per-month', '100'],
  ],
  ['journey template', []],
  ['journey import', [WS, join(EXAMPLES, 'kay-before.json')]],
  ['journey show', ['--workspace', WS]],
  ['journey measure', ['kay-before', '--workspace', WS]],
  ['journey compare', ['missed-bin-before', '--workspace', WS]],
  ['journey export', ['missed-bin-before', 'missed-bin-after', '--workspace', WS]],
  ['journey circle', ['circle-young-families', '--workspace', WS]],
  ['vulnerability save', [WS, VULNERABILITY_MODEL]],
  ['vulnerability list', [WS]],
  ['vulnerability score', [WS, '--model', 'sample-borough', '--population', 'council_tax_payment']],
  ['vulnerability explain', [WS, '--model', VULNERABILITY_MODEL, '--postcode', postcode]],
  ['vulnerability split', [WS, 'contact_centre_callers', '--model', VULNERABILITY_MODEL]],
  ['vulnerability compare', [WS, '--model', VULNERABILITY_MODEL, '--population', 'council_tax_payment']],
  ['key generate', ['--out', join(tmp.dir, 'another.key')]],
  ['key status', [WS, '--key-file', KEY]],
  ['key export-from-workspace', [WS, '--out', join(tmp.dir, 'old.key')]],
  ['profile', [WS, dataset, '--tier', 'group']],
  [
    'segment build',
    [
      WS,
      '--variables',
      join(FILES, 'area_variables.csv'),
      '--definitions',
      join(FILES, 'area_variable_definitions.csv'),
      '--name',
      'json_k4',
      '--k',
      '4',
      '--restarts',
      '2',
    ],
  ],
  [
    'segment diagnose',
    [
      WS,
      '--variables',
      join(FILES, 'area_variables.csv'),
      '--definitions',
      join(FILES, 'area_variable_definitions.csv'),
      '--k',
      '3-4',
      '--restarts',
      '2',
    ],
  ],
  ['segment list', [WS]],
  ['segment show', [WS, 'borough']],
  ['segment export', [WS, 'borough', '--out', join(tmp.dir, 'borough.json')]],
  ['segment import', [join(tmp.dir, 'fresh.civic'), join(tmp.dir, 'borough.json')]],
  ['segment assign', [WS, 'borough', '--postcode', postcode]],
  ['segment portraits', [WS, 'borough']],
  ['segment edit', [WS, 'borough', '1', '--rename', 'Renamed for the test', '--by', 'Tester']],
  ['segment history', [WS, 'borough', '1']],
  ['sdf', [WS]],
  ['rag', [WS, '--measures', dataset]],
  ['overlap', [WS, '--segment', '1', '--classification', 'borough', '--datasets', `${dataset},library_members`]],
  ['represent', [WS, dataset]],
  ['target', [WS, dataset, '--tier', 'type']],
  ['target evaluate', [WS, dataset, '--targeted', join(tmp.dir, 'targets.csv'), '--areas', 'ward']],
  ['facilities list', [WS]],
  ['facilities import', [WS, join(FILES, 'facilities.csv'), '--kind-column', 'type']],
  ['location access', [WS, '--kind', 'library']],
  ['location sfca', [WS, '--kind', 'library']],
  ['location catchment', [WS, '--site', 'Central Library', '--within', '10', '--mode', 'walk']],
  ['location patterns', [WS, 'library_members', '--kind', 'library', '--outlet-column', 'Branch']],
  ['location choose', [WS, '--kind', 'library', '--sites', '2', '--standard', '15']],
  ['location scenario', [WS, '--kind', 'library', '--standard', '15', '--close', 'Central Library']],
  ['map', [WS, '--list']],
  ['postcodes enrich', [WS, join(tmp.dir, 'postcodes.csv')]],
  ['address match', [WS, join(tmp.dir, 'addresses.csv'), '--address-columns', 'address']],
  ['facilities remove', [WS, '--kind', 'hwrc']],
  ['user add', [WS, 'json_user', '--role', 'analyst', '--password-env', 'CIVIC_TEST_PASSWORD']],
  ['user list', [WS]],
  ['user token', [WS, 'json_user']],
  ['user disable', [WS, 'json_user']],
  ['reference remove', [WS, '--deprivation', 'imd']],
  ['demo', [join(tmp.dir, 'demo.civic'), '--no-serve', '--households', '10000']],
];

/** Every command with an action, by its words after `civic`. */
function commands(c: Command, path: string[] = []): string[] {
  const own = (c as unknown as { _actionHandler: unknown })._actionHandler && path.length ? [path.join(' ')] : [];
  return [...own, ...c.commands.flatMap((s) => commands(s, [...path, s.name()]))];
}

test('every command offers --format json and is either run below or named with a reason', () => {
  const listed = new Set(RUNS().map(([c]) => c));
  const all = commands(buildProgram());
  assert.ok(all.length > 40, `${all.length} commands`);
  for (const name of all) {
    if (NOT_RUN[name]) continue;
    assert.ok(listed.has(name), `civic ${name} is not in this test: add it to RUNS`);
    const cmd = name.split(' ').reduce<Command>((c, w) => c.commands.find((s) => s.name() === w)!, buildProgram());
    const format = cmd.options.find((o) => o.long === '--format');
    assert.ok(format?.argChoices?.includes('json'), `civic ${name} has no --format json`);
  }
  for (const name of listed) assert.ok(all.includes(name), `RUNS names civic ${name}, which does not exist`);
});

/** What each command printed, by name, for the tests after the walk. */
const printed = new Map<string, Awaited<ReturnType<typeof civic>>>();

test('every command prints one JSON object, its result or an error, and never a bare list', async () => {
  process.env.CIVIC_TEST_PASSWORD = 'a long enough password for the test';
  const seen: string[] = [];
  for (const [name, args] of RUNS()) {
    const r = await civic(...name.split(' '), ...args, '--format', 'json');
    printed.set(name, r);
    const where = `civic ${name} ${args.join(' ')} --format json`;
    let out: unknown;
    try {
      out = JSON.parse(r.stdout);
    } catch {
      assert.fail(`${where}: stdout is not one JSON value (exit ${r.code}):\n${r.stdout.slice(0, 300)}\n${r.stderr}`);
    }
    assert.ok(out !== null && typeof out === 'object' && !Array.isArray(out), `${where}: not an object`);
    const obj = out as Record<string, unknown>;
    if (r.code === 0) assert.ok(!('error' in obj), `${where}: exit 0 with an error`);
    else {
      assert.equal(r.code, 2, `${where}: exit ${r.code}\n${r.stderr}`);
      const e = obj.error as { code?: string; message?: string } | undefined;
      assert.ok(e?.code && e.message, `${where}: a failure must be { error: { code, message } }`);
      assert.deepEqual(Object.keys(obj), ['error'], `${where}: an error is the whole output`);
    }
    seen.push(`${name}: ${r.code === 0 ? 'result' : `error ${(obj.error as { code: string }).code}`}`);
  }
  // Only a command that Sample Borough cannot satisfy may answer with an error: its key was never
  // kept inside the workspace, so there is nothing to move out.
  const errors = seen.filter((s) => s.includes(': error'));
  assert.deepEqual(
    errors,
    ['key export-from-workspace: error workspace_state'],
    `commands that failed:\n${errors.join('\n')}`,
  );
});

// The walk's `civic demo DIR/demo.civic --no-serve --households 10000 --format json` is the demo
// test/cli/demo-users.int.test.ts would otherwise build again: its people are checked here.
test('demo --no-serve creates the demo users, and says their password', async () => {
  const r = printed.get('demo');
  assert.ok(r, 'the walk ran civic demo');
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.users.usernames, ['admin', 'analyst', 'partner', 'agent']);
  assert.ok(out.users.password.length >= 12);
  const ws = await openWorkspace(join(tmp.dir, 'demo.civic'));
  try {
    const users = await listUsers(ws.engine);
    assert.deepEqual(users.map((u) => [u.username, u.role]).sort(), [
      ['admin', 'admin'],
      ['agent', 'agent'],
      ['analyst', 'analyst'],
      ['partner', 'partner'],
    ]);
    assert.equal(users.find((u) => u.username === 'partner')?.partner, 'Sample Leisure Trust');
    for (const u of out.users.usernames)
      assert.ok(await verifyPassword(ws.engine, u, out.users.password), `${u} signs in with the printed password`);
    assert.equal(await verifyPassword(ws.engine, 'admin', 'wrong password'), null);
  } finally {
    ws.close();
  }
});

test('contacts mix by ward as GeoJSON: one channel’s figures, the same cells as the JSON mix', async () => {
  const mix = await civic('contacts', 'mix', WS, 'contact_centre_callers', '--by-area', 'ward', '--format', 'json');
  assert.equal(mix.code, 0, mix.stderr);
  const r = JSON.parse(mix.stdout) as {
    groups: { code: string; contacts: number | null }[];
    cells: { code: string; channel: string; contacts: number | null; pct: number | null; suppressed: boolean }[];
  };
  const map = (...more: string[]) =>
    civic('contacts', 'mix', WS, 'contact_centre_callers', '--by-area', 'ward', '--format', 'geojson', ...more);
  const g = await map('--map-channel', 'web', '--map-measure', 'share');
  assert.equal(g.code, 0, g.stderr);
  const doc = JSON.parse(g.stdout) as {
    metadata: { measure: string };
    features: { properties: { code: string; value: number | null; count: number | null; c: number } }[];
  };
  assert.match(doc.metadata.measure, /^channel-share:contact_centre_callers:web/);
  assert.ok(doc.features.length >= r.groups.length);
  for (const f of doc.features) {
    const cell = r.cells.find((c) => c.code === f.properties.code && c.channel === 'web');
    if (!cell) continue;
    if (cell.suppressed) assert.equal(f.properties.c, -1, f.properties.code);
    else {
      assert.equal(f.properties.count, cell.contacts, f.properties.code);
      assert.equal(f.properties.value, Math.round(cell.pct! * 10) / 10, f.properties.code);
    }
  }
  // Mistakes are named, with what to do.
  const bySegment = await civic('contacts', 'mix', WS, 'contact_centre_callers', '--format', 'geojson');
  assert.equal(bySegment.code, 2);
  assert.match(bySegment.stderr, /Add --by-area ward/);
  const pigeon = await map('--map-channel', 'pigeon');
  assert.equal(pigeon.code, 2);
  assert.match(pigeon.stderr, /no column "pigeon"/);
  assert.doesNotMatch(pigeon.stderr, /at .*\.ts:\d+/);
});
