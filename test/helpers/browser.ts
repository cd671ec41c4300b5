/**
 * Browser tests: Debian's Chromium driven by playwright-core (never a downloaded browser), the
 * real server on an ephemeral loopback port over a Sample Borough workspace, and axe-core.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { type DemoBuild } from '../../src/demo/index.ts';
import { sampleBorough } from './sample-borough.ts';
import { buildApp } from '../../src/server/index.ts';
import { addUser, cheapPasswordHashesForTests, type Role } from '../../src/server/users.ts';
import { tempDir } from './workspace.ts';

export const CHROMIUM = '/usr/bin/chromium';
export const SCREENSHOTS = new URL('../../test-artifacts/screenshots/', import.meta.url).pathname;

/**
 * Browser tests need Debian's chromium. Without it they skip with a message; under CI (where
 * .ci/run installs it) a missing browser is a failure, so a broken install can never hide a test.
 */
export function browserSkip(): string | false {
  if (existsSync(CHROMIUM)) return false;
  if (process.env.CI)
    throw new Error(
      `Chromium missing under CI: ${CHROMIUM} (.ci/run installs Debian's chromium with apt-get install -y chromium)`,
    );
  return `Debian's chromium not found at ${CHROMIUM} (apt-get install chromium); browser tests skipped`;
}

export async function launchBrowser(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
}

/**
 * How long a page may take to arrive. A page's first view works out what it shows (the SDF profiles
 * every dataset), and on a 2-core machine busy with other test runs that has taken over Playwright's
 * 30 s; no test asserts on how long a page takes.
 */
export const NAVIGATION_TIMEOUT = 120_000;

export const PASSWORD = 'correct horse battery staple';
/** One person per role; the partner belongs to the organisation given. */
export const PEOPLE: Record<Role, { username: string; name: string; partner?: string }> = {
  admin: { username: 'ada', name: 'Ada Lovelace' },
  analyst: { username: 'alan', name: 'Alan Turing' },
  partner: { username: 'grace', name: 'Grace Hopper', partner: 'Borough Housing Trust' },
  agent: { username: 'katherine', name: 'Katherine Johnson' },
};

export interface Portal {
  url: string;
  app: FastifyInstance;
  built: DemoBuild;
  dir: string;
  close(): Promise<void>;
}

/** Sample Borough (20,000 households, seed 7) in a temp folder, one user per role, the real server on 127.0.0.1:ephemeral. */
export async function startPortal(opts: { households?: number; seed?: number } = {}): Promise<Portal> {
  // Its people sign in only to reach the pages: cheap argon2 for them (src/server/users.ts).
  cheapPasswordHashesForTests();
  const tmp = tempDir('civic-browser-');
  const built = await sampleBorough(join(tmp.dir, 'sb.civic'), {
    households: opts.households ?? 20_000,
    seed: opts.seed ?? 7,
  });
  const engine = built.workspace.engine;
  for (const [role, p] of Object.entries(PEOPLE))
    await addUser(engine, { username: p.username, password: PASSWORD, role, name: p.name, partner: p.partner });
  const app = await buildApp({
    workspace: built.workspace,
    secureCookies: false,
    uploadDir: join(tmp.dir, 'uploads'),
    pseudonymKey: built.key,
  });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    built,
    dir: tmp.dir,
    async close() {
      await app.close();
      built.workspace.close();
      tmp.cleanup();
    },
  };
}

/** Signs in through the login form, as a person would. */
export async function signIn(page: Page, portal: Portal, role: Role): Promise<void> {
  await page.goto(`${portal.url}/login`);
  await page.getByLabel('User name').fill(PEOPLE[role].username);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Sign in' }).click(),
  ]);
}

export async function signOut(page: Page): Promise<void> {
  await Promise.all([
    page.waitForURL((u) => u.pathname.startsWith('/login')),
    page.getByRole('button', { name: 'Sign out' }).click(),
  ]);
}

/**
 * A full-page screenshot kept as a test artefact in test-artifacts/screenshots/NAME.png, when
 * CIVIC_SCREENSHOTS=1 (encoding a full-page PNG of every page for every role is much of the
 * browser tests' time, and nothing asserts on them). Returns the path, or null when not taken.
 */
export async function screenshot(page: Page, name: string): Promise<string | null> {
  if (process.env.CIVIC_SCREENSHOTS !== '1') return null;
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name.replace(/[^\w.-]+/g, '-')}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

// ---- axe-core ----

const require = createRequire(import.meta.url);
let axeSource: string | undefined;
/** WCAG 2.2 AA: the A and AA rules of WCAG 2.0, 2.1 and 2.2. */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: string[]; html: string; failureSummary?: string }[];
}

/**
 * Runs axe-core in the page. The script is evaluated through the DevTools protocol
 * (page.evaluate), which the page's Content-Security-Policy does not govern, so the portal's CSP
 * is exercised unchanged: no bypassCSP, no inline script added to the page.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  const loaded = await page.evaluate(() => typeof (globalThis as { axe?: unknown }).axe !== 'undefined');
  if (!loaded) await page.evaluate(axeSource);
  return page.evaluate(async (tags) => {
    const axe = (
      globalThis as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: AxeViolation[] }> } }
    ).axe;
    const r = await axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({ target: n.target.map(String), html: n.html, failureSummary: n.failureSummary })),
    }));
  }, WCAG_TAGS);
}

/** Violations as a person reads them: rule, impact, what to do, and each element with its HTML. */
export function formatViolations(where: string, violations: AxeViolation[]): string {
  const lines = [`${violations.length} accessibility violation(s) on ${where}:`];
  for (const v of violations) {
    lines.push(`  • ${v.id} (${v.impact ?? 'n/a'}): ${v.help} — ${v.helpUrl}`);
    for (const n of v.nodes.slice(0, 8)) {
      lines.push(`      at ${n.target.join(' ')}: ${n.html.length > 200 ? n.html.slice(0, 200) + '…' : n.html}`);
      if (n.failureSummary) lines.push(...n.failureSummary.split('\n').map((l) => `        ${l}`));
    }
    if (v.nodes.length > 8) lines.push(`      … and ${v.nodes.length - 8} more`);
  }
  return lines.join('\n');
}

/**
 * Waits for a loaded page to settle: its fonts, and a map (which loads its GeoJSON or tiles after
 * the page) drawn or given up. The page says when it is done, so nothing waits for the network to
 * fall quiet (half a second at least on every page, and never on a job page that asks for its
 * progress every second).
 */
export async function settle(page: Page): Promise<void> {
  await page.waitForFunction(
    () =>
      !document.querySelector('[data-module="civic-map"]') ||
      document.querySelector('#map[data-state="rendered"]') !== null ||
      document.documentElement.dataset.mapError !== undefined,
    null,
    { timeout: 60_000 },
  );
  await page.evaluate(() => document.fonts.ready.then(() => undefined));
}

/** Opens a page of the portal and waits for it to settle (see settle); its status. */
export async function openPage(page: Page, portal: Portal, path: string): Promise<number> {
  const r = await page.goto(portal.url + path, { waitUntil: 'load' });
  await settle(page);
  return r?.status() ?? 0;
}

/** axe-core finds nothing on the page. */
export async function assertNoViolations(page: Page, label: string): Promise<void> {
  const v = await axeViolations(page);
  assert.equal(v.length, 0, formatViolations(label, v));
}
