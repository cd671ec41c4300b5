/**
 * C13/C14: the portal and the HTTP API over one workspace. Fastify; pages rendered on the server
 * with the GOV.UK Design System; every route declares who may use it; errors are plain-English
 * pages for people and application/problem+json for scripts.
 */
import { join, dirname } from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import fastifyStatic from '@fastify/static';
import multipart from '@fastify/multipart';
import type nunjucks from 'nunjucks';
import { ObservatoryError } from '../core/index.ts';
import type { Workspace, Engine } from '../store/index.ts';
import { resolveReadLimits, type ReadLimits } from '../intake/index.ts';
import { PUBLIC_VIEWER, viewerFromSession, viewerFromToken, type Viewer, type ViewerRole } from './users.ts';
import { createViews, renderPage, GOVUK_DIST, type PageContext } from './views.ts';
import { authRoutes } from './routes/auth.ts';
import { overviewRoutes } from './routes/overview.ts';
import { adminRoutes } from './routes/admin.ts';
import { profileRoutes } from './routes/profile.ts';
import { segmentRoutes } from './routes/segments.ts';
import { sdfRoutes } from './routes/sdf.ts';
import { overlapRoutes } from './routes/overlap.ts';
import { representRoutes } from './routes/represent.ts';
import { lookupRoutes } from './routes/lookup.ts';
import { householdRoutes } from './routes/households.ts';
import { vulnerabilityRoutes } from './routes/vulnerability.ts';
import { mapRoutes } from './routes/map.ts';
import { datasetRoutes } from './routes/datasets.ts';
import { apiRoutes } from './routes/api.ts';
import { locationRoutes } from './routes/location.ts';
import { targetingRoutes } from './routes/targeting.ts';
import { linkageRoutes } from './routes/linkage.ts';
import { channelRoutes } from './routes/channels.ts';
import { journeyRoutes } from './routes/journeys.ts';
import { channelAnalysisRoutes } from './routes/channel-analyses.ts';
import { ResultCache, type Source } from './result-cache.ts';
import { HttpProblem, SESSION_COOKIE, isApi, sameToken, type ServerSettings } from './http.ts';
export {
  ANALYSTS_AND_PARTNERS,
  EVERYONE,
  HttpProblem,
  SESSION_COOKIE,
  SIGNED_IN,
  STAFF,
  isApi,
  sameToken,
  type ServerSettings,
} from './http.ts';
import { DEFAULT_LOGIN_LIMITS, parseTrustProxy } from './login-guard.ts';
import { AnalysisPool, type AnalysisPoolOptions } from './analysis-pool.ts';
import { straightLineCosts, type CostSource } from '../location/index.ts';
import type { PseudonymKey } from '../intake/index.ts';
import { defaultServices, withOverrides, type ServiceOverrides, type Services } from './services.ts';

declare module 'fastify' {
  interface FastifyRequest {
    viewer: Viewer;
  }
  interface FastifyInstance {
    engine: Engine;
    views: nunjucks.Environment;
    /** Renders a page in the layout for this request's viewer. */
    page(
      request: FastifyRequest,
      reply: FastifyReply,
      template: string,
      ctx: PageContext,
      status?: number,
    ): FastifyReply;
    settings: ServerSettings;
    /** Every route with the roles it allows: the authorisation test walks this list. */
    routeTable: { method: string; url: string; roles: readonly ViewerRole[] | null }[];
    /** Analysis results until the workspace next changes. */
    results: ResultCache;
    /** How the location pages time journeys: straight line unless the server was given a road network. */
    costs: CostSource;
    /** Worker threads for heavy analyses (site choice, scenarios), with their limits. */
    analyses: AnalysisPool;
    /** The capabilities the routes call (services.ts): routes hold no SQL. */
    services: Services;
  }
  interface FastifyContextConfig {
    roles?: readonly ViewerRole[];
    /** A multipart route that reads the CSRF token from the form's fields before it does anything with the upload. */
    csrfInFormFields?: boolean;
    /**
     * What a successful POST to the route changes, so that only the cached results made from it are
     * forgotten; a route that says nothing is taken to change everything. `[]`: nothing cached.
     */
    changes?: readonly Source[];
  }
}

