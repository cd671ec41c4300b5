/**
 * C14: bulk postcode enrichment. Postcodes in (a JSON array, a CSV or text file, or a CSV body),
 * for each: the postcode as it should be written, its status, its area codes and the segment of
 * every tier of every classification (or of the one named). No 100-item cap: one query over the
 * whole list, up to MAX_POSTCODES in one request.
 */
import { z } from 'zod';
import Papa from 'papaparse';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { NotFoundError } from '../../core/index.ts';
import { checkPostcode, AREA_LEVELS } from '../../geo/index.ts';
import { ident } from '../../store/index.ts';
import { audit } from '../users.ts';
import { SIGNED_IN, HttpProblem } from '../app.ts';
import { defineApi } from './api.ts';

/** The most postcodes one request may carry. */
export const MAX_POSTCODES = 100_000;
const BODY_LIMIT = 10 * 1024 * 1024;
const tooMany = (n: number) =>
  new HttpProblem(
    413,
    'Too many postcodes',
    `The request has ${n.toLocaleString('en-GB')} postcodes; one request can have up to ${MAX_POSTCODES.toLocaleString('en-GB')}.`,
    `Split the list into requests of ${MAX_POSTCODES.toLocaleString('en-GB')} or fewer.`,
  );

const PostcodeListSchema = z.array(z.string()).describe('The postcodes, as typed (any spacing or case)');
export const PostcodeRequestSchema = z.union([
  PostcodeListSchema,
  z.strictObject({
    postcodes: PostcodeListSchema,
    segmentation: z
      .string()
      .min(1)
      .optional()
      .describe('Only this segmentation or classification (default: every one)'),
  }),
]);

const AREA_COLUMNS = ['oa21', 'lsoa21', 'msoa21', 'ward', 'lad'] as const;

export const PostcodeEnrichmentSchema = z.object({
  version: z.literal(1),
  /** the classification asked for, or null for every one */
  segmentation: z.string().nullable(),
  classifications: z.array(
    z.object({
      name: z.string(),
      title: z.string().nullable(),
      kind: z.string(),
      areaLevel: z.string(),
      tiers: z.array(z.string()),
    }),
  ),
  counts: z.object({
    inputs: z.number(),
    found: z.number(),
    terminated: z.number(),
    notInDirectory: z.number(),
    notAPostcode: z.number(),
  }),
  results: z.array(
    z.object({
      input: z.string().describe('The postcode as sent'),
      postcode: z.string().nullable().describe('The postcode as it should be written (null when it is not a postcode)'),
      corrected: z.boolean().describe('Whether a slip was corrected (O for 0, I for 1 …) to read it'),
      status: z.enum(['found', 'terminated', 'not in the directory', 'not a postcode']),
      areas: z.object(
        Object.fromEntries(AREA_COLUMNS.map((c) => [c, z.string().nullable()])) as Record<
          (typeof AREA_COLUMNS)[number],
          z.ZodNullable<z.ZodString>
        >,
      ),
      segments: z
        .array(
          z.object({ classification: z.string(), tier: z.string(), code: z.string(), name: z.string().nullable() }),
        )
        .describe("Every tier of every classification the postcode's area has a segment in"),
    }),
  ),
});
export type PostcodeEnrichment = z.infer<typeof PostcodeEnrichmentSchema>;
type Result = PostcodeEnrichment['results'][number];

const header = (cell: string) =>
  cell
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '');

/** Postcodes from a CSV or text file: a column named postcode, or one postcode per line. */
export function postcodesFromText(text: string): string[] {
  const parsed = Papa.parse<string[]>(text.replace(/^\uFEFF/, ''), { skipEmptyLines: 'greedy' });
  const rows = parsed.data;
  if (!rows.length) return [];
  const col = rows[0].findIndex((c) => ['postcode', 'postcodes', 'pcd', 'pcds'].includes(header(c)));
  if (col >= 0) return rows.slice(1).map((r) => (r[col] ?? '').trim());
  if (rows.every((r) => r.filter((c) => c.trim() !== '').length <= 1))
    return rows.map((r) => r.find((c) => c.trim() !== '')?.trim() ?? '');
  throw new HttpProblem(
    400,
    'Invalid request',
    'The file has several columns and none is called postcode, so the postcodes cannot be found.',
    'Name the column "postcode", or send one postcode per line.',
  );
}

