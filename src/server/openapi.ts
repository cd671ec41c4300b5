/**
 * C14: the OpenAPI 3.1 document of the HTTP API, generated from the same zod schemas that define
 * the results (z.toJSONSchema), so the document and the code cannot drift. Each API route is
 * declared once as an ApiOperation (path, roles, parameters, response schema); the route is
 * registered from the declaration and the document is built from the declarations of the routes
 * the app actually has.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import type { ViewerRole } from './users.ts';
import type { Source } from './result-cache.ts';

/** application/problem+json (RFC 9457), as the error handler writes it. */
export const ProblemSchema = z.object({
  type: z.string().describe('A URI naming the kind of problem'),
  title: z.string().describe('A short, plain-English summary'),
  status: z.number().int().describe('The HTTP status code'),
  detail: z.string().describe('What went wrong, in plain English'),
  fix: z.string().optional().describe('What to do about it'),
  location: z
    .object({ file: z.string().optional(), row: z.number().optional(), column: z.string().optional() })
    .optional()
    .describe('The file, row or column at fault'),
  instance: z.string().optional().describe('The path that was asked for'),
});
export type Problem = z.infer<typeof ProblemSchema>;

/** One API route: enough to register it and to document it. */
export interface ApiOperation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Fastify-style path, e.g. /api/segmentations/:name */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  roles: readonly ViewerRole[];
  /** for a POST, PUT or DELETE: what it changes in the workspace (app.ts, config.changes); everything when not said */
  changes?: readonly Source[];
  /** query parameters: a z.object whose fields are strings, numbers or enums */
  query?: z.ZodObject;
  /** path parameters */
  params?: z.ZodObject;
  /** request bodies by media type, with an example */
  body?: {
    description: string;
    content: Record<string, { schema: z.ZodType | Record<string, unknown>; example?: unknown }>;
  };
  /** the 200 response: a named component schema */
  response: { name: string; schema: z.ZodType; description: string };
  /** error statuses this operation can answer besides 401/403 */
  errors?: number[];
}

const operations = new Map<string, ApiOperation>();
const key = (method: string, path: string) => `${method} ${path}`;

/** Declares an API operation for the document (declarations are static, so declaring twice is harmless). */
export function documentApi(op: ApiOperation): ApiOperation {
  operations.set(key(op.method, op.path), op);
  return op;
}

export function documentedOperation(method: string, path: string): ApiOperation | undefined {
  return operations.get(key(method, path));
}

/** Fastify's /a/:b is OpenAPI's /a/{b}. */
export const openApiPath = (path: string) => path.replace(/:([A-Za-z_][A-Za-z0-9_]*)/g, '{$1}');

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const s = z.toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<string, unknown>;
  delete s.$schema;
  return s;
}

const ERROR_TEXT: Record<number, string> = {
  400: 'The request is not valid: a parameter is missing, unknown or malformed.',
  401: 'Not signed in: send an API token (Authorization: Bearer civic_…) or a session cookie.',
  403: 'Signed in, but this role may not use this operation.',
  404: 'The dataset, classification, segmentation, tier or linkage model asked for does not exist (or, for a linkage model, is not the caller’s to see).',
  409: 'The workspace is not ready for this (e.g. no base counts loaded).',
  413: 'Too much in one request.',
  415: 'The upload is not a CSV or text file.',
};

const ROLE_TEXT: Record<ViewerRole, string> = {
  public: 'anyone, without signing in',
  admin: 'admin',
  analyst: 'analyst',
  partner: 'partner',
  agent: 'agent',
};

let version = '0.0.0';
try {
  version = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version ?? version;
} catch {
  /* keep the default */
}

/**
 * The document for the routes an app has (its route table), from their declarations. A route
 * under /api without a declaration is left out here, and the API tests fail on it.
 */
