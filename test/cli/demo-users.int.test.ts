/**
 * `civic demo --no-serve` builds the same people as the serving demo (one per role, one password),
 * so the portal can be signed in to when it is served later with `civic serve` (issue 12, point 7).
 * The JSON form, and the people in the workspace it builds, are checked in
 * test/cli/json-envelope.int.test.ts, whose walk of every command builds that same demo
 * (`--no-serve --households 10000 --format json`): one 10,000-household build fewer per run.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { civic } from '../helpers/cli.ts';
import { tempDir } from '../helpers/workspace.ts';

const tmp = tempDir('civic-demo-users-');
after(() => tmp.cleanup());

test('demo --no-serve in the table form says the demo users, their password, and how to serve it', async () => {
  const t = await civic('demo', join(tmp.dir, 'demo2.civic'), '--no-serve', '--households', '10000');
  assert.equal(t.code, 0, t.stderr);
  assert.match(t.stdout, /Portal users: admin, analyst, partner, agent \(one per role\), each with the password \S+/);
  assert.match(t.stdout, /civic serve/);
});