async function readInput(request: FastifyRequest): Promise<{ postcodes: string[]; segmentation?: string }> {
  const fromQuery = (request.query as { segmentation?: string }).segmentation;
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file)
      throw new HttpProblem(
        400,
        'Invalid request',
        'The form has no file.',
        'Send the postcodes as a CSV or text file in a field called file.',
      );
    const field = (name: string) => {
      const f = file.fields[name];
      const one = Array.isArray(f) ? f[0] : f;
      return one && one.type === 'field' ? String(one.value) : undefined;
    };
    // Forms sent with a session carry its CSRF token (the hook cannot read multipart bodies).
    if (
      request.viewer.via === 'session' &&
      (request.headers['x-csrf-token'] ?? field('_csrf')) !== request.viewer.csrf
    ) {
      file.file.resume();
      throw new HttpProblem(
        403,
        'Form expired',
        'The form could not be checked (it may have expired).',
        'Go back, reload the page and try again.',
      );
    }
    if (!/\.(csv|txt)$/i.test(file.filename) && !/^text\/(csv|plain)$/i.test(file.mimetype)) {
      file.file.resume();
      throw new HttpProblem(
        415,
        'Not a CSV or text file',
        `"${file.filename}" is not a CSV or text file.`,
        'Send a .csv or .txt file with one postcode per line, or a column named postcode.',
      );
    }
    const postcodes = postcodesFromText((await file.toBuffer()).toString('utf8'));
    return { postcodes, segmentation: field('segmentation') ?? fromQuery };
  }
  const body = request.body;
  if (typeof body === 'string') return { postcodes: postcodesFromText(body), segmentation: fromQuery };
  // Count before checking each item, so an oversized list gets the right answer quickly.
  const n = Array.isArray(body)
    ? body.length
    : Array.isArray((body as { postcodes?: unknown } | null)?.postcodes)
      ? (body as { postcodes: unknown[] }).postcodes.length
      : 0;
  if (n > MAX_POSTCODES) throw tooMany(n);
  const r = PostcodeRequestSchema.safeParse(body);
  if (!r.success) {
    const i = r.error.issues[0];
    const where = i.code === 'invalid_union' ? '' : ` (at ${i.path.join('.') || 'the top level'}: ${i.message})`;
    throw new HttpProblem(
      400,
      'Invalid request',
      `The body must be a JSON array of postcodes, or {"postcodes": [...], "segmentation": "name"}${where}.`,
      'For example ["SW1A 1AA", "M1 1AE"].',
    );
  }
  return Array.isArray(r.data)
    ? { postcodes: r.data, segmentation: fromQuery }
    : { postcodes: r.data.postcodes, segmentation: r.data.segmentation ?? fromQuery };
}

interface Cls {
  name: string;
  title: string | null;
  kind: string;
  area_level: string;
  tiers: string;
}

