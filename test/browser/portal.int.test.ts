/**
 * The portal in a real browser (issue 4, acceptance 1 and 2): Debian's chromium through
 * playwright-core against the real server on a loopback port over Sample Borough.
 *  - a person's journey: sign in, upload a file, map its columns, see the job finish, open the
 *    profile, the map and the segment guide, download the XLSX (a real workbook);
 *  - axe-core (WCAG 2.2 AA rules) on every page of the service navigation and the pages behind
 *    them, for every role and for the public signed out.
 * Screenshots are kept in test-artifacts/screenshots/.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { navigation } from '../../src/server/views.ts';
import { importDataset, readSourceTable } from '../../src/intake/index.ts';
import type { Viewer, ViewerRole } from '../../src/server/users.ts';
import {
  browserSkip,
  launchBrowser,
  startPortal,
  signIn,
  screenshot,
  axeViolations,
  formatViolations,
  openPage,
  assertNoViolations,
  settle,
  PEOPLE,
  NAVIGATION_TIMEOUT,
  type Portal,
} from '../helpers/browser.ts';

const skip = browserSkip();
let portal: Portal;
let browser: Browser;

before(async () => {
  if (skip) return;
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

/** The GET route a path belongs to (":param" and "*" segments match anything), or null. */
function routeOf(path: string): string | null {
  const p = path.split('?')[0].split('#')[0];
  const pattern = (url: string) =>
    new RegExp(
      `^${url
        .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
        .replace(/:[^/]+/g, '[^/]+')
        .replace(/\*/g, '.*')}$`,
    );
  return portal.app.routeTable.find((r) => r.method === 'GET' && pattern(r.url).test(p))?.url ?? null;
}
const hasRoute = (path: string) => routeOf(path) !== null;

/** A browser context for a role, signed in through the login form (the public one stays signed out). */
async function contextFor(role: ViewerRole): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
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

const open = (page: Page, path: string) => openPage(page, portal, path);
const noViolations = assertNoViolations;

// ---------------------------------------------------------------------------------------------
// A person's journey

