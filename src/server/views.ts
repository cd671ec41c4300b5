/**
 * Server-rendered pages with the GOV.UK Design System: Nunjucks with govuk-frontend's own
 * templates and macros. Every page works without JavaScript.
 */
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import nunjucks from 'nunjucks';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Viewer } from './users.ts';
import { LEVEL_TITLES, type AreaLevel } from '../geo/index.ts';

const require = createRequire(import.meta.url);
/** node_modules/govuk-frontend/dist: templates are included as "govuk/components/…/macro.njk". */
export const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend/package.json')), 'dist');
export const VIEWS = join(dirname(fileURLToPath(import.meta.url)), 'views');

export const SERVICE_NAME = 'Civic Insight Observatory';

export function createViews(): nunjucks.Environment {
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([VIEWS, GOVUK_DIST], { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addFilter('int', (n: number | null | undefined) =>
    n === null || n === undefined ? '' : Math.round(n).toLocaleString('en-GB'),
  );
  env.addFilter('money', (n: number | null | undefined) =>
    n === null || n === undefined
      ? ''
      : n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 }),
  );
  env.addFilter('pct', (n: number | null | undefined) => (n === null || n === undefined ? '' : n.toFixed(2)));
  env.addFilter('levelName', levelName);
  env.addFilter('datasetName', datasetName);
  env.addFilter('levelPlural', levelPlural);
  env.addFilter('plainLevels', plainLevels);
  env.addFilter('classificationName', classificationName);
  env.addFilter('plural', (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`);
  env.addFilter('json', (v: unknown) => JSON.stringify(v).replace(/</g, '\\u003c'));
  return env;
}

/** "stop_smoking_clinic" → "Stop smoking clinic": a name made for machines, as a person would write it. */
export function humanise(name: string): string {
  const words = name.replace(/[_-]+/g, ' ').replace(/\s+/g, ' ').trim();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** An area level as words inside a sentence ("oa21" → "output area (2021)"); a tier ("group") as it is. */
export function levelName(level: string | null | undefined): string {
  if (!level) return '';
  const t = (LEVEL_TITLES as Record<string, string>)[level as AreaLevel];
  if (!t) return level;
  return /^[A-Z][a-z]/.test(t) ? t.charAt(0).toLowerCase() + t.slice(1) : t;
}

/** Area-level codes inside a sentence written by an analysis ("households per oa21") in words ("households per output area (2021)"). */
export function plainLevels(text: string | null | undefined): string {
  return (text ?? '').replace(/\b(oa|lsoa|msoa)(11|21)\b/g, (code) => levelName(code));
}

/** Areas of a level, in a sentence: "output areas (2021)", "LSOAs (2021)", "wards". */
export function levelPlural(level: string | null | undefined): string {
  const t = levelName(level);
  if (!t || !(LEVEL_TITLES as Record<string, string>)[level as string]) return t;
  const m = /^(.*?)( \(.*\))?$/.exec(t)!;
  return `${m[1].replace(/y$/, 'ie')}s${m[2] ?? ''}`;
}

/** A dataset as people know it: its title when the page has the titles, else its name in words. */
export function datasetName(
  name: string | null | undefined,
  titles?: Record<string, string | null> | { name: string; title: string | null }[],
): string {
  if (!name) return '';
  const title = Array.isArray(titles) ? titles.find((d) => d.name === name)?.title : titles?.[name];
  return title || humanise(name);
}

/** A classification as people know it: its title, or its name in words ("sample" → "Sample classification"). */
export function classificationName(
  name: string | null | undefined,
  classes?: { name: string; title: string | null }[],
): string {
  if (!name) return '';
  const title = classes?.find((c) => c.name === name)?.title;
  return title && title !== name ? title : `${humanise(name)} classification`;
}

/** The items in the service navigation a viewer may use. */
export function navigation(viewer: Viewer, path: string) {
  const items: { href: string; text: string; roles: string[] }[] = [
    { href: '/', text: 'Overview', roles: ['admin', 'analyst', 'partner'] },
    { href: '/datasets', text: 'Datasets', roles: ['admin', 'analyst', 'partner'] },
    { href: '/profile', text: 'Profiles', roles: ['admin', 'analyst', 'partner'] },
    { href: '/segments', text: 'Segment guide', roles: ['admin', 'analyst', 'partner', 'agent', 'public'] },
    { href: '/sdf', text: 'Service Delivery Framework', roles: ['admin', 'analyst', 'partner'] },
    { href: '/overlap', text: 'Overlap', roles: ['admin', 'analyst', 'partner'] },
    { href: '/represent', text: 'Representativeness', roles: ['admin', 'analyst', 'partner'] },
    { href: '/map', text: 'Map', roles: ['admin', 'analyst', 'partner', 'public'] },
    { href: '/location', text: 'Location', roles: ['admin', 'analyst', 'partner'] },
    { href: '/targeting', text: 'Targeting', roles: ['admin', 'analyst', 'partner'] },
    { href: '/channels', text: 'Contact and channels', roles: ['admin', 'analyst', 'partner'] },
    // Signed-in staff and partners reach the channel-shift calculator from Contact and channels.
    { href: '/channels/shift', text: 'Channel shift', roles: ['agent', 'public'] },
    { href: '/linkage', text: 'Linkage', roles: ['admin', 'analyst', 'partner'] },
    { href: '/journeys', text: 'Journeys', roles: ['admin', 'analyst', 'partner', 'agent'] },
    { href: '/lookup', text: 'Postcode look-up', roles: ['admin', 'analyst', 'agent'] },
    { href: '/households', text: 'Households', roles: ['admin', 'analyst', 'partner'] },
    { href: '/vulnerability', text: 'Vulnerability', roles: ['admin', 'analyst'] },
    { href: '/admin', text: 'Admin', roles: ['admin'] },
  ];
  return items
    .filter((i) => i.roles.includes(viewer.role))
    .map((i) => ({ href: i.href, text: i.text, active: i.href === '/' ? path === '/' : path.startsWith(i.href) }));
}

export interface PageContext {
  title: string;
  [key: string]: unknown;
}

/** Renders a page inside the layout, with the viewer, the navigation, the CSRF token and the CSP nonce. */
export function renderPage(
  env: nunjucks.Environment,
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  ctx: PageContext,
  status = 200,
): FastifyReply {
  const viewer = request.viewer;
  const html = env.render(template, {
    ...ctx,
    serviceName: SERVICE_NAME,
    viewer,
    nav: navigation(viewer, request.url.split('?')[0]),
    csrf: viewer.csrf,
    cspNonce: (reply as unknown as { cspNonce?: { script: string } }).cspNonce?.script,
  });
  return reply.code(status).type('text/html; charset=utf-8').send(html);
}
