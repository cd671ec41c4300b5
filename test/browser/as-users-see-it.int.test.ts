/**
 * The portal as its users see it (issue 11, point 8), in Debian's chromium through playwright-core
 * against the real server over Sample Borough, with axe-core (WCAG 2.2 AA) on every page checked:
 *  - wide tables (profile, SDF) scroll inside a focusable region with a visible cue (1280 px);
 *  - charts keep readable text on a phone (375 px), scrolling in their region instead of shrinking;
 *  - pages use people's words: dataset titles, "output area", "hidden" — not stop_smoking_clinic,
 *    oa21, "sample: group", [c], "index(es)" or a command-line flag;
 *  - Admin "Add a person": every error in the summary and inline on its field;
 *  - the agent's look-up page fits a phone in under 5,000 px;
 *  - map keys in the GOV.UK font; facility markers told apart by shape as well as colour;
 *  - the public default map varies across areas;
 *  - disabling a person asks first, on a page of its own;
 *  - a built segment's edit page proposes a name and a description from its distinctive variables.
 * Run: node --import tsx --test test/browser/as-users-see-it.int.test.ts
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../src/server/users.ts';
import { addUser } from '../../src/server/users.ts';
import { portraitsOrGenerate, proposeSegmentNames } from '../../src/segmentation/index.ts';
import {
  browserSkip,
  launchBrowser,
  startPortal,
  signIn,
  screenshot,
  openPage,
  assertNoViolations,
  PASSWORD,
  NAVIGATION_TIMEOUT,
  type Portal,
} from '../helpers/browser.ts';

const skip = browserSkip();
let portal: Portal;
let browser: Browser;
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

before(async () => {
  if (skip) return;
  [portal, browser] = await Promise.all([startPortal(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await portal?.close();
});

/** Each role's session cookies, from signing in through the login form the first time the role is needed. */
const signedIn = new Map<Role, Awaited<ReturnType<BrowserContext['storageState']>>>();

/**
 * A page at a viewport size, signed in as a role (or signed out for the public), watching for
 * script errors. A role signs in through the form once; its later pages start with that session.
 */
async function pageFor(
  role: Role | 'public',
  viewport = DESKTOP,
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const state = role === 'public' ? undefined : signedIn.get(role);
  const context = await browser.newContext({ viewport, storageState: state });
  context.setDefaultNavigationTimeout(NAVIGATION_TIMEOUT);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`script error: ${e.message}`));
  if (role !== 'public' && !state) {
    await signIn(page, portal, role);
    signedIn.set(role, await context.storageState());
  }
  return { context, page, problems };
}

const open = (page: Page, path: string) => openPage(page, portal, path);
const noViolations = assertNoViolations;

/** Each scrolling region on the page: does it overflow, and is there a visible cue, linked to it, saying so? */
async function scrollRegions(page: Page) {
  return page.locator('main .civic-table-scroll').evaluateAll((els) =>
    els.map((el) => {
      const r = el as HTMLElement;
      const ids = (r.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean);
      const hint = ids.map((id) => document.getElementById(id)).find((h) => h?.classList.contains('civic-scroll-hint'));
      const hintBox = hint?.getBoundingClientRect();
      return {
        label: r.getAttribute('aria-label'),
        overflows: r.scrollWidth > r.clientWidth + 1,
        tabindex: r.getAttribute('tabindex'),
        role: r.getAttribute('role'),
        hint: hint && !hint.hidden && hintBox && hintBox.height > 0 ? hint.textContent : null,
        shadow: getComputedStyle(r).backgroundImage,
      };
    }),
  );
}