export async function postcodeApiRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  // CSV or plain text sent as the body, e.g. curl --data-binary @postcodes.csv -H 'content-type: text/csv'
  app.addContentTypeParser(
    ['text/csv', 'text/plain'],
    { parseAs: 'string', bodyLimit: BODY_LIMIT },
    (_req, body, done) => done(null, body),
  );

  defineApi(
    app,
    {
      method: 'POST',
      path: '/api/postcodes',
      operationId: 'enrichPostcodes',
      tag: 'Postcodes',
      roles: SIGNED_IN,
      changes: [],
      summary: 'Bulk postcode enrichment: area codes and segments for each postcode',
      description: `Send a JSON array of postcodes (or {"postcodes": [...], "segmentation": "borough"}), a CSV or text file as multipart/form-data (one postcode per line, or a column named postcode), or the CSV itself as a text/csv body. Up to ${MAX_POSTCODES.toLocaleString('en-GB')} postcodes in one request; the answers come back in the order sent. Name one classification with the segmentation query parameter (or form field) to get only its segments. With a session cookie, send the x-csrf-token header (or a _csrf form field).`,
      query: z.strictObject({
        segmentation: z
          .string()
          .min(1)
          .optional()
          .describe('Only this segmentation or classification (default: every one)'),
      }),
      body: {
        description: 'The postcodes',
        content: {
          'application/json': { schema: PostcodeRequestSchema, example: ['SW1A 1AA', 'm1 1ae'] },
          'multipart/form-data': {
            schema: {
              type: 'object',
              required: ['file'],
              properties: {
                file: {
                  type: 'string',
                  contentMediaType: 'text/csv',
                  description: 'A CSV (with a column named postcode) or a text file with one postcode per line',
                },
                segmentation: { type: 'string', description: 'Only this segmentation or classification' },
                _csrf: {
                  type: 'string',
                  description: "The session's CSRF token, when signed in with a session cookie",
                },
              },
            },
          },
          'text/csv': {
            schema: { type: 'string', description: 'A CSV with a column named postcode, or one postcode per line' },
            example: 'postcode\nSW1A 1AA\nM1 1AE\n',
          },
        },
      },
      response: {
        name: 'PostcodeEnrichment',
        schema: PostcodeEnrichmentSchema,
        description: 'Each postcode with its status, area codes and segments, in the order sent',
      },
      errors: [400, 404, 413, 415],
    },
    async ({ request }) => {
      const { postcodes, segmentation } = await readInput(request);
      if (postcodes.length > MAX_POSTCODES) throw tooMany(postcodes.length);
      const result = await enrichPostcodes(postcodes, segmentation);
      await audit(
        engine,
        request.viewer,
        'api postcodes',
        `${postcodes.length} postcodes${segmentation ? ` segmentation=${segmentation}` : ''}`,
        request.ip,
      );
      return result;
    },
    {
      config: { csrfInFormFields: true }, // readInput checks a form's _csrf field before reading its file
      bodyLimit: BODY_LIMIT,
      errorHandler: (error: Error & { code?: string }, request) => {
        // Passed on to the app's handler (problem+json), in words about postcodes rather than files.
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          throw new HttpProblem(
            413,
            'Request too large',
            `A request can be up to ${BODY_LIMIT / 1024 / 1024} MB.`,
            `Send at most ${MAX_POSTCODES.toLocaleString('en-GB')} postcodes at a time.`,
          );
        if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
          throw new HttpProblem(
            400,
            'Invalid request',
            `The body is not valid JSON: ${error.message}.`,
            'Send a JSON array of postcodes, e.g. ["SW1A 1AA", "M1 1AE"].',
          );
        }
        if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
          throw new HttpProblem(
            415,
            'Not a list of postcodes',
            `A body of type ${String(request.headers['content-type'] ?? '(none)').split(';')[0]} cannot be read here.`,
            'Send application/json, text/csv, text/plain, or multipart/form-data with a file.',
          );
        }
        throw error;
      },
    },
  );

  /** One query over the whole list for the postcodes, one per classification for the segments. */
  async function enrichPostcodes(inputs: readonly string[], only?: string): Promise<PostcodeEnrichment> {
    const all = await engine.all<Cls & Record<string, string | null>>(
      `SELECT name, title, kind, area_level, tiers FROM classification ORDER BY kind = 'segmentation' DESC, kind = 'classification' DESC, imported_at, name`,
    );
    const classes = only ? all.filter((c) => c.name === only) : all;
    if (only && !classes.length) {
      throw new NotFoundError(
        `There is no segmentation or classification called "${only}".`,
        all.length
          ? `Segmentations and classifications: ${all.map((c) => c.name).join(', ')}.`
          : 'Build a segmentation or import a classification first.',
      );
    }
    const checks = inputs.map((input) => ({ input: String(input), check: checkPostcode(input) }));
    const keys = [
      ...new Set(
        checks.flatMap((c) => (c.check.kind === 'valid' || c.check.kind === 'corrected' ? [c.check.key] : [])),
      ),
    ];
    const keyList = `WITH k AS (SELECT DISTINCT unnest(from_json($1, '["VARCHAR"]')) AS pc_key)`;
    const levels = [...new Set(classes.map((c) => c.area_level))].filter((l) =>
      (AREA_LEVELS as readonly string[]).includes(l),
    );
    const cols = [...new Set([...AREA_COLUMNS, ...levels])];
    type PcRow = { pc_key: string; status: string } & Record<string, string | null>;
    const found = new Map<string, PcRow>();
    if (keys.length) {
      for (const r of await engine.all<PcRow>(
        `${keyList} SELECT p.pc_key, p.status, ${cols.map((c) => `p.${ident(c)}`).join(', ')} FROM k JOIN postcode p ON p.pc_key = k.pc_key`,
        [JSON.stringify(keys)],
      ))
        found.set(r.pc_key, r);
    }
    // Segments per classification: area → its segments, tiers in order.
    const segmentsOf = new Map<string, Map<string, Result['segments']>>();
    for (const c of classes) {
      const byArea = new Map<string, Result['segments']>();
      segmentsOf.set(c.name, byArea);
      if (!levels.includes(c.area_level) || !found.size) continue;
      const tiers: string[] = JSON.parse(c.tiers);
      const names = new Map(
        (
          await engine.all<{ tier: string; code: string; name: string | null }>(
            `SELECT tier, code, name FROM segment WHERE classification = $1`,
            [c.name],
          )
        ).map((r) => [`${r.tier}\u0000${r.code}`, r.name]),
      );
      const rows = await engine.all<{ area_code: string; tier: string; code: string }>(
        `${keyList}, areas AS (SELECT DISTINCT p.${ident(c.area_level)} AS area_code FROM k JOIN postcode p ON p.pc_key = k.pc_key)
         SELECT s.area_code, s.tier, s.code FROM area_segment s JOIN areas a ON a.area_code = s.area_code WHERE s.classification = $2`,
        [JSON.stringify(keys), c.name],
      );
      for (const r of rows) {
        const l = byArea.get(r.area_code) ?? [];
        l.push({
          classification: c.name,
          tier: r.tier,
          code: r.code,
          name: names.get(`${r.tier}\u0000${r.code}`) ?? null,
        });
        byArea.set(r.area_code, l);
      }
      for (const l of byArea.values()) l.sort((a, b) => tiers.indexOf(a.tier) - tiers.indexOf(b.tier));
    }
    const counts = { inputs: inputs.length, found: 0, terminated: 0, notInDirectory: 0, notAPostcode: 0 };
    const noAreas = Object.fromEntries(AREA_COLUMNS.map((c) => [c, null])) as Result['areas'];
    const results = checks.map(({ input, check }): Result => {
      if (check.kind !== 'valid' && check.kind !== 'corrected') {
        counts.notAPostcode++;
        return { input, postcode: null, corrected: false, status: 'not a postcode', areas: noAreas, segments: [] };
      }
      const row = found.get(check.key);
      const corrected = check.kind === 'corrected';
      if (!row) {
        counts.notInDirectory++;
        return {
          input,
          postcode: check.postcode,
          corrected,
          status: 'not in the directory',
          areas: noAreas,
          segments: [],
        };
      }
      const terminated = row.status === 'terminated';
      if (terminated) counts.terminated++;
      else counts.found++;
      const segments = classes.flatMap((c) => {
        const area = row[c.area_level];
        return area ? (segmentsOf.get(c.name)!.get(area) ?? []) : [];
      });
      return {
        input,
        postcode: check.postcode,
        corrected,
        status: terminated ? 'terminated' : 'found',
        areas: Object.fromEntries(AREA_COLUMNS.map((c) => [c, row[c] ?? null])) as Result['areas'],
        segments,
      };
    });
    return {
      version: 1,
      segmentation: only ?? null,
      classifications: classes.map((c) => ({
        name: c.name,
        title: c.title,
        kind: c.kind,
        areaLevel: c.area_level,
        tiers: JSON.parse(c.tiers) as string[],
      })),
      counts,
      results,
    };
  }
}
