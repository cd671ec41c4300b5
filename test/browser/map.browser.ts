/**
 * The map in a real browser (Debian's chromium via playwright-core), run as a plain script:
 *   npx tsx test/browser/map.browser.ts [--borough]
 * 1. England: 32,844 LSOAs (synthetic hexagons carrying the real IMD 2019 deciles, see
 *    test/helpers/england-lsoa.ts) as the public: the map loads, renders and answers a click.
 *    Prints the time to first render (navigation start → map idle) for bench/RESULTS.md.
 * 2. With --borough: Sample Borough (20,000 households) output areas, segment share as the public,
 *    and a dataset's penetration as an analyst.
 * Fails (exit 1) on any page error, failed request or CSP violation. Screenshots go to
 * test-artifacts/screenshots/. test/browser/england-map.int.test.ts runs the same check in the test's
 * own process (mapBrowserCheck), with no second start-up.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Page } from 'playwright-core';
import { buildApp } from '../../src/server/app.ts';
import { buildEnglandLsoaWorkspace, hasImd } from '../helpers/england-lsoa.ts';
import { tempDir } from '../helpers/workspace.ts';
import { browserSkip, launchBrowser, screenshot, startPortal, signIn } from '../helpers/browser.ts';

let problems: string[] = [];
function watch(page: Page, label: string): void {
  page.on('pageerror', (e) => problems.push(`${label}: page error ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(`${label}: console ${m.text()}`);
  });
  page.on('requestfailed', (r) => problems.push(`${label}: request failed ${r.url()} ${r.failure()?.errorText}`));
}

/** Opens a map page, waits for the map to draw, clicks its middle and returns the figures shown. */
async function renderAndClick(page: Page, url: string, name: string, timeout = 120_000) {
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('#map[data-state="rendered"]', { timeout });
  const t = await page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
    const m = (window as unknown as { civicMap: { fetchedMs: number; renderedMs: number; features: number } }).civicMap;
    return {
      features: m.features,
      fetchMs: Math.round(m.fetchedMs),
      scriptToRenderMs: Math.round(m.renderedMs),
      navToRenderMs: Math.round(performance.now() - 0),
      domContentLoadedMs: Math.round(nav.domContentLoadedEventEnd),
    };
  });
  // Time to first render: the map's idle mark, measured from navigation start.
  const firstRender = await page.evaluate(() => {
    const m = (window as unknown as { civicMap: { renderedMs: number } }).civicMap;
    const script = (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).find((r) =>
      r.name.includes('/static/map.js'),
    );
    return Math.round((script ? script.responseEnd : 0) + m.renderedMs);
  });
  const box = (await page.locator('#map canvas').boundingBox())!;
  // The pixel nearest the middle that has an area under it (hexagons leave thin gaps).
  const at = await page.evaluate(() => {
    const m = (
      window as unknown as {
        civicMap: {
          map: {
            queryRenderedFeatures: (p: [number, number], o: object) => unknown[];
            getCanvas: () => HTMLCanvasElement;
          };
        };
      }
    ).civicMap.map;
    const c = m.getCanvas();
    for (let d = 0; d < 60; d += 2)
      for (const [dx, dy] of [
        [d, 0],
        [0, d],
        [-d, 0],
        [0, -d],
      ]) {
        const p: [number, number] = [c.clientWidth / 2 + dx, c.clientHeight / 2 + dy];
        if (m.queryRenderedFeatures(p, { layers: ['areas-fill'] }).length) return p;
      }
    return [c.clientWidth / 2, c.clientHeight / 2];
  });
  const clickStart = Date.now();
  await page.mouse.click(box.x + at[0], box.y + at[1]);
  try {
    await page.waitForFunction(() => document.querySelector('#map-figures dl') !== null, null, { timeout: 10_000 });
  } catch (e) {
    await screenshot(page, `${name}-click-failed`);
    throw e;
  }
  const clickMs = Date.now() - clickStart;
  const figures = await page.locator('#map-figures').innerText();
  await screenshot(page, name);
  return { ...t, firstRenderMs: firstRender, clickMs, figures };
}

