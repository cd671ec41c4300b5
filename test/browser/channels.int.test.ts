/**
 * Contact and channels in a real browser (issue 14, acceptance 5): Debian's chromium through
 * playwright-core against the real server over Sample Borough. Both pages pass axe-core (WCAG 2.2
 * AA) with their results and with an error shown, and both forms work with JavaScript switched
 * off: a GET form the browser sends itself, answered by the server. A contact log is uploaded
 * through the portal's upload and mapping pages with JavaScript off (decision 34), and the same
 * pages, with a mistake in the channel names file, pass axe-core with JavaScript on.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
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

async function contextFor(
  role: Role | 'public',
  javaScriptEnabled: boolean,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, javaScriptEnabled });
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/status of 40\d/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  if (role !== 'public') await signIn(page, portal, role);
  return { context, page, problems };
}

/**
 * Opens a page. With JavaScript off nothing can be evaluated in the page (axe-core, or waiting for
 * fonts), so the page is only loaded; axe-core runs on the same pages with JavaScript on.
 */
async function go(page: Page, path: string, js: boolean): Promise<number> {
  if (js) return openPage(page, portal, path);
  return (await page.goto(portal.url + path, { waitUntil: 'load' }))?.status() ?? 0;
}
const axe = (page: Page, label: string, js: boolean) => (js ? assertNoViolations(page, label) : Promise.resolve());

/** Sends the form the button is in and waits for the page it loads. */
async function submit(page: Page, button: string): Promise<void> {
  await Promise.all([page.waitForLoadState('load'), page.getByRole('button', { name: button }).click()]);
  await page.waitForLoadState('load');
}

for (const js of [true, false]) {
  describe(`Contact and channels, JavaScript ${js ? 'on' : 'off'}`, { skip }, () => {
    let context: BrowserContext;
    let page: Page;
    let problems: string[];
    before(async () => {
      if (skip) return;
      ({ context, page, problems } = await contextFor(js ? 'analyst' : 'partner', js));
    });
    after(async () => {
      await context?.close();
    });

    test('the contact log page: the form, the results with its chart, an error', async () => {
      assert.equal(await go(page, '/channels', js), 200);
      await axe(page, `/channels (JavaScript ${js ? 'on' : 'off'})`, js);
      await page.getByLabel('Contact log').selectOption(LOG);
      await page.getByLabel('Repeat contact within').fill('14');
      await submit(page, 'Show the contact log');
      const url = new URL(page.url());
      assert.equal(url.pathname, '/channels');
      assert.equal(url.searchParams.get('dataset'), LOG);
      assert.equal(url.searchParams.get('repeatDays'), '14');
      await assert.doesNotReject(page.getByRole('heading', { name: 'Channel mix' }).waitFor());
      await assert.doesNotReject(page.getByText('Repeats within 14 days').waitFor());
      assert.ok((await page.locator('#channel-table tbody tr').count()) >= 2);
      assert.ok((await page.locator('svg[role="img"] rect').count()) >= 1, 'a bar drawn');
      await screenshot(page, `channels-results-js-${js ? 'on' : 'off'}`);
      await axe(page, `/channels results (JavaScript ${js ? 'on' : 'off'})`, js);
      // A mistake is shown with an error summary linking to its field.
      await page.getByLabel('Repeat contact within').fill('0');
      await submit(page, 'Show the contact log');
      await assert.doesNotReject(page.getByRole('heading', { name: 'There is a problem' }).waitFor());
      assert.equal(await page.locator('.govuk-error-summary a[href="#repeatDays"]').count(), 1);
      assert.match(await page.title(), /^Error: /);
      await axe(page, `/channels error (JavaScript ${js ? 'on' : 'off'})`, js);
      assert.deepEqual(problems, []);
    });

    test('the channel-shift calculator: choose a set, enter volumes, see the saving', async () => {
      assert.equal(await go(page, '/channels', js), 200);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/channels/shift'),
        page.getByRole('link', { name: 'channel-shift calculator' }).click(),
      ]);
      await axe(page, `/channels/shift (JavaScript ${js ? 'on' : 'off'})`, js);
      await page.getByLabel('bristol', { exact: true }).check();
      await submit(page, 'Use these unit costs');
      await assert.doesNotReject(
        page
          .getByRole('cell', { name: /Improving Customer Services/ })
          .first()
          .waitFor(),
      );
      await page.getByLabel('% of a total').check();
      await page.getByLabel('Contacts a year in all (for %)').fill('1250000');
      await page.getByLabel('phone', { exact: true }).fill('60');
      await page.getByLabel('face to face', { exact: true }).fill('25');
      await page.getByLabel('self-serve', { exact: true }).fill('15');
      await page.getByLabel('Move this share of contacts').fill('20');
      await page.getByLabel('From').selectOption('phone');
      await page.getByLabel('To', { exact: true }).selectOption('self-serve');
      await submit(page, 'Work out the saving');
      assert.equal(await page.locator('#cost-today').textContent(), '£5,736,875.00');
      assert.equal(await page.locator('#saving').textContent(), '£633,000.00');
      await screenshot(page, `channel-shift-js-${js ? 'on' : 'off'}`);
      await axe(page, `/channels/shift result (JavaScript ${js ? 'on' : 'off'})`, js);
      await page.getByLabel('To', { exact: true }).selectOption('phone');
      await submit(page, 'Work out the saving');
      assert.equal(await page.locator('.govuk-error-summary a[href="#from"]').count(), 1);
      await axe(page, `/channels/shift error (JavaScript ${js ? 'on' : 'off'})`, js);
      assert.deepEqual(problems, []);
    });
  });
}

