/**
 * The journeys pages in a real browser (Debian's chromium through playwright-core): an agent signs
 * in, opens the journeys from the navigation, a journey map, its handout (printed to PDF with the
 * print styles) and the before/after comparison, and a circle of need; axe-core (WCAG 2.2 AA)
 * finds nothing on any of them. And with JavaScript switched off the map and its table are there.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  assertNoViolations,
  browserSkip,
  launchBrowser,
  NAVIGATION_TIMEOUT,
  openPage,
  screenshot,
  signIn,
  startPortal,
  type Portal,
} from '../helpers/browser.ts';

const skip = browserSkip();
let portal: Portal;
let browser: Browser;
let context: BrowserContext;
let page: Page;

before(async () => {
  if (skip) return;
  // The smallest borough (its journeys do not depend on its size), shared with the JSON walk's.
  [portal, browser] = await Promise.all([startPortal({ households: 10_000, seed: 23 }), launchBrowser()]);
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
  page = await context.newPage();
});
after(async () => {
  await context?.close();
  await browser?.close();
  await portal?.close();
});

describe('journeys in the browser', { skip }, () => {
  test('an agent signs in and finds the journeys in the navigation', async () => {
    await signIn(page, portal, 'agent');
    await page.getByRole('link', { name: 'Journeys' }).first().click();
    await page.getByRole('heading', { name: 'Customer journeys' }).waitFor();
    assert.ok(await page.getByRole('link', { name: 'Reporting a missed bin (before)' }).count());
    await assertNoViolations(page, '/journeys');
    await screenshot(page, 'journeys-list');
  });

  test('a journey map: the image is drawn, and the steps table says the same in words', async () => {
    await openPage(page, portal, '/journeys/missed-bin-before');
    const img = page.locator('img[src="/journeys/missed-bin-before/map.svg"]');
    const drawn = await img.evaluate(
      (el) => (el as HTMLImageElement).complete && (el as HTMLImageElement).naturalWidth > 0,
    );
    assert.ok(drawn, 'the journey map image loads');
    assert.equal(await page.locator('table.civic-journey-steps tbody tr').count(), 5);
    await assertNoViolations(page, '/journeys/missed-bin-before');
    await screenshot(page, 'journey-map');
  });

  test('without JavaScript: the map is an image drawn on the server, the steps a table', async () => {
    const noJs = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    try {
      const p = await noJs.newPage();
      await signIn(p, portal, 'agent');
      await p.goto(`${portal.url}/journeys/missed-bin-before`, { waitUntil: 'load' });
      const img = p.locator('img[src="/journeys/missed-bin-before/map.svg"]');
      assert.equal(await img.count(), 1);
      const box = await img.boundingBox();
      assert.ok(box && box.width > 500, `the map is drawn (${box?.width} px wide)`);
      assert.equal(await p.locator('table.civic-journey-steps tbody tr').count(), 5);
    } finally {
      await noJs.close();
    }
  });

  test('the handout prints without the portal around it', async () => {
    await openPage(page, portal, '/journeys/missed-bin-before/handout');
    await assertNoViolations(page, '/journeys/missed-bin-before/handout');
    await page.emulateMedia({ media: 'print' });
    assert.equal(await page.locator('.govuk-service-navigation').isVisible(), false, 'no navigation on paper');
    assert.equal(await page.locator('.civic-handout-map').isVisible(), true);
    const pdf = await page.pdf({ format: 'A4', landscape: true });
    assert.ok(pdf.subarray(0, 5).toString() === '%PDF-' && pdf.length > 10_000);
    await page.emulateMedia({ media: 'screen' });
  });

  test('before and after, and the circle of need', async () => {
    await openPage(page, portal, '/journeys/missed-bin-before/compare');
    await page.getByRole('heading', { name: /contacts and £[\d.]+ saved/ }).waitFor();
    await assertNoViolations(page, '/journeys/missed-bin-before/compare');
    await openPage(page, portal, '/journeys/circles/circle-young-families');
    await page.getByRole('table', { name: 'Needs, services and providers' }).waitFor();
    await assertNoViolations(page, '/journeys/circles/circle-young-families');
  });
});