/**
 * The check, with what it finds written through `log`: the problems found (none when it passes).
 * With `borough`, the Sample Borough maps too.
 */
export async function mapBrowserCheck(opts: {
  borough?: boolean;
  log?: (line: string) => void;
  error?: (line: string) => void;
}): Promise<string[]> {
  const log = opts.log ?? ((l: string) => globalThis.console.log(l));
  const error = opts.error ?? ((l: string) => globalThis.console.error(l));
  problems = [];
  const skip = browserSkip();
  if (skip) {
    log(skip);
    return [];
  }
  const browser = await launchBrowser();
  try {
    if (hasImd()) {
      const tmp = tempDir('civic-england-');
      const fx = await buildEnglandLsoaWorkspace(join(tmp.dir, 'england.civic'));
      const app = await buildApp({
        workspace: fx.workspace,
        secureCookies: false,
        uploadDir: join(tmp.dir, 'uploads'),
      });
      const url = await app.listen({ port: 0, host: '127.0.0.1' });
      try {
        log(`England fixture: ${fx.areas} LSOA hexagons with IMD 2019 deciles, built in ${fx.ms} ms`);
        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        watch(page, 'england');
        const geo = Date.now();
        const res = await page.request.get(`${url}/map/data.geojson?measure=deprivation&level=lsoa11`);
        const bytes = (await res.body()).length;
        log(`GeoJSON: ${res.status()} ${(bytes / 1e6).toFixed(1)} MB in ${Date.now() - geo} ms (cold cache)`);
        for (const run of ['cold', 'warm']) {
          const r = await renderAndClick(
            page,
            `${url}/map?measure=deprivation&level=lsoa11`,
            `map-england-lsoa-${run}`,
          );
          log(
            `England LSOA map (${run} page load): ${r.features} areas; time to first render ${r.firstRenderMs} ms (map drawn ${r.scriptToRenderMs} ms after map.js started); click → figures ${r.clickMs} ms`,
          );
          log(`  clicked: ${r.figures.replace(/\s+/g, ' ').trim()}`);
          if (!/Decile \d/.test(r.figures)) problems.push('england: the clicked area shows no decile');
        }
        const rows = await page.locator('#map-table tbody tr').count();
        if (rows !== 500) problems.push(`england: table fallback shows ${rows} rows, expected a page of 500`);
        await page.close();
      } finally {
        await app.close();
        fx.workspace.close();
        tmp.cleanup();
      }
    } else log('IMD 2019 file not found under ../shared/data: England check skipped');

    if (opts.borough) {
      const portal = await startPortal();
      try {
        const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
        watch(page, 'borough');
        const r = await renderAndClick(
          page,
          `${portal.url}/map?measure=${encodeURIComponent('segment:borough:group:2')}&level=oa21`,
          'map-borough-oa-segment',
        );
        log(
          `Sample Borough OA segment share (public): ${r.features} areas, first render ${r.firstRenderMs} ms, click ${r.clickMs} ms: ${r.figures.replace(/\s+/g, ' ').trim()}`,
        );
        await signIn(page, portal, 'analyst');
        const p = await renderAndClick(
          page,
          `${portal.url}/map?measure=${encodeURIComponent('penetration:stop_smoking_clinic')}&level=lsoa21`,
          'map-borough-lsoa-penetration',
        );
        log(
          `Sample Borough LSOA penetration (analyst): ${p.features} areas, first render ${p.firstRenderMs} ms: ${p.figures.replace(/\s+/g, ' ').trim()}`,
        );
        await page.close();
      } finally {
        await portal.close();
      }
    }
  } finally {
    await browser.close();
  }
  if (problems.length) error(`FAILED:\n${problems.join('\n')}`);
  else log('map browser check: passed');
  return problems;
}

// Run as a script: npx tsx test/browser/map.browser.ts [--borough]
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const found = await mapBrowserCheck({ borough: process.argv.includes('--borough') });
  if (found.length) process.exitCode = 1;
}