/** Live postcodes of Sample Borough, from its postcode directory file. */
function livePostcodes(): string[] {
  const [head, ...lines] = readFileSync(portal.built.manifest.files.postcodes, 'utf8').split(/\r?\n/).filter(Boolean);
  const cols = head.split(',').map((h) => h.replace(/"/g, '').trim().toLowerCase());
  const pc = cols.findIndex((h) => h === 'pcds' || h === 'postcode');
  const term = cols.indexOf('doterm');
  assert.ok(pc >= 0, `no postcode column in ${head}`);
  return lines
    .map((l) => l.split(',').map((f) => f.replace(/"/g, '')))
    .filter((f) => f[pc] && (term < 0 || !f[term]))
    .map((f) => f[pc]);
}

/** A small service file as a council officer would have it: their own column names, some slips. */
function serviceFile(dir: string): { path: string; rows: number } {
  const live = livePostcodes();
  const rows = ['Client Ref,Post Code,Visits'];
  for (let i = 0; i < 600; i++)
    rows.push(`C${String(i + 1).padStart(5, '0')},${live[(i * 7919) % live.length]},${1 + (i % 5)}`);
  rows.push('C99998,NOT A POSTCODE,1', 'C99999,,2');
  const path = join(dir, 'reading-group-members.csv');
  writeFileSync(path, rows.join('\r\n') + '\r\n');
  return { path, rows: rows.length - 1 };
}

describe("a person's journey", { skip }, () => {
  let page: Page;
  let context: BrowserContext;
  let problems: string[];
  const DATASET = 'reading_group';

  before(async () => {
    if (!skip) ({ page, context, problems } = await contextFor('public'));
  });
  after(async () => {
    await context?.close();
  });

  test('signs in through the login form', async () => {
    await open(page, '/');
    await screenshot(page, 'journey-01-public-home');
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByLabel('User name').fill(PEOPLE.admin.username);
    await page.getByLabel('Password', { exact: true }).fill('wrong password here');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await assert.doesNotReject(page.getByText('Enter a correct user name and password').first().waitFor());
    await screenshot(page, 'journey-02-login-error');
    await signIn(page, portal, 'admin');
    assert.equal(new URL(page.url()).pathname, '/');
    await assert.doesNotReject(page.getByRole('heading', { name: 'Workspace overview' }).waitFor());
    await screenshot(page, 'journey-03-overview');
  });

  test('uploads a file, maps its columns, and sees the job finish', async (t) => {
    const file = serviceFile(portal.dir);
    await open(page, '/datasets/upload');
    await screenshot(page, 'journey-04-upload');
    await page.locator('#name').fill(DATASET);
    await page.locator('#title').fill('Reading group members');
    await page.locator('#file').setInputFiles(file.path);
    await Promise.all([
      page.waitForURL(/\/uploads\//),
      page.getByRole('button', { name: 'Upload and preview' }).click(),
    ]);
    // Column mapping with a preview of the first rows: say which column holds the postcode.
    await page.getByRole('heading', { name: 'Check the file and map its columns' }).waitFor();
    assert.ok(await page.locator('main table').getByText('C00001').count(), 'the preview shows the first rows');
    await page.locator('#postcode').selectOption('Post Code');
    await page.getByLabel('Client Ref', { exact: true }).check(); // pseudonymise the personal column
    await page.locator('#save-mapping').fill('reading_group_monthly'); // for next month's file
    await screenshot(page, 'journey-05-map-columns');
    await noViolations(page, 'the column-mapping page');
    await Promise.all([page.waitForURL(/\/jobs\//), page.getByRole('button', { name: 'Start the import' }).click()]);
    // The job page shows progress until it finishes: its script asks for the job's progress every
    // second and reloads the page when the job ends (without JavaScript the page refreshes itself).
    await page
      .locator('h1', { hasText: /Import finished|Import failed/ })
      .first()
      .waitFor({ timeout: 120_000 });
    await screenshot(page, 'journey-06-job-finished');
    await noViolations(page, 'the finished job page');
    const main = await page.locator('main').innerText();
    assert.equal(await page.locator('h1').first().innerText(), 'Import finished', main);
    assert.match(
      main.replace(/,/g, ''),
      new RegExp(`\\b${file.rows}\\b`),
      `the row accounts show the ${file.rows} rows read`,
    );
    assert.match(main, /saved as the mapping “reading_group_monthly”/);
    await open(page, '/');
    assert.match(await page.locator('main').innerText(), /Reading group members/, 'the new dataset is on the overview');
  });

  test('opens the profile of the new dataset, with table and chart', async (t) => {
    await open(page, '/profile');
    await screenshot(page, 'journey-07-profile-choose');
    const uploaded = await page.locator('select#dataset option', { hasText: 'Reading group members' }).count();
    await page.locator('select#dataset').selectOption(uploaded ? DATASET : 'library_members');
    await page.locator('select#by').selectOption('seg:borough:group');
    await Promise.all([page.waitForURL(/dataset=/), page.getByRole('button', { name: 'Show profile' }).click()]);
    const table = page.locator('main table').first();
    await table.waitFor();
    assert.ok((await table.locator('tbody tr').count()) >= 5, 'a row per segment group');
    assert.ok(await page.locator('main svg, main img, main canvas').count(), 'a chart of the index');
    await screenshot(page, 'journey-08-profile');
  });

  test('downloads the profile as XLSX, and it is a real workbook', async (t) => {
    if (!/dataset=/.test(page.url()))
      await open(page, '/profile?dataset=library_members&by=seg:borough:group&base=households');
    const link = page.getByRole('link', { name: /Download XLSX/ }).first();
    const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
    const path = join(portal.dir, download.suggestedFilename() || 'profile.xlsx');
    await download.saveAs(path);
    assert.match(download.suggestedFilename(), /\.xlsx$/);
    const bytes = readFileSync(path);
    assert.equal(bytes.subarray(0, 2).toString('latin1'), 'PK', 'an XLSX file is a zip');
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(path);
    assert.ok(wb.worksheets.length >= 1);
    const sheet = wb.worksheets[0];
    assert.ok(sheet.rowCount >= 6, `rows in ${sheet.name}: ${sheet.rowCount}`);
    const text = wb.worksheets.map((s) => s.getSheetValues().flat().map(String).join(' ')).join(' ');
    assert.match(text, /Index|index/);
  });

  test('opens the map, with its legend and the table it falls back to', async (t) => {
    const status = await open(page, '/map');
    assert.equal(status, 200);
    await page.locator('main table, main .civic-map, main canvas').first().waitFor({ timeout: 20_000 });
    await page.waitForSelector('#map[data-state="rendered"]', { timeout: 60_000 }); // drawn before the screenshot
    await screenshot(page, 'journey-09-map');
    assert.ok(await page.locator('main table').count(), 'the map has a table with the same figures');
  });

  test('opens the segment guide and one segmentation with its pen portraits', async (t) => {
    await open(page, '/segments');
    await screenshot(page, 'journey-10-segment-guide');
    await page
      .getByRole('link', { name: /Sample Borough neighbourhoods/ })
      .first()
      .click();
    await page.waitForLoadState('load');
    assert.match(new URL(page.url()).pathname, /^\/segments\/borough/);
    const main = await page.locator('main').innerText();
    assert.ok(main.length > 500, 'pen portraits are shown');
    await screenshot(page, 'journey-11-segmentation');
  });

  test("plans a location: the map shows the facilities and a library's catchment, and a closure is tried", async (t) => {
    await open(page, '/location');
    await page.locator('select#kind').selectOption('library');
    await page.locator('select#mode').selectOption('walk');
    await page.locator('#within').fill('10');
    // The sites listed are those of the kind shown: show libraries first, then choose one.
    await Promise.all([page.waitForURL(/kind=library/), page.getByRole('button', { name: 'Show' }).click()]);
    await page.locator('#access-table').waitFor();
    await page.locator('select#site').selectOption({ label: 'Central Library' });
    await Promise.all([page.waitForURL(/site=/), page.getByRole('button', { name: 'Show' }).click()]);
    await page.waitForSelector('#map[data-state="rendered"]', { timeout: 60_000 });
    // The facilities and the catchment outline are drawn over the journey-time map.
    await page.waitForFunction(
      () => {
        const m = (
          window as unknown as {
            civicMap: { map: { getLayer(id: string): unknown; querySourceFeatures(s: string): unknown[] } };
          }
        ).civicMap.map;
        return (
          !!m.getLayer('facilities') &&
          !!m.getLayer('overlay-line') &&
          m.querySourceFeatures('facilities').length > 0 &&
          m.querySourceFeatures('overlay').length > 0
        );
      },
      null,
      { timeout: 30_000 },
    );
    await screenshot(page, 'journey-12-location-catchment');
    await noViolations(page, 'the location page with a catchment');
    assert.match(await page.locator('h2#catchment').innerText(), /Who lives within 10 minutes of Central Library/);
    assert.ok((await page.locator('#catchment-table tbody tr').count()) >= 5, 'the catchment by segment');
    // Close a library (the form keeps the catchment) and see the change.
    await page.locator('details.govuk-details summary', { hasText: 'Try a change' }).click();
    await page.locator('input[name="close"]').nth(1).check();
    await Promise.all([page.waitForURL(/close=/), page.getByRole('button', { name: 'Show' }).click()]);
    await page.locator('#scenario-table').waitFor();
    assert.match(await page.locator('h2#scenario').innerText(), /What if: close /);
    await screenshot(page, 'journey-13-location-scenario');
    await noViolations(page, 'the location page with a scenario');
  });

  test('targets a service: areas ranked, and the postcode list downloaded', async (t) => {
    await open(page, '/targeting');
    await page.locator('select#dataset').selectOption('green_waste');
    await page.locator('select#areas').selectOption('oa');
    await Promise.all([page.waitForURL(/dataset=/), page.getByRole('button', { name: 'Rank areas' }).click()]);
    await page.locator('#target-table').waitFor();
    assert.ok((await page.locator('#target-table tbody tr').count()) > 0, 'targeted areas');
    await screenshot(page, 'journey-14-targeting');
    await noViolations(page, 'the targeting result');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download the postcode list (CSV)' }).click(),
    ]);
    const path = join(portal.dir, download.suggestedFilename() || 'targets.csv');
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8').trim().split(/\r?\n/);
    assert.match(lines[0], /postcode/i);
    assert.ok(lines.length > 10, `${lines.length - 1} postcodes in the list`);
    assert.ok(
      lines.slice(1).every((l) => /^[A-Z]{1,2}\d/.test(l.replace(/^"/, ''))),
      'each line starts with a postcode',
    );
  });

  test('no script errors on the way', () => {
    assert.deepEqual(problems, []);
  });
});

// ---------------------------------------------------------------------------------------------
// Accessibility: axe-core on every page, for every role and for the public signed out

const ROLES: ViewerRole[] = ['public', 'admin', 'analyst', 'partner', 'agent'];

/** Pages not in the navigation: a page is only visited once its route exists. */
const EXTRA: { path: string; roles: ViewerRole[]; status?: number }[] = [
  { path: '/accessibility', roles: ROLES },
  { path: '/login', roles: ['public'] },
  { path: '/login?next=%2Fadmin', roles: ['public'] },
  { path: '/no-such-page', roles: ['public', 'analyst'], status: 404 },
  { path: '/admin', roles: ['agent', 'analyst'], status: 403 },
  {
    path: '/profile?dataset=library_members&by=seg:borough:group&base=households',
    roles: ['admin', 'analyst', 'partner'],
  },
  { path: '/profile?dataset=library_members&by=area:ward&base=households', roles: ['analyst'] },
  { path: '/profile?dataset=no_such_dataset&by=seg:borough:group', roles: ['analyst'], status: 404 },
  { path: '/lookup?postcode=NOT A POSTCODE', roles: ['agent'], status: 400 },
  { path: '/location/patterns?dataset=library_members&kind=library&column=Branch', roles: ['analyst'] },
  { path: '/location/patterns?dataset=library_members&kind=library&column=Branch', roles: ['partner'], status: 403 },
  // Sample Borough's wards are E05900001 onwards: a campaign in the first three.
  {
    path: '/targeting/evaluate?dataset=green_waste&areas=ward&targeted=E05900001%0AE05900002%0AE05900003',
    roles: ['analyst'],
  },
  { path: '/location?kind=library&mode=walk&within=10&close=library-central-library', roles: ['partner'] },
  { path: '/location?kind=library&mode=walk&within=10&sites=3&problem=mclp', roles: ['analyst'] },
];
/** Pages whose form is filled in and sent, so that the page with its result is checked too. */
const FORMS: { path: string; roles: ViewerRole[]; choose?: Record<string, string> }[] = [
  { path: '/profile', roles: ['analyst'] },
  { path: '/sdf', roles: ['analyst', 'partner'] },
  { path: '/overlap', roles: ['analyst', 'partner'] },
  { path: '/represent', roles: ['analyst', 'partner'] },
  { path: '/lookup', roles: ['agent', 'analyst'] },
  { path: '/map', roles: ['public', 'analyst'], choose: { measure: 'deprivation' } },
  { path: '/location', roles: ['analyst', 'partner'] },
  { path: '/targeting', roles: ['analyst', 'partner'], choose: { dataset: 'green_waste' } },
];
/** Links never followed by the crawl: downloads, the API, signing out. */
const NOT_PAGES = /\/download|\.(csv|xlsx|json|geojson|pdf|svg|html)(\?|$)|^\/api\/|^\/logout|^\/static\/|^\/assets\//;

/** Fills the page's form with the first real choices (keeping what is already chosen) and sends it. */
async function submitForm(page: Page, postcode: string, choose: Record<string, string> = {}): Promise<void> {
  const form = page.locator('main form[method="get"]').first();
  for (const [name, value] of Object.entries(choose)) await form.locator(`select[name="${name}"]`).selectOption(value);
  for (const select of await form.locator('select').all()) {
    if (!(await select.isVisible()) || (await select.inputValue())) continue; // optional choices folded away stay as they are
    const values = (
      await select.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))
    ).filter(Boolean);
    if (values.length) await select.selectOption(values[0]);
  }
  const boxes = form.locator('input[type=checkbox]:visible');
  if ((await boxes.count()) && !(await form.locator('input[type=checkbox]:checked').count())) {
    for (let i = 0; i < Math.min(3, await boxes.count()); i++) await boxes.nth(i).check();
  }
  const pc = form.locator('input#postcode');
  if (await pc.count()) await pc.fill(postcode);
  await Promise.all([
    page.waitForLoadState('load'),
    page.waitForURL(/\?/),
    form.locator('button[type=submit], button:not([type])').first().click(),
  ]);
  await settle(page);
}

describe('the household view', { skip }, () => {
  // Two of Sample Borough's files imported again with their addresses, so that households link.
  let address = '';
  let postcode = '';
  before(async () => {
    if (skip) return;
    const e = portal.built.workspace.engine;
    for (const [name, from] of [
      ['homes_council_tax', 'council_tax_payment'],
      ['homes_housing_benefit', 'housing_benefit'],
    ] as const) {
      const s = portal.built.manifest.services.find((x) => x.name === from)!;
      await importDataset(e, name, s.file, {
        key: portal.built.key,
        postcodeColumn: s.postcodeColumn,
        pseudonymise: s.personalColumns,
        addressColumns: ['address'],
      });
    }
    // A property both hold, and its address as the council tax file writes it.
    const shared = (await e.one<{ row: number }>(
      `SELECT min(c._row) AS row FROM ds_homes_council_tax c JOIN ds_homes_housing_benefit h USING (_property)`,
    ))!;
    const file = await readSourceTable(
      portal.built.manifest.services.find((x) => x.name === 'council_tax_payment')!.file,
    );
    const r = file.rows.find((x) => x.rowNo === Number(shared.row))!;
    address = r.values[file.header.indexOf('address')]!;
    postcode = r.values[file.header.indexOf('postcode')]!;
  });

  test('an analyst finds a household by its address and sees both services’ records; a partner sees none of them', async (t) => {
    const { context, page, problems } = await contextFor('analyst');
    try {
      await open(page, '/households');
      await page.getByLabel('Address', { exact: true }).fill(address);
      await page.getByLabel('Postcode', { exact: true }).fill(postcode);
      await Promise.all([
        page.waitForURL(/\/households\?/),
        page.getByRole('button', { name: 'Find household' }).click(),
      ]);
      await page.locator('h2#household').waitFor();
      const main = await page.locator('main').innerText();
      assert.match(main, /homes_council_tax/);
      assert.match(main, /homes_housing_benefit/);
      assert.match(main, /Pseudonymised, so not shown: [^\n]*address/);
      await screenshot(page, 'household-view-analyst');
      await noViolations(page, 'the household view');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
    const partner = await contextFor('partner');
    try {
      await open(
        partner.page,
        `/households?address=${encodeURIComponent(address)}&postcode=${encodeURIComponent(postcode)}`,
      );
      assert.match(
        await partner.page.locator('main').innerText(),
        /No records at this property in the datasets you can see/,
      );
      await noViolations(partner.page, 'the household view (partner)');
    } finally {
      await partner.context.close();
    }
    t.diagnostic('household view checked for an analyst and a partner');
  });
});

// The roles' walks are independent (each its own browser context, and the forms it sends only read), so two run at once.
describe('accessibility (axe-core, WCAG 2.2 AA)', { skip, concurrency: 2 }, () => {
  for (const role of ROLES) {
    test(`every page ${role === 'public' ? 'the public sees, signed out' : `a signed-in ${role} sees`} has no violations`, async (t) => {
      const nav = navigation({ role } as Viewer, '/').map((i) => i.href);
      const { context, page, problems } = await contextFor(role);
      const postcode = livePostcodes()[0];
      const seenRoutes = new Set<string>();
      const checked: string[] = [];
      const missing: string[] = [];
      const check = async (label: string, expected: number, go: () => Promise<number | null>) => {
        await t.test(label, async () => {
          const status = await go();
          if (status !== null) assert.equal(status, expected, `${label} answered ${status}`);
          await screenshot(page, `a11y-${role}-${label}`);
          // One main landmark, which the skip link leads to (axe's WCAG rules do not check this).
          assert.equal(await page.locator('main#main-content').count(), 1, `${label}: one <main id="main-content">`);
          assert.equal(
            await page.locator('a.govuk-skip-link[href="#main-content"]').count(),
            1,
            `${label}: a skip link`,
          );
          const violations = await axeViolations(page);
          assert.equal(
            violations.length,
            0,
            formatViolations(`${label} (${role}) at ${page.url().replace(portal.url, '')}`, violations),
          );
        });
        checked.push(label);
      };
      try {
        // The navigation, and one page behind each route linked from it (depth 1).
        const links = new Set<string>();
        for (const path of nav) {
          if (!hasRoute(path)) {
            missing.push(path);
            continue;
          }
          seenRoutes.add(routeOf(path)!);
          await check(path, 200, () => open(page, path));
          for (const href of await page
            .locator('main a[href^="/"]')
            .evaluateAll((as) => as.map((a) => a.getAttribute('href')!)))
            links.add(href);
        }
        for (const e of EXTRA.filter((x) => x.roles.includes(role))) {
          if (!hasRoute(e.path) && e.status !== 404) {
            missing.push(e.path);
            continue;
          }
          seenRoutes.add(routeOf(e.path) ?? e.path);
          await check(e.path, e.status ?? 200, () => open(page, e.path));
        }
        for (const f of FORMS.filter((x) => x.roles.includes(role))) {
          if (!hasRoute(f.path)) {
            missing.push(`${f.path} (result)`);
            continue;
          }
          await check(`${f.path} (result)`, 200, async () => {
            await open(page, f.path);
            await submitForm(page, postcode, f.choose);
            return null;
          });
        }
        // Breadth first, two links deep from the navigation, one page per route.
        let frontier = [...links].sort();
        for (let depth = 1; depth <= 2 && frontier.length; depth++) {
          const next = new Set<string>();
          for (const href of frontier) {
            const route = routeOf(href);
            if (!route || seenRoutes.has(route) || NOT_PAGES.test(href)) continue;
            seenRoutes.add(route);
            await check(href, 200, () => open(page, href));
            for (const h of await page
              .locator('main a[href^="/"]')
              .evaluateAll((as) => as.map((a) => a.getAttribute('href')!)))
              next.add(h);
          }
          frontier = [...next].sort();
        }
      } finally {
        await context.close();
      }
      t.diagnostic(`${role}: checked ${checked.length} pages: ${checked.join(', ')}`);
      // Every page the walk reaches has a route: one deleted or renamed fails here, not silently.
      assert.deepEqual(missing, [], `${role}: pages without a route: ${missing.join(', ')}`);
      assert.deepEqual(problems, [], 'no script errors');
    });
  }

  test('every page of the service navigation exists', () => {
    const all = new Set(ROLES.flatMap((role) => navigation({ role } as Viewer, '/').map((i) => i.href)));
    const missing = [...all].filter((p) => !hasRoute(p));
    assert.deepEqual(missing, [], `pages in the navigation without a route: ${missing.join(', ')}`);
  });
});
