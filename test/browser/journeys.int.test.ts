/**
 * The journeys pages in a real browser (Debian's chromium through playwright-core): an agent signs
 * in, opens the journeys from the navigation, a journey map, its handout (printed to PDF with the
 * print styles) and the before/after comparison, and a circle of need; axe-core (WCAG 2.2 AA)
 * finds nothing on any of them. And with JavaScript switched off the map and its table are there,
 * and a partner uploads the journey template, changes a step and moves one, the cost following the
 * unit-cost table, with axe-core finding nothing on the forms, their errors included.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { templateExample } from '../../src/journeys/index.ts';
import { journeyTemplateXlsx } from '../../src/outputs/index.ts';
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

  test('without JavaScript: a partner uploads the template, changes a step and moves one; axe finds nothing', async () => {
    const noJs = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled: false });
    noJs.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
    try {
      const p = await noJs.newPage();
      await signIn(p, portal, 'partner');
      await p.goto(`${portal.url}/journeys`, { waitUntil: 'load' });
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/journeys/upload'),
        p.getByRole('button', { name: 'Upload a journey spreadsheet' }).click(),
      ]);

      // A file with a mistake: the error summary names its row and column, and nothing is saved.
      await p.getByLabel('Journey spreadsheet').setInputFiles({
        name: 'mistake.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from('journey,agency,service,count\ngrace-bad,Housing,Repairs,lots\n'),
      });
      await p.getByRole('button', { name: 'Upload the journey' }).click();
      const summary = p.locator('.govuk-error-summary');
      await summary.waitFor();
      assert.match(await summary.innerText(), /row 2, column "count": "lots" is not a number of contacts/);

      // The template, with Kay's new journey renamed as the partner's own.
      const mine = { ...templateExample(), name: 'grace-bin', title: 'Grace reports a bin', compareWith: null };
      await p.getByLabel('Journey spreadsheet').setInputFiles({
        name: 'grace-bin.xlsx',
        mimeType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
        buffer: await journeyTemplateXlsx(mine),
      });
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/journeys/grace-bin/edit'),
        p.getByRole('button', { name: 'Upload the journey' }).click(),
      ]);
      assert.match(await p.locator('.govuk-notification-banner').innerText(), /uploaded, as a draft/);
      // One call at £1.44 and one internal email at £0.56 (barking-dagenham).
      assert.match(await p.locator('#journey-cost').innerText(), /£2\.00/);

      // Step 1 becomes three calls: 3 × £1.44 + £0.56 = £4.88. A mistake first, shown on its field.
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/journeys/grace-bin/steps/1'),
        p.getByRole('link', { name: 'Change step 1' }).click(),
      ]);
      await p.getByLabel(/How many contacts/).fill('three');
      await p.getByRole('button', { name: 'Save the step' }).click();
      await p.locator('.govuk-error-summary').waitFor();
      assert.match(await p.locator('#step-count-error').innerText(), /whole number/);
      await p.getByLabel(/How many contacts/).fill('3');
      await p.getByLabel('Who does the customer deal with?').fill('Housing Trust contact centre');
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/journeys/grace-bin/edit'),
        p.getByRole('button', { name: 'Save the step' }).click(),
      ]);
      assert.match(await p.locator('#journey-cost').innerText(), /£4\.88/);
      assert.match(await p.locator('#step-1').innerText(), /Housing Trust contact centre[\s\S]*phone × 3[\s\S]*£4\.32/);

      // Step 2 (the internal email) moved up to be the first.
      await Promise.all([
        p.waitForURL((u) => u.pathname === '/journeys/grace-bin/edit' && u.search.includes('moved')),
        p.getByRole('button', { name: 'Move up step 2' }).click(),
      ]);
      assert.match(await p.locator('#step-1').innerText(), /internal email/);
      assert.match(await p.locator('#step-2').innerText(), /phone × 3/);

      // The journey's own page says the same, as a draft.
      await p.goto(`${portal.url}/journeys/grace-bin`, { waitUntil: 'load' });
      assert.match(await p.locator('main').innerText(), /Cost\s+£4\.88 at the barking-dagenham unit costs/);
      assert.match(await p.locator('main').innerText(), /Draft/);

      // axe-core runs as a script, so the same pages are checked in a browser with JavaScript on.
      const withJs = await browser.newContext({ viewport: { width: 1280, height: 900 } });
      withJs.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
      try {
        const q = await withJs.newPage();
        await signIn(q, portal, 'partner');
        for (const path of ['/journeys/upload', '/journeys/grace-bin/edit', '/journeys/grace-bin']) {
          await openPage(q, portal, path);
          await assertNoViolations(q, path);
        }
        await openPage(q, portal, '/journeys/upload');
        await q.getByLabel('Journey spreadsheet').setInputFiles({
          name: 'mistake.csv',
          mimeType: 'text/csv',
          buffer: Buffer.from('journey,agency,service,count\ngrace-bad,Housing,Repairs,lots\n'),
        });
        await q.getByRole('button', { name: 'Upload the journey' }).click();
        await q.locator('.govuk-error-summary').waitFor();
        await assertNoViolations(q, '/journeys/upload with an error');
        await openPage(q, portal, '/journeys/grace-bin/steps/1');
        await q.getByLabel(/How many contacts/).fill('three');
        await q.getByRole('button', { name: 'Save the step' }).click();
        await q.locator('.govuk-error-summary').waitFor();
        await assertNoViolations(q, '/journeys/grace-bin/steps/1 with an error');
      } finally {
        await withJs.close();
      }
    } finally {
      await noJs.close();
    }
  });
});
