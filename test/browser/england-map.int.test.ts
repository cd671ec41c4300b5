/**
 * The England-wide LSOA choropleth (32,844 areas) loads, renders and answers a click in Debian's
 * chromium; the time to first render is printed as a diagnostic (figures in bench/RESULTS.md).
 * Runs test/browser/map.browser.ts, the same check used for the benchmark.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { browserSkip } from '../helpers/browser.ts';
import { sharedData } from '../helpers/shared-data.ts';

const skip = browserSkip() || sharedData('national/imd2019-national').skip;

test('England LSOA map: loads, renders and answers a click (32,844 areas)', { skip, timeout: 600_000 }, (t) => {
  const script = new URL('./map.browser.ts', import.meta.url).pathname;
  const r = spawnSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', timeout: 590_000 });
  assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
  const timing = r.stdout.split('\n').filter((l) => /England LSOA map|GeoJSON:|England fixture/.test(l));
  assert.ok(
    timing.some((l) => /32844 areas; time to first render \d+ ms/.test(l)),
    r.stdout,
  );
  for (const l of timing) t.diagnostic(l);
  assert.match(r.stdout, /map browser check: passed/);
});