export function openApiDocument(routes: readonly { method: string; url: string }[]): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  const schemas: Record<string, unknown> = { Problem: jsonSchema(ProblemSchema, 'output') };
  const seen = new Set<string>();
  for (const r of routes) {
    if (!r.url.startsWith('/api/')) continue;
    const op = operations.get(key(r.method, r.url));
    if (!op || seen.has(key(op.method, op.path))) continue;
    seen.add(key(op.method, op.path));
    schemas[op.response.name] ??= jsonSchema(op.response.schema, 'output');
    const parameters: unknown[] = [];
    for (const [where, obj] of [
      ['path', op.params],
      ['query', op.query],
    ] as const) {
      if (!obj) continue;
      for (const [name, field] of Object.entries(obj.shape as Record<string, z.ZodType>)) {
        const s = jsonSchema(field, 'input');
        const description = s.description;
        delete s.description;
        parameters.push({
          name,
          in: where,
          required: where === 'path' || !field.safeParse(undefined).success,
          ...(description ? { description } : {}),
          schema: s,
        });
      }
    }
    const isPublic = op.roles.includes('public');
    const responses: Record<string, unknown> = {
      200: {
        description: op.response.description,
        content: { 'application/json': { schema: { $ref: `#/components/schemas/${op.response.name}` } } },
      },
    };
    for (const status of [...new Set([...(op.errors ?? []), ...(isPublic ? [] : [401, 403])])].sort())
      responses[status] = { $ref: `#/components/responses/Problem${status}` };
    paths[openApiPath(op.path)] ??= {};
    paths[openApiPath(op.path)][op.method.toLowerCase()] = {
      operationId: op.operationId,
      summary: op.summary,
      description: `${op.description ? op.description + '\n\n' : ''}Who may use it: ${op.roles.map((x) => ROLE_TEXT[x]).join(', ')}.`,
      tags: [op.tag],
      'x-roles': op.roles,
      ...(parameters.length ? { parameters } : {}),
      ...(op.body
        ? {
            requestBody: {
              required: true,
              description: op.body.description,
              content: Object.fromEntries(
                Object.entries(op.body.content).map(([type, c]) => [
                  type,
                  {
                    schema: c.schema instanceof z.ZodType ? jsonSchema(c.schema, 'input') : c.schema,
                    ...(c.example !== undefined ? { example: c.example } : {}),
                  },
                ]),
              ),
            },
          }
        : {}),
      // Public operations work without credentials ({}), and with either kind.
      security: isPublic
        ? [{}, { bearerToken: [] }, { sessionCookie: [] }]
        : [{ bearerToken: [] }, { sessionCookie: [] }],
      responses,
    };
  }
  const statuses = [400, 401, 403, 404, 409, 413, 415];
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Civic Insight Observatory API',
      version,
      description: [
        'Every analysis the command line runs, as JSON: the same result objects `civic … --format json` prints.',
        'Every aggregate is under disclosure control (counts under 10 are suppressed, with secondary suppression), whoever asks.',
        "Sign in with an API token (`civic user token WORKSPACE USER`) sent as `Authorization: Bearer civic_…`, or with the portal's session cookie",
        '(then POST requests need the `x-csrf-token` header). Errors are `application/problem+json`.',
      ].join(' '),
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: '/' }],
    tags: [...new Set([...operations.values()].filter((o) => seen.has(key(o.method, o.path))).map((o) => o.tag))].map(
      (name) => ({ name }),
    ),
    paths,
    components: {
      schemas,
      responses: Object.fromEntries(
        statuses.map((s) => [
          `Problem${s}`,
          {
            description: ERROR_TEXT[s],
            content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
          },
        ]),
      ),
      securitySchemes: {
        bearerToken: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'civic_…',
          description: 'An API token made with `civic user token WORKSPACE USER`.',
        },
        sessionCookie: {
          type: 'apiKey',
          in: 'cookie',
          name: 'civic_session',
          description: "The portal's session cookie, set by signing in at /login.",
        },
      },
    },
  };
}