export interface AppOptions extends Partial<ServerSettings> {
  workspace: Workspace;
  logger?: boolean /** Keep analysis results until the workspace changes (default true). */;
  resultCache?: boolean;
  /** How journeys are timed on the location pages (default: straight line). */ costs?: CostSource;
  /** Workers, queue, per-viewer limit, time and memory limits for heavy analyses (defaults in analysis-pool.ts). */ analysis?: AnalysisPoolOptions;
}

const STATIC = join(dirname(fileURLToPath(import.meta.url)), 'static');

/** What the browser may use on every page: none of the devices or payment features (the portal needs none). */
export const PERMISSIONS_POLICY = [
  'accelerometer',
  'camera',
  'display-capture',
  'geolocation',
  'gyroscope',
  'hid',
  'magnetometer',
  'microphone',
  'midi',
  'payment',
  'serial',
  'usb',
  'xr-spatial-tracking',
]
  .map((f) => `${f}=()`)
  .join(', ');
const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The portal and API over a workspace. `services` replaces any of the capabilities the routes call
 * (services.ts); by default they run over `opts.workspace`.
 */
export async function buildApp(opts: AppOptions, services: ServiceOverrides = {}): Promise<FastifyInstance> {
  const settings: ServerSettings = {
    secureCookies: opts.secureCookies ?? true,
    maxUploadBytes: opts.maxUploadBytes ?? 50 * 1024 * 1024,
    loginAttempts: opts.loginAttempts ?? DEFAULT_LOGIN_LIMITS.perUserAndAddress,
    loginAddressAttempts: opts.loginAddressAttempts ?? DEFAULT_LOGIN_LIMITS.perAddress,
    loginOverallAttempts: opts.loginOverallAttempts ?? DEFAULT_LOGIN_LIMITS.overall,
    loginConcurrency: opts.loginConcurrency ?? DEFAULT_LOGIN_LIMITS.hashConcurrency,
    loginQueue: opts.loginQueue ?? DEFAULT_LOGIN_LIMITS.hashQueue,
    trustProxy: parseTrustProxy(opts.trustProxy),
    uploadDir: opts.uploadDir ?? join(dirname(opts.workspace.path), 'uploads'),
    readLimits: resolveReadLimits(opts.readLimits),
    uploadWorkerMemoryMb: opts.uploadWorkerMemoryMb ?? 2048,
    uploadWorkerTimeoutMs: opts.uploadWorkerTimeoutMs ?? 10 * 60 * 1000,
    uploadTtlHours: opts.uploadTtlHours ?? 24,
    pseudonymKey: opts.pseudonymKey ?? null,
  };
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit: 10 * 1024 * 1024,
    trustProxy: settings.trustProxy.length ? settings.trustProxy : false,
  });
  const views = createViews();
  app.decorate('engine', opts.workspace.engine);
  app.decorate('views', views);
  app.decorate('settings', settings);
  app.decorate(
    'page',
    (request: FastifyRequest, reply: FastifyReply, template: string, ctx: PageContext, status = 200) =>
      renderPage(views, request, reply, template, ctx, status),
  );
  app.decorateRequest('viewer', null as unknown as Viewer);
  const routeTable: FastifyInstance['routeTable'] = [];
  app.decorate('routeTable', routeTable);
  const results = new ResultCache(500, opts.resultCache ?? true);
  app.decorate('results', results);
  app.decorate('costs', opts.costs ?? straightLineCosts());
  app.decorate('services', withOverrides(defaultServices(opts.workspace.engine, app.costs, results), services));
  const analyses = new AnalysisPool(opts.analysis);
  app.decorate('analyses', analyses);
  app.addHook('onClose', async () => {
    await analyses.close();
  });
  // A write made through the portal forgets the results made from what it changed (config.changes;
  // everything when a route does not say).
  app.addHook('onResponse', async (request, reply) => {
    if (request.method === 'GET' || request.method === 'HEAD' || reply.statusCode >= 400) return;
    results.invalidate(request.routeOptions.config?.changes);
  });
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat())
      if (method !== 'HEAD')
        routeTable.push({
          method,
          url: route.url,
          roles: (route.config as { roles?: readonly ViewerRole[] } | undefined)?.roles ?? null,
        });
  });

  await app.register(helmet, {
    enableCSPNonces: true,
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        workerSrc: ["'self'", 'blob:'],
        childSrc: ['blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
        baseUri: ["'self'"],
      },
    },
    crossOriginEmbedderPolicy: false,
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false, // sent below, over HTTPS only
  });
  // HSTS only on HTTPS (directly, or through a trusted proxy's X-Forwarded-Proto); no device features;
  // nothing kept in caches for signed-in people (pages with records have their own no-store as well).
  app.addHook('onSend', async (request, reply) => {
    if (request.protocol === 'https') reply.header('strict-transport-security', HSTS);
    reply.header('permissions-policy', PERMISSIONS_POLICY);
    const signedIn = request.viewer !== null && request.viewer !== undefined && request.viewer.via !== 'none';
    if (
      (signedIn || request.url.split('?')[0] === '/login') &&
      !reply.hasHeader('cache-control') &&
      !request.url.startsWith('/assets/') &&
      !request.url.startsWith('/static/')
    )
      reply.header('cache-control', 'no-store');
  });
  await app.register(cookie);
  await app.register(formbody);
  await app.register(multipart, { limits: { fileSize: settings.maxUploadBytes, files: 1, fields: 50 } });
  await app.register(fastifyStatic, {
    root: join(GOVUK_DIST, 'govuk', 'assets'),
    prefix: '/assets/',
    decorateReply: false,
  });
  await app.register(fastifyStatic, { root: STATIC, prefix: '/static/', decorateReply: false });
  for (const f of ['govuk-frontend.min.css', 'govuk-frontend.min.js']) {
    app.get(
      `/static/${f}`,
      { config: { roles: ['public', 'admin', 'analyst', 'partner', 'agent'] } },
      async (_req, reply) => {
        const { readFile } = await import('node:fs/promises');
        return reply
          .type(f.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8')
          .header('cache-control', 'public, max-age=3600')
          .send(await readFile(join(GOVUK_DIST, 'govuk', f)));
      },
    );
  }

  // Who is asking: a session cookie (pages) or a bearer token (scripts); otherwise the public.
  app.addHook('onRequest', async (request) => {
    request.viewer = PUBLIC_VIEWER;
    const auth = request.headers.authorization;
    if (auth?.startsWith('Bearer ')) {
      const v = await viewerFromToken(app.engine, auth.slice(7).trim());
      if (!v)
        throw new HttpProblem(
          401,
          'not_signed_in',
          'Not signed in',
          'The API token is not valid.',
          'Ask an administrator for a new token (civic user token).',
        );
      request.viewer = v;
      return;
    }
    const token = request.cookies[SESSION_COOKIE];
    if (token) request.viewer = (await viewerFromSession(app.engine, token)) ?? PUBLIC_VIEWER;
  });

  // Every route says who may use it (config.roles); a route that says nothing is refused, so a
  // forgotten declaration fails closed. Static files are public.
  app.addHook('preHandler', async (request) => {
    if (request.is404 || request.url.startsWith('/assets/') || request.url.startsWith('/static/')) return;
    const roles = request.routeOptions.config?.roles;
    if (!roles)
      throw new HttpProblem(403, 'not_allowed', 'Not allowed', 'This page has no access rule, so nobody may use it.');
    if (roles.includes(request.viewer.role)) return;
    if (request.viewer.role === 'public')
      throw new HttpProblem(401, 'sign_in', 'Sign in', 'You need to sign in to see this page.');
    throw new HttpProblem(
      403,
      'not_allowed',
      'Not allowed',
      `Your role (${request.viewer.role}) cannot use this page.`,
      'Ask an administrator if you need it.',
    );
  });

  // Forms carry the session's CSRF token; scripts using a token are not exposed to CSRF. Signing in
  // has a token of its own, bound to a cookie set with the sign-in form (routes/auth.ts).
  app.addHook('preHandler', async (request) => {
    if (request.method === 'GET' || request.method === 'HEAD' || request.viewer.via !== 'session') return;
    if (request.routeOptions.url === '/login' && request.method === 'POST') return;
    const expired = () =>
      new HttpProblem(
        403,
        'form_expired',
        'Form expired',
        'The form could not be checked (it may have expired).',
        'Go back, reload the page and try again.',
      );
    const header = request.headers['x-csrf-token'];
    if (request.isMultipart()) {
      // The body is not read yet: the token comes in a header or the query string, or (only for a
      // route that checks the form's fields before it touches the file) in the form itself.
      if (sameToken(header ?? (request.query as Record<string, unknown> | undefined)?._csrf, request.viewer.csrf))
        return;
      if (request.routeOptions.config?.csrfInFormFields) return;
      throw expired();
    }
    const body = request.body;
    const sent = (body && typeof body === 'object' ? (body as Record<string, unknown>)._csrf : undefined) ?? header;
    if (!sameToken(sent, request.viewer.csrf)) throw expired();
  });

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string; validation?: unknown }, request, reply) => {
    let status = 500,
      title = 'Something went wrong',
      detail = 'The server could not finish this request.',
      fix: string | undefined,
      code = 'internal';
    let location: unknown;
    if (error instanceof HttpProblem) {
      status = error.status;
      title = error.title;
      detail = error.message;
      fix = error.fix;
      code = error.code;
    } else if (error instanceof ObservatoryError) {
      status = error.status;
      title = status === 404 ? 'Not found' : 'Cannot do that';
      detail = error.message;
      fix = error.fix;
      code = error.code;
      location = error.location;
    } else if (error.code === 'FST_REQ_FILE_TOO_LARGE' || error.statusCode === 413) {
      status = 413;
      title = 'File too large';
      detail = `Files can be up to ${Math.round(settings.maxUploadBytes / 1024 / 1024)} MB.`;
      code = 'too_large';
    } else if (error.statusCode && error.statusCode < 500) {
      status = error.statusCode;
      title = 'Cannot do that';
      detail = error.message;
      code = error.code ?? 'bad_request';
    } else request.log.error(error);
    if (error instanceof ObservatoryError && 'retryAfterSeconds' in error)
      reply.header('retry-after', String(error.retryAfterSeconds));
    if (status === 401 && !isApi(request) && request.method === 'GET')
      return reply.redirect(`/login?next=${encodeURIComponent(request.url)}`);
    if (isApi(request) || request.viewer?.via === 'token') {
      return reply
        .code(status)
        .type('application/problem+json')
        .send({
          type: `https://civic-observatory.invalid/problems/${code}`,
          title,
          status,
          detail,
          ...(fix ? { fix } : {}),
          ...(location ? { location } : {}),
          instance: request.url.split('?')[0],
        });
    }
    return app.page(request, reply, 'error.njk', { title, detail, fix, status }, status);
  });
  app.setNotFoundHandler((request, reply) => {
    request.viewer ??= PUBLIC_VIEWER;
    if (isApi(request))
      return reply
        .code(404)
        .type('application/problem+json')
        .send({
          type: 'https://civic-observatory.invalid/problems/not_found',
          title: 'Not found',
          status: 404,
          detail: `No API route ${request.method} ${request.url.split('?')[0]}.`,
          instance: request.url.split('?')[0],
        });
    return app.page(
      request,
      reply,
      'error.njk',
      { title: 'Page not found', detail: 'If you typed the web address, check it is correct.', status: 404 },
      404,
    );
  });

  await app.register(authRoutes);
  await app.register(overviewRoutes);
  await app.register(adminRoutes);
  // Capability routes (one file each) are registered here.
  await app.register(profileRoutes);
  await app.register(segmentRoutes);
  await app.register(sdfRoutes);
  await app.register(overlapRoutes);
  await app.register(representRoutes);
  await app.register(lookupRoutes);
  await app.register(householdRoutes);
  await app.register(vulnerabilityRoutes);
  await app.register(mapRoutes);
  await app.register(locationRoutes);
  await app.register(targetingRoutes);
  await app.register(linkageRoutes);
  await app.register(channelRoutes);
  await app.register(journeyRoutes);
  await app.register(channelAnalysisRoutes);
  await app.register(datasetRoutes);
  await app.register(apiRoutes);
  return app;
}

/** Role lists used by route declarations. */
