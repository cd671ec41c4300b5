/**
 * Routes read parameters, call a service and render (decision 16): no file in src/server/routes
 * holds SQL or talks to the engine for an analysis. (The audit log, written through users.ts, is
 * the server's own.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';

const ROUTES = new URL('../../src/server/routes/', import.meta.url);

test('no route file holds SQL or queries the engine', () => {
  const files = readdirSync(ROUTES).filter((f) => f.endsWith('.ts'));
  assert.ok(files.length > 10);
  for (const f of files) {
    const text = readFileSync(new URL(f, ROUTES), 'utf8');
    assert.doesNotMatch(text, /\bSELECT\b|\bINSERT\b|\bUPDATE\b|\bDELETE FROM\b/, `${f} holds SQL`);
    assert.doesNotMatch(text, /engine\.(all|one|run|append)\b/, `${f} queries the engine`);
  }
});
