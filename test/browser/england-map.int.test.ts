/**
 * The England-wide LSOA choropleth (32,844 areas) loads, renders and answers a click in Debian's
 * chromium; the time to first render is printed as a diagnostic (figures in bench/RESULTS.md).
 * Runs test/browser/map.browser.ts's check, the same one used for the benchmark, in this process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSkip } from '../helpers/browser.ts';
import { sharedData } from '../helpers/shared-data.ts';
import { mapBrowserCheck } from './map.browser.ts';

const skip = browserSkip() || sharedData('national/imd2019-national').skip;

test('England LSOA map: loads, renders and answers a click (32,844 areas)', { skip, timeout: 600_000 }, async (t) => {
  const out: string[] = [];
  const problems = await mapBrowserCheck({ log: (l) => out.push(l), error: (l) => out.push(l) });
  const stdout = out.join('\n');
  assert.deepEqual(problems, [], stdout);
  const timing = out.filter((l) => /England LSOA map|GeoJSON:|England fixture/.test(l));
  assert.ok(
    timing.some((l) => /32844 areas; time to first render \d+ ms/.test(l)),
    stdout,
  );
  for (const l of timing) t.diagnostic(l);
  assert.match(stdout, /map browser check: passed/);
});