describe('the public', { skip }, () => {
  test('reach the calculator from the navigation, and it passes axe-core', async () => {
    const { context, page } = await contextFor('public', true);
    try {
      assert.equal(await openPage(page, portal, '/segments'), 200);
      await Promise.all([
        page.waitForURL((u) => u.pathname === '/channels/shift'),
        page.getByRole('link', { name: 'Channel shift' }).click(),
      ]);
      await assertNoViolations(page, '/channels/shift (public)');
    } finally {
      await context.close();
    }
  });
});

describe('uploading a contact log', { skip }, () => {
  /** A small contact log at three of the borough's postcodes, and a channel names file. */
  const files = async () => {
    const pcs = await portal.built.workspace.engine.all<{ p: string }>(
      `SELECT postcode AS p FROM postcode ORDER BY postcode LIMIT 3`,
    );
    const log = join(portal.dir, 'contact-log.csv');
    writeFileSync(
      log,
      [
        'Caller ID,Case No,Contact Date,Contact Method,Service,Reason,Talk Time,Resolved,Post Code',
        `C1,K1,03/03/2025 09:05,Tel,Waste,Missed bin,5,Y,${pcs[0].p}`,
        `C1,K1,05/03/2025 10:00,IVR,Waste,Missed bin,2,N,${pcs[0].p}`,
        `C2,K2,06/03/2025 11:00,Web form,Housing,Repairs,,Y,${pcs[1].p}`,
        `C3,K3,2025-03-07 14:30,F2F,Housing,Rent,10,Y,${pcs[2].p}`,
      ].join('\n') + '\n',
    );
    const names = join(portal.dir, 'channel-names.csv');
    writeFileSync(names, 'written,channel\nIVR,phone\n');
    const bad = join(portal.dir, 'bad-names.csv');
    writeFileSync(bad, 'written,channel\nIVR,phone\nWebchat,\n');
    return { log, names, bad };
  };

  /** The upload page and then the mapping page, as a person fills them in. */
  async function toMapping(page: Page, js: boolean, name: string, log: string): Promise<void> {
    assert.equal(await go(page, '/datasets/upload', js), 200);
    await axe(page, `/datasets/upload (JavaScript ${js ? 'on' : 'off'})`, js);
    await page.getByLabel('Dataset name').fill(name);
    await page.getByLabel('Contact log').check();
    await page.getByLabel('File', { exact: true }).setInputFiles(log);
    await submit(page, 'Upload and preview');
    assert.match(new URL(page.url()).pathname, /^\/uploads\//);
    // Each part is chosen already from the columns' names.
    assert.equal(await page.getByLabel('Channel', { exact: true }).inputValue(), 'Contact Method');
    assert.equal(await page.getByLabel('Customer reference').inputValue(), 'Caller ID');
    assert.equal(await page.getByLabel('Handling time').inputValue(), 'Talk Time');
    assert.ok(await page.locator('input[name="pseudonymise"][value="Caller ID"]').isChecked());
  }

  test('with JavaScript off: upload, map the parts, add channel names, and the import finishes', async () => {
    const { log, names } = await files();
    const { context, page, problems } = await contextFor('analyst', false);
    try {
      await toMapping(page, false, 'portal_contact_log', log);
      await page.getByLabel('Request reference').selectOption('Case No');
      await page.getByLabel('Your own names for channels (optional)').setInputFiles(names);
      await submit(page, 'Start the import');
      // The job page refreshes itself without a script until the import has finished.
      await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: NAVIGATION_TIMEOUT });
      await assert.doesNotReject(page.locator('#contact-log').waitFor());
      assert.match((await page.locator('#contact-log').textContent()) ?? '', /channel "Contact Method"/);
      const r = await portal.built.workspace.engine.one<{ kind: string }>(
        `SELECT kind FROM dataset WHERE name = 'portal_contact_log'`,
      );
      assert.equal(r?.kind, 'contacts');
      await screenshot(page, 'contact-log-upload-js-off');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('with JavaScript on, the upload, mapping, error and job pages pass axe-core', async () => {
    const { log, names, bad } = await files();
    const { context, page, problems } = await contextFor('analyst', true);
    try {
      await toMapping(page, true, 'portal_contact_log_js', log);
      await assertNoViolations(page, 'the mapping page of a contact log');
      await page.getByLabel('Your own names for channels (optional)').setInputFiles(bad);
      await submit(page, 'Start the import');
      await assert.doesNotReject(page.getByRole('heading', { name: 'There is a problem' }).waitFor());
      assert.equal(await page.locator('.govuk-error-summary a[href="#channel-names"]').count(), 1);
      assert.match((await page.locator('.govuk-error-summary').textContent()) ?? '', /row 3, column "channel"/);
      await assertNoViolations(page, 'the mapping page with a bad channel names file');
      await page.getByLabel('Your own names for channels (optional)').setInputFiles(names);
      await submit(page, 'Start the import');
      await page.getByRole('heading', { name: 'Import finished' }).waitFor({ timeout: NAVIGATION_TIMEOUT });
      await assertNoViolations(page, 'the finished import of a contact log');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
