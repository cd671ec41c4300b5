/**
 * The channel analyses' pages in a real browser (issue 14, acceptance 5): Debian's chromium through
 * playwright-core against the real server over Sample Borough. The channel mix, volumes, the
 * communications framework, the channel shift by segment and the access sheets pass axe-core
 * (WCAG 2.2 AA) with their results and with an error shown, and every form works with JavaScript
 * switched off: a GET form the browser sends itself, answered by the server.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../src/server/users.ts';
import {
  browserSkip,
  launchBrowser,
  startPortal,
  signIn,
  openPage,
  assertNoViolations,
  screenshot,
  NAVIGATION_TIMEOUT,
  type Portal,
} from '../helpers/browser.ts';

const skip = browserSkip();
let portal: Portal;
let browser: Browser;
const LOG = 'contact_centre_callers';

before(async () => {
  if (skip) return;
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

async function contextFor(role: Role, javaScriptEnabled: boolean) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await signIn(page, portal, role);
  return { context, page, problems };
}

async function go(page: Page, path: string, js: boolean): Promise<number> {
  if (js) return openPage(page, portal, path);
  return (await page.goto(portal.url + path, { waitUntil: 'load' }))?.status() ?? 0;
}
const axe = (page: Page, label: string, js: boolean) => (js ? assertNoViolations(page, label) : Promise.resolve());

async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button }).click()]);
  await page.waitForLoadState('load');
}

/** Follows a link of the section's navigation. */
async function tab(page: Page, name: string, path: string): Promise<void> {
  await Promise.all([
    page.waitForURL((u) => u.pathname === path),
    page.getByRole('navigation', { name: 'Contact and channels' }).getByRole('link', { name }).click(),
  ]);
  await page.waitForLoadState('load');
}

