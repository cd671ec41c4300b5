/**
 * The clerical review queue in a real browser (issue 13, acceptance 7): Debian's chromium through
 * playwright-core against the real server on a loopback port, over the five hand-worked records
 * of test/linkage/review-fixture.ts (the council's own dataset). An analyst goes from the linkage
 * list to the model, to the queue, sends a decision without a reason (the error summary), then
 * with one (the banner, the queue one shorter), and opens a pair's waterfall; axe-core (WCAG 2.2
 * AA) finds nothing on any of those pages. A partner who does not own the data is refused.
 * Every wait is for an event (a navigation, an element), never a fixed time.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importDataset } from '../../src/intake/index.ts';
import { getModel, parseLinkSpec, predictModel, saveModel } from '../../src/linkage/index.ts';
import { buildApp } from '../../src/server/index.ts';
import { addUser, cheapPasswordHashesForTests } from '../../src/server/users.ts';
import {
  assertNoViolations,
  browserSkip,
  launchBrowser,
  openPage,
  screenshot,
  NAVIGATION_TIMEOUT,
  PASSWORD,
  PEOPLE,
  type Portal,
} from '../helpers/browser.ts';
import { tempDir } from '../helpers/workspace.ts';
import { PEOPLE_CSV, SPEC } from '../linkage/review-fixture.ts';

// Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
cheapPasswordHashesForTests();

const skip = browserSkip();
const tmp = tempDir('civic-browser-linkage-');
let ws: Workspace;
let app: FastifyInstance;
let url: string;
let browser: Browser;

before(async () => {
  if (skip) return;
  ws = await createWorkspace(join(tmp.dir, 'l.civic'));
  const file = join(tmp.dir, 'people.csv');
  writeFileSync(file, PEOPLE_CSV + '\n');
  await importDataset(ws.engine, 'people', file, {
    noPostcode: true,
    idColumn: 'id',
    keepInClear: ['name', 'dob', 'town'],
  });
  await saveModel(ws.engine, { name: 'people', datasets: ['people'], spec: parseLinkSpec(SPEC) });
  await predictModel(ws.engine, await getModel(ws.engine, 'people'));
  for (const [role, p] of Object.entries(PEOPLE))
    await addUser(ws.engine, { username: p.username, password: PASSWORD, role, name: p.name, partner: p.partner });
  app = await buildApp({ workspace: ws, secureCookies: false, uploadDir: join(tmp.dir, 'uploads') });
  [url, browser] = await Promise.all([app.listen({ port: 0, host: '127.0.0.1' }), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await app?.close();
  ws?.close();
  tmp.cleanup();
});

/** What openPage needs of a portal: its address. */
const portal = () => ({ url }) as Portal;

async function signedIn(role: keyof typeof PEOPLE): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
  await page.goto(`${url}/login`);
  await page.getByLabel('User name').fill(PEOPLE[role].username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
  return { context, page };
}

describe('the review queue in a browser', { skip }, () => {
  test('an analyst reviews a pair: list, model, queue, an error, a decision, a waterfall; axe finds nothing', async () => {
    const { context, page } = await signedIn('analyst');
    try {
      await openPage(page, portal(), '/linkage');
      await assertNoViolations(page, 'the linkage list');
      await Promise.all([
        page.waitForURL(/\/linkage\/people$/),
        page.getByRole('link', { name: 'people', exact: true }).click(),
      ]);
      await assertNoViolations(page, 'the model page');
      assert.equal(
        await page.locator('svg[aria-labelledby="parameters-chart-title parameters-chart-desc"] rect').count(),
        6,
      );
      await screenshot(page, 'linkage-model');

      await Promise.all([page.waitForURL(/\/review$/), page.getByRole('link', { name: 'Review pairs' }).click()]);
      await assertNoViolations(page, 'the review queue');
      await screenshot(page, 'linkage-review');
      const first = page.locator('section').filter({ has: page.getByRole('heading', { name: 'Pair 1: B and C' }) });
      const records = first.getByRole('table', { name: 'The two records' });
      assert.deepEqual(await records.locator('tbody tr').first().locator('th, td').allInnerTexts(), [
        'name',
        'ann',
        'bob',
      ]);

      // No reason: the error summary, focused, linking to the field; the page is still accessible.
      await first.getByLabel('No: reject the pair (it never links directly)').check();
      await Promise.all([page.waitForLoadState('load'), first.getByRole('button', { name: 'Save decision' }).click()]);
      const summary = page.locator('.govuk-error-summary');
      await summary.waitFor();
      assert.match(await summary.innerText(), /Give a reason for the decision/);
      await assertNoViolations(page, 'the review queue with an error');
      await page.getByRole('link', { name: 'Give a reason for the decision' }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'reason-0');

      // With a reason: saved, the banner says so, and the queue is one shorter.
      await page.locator('#reason-0').fill('different first names, same address');
      assert.ok(await page.getByLabel('No: reject the pair (it never links directly)').first().isChecked());
      await Promise.all([
        page.waitForURL(/decided=rejected/),
        page
          .locator('section')
          .filter({ has: page.getByRole('heading', { name: 'Pair 1: B and C' }) })
          .getByRole('button', { name: 'Save decision' })
          .click(),
      ]);
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /Pair B and C rejected/);
      assert.match(await page.locator('#queue-counts').innerText(), /2 to review, 0 accepted, 1 rejected/);
      await assertNoViolations(page, 'the review queue after a decision');

      // A pair's waterfall, and the same figures as a table.
      await Promise.all([
        page.waitForURL(/\/pair\?l=A&r=C$/),
        page.getByRole('link', { name: 'Why it scored this (pair 1)' }).click(),
      ]);
      await assertNoViolations(page, "a pair's waterfall");
      await screenshot(page, 'linkage-pair');
      // The prior, name (−2), dob (+2) and the total: town is missing on A, so it adds no bar.
      assert.equal(
        await page.locator('svg[aria-labelledby="waterfall-chart-title waterfall-chart-desc"] rect').count(),
        4,
      );
      const last = page.locator('#waterfall-table tbody tr').last();
      assert.match(await last.innerText(), /Match weight\s+probability 0\.4000\s+-0\.58/);
    } finally {
      await context.close();
    }
  });

  test('a partner who does not own the data is told there is no such model', async () => {
    const { context, page } = await signedIn('partner');
    try {
      assert.equal(await openPage(page, portal(), '/linkage/people/review'), 404);
      assert.match(await page.locator('main').innerText(), /no linkage model of that name that you can see/);
      assert.doesNotMatch(await page.content(), /\bann\b|\bbob\b|leeds/);
      await assertNoViolations(page, 'the refusal');
      await openPage(page, portal(), '/linkage');
      assert.equal(await page.getByRole('link', { name: 'people', exact: true }).count(), 0);
    } finally {
      await context.close();
    }
  });
});
