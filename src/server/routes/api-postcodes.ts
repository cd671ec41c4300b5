/**
 * C14: bulk postcode enrichment over HTTP. Postcodes in (a JSON array, a CSV or text file, or a CSV
 * body); the answers (lookup's enricher, the same as `civic postcodes enrich`) out as JSON, or
 * streamed as CSV or NDJSON, up to MAX_POSTCODES in one request. No SQL here.
 */
import { Readable } from 'node:stream';
import { z } from 'zod';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PostcodeEnrichmentSchema, postcodesFromText, type PostcodeEnricher } from '../../lookup/index.ts';
import { enrichedCsvWriter, enrichedNdjsonWriter, enrichmentJsonChunks } from '../../outputs/index.ts';
import { audit } from '../users.ts';
import { SIGNED_IN, HttpProblem } from '../http.ts';
import { defineApi } from './api.ts';

/** The most postcodes one request may carry. */
export const MAX_POSTCODES = 100_000;
const BODY_LIMIT = 10 * 1024 * 1024;
const tooMany = (n: number) =>
  new HttpProblem(
    413,
    'too_many_postcodes',
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

export { PostcodeEnrichmentSchema, postcodesFromText };

/** Answers streamed in batches of this many, so the first rows leave early. */
const STREAM_BATCH = 10_000;
export const ENRICHMENT_FORMATS = ['json', 'csv', 'ndjson'] as const;
type EnrichmentFormat = (typeof ENRICHMENT_FORMATS)[number];

/** The format asked for: the format query parameter, else the Accept header, else JSON. */
function formatOf(request: FastifyRequest, asked: EnrichmentFormat | undefined): EnrichmentFormat {
  if (asked) return asked;
  const accept = String(request.headers.accept ?? '');
  if (/\btext\/csv\b/i.test(accept)) return 'csv';
  if (/\bapplication\/(x-)?ndjson\b/i.test(accept)) return 'ndjson';
  return 'json';
}

/** CSV or NDJSON, enriched and written batch by batch as the client reads. */
function streamAnswers(
  reply: FastifyReply,
  enricher: PostcodeEnricher,
  postcodes: readonly string[],
  format: 'csv' | 'ndjson',
): FastifyReply {
  async function* chunks() {
    const csv = format === 'csv' ? enrichedCsvWriter(enricher.classifications) : null;
    const ndjson = format === 'ndjson' ? enrichedNdjsonWriter() : null;
    if (csv) yield csv.header;
    for (let i = 0; i < postcodes.length; i += STREAM_BATCH) {
      const batch = await enricher.enrich(postcodes.slice(i, i + STREAM_BATCH));
      yield csv ? csv.rows(batch) : ndjson!(batch);
    }
  }
  reply
    .type(format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8')
    .header('content-disposition', format === 'csv' ? 'attachment; filename="postcodes.csv"' : 'inline');
  return reply.send(Readable.from(chunks()));
}

async function readInput(request: FastifyRequest): Promise<{ postcodes: string[]; segmentation?: string }> {
  const fromQuery = (request.query as { segmentation?: string }).segmentation;
  if (request.isMultipart()) {
    const file = await request.file();
    if (!file)
      throw new HttpProblem(
        400,
        'invalid_request',
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
        'form_expired',
        'Form expired',
        'The form could not be checked (it may have expired).',
        'Go back, reload the page and try again.',
      );
    }
    if (!/\.(csv|txt)$/i.test(file.filename) && !/^text\/(csv|plain)$/i.test(file.mimetype)) {
      file.file.resume();
      throw new HttpProblem(
        415,
        'not_a_csv_or_text_file',
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
      'invalid_request',
      'Invalid request',
      `The body must be a JSON array of postcodes, or {"postcodes": [...], "segmentation": "name"}${where}.`,
      'For example ["SW1A 1AA", "M1 1AE"].',
    );
  }
  return Array.isArray(r.data)
    ? { postcodes: r.data, segmentation: fromQuery }
    : { postcodes: r.data.postcodes, segmentation: r.data.segmentation ?? fromQuery };
}

export async function postcodeApiRoutes(app: FastifyInstance): Promise<void> {
  const engine = app.engine;
  const service = app.services.postcodes;
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
      description: `Send a JSON array of postcodes (or {"postcodes": [...], "segmentation": "borough"}), a CSV or text file as multipart/form-data (one postcode per line, or a column named postcode), or the CSV itself as a text/csv body. Up to ${MAX_POSTCODES.toLocaleString('en-GB')} postcodes in one request; the answers come back in the order sent. Name one classification with the segmentation query parameter (or form field) to get only its segments. Add format=csv or format=ndjson (or send Accept: text/csv or application/x-ndjson) to get the answers streamed as CSV (input, postcode, corrected, status, the area codes, then CLASSIFICATION:TIER and CLASSIFICATION:TIER:name for each tier) or one JSON answer a line. With a session cookie, send the x-csrf-token header (or a _csrf form field).`,
      query: z.strictObject({
        segmentation: z
          .string()
          .min(1)
          .optional()
          .describe('Only this segmentation or classification (default: every one)'),
        format: z
          .enum(ENRICHMENT_FORMATS)
          .optional()
          .describe(
            'json (default), csv (one row per postcode, streamed) or ndjson (one answer a line, streamed). Accept: text/csv or application/x-ndjson does the same',
          ),
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
    async ({ request, reply, query }) => {
      const { postcodes, segmentation } = await readInput(request);
      if (postcodes.length > MAX_POSTCODES) throw tooMany(postcodes.length);
      const format = formatOf(request, query.format);
      const enricher = await service.enricher(segmentation);
      await audit(
        engine,
        request.viewer,
        'api postcodes',
        `${postcodes.length} postcodes${segmentation ? ` segmentation=${segmentation}` : ''}${format === 'json' ? '' : ` format=${format}`}`,
        request.ip,
      );
      if (format !== 'json') return streamAnswers(reply, enricher, postcodes, format);
      const results = [];
      for (let i = 0; i < postcodes.length; i += STREAM_BATCH)
        for (const r of await enricher.enrich(postcodes.slice(i, i + STREAM_BATCH))) results.push(r);
      // Written as a stream of pieces, byte for byte what JSON.stringify would give.
      return reply
        .type('application/json; charset=utf-8')
        .send(Readable.from(enrichmentJsonChunks(enricher.result(results)), { objectMode: false }));
    },
    {
      config: { csrfInFormFields: true }, // readInput checks a form's _csrf field before reading its file
      bodyLimit: BODY_LIMIT,
      errorHandler: (error: Error & { code?: string }, request) => {
        // Passed on to the app's handler (problem+json), in words about postcodes rather than files.
        if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
          throw new HttpProblem(
            413,
            'request_too_large',
            'Request too large',
            `A request can be up to ${BODY_LIMIT / 1024 / 1024} MB.`,
            `Send at most ${MAX_POSTCODES.toLocaleString('en-GB')} postcodes at a time.`,
          );
        if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY') {
          throw new HttpProblem(
            400,
            'invalid_request',
            'Invalid request',
            `The body is not valid JSON: ${error.message}.`,
            'Send a JSON array of postcodes, e.g. ["SW1A 1AA", "M1 1AE"].',
          );
        }
        if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
          throw new HttpProblem(
            415,
            'not_a_list_of_postcodes',
            'Not a list of postcodes',
            `A body of type ${String(request.headers['content-type'] ?? '(none)').split(';')[0]} cannot be read here.`,
            'Send application/json, text/csv, text/plain, or multipart/form-data with a file.',
          );
        }
        throw error;
      },
    },
  );
}