/** Live postcodes of Sample Borough, from its postcode directory file. */
function livePostcodes(): string[] {
  const [head, ...lines] = readFileSync(portal.built.manifest.files.postcodes, 'utf8').split(/\r?\n/).filter(Boolean);
  const cols = head.split(',').map((h) => h.replace(/"/g, '').trim().toLowerCase());
  const pc = cols.findIndex((h) => h === 'pcds' || h === 'postcode');
  const term = cols.indexOf('doterm');
  return lines
    .map((l) => l.split(',').map((f) => f.replace(/"/g, '')))
    .filter((f) => f[pc] && (term < 0 || !f[term]))
    .map((f) => f[pc]);
}

describe('the portal as its users see it', { skip }, () => {
  test('wide tables on the profile and SDF pages scroll in a focusable region with a visible cue (1280 px)', async () => {
    const { context, page, problems } = await pageFor('analyst');
    try {
      for (const [path, name] of [
        ['/profile?dataset=library_members&by=seg%3Aborough%3Atype&base=households', 'profile'],
        ['/sdf?by=seg%3Aborough%3Agroup&base=households', 'SDF'],
      ] as const) {
        assert.equal(await open(page, path), 200, path);
        const regions = await scrollRegions(page);
        const wide = regions.filter((r) => r.overflows);
        assert.ok(wide.length >= 1, `the ${name} table is wider than the page at 1280 px: ${JSON.stringify(regions)}`);
        for (const r of wide) {
          assert.equal(r.tabindex, '0', `${r.label}: focusable`);
          assert.equal(r.role, 'region', `${r.label}: a labelled region`);
          assert.match(r.hint ?? '', /scroll sideways/, `${r.label}: a visible cue in words, linked to the region`);
          assert.match(r.shadow, /gradient/, `${r.label}: a shadow at the edge with more to see`);
        }
        for (const r of regions.filter((x) => !x.overflows)) assert.equal(r.hint, null, `${r.label} fits: no cue`);
        // The page itself is not cut off or pushed wider: only the region scrolls.
        const pageWidth = await page.evaluate(() => document.documentElement.scrollWidth);
        assert.ok(pageWidth <= DESKTOP.width, `the ${name} page is ${pageWidth} px wide at ${DESKTOP.width} px`);
        // The keyboard scrolls it.
        const region = page.locator('main .civic-table-scroll.civic-table-scroll--wide').first();
        await region.focus();
        for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowRight');
        // The browser may scroll smoothly, and on a busy machine after a moment: look for up to 5 s.
        let scrolled = false;
        for (let i = 0; i < 50 && !scrolled; i++) {
          scrolled = (await region.evaluate((el) => el.scrollLeft)) > 0;
          if (!scrolled) await page.waitForTimeout(100);
        }
        assert.ok(scrolled, `the ${name} table scrolls with the arrow keys`);
        await screenshot(page, `users-${name}-wide-table-1280`);
        await noViolations(page, `the ${name} page at 1280 px`);
      }
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('charts keep text of 12 px or more on a phone, scrolling in a region with a cue (375 px)', async () => {
    const { context, page, problems } = await pageFor('analyst', PHONE);
    try {
      assert.equal(await open(page, '/profile?dataset=library_members&by=seg%3Aborough%3Agroup&base=households'), 200);
      const chart = page.locator('main .civic-chart svg').first();
      await chart.waitFor();
      const px = await chart.evaluate((svg) => {
        const s = svg as SVGSVGElement;
        const scale = s.getBoundingClientRect().width / s.viewBox.baseVal.width;
        return Number(s.getAttribute('font-size') ?? 13) * scale;
      });
      assert.ok(px >= 12, `chart text is ${px.toFixed(1)} px on a 375 px screen`);
      const regions = await scrollRegions(page);
      const chartRegion = regions.find((r) => /chart/i.test(r.label ?? ''));
      assert.ok(chartRegion?.overflows, 'the chart scrolls sideways in its region');
      assert.match(chartRegion!.hint ?? '', /chart is wider than the page: scroll sideways/);
      await screenshot(page, 'users-profile-chart-375');
      await noViolations(page, 'the profile page at 375 px');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("pages use people's words, not the workspace's names, codes, [c] or command-line flags", async () => {
    const { context, page, problems } = await pageFor('analyst');
    const machineNames = (await portal.built.workspace.engine.all<{ name: string }>(`SELECT name FROM dataset`))
      .map((d) => d.name)
      .filter((n) => n.includes('_'));
    assert.ok(machineNames.includes('stop_smoking_clinic'));
    const pages = [
      '/',
      '/profile?dataset=stop_smoking_clinic&by=seg%3Aborough%3Agroup&base=households',
      '/profile?dataset=stop_smoking_clinic&by=seg%3Asample%3Agroup&base=households',
      '/profile?dataset=stop_smoking_clinic&by=area%3Aoa21&base=households',
      '/sdf?by=seg%3Asample%3Agroup&base=households',
      '/represent?sample=stop_smoking_clinic&against=base&by=seg%3Aborough%3Agroup&base=households',
      '/targeting/evaluate?dataset=green_waste&areas=ward&targeted=E05900001%0AE05900002&since=2025-01-01',
    ];
    try {
      for (const path of pages) {
        await open(page, path);
        const text = await page.locator('main').innerText();
        const where = `${path}:\n${text.slice(0, 400)}`;
        for (const n of machineNames) assert.doesNotMatch(text, new RegExp(`\\b${n}\\b`), `"${n}" on ${where}`);
        assert.doesNotMatch(text, /\b(oa|lsoa|msoa)(11|21)\b/, `an area level's code on ${where}`);
        assert.doesNotMatch(text, /\[c\]/, `[c] on ${where}`);
        assert.doesNotMatch(text, /\(es\)|\(s\)/, `"(es)" on ${where}`);
        assert.doesNotMatch(text, /(^|\s)--[a-z]/m, `a command-line flag on ${where}`);
        assert.doesNotMatch(text, /\bsample: group/i, `"sample: group" on ${where}`);
        await noViolations(page, path);
      }
      // What the words are instead.
      await open(page, '/profile?dataset=stop_smoking_clinic&by=area%3Aoa21&base=households');
      assert.match(
        await page.locator('h2#profile').innerText(),
        /^Stop smoking clinic clients by output area \(2021\)$/,
      );
      assert.match(await page.locator('main table caption').first().innerText(), /“Hidden”: a small number/);
      await open(page, '/');
      assert.match(await page.locator('main').innerText(), /1 index of deprivation: IMD, for LSOAs \(20\d\d\)/);
      await open(page, '/targeting/evaluate?dataset=green_waste&areas=ward&targeted=E05900001&since=2025-01-01');
      assert.match(
        await page.locator('.govuk-error-summary').innerText(),
        /A start or end date needs the name of the column/,
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('Admin "Add a person": every error in the summary, and each on its own field', async () => {
    const { context, page, problems } = await pageFor('admin');
    try {
      await open(page, '/admin');
      await page.locator('#role').selectOption('partner');
      await page.locator('#password').fill('short');
      await Promise.all([page.waitForURL(/\/admin\/users$/), page.getByRole('button', { name: 'Add person' }).click()]);
      const summary = page.locator('.govuk-error-summary');
      await summary.waitFor();
      assert.match(await page.title(), /^Error: /);
      const items = await summary
        .locator('a')
        .evaluateAll((as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent!.trim() })));
      assert.deepEqual(
        items.map((i) => i.href),
        ['#username', '#partner', '#password'],
        JSON.stringify(items),
      );
      for (const i of items) {
        const group = page.locator(`.govuk-form-group:has(${i.href})`);
        assert.ok(await group.evaluate((g) => g.classList.contains('govuk-form-group--error')), `${i.href} in error`);
        assert.equal(
          (await group.locator('.govuk-error-message').innerText()).replace(/^Error:\s*/, ''),
          i.text,
          `${i.href}: the same words inline`,
        );
      }
      assert.equal(await page.locator('#role').inputValue(), 'partner', 'the role chosen is kept');
      // The summary's link takes you to the field.
      await summary.getByRole('link', { name: items[1].text }).click();
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'partner');
      await screenshot(page, 'users-admin-add-person-errors');
      await noViolations(page, 'the Admin page with errors');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('disabling a person asks first, on a page of its own; "No" changes nothing', async () => {
    const engine = portal.built.workspace.engine;
    await addUser(engine, { username: 'temp-person', password: PASSWORD, role: 'analyst', name: 'Temp Person' });
    const disabled = async () =>
      (await engine.one<{ disabled: boolean }>(`SELECT disabled FROM app_user WHERE username = 'temp-person'`))!
        .disabled;
    const { context, page, problems } = await pageFor('admin');
    try {
      await open(page, '/admin');
      await Promise.all([
        page.waitForURL(/\/admin\/users\/temp-person\/disable$/),
        page.getByRole('link', { name: 'Disable temp-person' }).click(),
      ]);
      assert.equal(await disabled(), false, 'following the link disables nobody');
      assert.match(await page.locator('h1').innerText(), /Are you sure you want to disable Temp Person\?/);
      await screenshot(page, 'users-admin-disable-confirm');
      await noViolations(page, 'the confirmation page');
      await Promise.all([page.waitForURL(/\/admin$/), page.getByRole('link', { name: 'No, go back' }).click()]);
      assert.equal(await disabled(), false, '"No" disables nobody');
      await open(page, '/admin/users/temp-person/disable');
      await Promise.all([
        page.waitForURL(/\/admin\?disabled=temp-person/),
        page.getByRole('button', { name: 'Yes, disable temp-person' }).click(),
      ]);
      assert.equal(await disabled(), true);
      assert.match(await page.locator('.govuk-notification-banner').innerText(), /temp-person is disabled/);
      await noViolations(page, 'the Admin page after disabling');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the agent's look-up page fits a phone in under 5,000 px (375 px)", async () => {
    const { context, page, problems } = await pageFor('agent', PHONE);
    try {
      const live = livePostcodes();
      const heights: number[] = [];
      for (const pc of [live[0], live[Math.floor(live.length / 2)], live[live.length - 1]]) {
        assert.equal(await open(page, `/lookup?postcode=${encodeURIComponent(pc)}`), 200);
        heights.push(await page.evaluate(() => document.documentElement.scrollHeight));
        // What an agent needs first is on the page, not folded away.
        await page.getByRole('heading', { name: 'How people here prefer to get in touch' }).first().waitFor();
        assert.ok(await page.locator('#nearest-table').isVisible());
      }
      await screenshot(page, 'users-lookup-375');
      assert.ok(Math.max(...heights) < 5000, `look-up pages ${heights.join(', ')} px tall`);
      await noViolations(page, 'the look-up page at 375 px');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test('map keys are in the GOV.UK font; facility markers differ by shape as well as colour', async () => {
    const { context, page, problems } = await pageFor('public');
    try {
      await open(page, '/map?measure=households&level=ward');
      await page.waitForSelector('#map[data-state="rendered"]', { timeout: 60_000 });
      for (const sel of [
        'ul.civic-legend[aria-labelledby="legend-title"] li',
        'ul.civic-legend[aria-labelledby="facility-key-title"] li',
      ]) {
        const font = await page
          .locator(sel)
          .first()
          .evaluate((li) => getComputedStyle(li).fontFamily);
        assert.match(font, /^"?GDS Transport"?, arial, sans-serif$/, `${sel}: ${font}`);
      }
      const kinds = JSON.parse((await page.locator('[data-module="civic-map"]').getAttribute('data-meta'))!).facilities
        .kinds as { kind: string; shape: string }[];
      assert.ok(kinds.length >= 2, 'Sample Borough has facilities of several kinds');
      assert.equal(new Set(kinds.map((k) => k.shape)).size, kinds.length, 'a shape per kind');
      const keyShapes = await page
        .locator('ul.civic-legend[aria-labelledby="facility-key-title"] li')
        .evaluateAll((lis) =>
          lis.map((li) => ({
            shape: li.getAttribute('data-shape'),
            svg: !!li.querySelector('svg circle, svg polygon'),
          })),
        );
      assert.deepEqual(
        keyShapes.map((k) => k.shape),
        kinds.map((k) => k.shape),
        'the key draws each kind in its shape',
      );
      assert.ok(keyShapes.every((k) => k.svg));
      await page.waitForFunction(
        () => {
          const m = (
            window as unknown as {
              civicMap: { map: { getLayer(id: string): unknown; querySourceFeatures(s: string): unknown[] } };
            }
          ).civicMap.map;
          return !!m.getLayer('facilities') && m.querySourceFeatures('facilities').length > 0;
        },
        null,
        { timeout: 30_000 },
      );
      const layer = await page.evaluate(() => {
        const m = (
          window as unknown as {
            civicMap: {
              map: {
                getLayer(id: string): { type: string };
                getLayoutProperty(id: string, p: string): unknown;
                hasImage(id: string): boolean;
              };
            };
          }
        ).civicMap.map;
        const icon = m.getLayoutProperty('facilities', 'icon-image') as unknown[];
        const images = Array.isArray(icon) ? (icon.slice(2).filter((_, i) => i % 2 === 1) as string[]) : [];
        return { type: m.getLayer('facilities').type, images, loaded: images.every((id) => m.hasImage(id)) };
      });
      assert.equal(layer.type, 'symbol', 'markers are drawn as icons, not coloured circles');
      assert.equal(new Set(layer.images).size, kinds.length, `an icon per kind: ${layer.images.join(', ')}`);
      for (const k of kinds)
        assert.ok(
          layer.images.some((id) => id.startsWith(`facility-${k.shape}-`)),
          k.kind,
        );
      assert.ok(layer.loaded, 'every icon is loaded');
      await screenshot(page, 'users-map-key-and-markers');
      await noViolations(page, 'the map page');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("the public's default map varies across the areas (not 0% or 100% of one group)", async () => {
    const { context, page, problems } = await pageFor('public');
    try {
      assert.equal(await open(page, '/map'), 200);
      const values = await page
        .locator('#map-table tbody tr td:nth-child(3)')
        .evaluateAll((tds) => tds.map((td) => td.textContent!.trim()));
      assert.ok(values.length > 10, `${values.length} areas in the table`);
      const shown = values.filter((v) => /\d/.test(v) && !/^Not shown/.test(v));
      const distinct = new Set(shown);
      assert.ok(
        distinct.size >= 3,
        `the default map shows ${distinct.size} different values: ${[...distinct].slice(0, 5).join(', ')}`,
      );
      assert.ok(![...distinct].every((v) => v === '0.0%' || v === '100.0%'), 'not only 0% and 100%');
      assert.ok(
        (await page.locator('ul.civic-legend[aria-labelledby="legend-title"] li').count()) >= 3,
        'a key of several classes',
      );
      await noViolations(page, 'the default map');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  test("a built segment's edit page proposes a name and description from its distinctive variables", async () => {
    const engine = portal.built.workspace.engine;
    const portraits = await portraitsOrGenerate(engine, 'borough', 'group');
    const first = portraits[0];
    assert.match(first.name, /^Group \d+$/, 'the build named it "Group N"');
    const expected = proposeSegmentNames(portraits.map((p) => ({ code: p.code, facts: p.facts }))).get(first.code)!;
    const { context, page, problems } = await pageFor('analyst');
    try {
      assert.equal(await open(page, `/segments/borough/${first.code}/edit?tier=group`), 200);
      assert.equal(await page.locator('#proposed-name').innerText(), expected.name);
      assert.equal(await page.locator('#proposed-description').innerText(), expected.description);
      const name = await page.locator('#name').inputValue();
      assert.equal(name, expected.name, 'the form starts with the proposed name');
      assert.doesNotMatch(name, /^Group \d+$/);
      assert.ok((await page.locator('#summary').inputValue()).startsWith(expected.description));
      await screenshot(page, 'users-segment-edit-proposed');
      await noViolations(page, 'the segment edit page');
      // Accepting it names the segment in the guide.
      await Promise.all([
        page.waitForURL(/\/segments\/borough\?tier=group/),
        page.getByRole('button', { name: 'Save a new version' }).click(),
      ]);
      assert.match(
        await page.locator('main').innerText(),
        new RegExp(expected.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')),
      );
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