for (const js of [true, false]) {
  describe(`The channel analyses, JavaScript ${js ? 'on' : 'off'}`, { skip }, () => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    const on = js ? 'on' : 'off';
    before(async () => {
      if (skip) return;
      // With JavaScript on as staff (the owner of the council's log); off as a partner (not its owner).
      ({ context, page, problems } = await contextFor(js ? 'analyst' : 'partner', js));
    });
    after(async () => {
      await context?.close();
    });

    test('channel mix: by segment and by ward, as a table and a chart', async () => {
      assert.equal(await go(page, '/channels', js), 200);
      await tab(page, 'Channel mix', '/channels/mix');
      await axe(page, `/channels/mix (JavaScript ${on})`, js);
      await page.getByLabel('Contact log').selectOption(LOG);
      await submit(page, 'Show the channel mix');
      const url = new URL(page.url());
      assert.equal(url.searchParams.get('dataset'), LOG);
      assert.ok((await page.locator('#mix-table tbody tr').count()) > 10, 'a row per segment and channel');
      assert.ok((await page.locator('svg[role="img"] rect').count()) > 5, 'the bars drawn');
      assert.match((await page.locator('#mix-chart-desc').textContent()) ?? '', /%/);
      await screenshot(page, `channel-mix-js-${on}`);
      await axe(page, `/channels/mix results (JavaScript ${on})`, js);
      await page.getByLabel('Ward').check();
      await submit(page, 'Show the channel mix');
      assert.equal(new URL(page.url()).searchParams.get('by'), 'ward');
      assert.match((await page.locator('#mix-table thead').textContent()) ?? '', /Ward/);
      const csv = await page.getByRole('link', { name: /CSV/ }).getAttribute('href');
      assert.match(csv ?? '', /^\/channels\/mix\/download\?format=csv&dataset=contact_centre_callers&by=ward/);
      // By ward, a map of one channel: drawn by map.js with JavaScript, its figures in a table always.
      assert.ok((await page.locator('#map-table tbody tr').count()) >= 3, 'a row per ward on the map');
      if (js) await page.waitForSelector('#map[data-state="rendered"]', { timeout: 60_000 });
      await page.getByLabel('Channel to map').selectOption('web');
      await page.getByLabel('Share of the ward’s contacts').check();
      await submit(page, 'Show on the map');
      const mapUrl = new URL(page.url());
      assert.equal(mapUrl.searchParams.get('channel'), 'web');
      assert.equal(mapUrl.searchParams.get('measure'), 'share');
      assert.match((await page.locator('#mix-map').textContent()) ?? '', /Share of contacts made by web, by ward/);
      assert.match((await page.locator('#map-table tbody').textContent()) ?? '', /\d%/);
      if (js) await page.waitForSelector('#map[data-state="rendered"]', { timeout: 60_000 });
      await screenshot(page, `channel-mix-map-js-${on}`);
      await axe(page, `/channels/mix by ward with its map (JavaScript ${on})`, js);
      const geojson = await page.getByRole('link', { name: /GeoJSON/ }).getAttribute('href');
      assert.match(
        geojson ?? '',
        /^\/channels\/mix\/map\.geojson\?dataset=contact_centre_callers&by=ward&channel=web&measure=share/,
      );
      assert.deepEqual(problems, []);
    });

    test('volumes and handling time, with a channel filter', async () => {
      await tab(page, 'Volumes and handling time', '/channels/volumes');
      await page.getByLabel('Contact log').selectOption(LOG);
      await page.getByLabel('Channel', { exact: true }).selectOption('phone');
      await submit(page, 'Show the volumes');
      assert.equal(new URL(page.url()).searchParams.get('channel'), 'phone');
      assert.ok((await page.locator('#volumes-table tbody tr').count()) >= 1);
      assert.match((await page.locator('#volumes-table caption').textContent()) ?? '', /phone only/);
      await axe(page, `/channels/volumes results (JavaScript ${on})`, js);
      assert.deepEqual(problems, []);
    });

    test('the communications framework', async () => {
      await tab(page, 'Communications framework', '/channels/framework');
      await page.getByLabel('Contact log').selectOption(LOG);
      await submit(page, 'Show the framework');
      assert.ok((await page.locator('#framework-table tbody tr').count()) >= 5);
      assert.match((await page.locator('#framework-table').textContent()) ?? '', /High|Low|Average/);
      await axe(page, `/channels/framework results (JavaScript ${on})`, js);
      assert.deepEqual(problems, []);
    });

    test('the channel shift by segment: the plan, who is left behind, an error', async () => {
      await tab(page, 'Channel shift by segment', '/channels/plan');
      await axe(page, `/channels/plan (JavaScript ${on})`, js);
      await page.getByLabel('Contact log').selectOption(LOG);
      await page.getByLabel('Unit costs').selectOption('socitm-2012');
      await page.getByLabel('Move contacts from').selectOption('phone');
      await page.getByLabel('To', { exact: true }).selectOption('web');
      await page.getByLabel('Share of each segment’s contacts that move').fill('50');
      await submit(page, 'Plan the shift');
      await assert.doesNotReject(page.getByRole('heading', { name: 'Who is left behind' }).waitFor());
      assert.ok((await page.locator('#plan-table tbody tr').count()) >= 5);
      // Now that a log is chosen, its segments can be protected.
      await page.locator('input[name="protect"]').first().check();
      await submit(page, 'Plan the shift');
      assert.ok(new URL(page.url()).searchParams.getAll('protect').length === 1, 'one segment protected');
      assert.match((await page.locator('#left-behind-table').textContent()) ?? '', /protected|not shown/);
      await screenshot(page, `channel-plan-js-${on}`);
      await axe(page, `/channels/plan results (JavaScript ${on})`, js);
      const xlsx = await page.getByRole('link', { name: /XLSX/ }).getAttribute('href');
      assert.match(xlsx ?? '', /^\/channels\/plan\/download\?format=xlsx&/);
      await page.getByLabel('Share of each segment’s contacts that move').fill('150');
      await submit(page, 'Plan the shift');
      assert.equal(await page.locator('.govuk-error-summary a[href="#share"]').count(), 1);
      assert.match(await page.title(), /^Error: /);
      await axe(page, `/channels/plan error (JavaScript ${on})`, js);
      assert.deepEqual(problems, []);
    });

    test('the access sheets, and their printable page', async () => {
      await tab(page, 'Access sheets', '/channels/sheets');
      await page.getByLabel('Contact log').selectOption(LOG);
      await submit(page, 'Make the sheets');
      assert.ok((await page.locator('#sheets-table tbody tr').count()) >= 5);
      await axe(page, `/channels/sheets results (JavaScript ${on})`, js);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/channels/sheets/print'),
        page.locator('#printable').click(),
      ]);
      await page.waitForLoadState('load');
      assert.ok((await page.locator('section.sheet').count()) >= 5, 'a sheet per segment');
      assert.deepEqual(problems, []);
    });
  });
}
