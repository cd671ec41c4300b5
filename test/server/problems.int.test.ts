/**
 * One error hierarchy (issue 11, point 4): the server's own answers (HttpProblem) are
 * ObservatoryErrors with explicit codes, and the API's problem types are the codes.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { ObservatoryError } from '../../src/core/index.ts';
import { buildApp } from '../../src/server/app.ts';
import { HttpProblem } from '../../src/server/http.ts';
import { addUser, createApiToken, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import type { Workspace } from '../../src/store/index.ts';
import { smallWorkspace, tempDir } from '../helpers/workspace.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const tmp = tempDir('civic-problems-');
let ws: Workspace;
let app: FastifyInstance;
let agent: string;
before(async () => {
  ws = await smallWorkspace(tmp.dir);
  await addUser(ws.engine, { username: 'agt', password: 'a long enough password', role: 'agent' });
  agent = await createApiToken(ws.engine, 'agt');
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
});
after(async () => {
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

test('an HttpProblem is an ObservatoryError with its own code, status and title', () => {
  const p = new HttpProblem(
    403,
    'not_allowed',
    'Not allowed',
    'Your role cannot use this page.',
    'Ask an administrator.',
  );
  assert.ok(p instanceof ObservatoryError);
  assert.equal(p.code, 'not_allowed');
  assert.equal(p.status, 403);
  assert.equal(p.title, 'Not allowed');
  assert.equal(p.fix, 'Ask an administrator.');
});

test("the API's problems carry the codes: a bad token, a role that may not, and a missing route", async () => {
  const bad = await app.inject({ url: '/api/datasets', headers: { authorization: 'Bearer nonsense' } });
  assert.equal(bad.statusCode, 401);
  assert.equal(JSON.parse(bad.body).type, 'https://civic-observatory.invalid/problems/not_signed_in');
  const denied = await app.inject({ url: '/api/datasets', headers: { authorization: `Bearer ${agent}` } });
  assert.equal(denied.statusCode, 403);
  const body = JSON.parse(denied.body);
  assert.equal(body.type, 'https://civic-observatory.invalid/problems/not_allowed');
  assert.equal(body.title, 'Not allowed');
  const missing = await app.inject({ url: '/api/nothing-here' });
  assert.equal(JSON.parse(missing.body).type, 'https://civic-observatory.invalid/problems/not_found');
});
