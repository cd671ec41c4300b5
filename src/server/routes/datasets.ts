/**
 * Datasets in the portal: the list with row accounts, uploading a file (multipart; CSRF, size and
 * type checked here), previewing it and mapping its columns, then importing it as a background job
 * whose page shows progress and the row accounts. Record-level pages (rejected and unmatched rows)
 * are for the dataset's owner only: its partner, or the council's staff.
 */
import { createWriteStream } from 'node:fs';
import { ownsRecords, datasetAccount, visibleContactLogs } from '../access.ts';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ObservatoryError, DEFAULT_MIN_CELL } from '../../core/index.ts';
import {
  detectFormat,
  readSourceTable,
  importDataset,
  listDatasets,
  datasetIssues,
  validateDatasetName,
  detectPersonalColumns,
  clearForMatching,
  missingKeyError,
  type DatasetImportResult,
  type DatasetSummary,
  type PersonalColumn,
} from '../../intake/index.ts';
import { ANALYSTS_AND_PARTNERS, HttpProblem, requireMultipart } from '../http.ts';
import { audit, type Viewer } from '../users.ts';
import {
  createJob,
  failAbandonedJobs,
  failWaitingJob,
  getJob,
  runJob,
  updateWaitingJob,
  waitingJobs,
  type Job,
} from '../jobs.ts';
import { runUploadTask } from '../uploads.ts';
import {
  checkWorkbookLimits,
  describeOptions,
  describeChannels,
  describeContactLog,
  findContactColumns,
  readChannelNames,
  CONTACT_ROLES,
  type ContactRole,
  describeAddressing,
  getMapping,
  listMappings,
  validateMappingName,
  type OptionsSpec,
  type PreparedTable,
  type SavedMapping,
} from '../../intake/index.ts';

const ACCEPTED = ['.csv', '.xlsx', '.json', '.parquet'];
const PREVIEW_ROWS = 10;
const REJECTS_SHOWN = 1000;
const IMPORT_JOB = 'dataset import';
const INTERNAL_COLUMN = /^_/;
const POSTCODE_HEADER = [/^post\s*code$/i, /^post_code$/i, /^pcds?$/i, /^pc$/i, /postcode/i, /post\s*code/i];

/** What the reader found at upload time: the mapping page is drawn from this, never by reading the file again. */
interface Inspected {
  header: string[];
  preview: { rowNo: number; values: string[] }[];
  total: number;
  sheet: string | null /** columns that look personal, judged at upload from the first rows */;
  personal: PersonalColumn[];
}
/** What an upload waits with until its columns are mapped. Never shown: `file` is a server path. */
interface PendingUpload extends Inspected {
  file: string;
  original: string;
  bytes: number;
  format: string;
  name: string;
  title: string | null;
  partner: string | null;
  /** what the file is: service records (null) or a contact log, one row per contact */
  kind?: 'contacts' | null;
  mapping?: ImportMapping;
}
interface ImportMapping {
  postcodeColumn: string;
  map: Record<string, string>;
  pseudonymise: string[];
  keepInClear?: string[];
  encodeForLinkage?: string[];
  addressColumns?: string[];
  uprnColumn?: string;
  options?: OptionsSpec;
  saveMapping?: string;
  /** a contact log's parts (by their names after renaming), the unit of plain handling times, and channel names */
  kind?: 'contacts';
  contactColumns?: Partial<Record<ContactRole, string>>;
  handlingUnit?: 'minutes' | 'seconds';
  channelNames?: [string, string][];
}

/** A contact log's parts as the mapping page asks for them. */
const CONTACT_PARTS: readonly { role: ContactRole; label: string; hint: string }[] = [
  { role: 'channel', label: 'Channel', hint: 'How the customer made contact: Tel, F2F, Web form … (needed)' },
  {
    role: 'customer',
    label: 'Customer reference',
    hint: 'Pseudonymised unless you untick it below: only whether two contacts are the same customer’s is used',
  },
  { role: 'request', label: 'Request reference', hint: 'A case or enquiry number: contacts per request (NI14)' },
  { role: 'reason', label: 'Reason', hint: 'Why the customer made contact' },
  { role: 'service', label: 'Service', hint: 'The service or department the contact was for' },
  {
    role: 'datetime',
    label: 'Date and time',
    hint: 'Read day first: 14/03/2025 09:05, 2025-03-14 09:05 or 14 Mar 2025',
  },
  { role: 'handling', label: 'Handling time', hint: 'Minutes (12, 12.5), m:ss (12:30) or h:mm:ss (1:02:00)' },
  { role: 'resolved', label: 'Resolved at first contact', hint: 'Y or N, yes or no, true or false, 1 or 0' },
];
/** The largest channel names file the mapping page takes. */
const MAX_CHANNEL_NAMES_BYTES = 1024 * 1024;

const tooLarge = (max: number) =>
  new HttpProblem(
    413,
    'file_too_large',
    'File too large',
    `The file is bigger than the portal accepts: files can be up to ${Math.max(1, Math.round(max / 1024 / 1024))} MB.`,
    'Split the file, or ask an administrator to import it with the command line (civic dataset import).',
  );
const csrfProblem = () =>
  new HttpProblem(
    403,
    'form_expired',
    'Form expired',
    'The form could not be checked (it may have expired).',
    'Go back, reload the page and try again.',
  );

/** Owner of a dataset's records: its partner, or the council's staff (who administer every dataset). */
export const ownsDataset = (viewer: Viewer, d: { partner: string | null }): boolean => ownsRecords(viewer, d.partner);

/** The job's owner: who started it, or the council's staff. */
function ownsJob(viewer: Viewer, job: Job): boolean {
  return (
    viewer.role === 'admin' ||
    viewer.role === 'analyst' ||
    (viewer.username !== null && job.createdBy === viewer.username)
  );
}

/**
 * Decides from the content, with the name's extension only to tell CSV from JSON; refuses
 * anything else (programs, images, PDFs, archives named .csv ...).
 */
export function checkUploadType(
  original: string,
  head: Buffer,
): { ok: true; format: 'csv' | 'xlsx' | 'json' | 'parquet' } | { ok: false; reason: string } {
  const ext = extname(original).toLowerCase();
  if (!ACCEPTED.includes(ext))
    return {
      ok: false,
      reason: `Files of type "${ext || 'none'}" cannot be imported. Upload a CSV, XLSX, JSON or Parquet file.`,
    };
  const format = detectFormat(`upload${ext}`, head.subarray(0, 4));
  if (ext === '.xlsx' && format !== 'xlsx')
    return {
      ok: false,
      reason: 'The file is named .xlsx but is not an Excel workbook. Save it again from Excel as .xlsx, or export CSV.',
    };
  if (ext === '.parquet' && format !== 'parquet')
    return { ok: false, reason: 'The file is named .parquet but is not a Parquet file.' };
  if (format === 'xlsx' || format === 'parquet') return { ok: true, format };
  const magic: [string, number[]][] = [
    ['a PDF', [0x25, 0x50, 0x44, 0x46]],
    ['an image', [0x89, 0x50, 0x4e, 0x47]],
    ['an image', [0xff, 0xd8, 0xff]],
    ['an image', [0x47, 0x49, 0x46, 0x38]],
    ['a program', [0x7f, 0x45, 0x4c, 0x46]],
    ['a program', [0x4d, 0x5a]],
    ['a compressed file', [0x1f, 0x8b]],
    ['an old Excel or Word file', [0xd0, 0xcf, 0x11, 0xe0]],
  ];
  for (const [what, bytes] of magic)
    if (bytes.every((b, i) => head[i] === b))
      return {
        ok: false,
        reason: `The file is ${what}, not a table of data. Upload a CSV, XLSX, JSON or Parquet file.`,
      };
  const utf16 =
    (head[0] === 0xff && head[1] === 0xfe) ||
    (head[0] === 0xfe && head[1] === 0xff) ||
    (head.length > 3 && (head[1] === 0 || head[0] === 0) && head[2] !== 0);
  if (!utf16 && head.includes(0))
    return { ok: false, reason: 'The file contains binary data, so it is not a CSV or JSON text file.' };
  if (ext === '.json') {
    const text = head
      .toString('utf8')
      .replace(/^\uFEFF/, '')
      .trimStart();
    if (!text.startsWith('[') && !text.startsWith('{'))
      return {
        ok: false,
        reason: 'The file is named .json but does not hold JSON (an array of records, or one record per line).',
      };
    return { ok: true, format: 'json' };
  }
  return { ok: true, format: 'csv' };
}

/** A file name as sent by a browser: a name only. Anything with a path in it is refused. */
export function safeOriginalName(name: string | undefined): string | null {
  if (!name || name.length > 255) return null;
  if (/[/\\\u0000-\u001f]/.test(name) || name.includes('..') || name.startsWith('.')) return null;
  return name;
}

/** Columns that look personal, each with its reason: proposed (ticked) for pseudonymisation on the mapping page. The postcode stays readable. */
const personalColumns = (pending: Inspected, postcode: string | null) =>
  (pending.personal ?? []).filter((p) => !postcode || p.column.toLowerCase() !== postcode.toLowerCase());

function guessPostcode(header: string[]): string | null {
  for (const p of POSTCODE_HEADER) {
    const h = header.find((x) => p.test(x));
    if (h) return h;
  }
  return null;
}

/** Row accounts as a viewer may see them: exact for the owner, with small counts hidden for anyone else. */
function accountsFor(viewer: Viewer, d: DatasetSummary) {
  const a = datasetAccount(d, viewer);
  return {
    ...d,
    file: a.file,
    owner: a.ownRecords,
    shown: { read: a.read, matched: a.matched, unmatched: a.unmatched, rejected: a.rejected, matchRate: a.matchRate },
  };
}

export async function datasetRoutes(app: FastifyInstance): Promise<void> {
  await failAbandonedJobs(app.engine);
  const uploadDir = app.settings.uploadDir;
  /** Files in the upload folder that this server is writing or reading now. */
  const inUse = new Set<string>();
  const workerLimits = () => ({
    memoryMb: app.settings.uploadWorkerMemoryMb,
    timeoutMs: app.settings.uploadWorkerTimeoutMs,
  });

  /**
   * Removes what should no longer be in the upload folder: uploads that waited longer than
   * uploadTtlHours for their mapping (their jobs are marked failed), and any file no waiting upload
   * holds (left by a refused upload, a crash or a server that stopped). At start-up every such file
   * goes; later, only those untouched for an hour (an upload may be arriving).
   */
  const sweepUploads = async (startup: boolean) => {
    const keep = new Set<string>();
    const expiry = Date.now() - app.settings.uploadTtlHours * 3600_000;
    for (const job of await waitingJobs(app.engine, IMPORT_JOB)) {
      const file = (job.result as PendingUpload | null)?.file;
      if (Date.parse(job.createdAt) < expiry) {
        await failWaitingJob(
          app.engine,
          job.id,
          'The upload waited too long for its columns to be mapped and was removed. Upload the file again.',
        );
        if (file) await rm(file, { force: true });
      } else if (file) keep.add(file);
    }
    let names: string[];
    try {
      names = await readdir(uploadDir);
    } catch {
      return;
    }
    for (const n of names) {
      const f = join(uploadDir, n);
      if (keep.has(f) || inUse.has(f)) continue;
      if (!startup) {
        const st = await stat(f).catch(() => null);
        if (!st || Date.now() - st.mtimeMs < 3600_000) continue;
      }
      await rm(f, { force: true, recursive: true });
    }
  };
  await sweepUploads(true);
  const sweeper = setInterval(() => {
    void sweepUploads(false).catch((e) => app.log.error(e));
  }, 15 * 60_000);
  sweeper.unref();
  app.addHook('onClose', async () => clearInterval(sweeper));

  /** Reads the upload once, in a worker with bounded memory (Parquet: by DuckDB), for the mapping page. */
  const inspect = async (file: string, format: string, shown: string): Promise<Inspected> => {
    // A workbook's zip directory and unpacked size are checked here first: in milliseconds to about a
    // second, streaming (inflating on the thread pool, 1 MB at a time), before a worker is started.
    if (format === 'xlsx') await checkWorkbookLimits(file, shown, app.settings.readLimits);
    if (format === 'parquet') {
      const table = await readSourceTable(file, { limits: app.settings.readLimits }, app.engine);
      const preview = table.rows
        .slice(0, PREVIEW_ROWS)
        .map((r) => ({ rowNo: r.rowNo, values: table.header.map((_, i) => r.values[i] ?? '') }));
      return {
        header: table.header,
        preview,
        total: table.rows.length,
        sheet: null,
        personal: detectPersonalColumns(
          table.header,
          table.rows.map((r) => r.values),
        ),
      };
    }
    return runUploadTask<Inspected>(
      { task: 'inspect', file, limits: app.settings.readLimits, previewRows: PREVIEW_ROWS },
      workerLimits(),
      shown,
    );
  };

  const uploadPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
    status = 200,
  ) =>
    app.page(
      request,
      reply,
      'upload.njk',
      {
        title: 'Upload a dataset',
        maxMb: Math.max(1, Math.round(app.settings.maxUploadBytes / 1024 / 1024)),
        ...extra,
      },
      status,
    );

  app.get('/datasets', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const datasets = (await listDatasets(app.engine)).map((d) => accountsFor(request.viewer, d));
    // A contact log's own analyses are reached from its row too.
    const contactLogs = (await visibleContactLogs(app.engine, request.viewer)).map((d) => d.name);
    return app.page(request, reply, 'datasets.njk', {
      title: 'Datasets',
      datasets,
      contactLogs,
      minCell: DEFAULT_MIN_CELL,
    });
  });

  app.get('/datasets/upload', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) =>
    uploadPage(request, reply),
  );

  // The token is read from the form's fields, which come before the file, and checked before anything is written.
  app.post(
    '/datasets/upload',
    // The file is kept for mapping; nothing an analysis reads changes until its import finishes.
    { config: { roles: ANALYSTS_AND_PARTNERS, csrfInFormFields: true, changes: [] } },
    async (request, reply) => {
      requireMultipart(request);
      const viewer = request.viewer;
      const fields: Record<string, string> = {};
      let tmp: string | null = null;
      let original: string | undefined;
      let bytes = 0;
      let head = Buffer.alloc(0);
      const csrfOk = () =>
        viewer.via !== 'session' || fields._csrf === viewer.csrf || request.headers['x-csrf-token'] === viewer.csrf;
      try {
        for await (const part of request.parts()) {
          if (part.type === 'file') {
            // The form puts its token before the file, so nothing is written for a forged form.
            if (!csrfOk()) {
              part.file.resume();
              throw csrfProblem();
            }
            if (tmp) {
              part.file.resume();
              continue;
            }
            original = part.filename;
            if (!original) {
              part.file.resume();
              continue;
            } // no file chosen
            await mkdir(uploadDir, { recursive: true, mode: 0o700 });
            tmp = join(uploadDir, `${randomUUID()}.part`);
            inUse.add(tmp);
            await pipeline(part.file, createWriteStream(tmp, { flags: 'wx', mode: 0o600 }));
            if (part.file.truncated) throw tooLarge(app.settings.maxUploadBytes);
          } else {
            fields[part.fieldname] = String(part.value ?? '');
          }
        }
        if (!csrfOk()) throw csrfProblem();
        if (tmp) {
          const fh = await open(tmp, 'r');
          try {
            const b = Buffer.alloc(65536);
            const { bytesRead } = await fh.read(b, 0, b.length, 0);
            head = b.subarray(0, bytesRead);
            bytes = (await fh.stat()).size;
          } finally {
            await fh.close();
          }
        }
      } catch (e) {
        if (tmp) {
          await rm(tmp, { force: true });
          inUse.delete(tmp);
        }
        throw e;
      }
      const name = (fields.name ?? '').trim().toLowerCase();
      const title = (fields.title ?? '').trim() || null;
      const kind = fields.kind === 'contacts' ? 'contacts' : null;
      const form = { name: fields.name ?? '', title: fields.title ?? '', kind: kind ?? 'records' };
      const refuse = async (error: string, href: string, status = 400) => {
        if (tmp) {
          await rm(tmp, { force: true });
          inUse.delete(tmp);
        }
        return uploadPage(request, reply, { errorTitle: true, error, href, form }, status);
      };
      try {
        validateDatasetName(name);
      } catch (e) {
        return refuse(`${(e as Error).message} ${(e as ObservatoryError).fix ?? ''}`.trim(), '#name');
      }
      if (await app.services.catalogue.datasetExists(name))
        return refuse(`There is already a dataset called "${name}". Choose another name.`, '#name');
      if (!tmp || original === undefined) return refuse('Choose a file to upload.', '#file');
      const shown = safeOriginalName(original);
      if (!shown)
        return refuse(
          'The file name cannot be used: it holds a path or characters that are not allowed. Rename the file and try again.',
          '#file',
        );
      if (bytes === 0) return refuse('The file is empty.', '#file');
      const type = checkUploadType(shown, head);
      if (!type.ok) return refuse(type.reason, '#file', 415);
      const file = join(uploadDir, `${randomUUID()}.${type.format}`);
      inUse.add(file);
      let inspected: Inspected;
      try {
        await rename(tmp, file);
        inUse.delete(tmp);
        // Refuses now what cannot be read (or is over a limit), with a plain reason; keeps the header and first rows.
        inspected = await inspect(file, type.format, shown);
      } catch (e) {
        await rm(file, { force: true });
        await rm(tmp, { force: true });
        if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
        return uploadPage(
          request,
          reply,
          { errorTitle: true, error: `${e.message}${e.fix ? ' ' + e.fix : ''}`, href: '#file', form },
          e.code === 'input_too_large' ? 413 : 400,
        );
      } finally {
        inUse.delete(file);
        inUse.delete(tmp);
      }
      const pending: PendingUpload = {
        file,
        original: shown,
        bytes,
        format: type.format,
        name,
        title,
        partner: viewer.role === 'partner' ? viewer.partner : null,
        kind,
        ...inspected,
      };
      const job = await createJob(app.engine, IMPORT_JOB, viewer.username, pending, 'column mapping');
      await audit(
        app.engine,
        viewer,
        'upload',
        `${name}: ${shown} (${bytes} bytes, ${type.format}${kind ? ', a contact log' : ''})`,
        request.ip,
      );
      return reply.redirect(`/uploads/${job.id}`, 303);
    },
  );

  async function pendingUpload(request: FastifyRequest): Promise<{ job: Job; pending: PendingUpload }> {
    const { id } = request.params as { id: string };
    const job = await getJob(app.engine, id);
    if (job.kind !== IMPORT_JOB || !ownsJob(request.viewer, job))
      throw new HttpProblem(404, 'page_not_found', 'Page not found', 'There is no such upload.');
    if (job.status !== 'waiting')
      throw new HttpProblem(
        409,
        'already_started',
        'Already started',
        'This upload has already been imported or is being imported.',
        `See /jobs/${job.id}.`,
      );
    return { job, pending: job.result as PendingUpload };
  }

  const mappingPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    job: Job,
    pending: PendingUpload,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    reply.header('cache-control', 'no-store'); // the preview shows records
    // Drawn from what was read at upload time: the file is not read again on every visit.
    const table = { header: pending.header, total: pending.total };
    const rows = pending.preview;
    const m = pending.mapping;
    const postcode =
      (extra.postcode as string | undefined) ??
      (m
        ? (Object.entries(m.map).find(([, to]) => to === m.postcodeColumn)?.[0] ?? m.postcodeColumn)
        : guessPostcode(table.header));
    // Personal-looking columns are ticked to start with, each with its reason; the postcode (and a
    // UPRN) stay readable, and the page says why.
    const personal = personalColumns(pending, postcode || null);
    const reasons: Record<string, string> = Object.assign(
      Object.create(null),
      Object.fromEntries(personal.map((p) => [p.column, `Looks personal: ${p.reason}.`])),
    );
    // A contact log: each part's column, guessed from the columns' names as the import guesses them.
    const contacts = pending.kind === 'contacts';
    const guessed = contacts ? findContactColumns(table.header, {}, pending.original) : null;
    const parts = (extra.parts as Partial<Record<ContactRole, string>> | undefined) ?? guessed ?? {};
    const customer = contacts ? (parts.customer ?? null) : null;
    if (customer) reasons[customer] = 'A contact log’s customer reference: pseudonymised unless you untick it.';
    const pseudonymiseByDefault = [
      ...personal.map((p) => p.column),
      ...(customer && !personal.some((p) => p.column === customer) ? [customer] : []),
    ];
    if (postcode && table.header.includes(postcode))
      for (const c of clearForMatching(table.header, postcode))
        reasons[c.column] ??= c.reason.replace(/^kept readable/, 'Kept readable') + '.';
    return app.page(
      request,
      reply,
      'upload-map.njk',
      {
        title: 'Check the file and map its columns',
        job,
        upload: {
          name: pending.name,
          title: pending.title,
          original: pending.original,
          bytes: pending.bytes,
          format: pending.format,
          partner: pending.partner,
          kind: pending.kind ?? null,
        },
        header: table.header,
        rows,
        total: table.total,
        postcode,
        pseudonymise: pseudonymiseByDefault,
        contacts,
        contactParts: CONTACT_PARTS.map((p) => ({ ...p, value: parts[p.role] ?? '' })),
        handlingUnit: 'minutes',
        encode: [] as string[],
        renames: {} as Record<string, string>,
        listed: [] as string[],
        flags: [] as string[],
        saveAs: '',
        mappings: (await listMappings(app.engine, pending.partner)).map((x) => x.name),
        reasons,
        noKey: !app.settings.pseudonymKey,
        ...extra,
      },
      status,
    );
  };

  app.get('/uploads/:id', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const { job, pending } = await pendingUpload(request);
    const chosen = String((request.query as Record<string, unknown>).mapping ?? '').trim();
    if (!chosen) return mappingPage(request, reply, job, pending);
    // A saved mapping of the uploader's organisation fills the form in; it is checked against this
    // file's columns, and nothing starts until the form is sent.
    let saved: SavedMapping;
    try {
      saved = await getMapping(app.engine, chosen, pending.partner);
    } catch (e) {
      if (!(e instanceof ObservatoryError)) throw e;
      return mappingPage(request, reply, job, pending, { errorTitle: true, error: e.message, href: '#mapping' }, 400);
    }
    const header = pending.header;
    const back = new Map(Object.entries(saved.map ?? {}).map(([from, to]) => [to, from]));
    const source = (c: string) => back.get(c) ?? c;
    const missing = [...Object.keys(saved.map ?? {}), ...(saved.postcodeColumn ? [source(saved.postcodeColumn)] : [])]
      .concat((saved.options?.listed ?? []).map(source), (saved.options?.flags ?? []).map(source))
      .filter((c, i, all) => !header.includes(c) && all.indexOf(c) === i);
    const inFile = (cols: string[] | undefined) => (cols ?? []).map(source).filter((c) => header.includes(c));
    const extra = {
      postcode:
        saved.postcodeColumn && header.includes(source(saved.postcodeColumn))
          ? source(saved.postcodeColumn)
          : undefined,
      pseudonymise: [
        ...new Set([...personalColumns(pending, null).map((p) => p.column), ...inFile(saved.pseudonymise)]),
      ]
        .concat(inFile(saved.encodeForLinkage))
        .filter((c, i, all) => !inFile(saved.keepInClear).includes(c) && all.indexOf(c) === i),
      encode: inFile(saved.encodeForLinkage),
      addressColumns: inFile(saved.addressColumns),
      uprnColumn: inFile(saved.uprnColumn ? [saved.uprnColumn] : [])[0],
      renames: Object.fromEntries(Object.entries(saved.map ?? {}).filter(([from]) => header.includes(from))),
      listed: inFile(saved.options?.listed),
      flags: inFile(saved.options?.flags),
      saveAs: chosen,
      chosenMapping: chosen,
      // A contact log's parts as saved, where this file has their columns.
      ...(pending.kind === 'contacts' && saved.contactColumns
        ? {
            parts: Object.fromEntries(
              Object.entries(saved.contactColumns)
                .map(([role, c]) => [role, source(c ?? '')])
                .filter(([, c]) => c === '' || header.includes(c)),
            ),
            handlingUnit: saved.handlingUnit ?? 'minutes',
          }
        : {}),
    };
    if (missing.length)
      return mappingPage(
        request,
        reply,
        job,
        pending,
        {
          ...extra,
          errorTitle: true,
          error: `The saved mapping "${chosen}" names ${missing.length === 1 ? 'a column' : 'columns'} this file does not have: ${missing.join(', ')}. Check the choices below, then save them again under the same name.`,
          href: '#mapping',
        },
        400,
      );
    return mappingPage(request, reply, job, pending, extra);
  });

  /**
   * The mapping form's fields, and a channel names file if one was sent. A contact log's form is
   * multipart (it may carry the file): its token is read from the fields, which come before the
   * file, and checked before the file is read.
   */
  const mappingForm = async (
    request: FastifyRequest,
  ): Promise<{ body: Record<string, string | string[]>; names: { file: string; text: string } | null }> => {
    if (!request.isMultipart()) return { body: (request.body ?? {}) as Record<string, string | string[]>, names: null };
    const viewer = request.viewer;
    const body: Record<string, string | string[]> = {};
    let names: { file: string; text: string } | null = null;
    const csrfOk = () =>
      viewer.via !== 'session' || body._csrf === viewer.csrf || request.headers['x-csrf-token'] === viewer.csrf;
    for await (const part of request.parts({
      limits: { files: 1, fields: 5000, fileSize: MAX_CHANNEL_NAMES_BYTES },
    })) {
      if (part.type === 'file') {
        if (!csrfOk()) {
          part.file.resume();
          throw csrfProblem();
        }
        const chunks: Buffer[] = [];
        for await (const c of part.file) chunks.push(c as Buffer);
        if (part.file.truncated)
          throw new HttpProblem(
            413,
            'file_too_large',
            'File too large',
            'The channel names file is bigger than the portal accepts: up to 1 MB.',
            'A channel names file is a short CSV of written,channel: one row per name.',
          );
        if (part.filename && chunks.length)
          names = {
            file: safeOriginalName(part.filename) ?? 'the channel names file',
            text: Buffer.concat(chunks).toString('utf8'),
          };
      } else {
        const v = String(part.value ?? '');
        const had = body[part.fieldname];
        body[part.fieldname] = had === undefined ? v : [...(Array.isArray(had) ? had : [had]), v];
      }
    }
    if (!csrfOk()) throw csrfProblem();
    return { body, names };
  };

  app.post(
    '/uploads/:id',
    { config: { roles: ANALYSTS_AND_PARTNERS, changes: [], csrfInFormFields: true } },
    async (request, reply) => {
      const { job, pending } = await pendingUpload(request);
      const { body, names: namesFile } = await mappingForm(request);
      const list = (v: string | string[] | undefined) => (v === undefined ? [] : Array.isArray(v) ? v : [v]);
      const header = pending.header;
      const postcode = String(body.postcode ?? '');
      // A column encoded for linkage is pseudonymised too, as a Bloom filter instead of a hash.
      const encode = list(body.encode_for_linkage).filter((c) => header.includes(c));
      const pseudo = [...new Set([...list(body.pseudonymise), ...encode])].filter((c) => header.includes(c));
      const renames: Record<string, string> = {};
      header.forEach((h, i) => {
        const v = String(body[`rename_${i}`] ?? '').trim();
        if (v && v !== h) renames[h] = v;
      });
      const listed = list(body.options_listed).filter((c) => header.includes(c));
      const flags = list(body.options_flags).filter((c) => header.includes(c));
      const saveAs = String(body.save_mapping ?? '').trim();
      // The address's columns in the file's order, and the records' own UPRNs: each record's property reference.
      const addressColumns = header.filter((h) => list(body.address_columns).includes(h));
      const uprnColumn = header.includes(String(body.uprn_column ?? '')) ? String(body.uprn_column) : undefined;
      // A contact log: which column is each part, and the unit of plain-number handling times.
      const contacts = pending.kind === 'contacts';
      const parts: Partial<Record<ContactRole, string>> = {};
      if (contacts)
        for (const role of CONTACT_ROLES) {
          const v = String(body[`part_${role}`] ?? '');
          if (header.includes(v)) parts[role] = v;
        }
      const handlingUnit = String(body.handling_unit ?? '') === 'seconds' ? 'seconds' : 'minutes';
      const again = (error: string, href: string) =>
        mappingPage(
          request,
          reply,
          job,
          pending,
          {
            errorTitle: true,
            error,
            href,
            postcode,
            pseudonymise: pseudo,
            encode,
            addressColumns,
            uprnColumn,
            renames,
            listed,
            flags,
            saveAs,
            parts,
            handlingUnit,
          },
          400,
        );
      if (saveAs) {
        try {
          validateMappingName(saveAs);
        } catch (e) {
          if (!(e instanceof ObservatoryError)) throw e;
          return again(`${e.message} ${e.fix ?? ''}`.trim(), '#save-mapping');
        }
      }
      const both = listed.find((c) => flags.includes(c));
      if (both) return again(`"${both}" cannot both list options and hold yes or no: choose one.`, '#options');
      const hidden = [...listed, ...flags].find((c) => pseudo.includes(c));
      if (hidden)
        return again(
          `"${hidden}" is to be pseudonymised, so its options cannot be read. Untick one of the two.`,
          '#options',
        );
      if (!header.includes(postcode)) return again('Choose the column that holds postcodes.', '#postcode');
      if (encode.includes(postcode))
        return again(
          'The postcode column cannot be encoded for linkage: it is needed to place each record.',
          '#encode-for-linkage',
        );
      if (pseudo.includes(postcode))
        return again(
          'The postcode column cannot be pseudonymised: it is needed to place each record.',
          '#pseudonymise',
        );
      if (contacts) {
        if (!parts.channel) return again('Choose the column that holds each contact’s channel.', '#part-channel');
        const taken = new Map<string, ContactRole>();
        for (const role of CONTACT_ROLES) {
          const c = parts[role];
          if (!c) continue;
          if (taken.has(c))
            return again(
              `"${c}" is chosen for both the ${taken.get(c)} and the ${role}: choose one column for each part.`,
              `#part-${role}`,
            );
          taken.set(c, role);
        }
        if (parts.channel === postcode)
          return again('The postcode column cannot be the channel: choose the column of channels.', '#part-channel');
        if (pseudo.includes(parts.channel))
          return again(
            'The channel column cannot be pseudonymised: its channels are what the analyses count.',
            '#pseudonymise',
          );
      }
      if (pseudo.length && !app.settings.pseudonymKey) {
        const e = missingKeyError(pseudo, 'portal');
        return again(`${e.message} ${e.fix}`, '#pseudonymise');
      }
      // A personal-looking column left unticked is kept readable on purpose: the import records who chose it.
      const keepInClear = [
        ...personalColumns(pending, postcode).map((p) => p.column),
        // A contact log's customer reference is pseudonymised unless unticked: then kept on purpose.
        ...(parts.customer ? [parts.customer] : []),
      ].filter((c, i, all) => !pseudo.includes(c) && all.indexOf(c) === i);
      // The channel names file, read now: a mistake names its file, row and column, and nothing starts.
      let channelNames: Map<string, string> | undefined;
      if (contacts && namesFile) {
        try {
          channelNames = readChannelNames(namesFile.text, namesFile.file);
        } catch (e) {
          if (!(e instanceof ObservatoryError)) throw e;
          const at = e.location;
          const where = [
            at.file ? `file ${at.file}` : '',
            at.row !== undefined ? `row ${at.row}` : '',
            at.column ? `column "${at.column}"` : '',
          ]
            .filter(Boolean)
            .join(', ');
          return again(`${e.message}${where ? ` (${where})` : ''} ${e.fix ?? ''}`.trim(), '#channel-names');
        }
      }
      const finalNames = header.map((h) => renames[h] ?? h);
      const bad = Object.values(renames).find((n) => INTERNAL_COLUMN.test(n) || n.length > 64);
      if (bad)
        return again(
          `"${bad}" cannot be used as a column name: names cannot start with "_" or be longer than 64 characters.`,
          '#renames',
        );
      const dup = finalNames.find((n, i) => finalNames.findIndex((x) => x.toLowerCase() === n.toLowerCase()) !== i);
      if (dup) return again(`Two columns would both be called "${dup}". Give each column its own name.`, '#renames');
      const mapping: ImportMapping = {
        postcodeColumn: renames[postcode] ?? postcode,
        map: renames,
        pseudonymise: pseudo.filter((c) => !encode.includes(c)).map((c) => renames[c] ?? c),
        keepInClear: keepInClear.map((c) => renames[c] ?? c),
        encodeForLinkage: encode.length ? encode.map((c) => renames[c] ?? c) : undefined,
        addressColumns: addressColumns.length ? addressColumns.map((c) => renames[c] ?? c) : undefined,
        uprnColumn: uprnColumn ? (renames[uprnColumn] ?? uprnColumn) : undefined,
        options:
          listed.length || flags.length
            ? { listed: listed.map((c) => renames[c] ?? c), flags: flags.map((c) => renames[c] ?? c) }
            : undefined,
        saveMapping: saveAs || undefined,
        ...(contacts
          ? {
              kind: 'contacts' as const,
              // A part left at "None" is none, not guessed again from the names.
              contactColumns: Object.fromEntries(
                CONTACT_ROLES.map((role) => {
                  const c = parts[role];
                  return [role, c ? (renames[c] ?? c) : ''];
                }),
              ) as Partial<Record<ContactRole, string>>,
              handlingUnit,
              channelNames: channelNames ? [...channelNames] : undefined,
            }
          : {}),
      };
      await updateWaitingJob(app.engine, job.id, { ...pending, mapping }, 'importing');
      const viewer = request.viewer,
        ip = request.ip;
      const prepared = `${pending.file}.rows.csv`;
      // Anything but a clean CSV (which DuckDB reads itself) and Parquet is read in a worker with bounded memory.
      const prepare =
        pending.format === 'parquet'
          ? undefined
          : () =>
              runUploadTask<PreparedTable>(
                { task: 'prepare', file: pending.file, out: prepared, limits: app.settings.readLimits, previewRows: 0 },
                workerLimits(),
                pending.original,
              );
      inUse.add(pending.file);
      inUse.add(prepared);
      await runJob(
        app.engine,
        job.id,
        async (progress) => {
          try {
            return await importDataset(app.engine, pending.name, pending.file, {
              postcodeColumn: mapping.postcodeColumn,
              map: mapping.map,
              pseudonymise: mapping.pseudonymise,
              keepInClear: mapping.keepInClear,
              encodeForLinkage: mapping.encodeForLinkage,
              addressColumns: mapping.addressColumns,
              uprnColumn: mapping.uprnColumn,
              options: mapping.options,
              saveMapping: mapping.saveMapping,
              kind: mapping.kind,
              contactColumns: mapping.contactColumns,
              handlingUnit: mapping.handlingUnit,
              channelNames: mapping.channelNames ? new Map(mapping.channelNames) : undefined,
              title: pending.title ?? undefined,
              partner: pending.partner ?? undefined,
              sourceName: pending.original,
              onProgress: progress,
              limits: app.settings.readLimits,
              prepare,
              key: app.settings.pseudonymKey,
              decidedBy: { username: viewer.username, role: viewer.role, ip },
            });
          } catch (e) {
            // The file is named as the uploader knows it, never by its path on the server.
            if (e instanceof ObservatoryError && e.location.file) e.location.file = pending.original;
            throw e;
          } finally {
            await rm(prepared, { force: true });
          }
        },
        async (outcome) => {
          app.results.invalidate(['datasets']); // a new dataset (or a replaced one) changes what the analyses see
          if (outcome.ok) {
            const r = outcome.result as DatasetImportResult;
            await audit(
              app.engine,
              viewer,
              'import',
              `${r.dataset}: read ${r.read} = matched ${r.matched} + unmatched ${r.unmatched} + rejected ${r.rejected}`,
              ip,
            );
            await rm(pending.file, { force: true }); // the records now live in the workspace
          } else {
            await audit(app.engine, viewer, 'import failed', `${pending.name}: ${outcome.error.message}`, ip);
            await rm(pending.file, { force: true });
          }
          inUse.delete(pending.file);
          inUse.delete(prepared);
        },
      );
      return reply.redirect(`/jobs/${job.id}`, 303);
    },
  );

  const jobView = (job: Job) => {
    const r = job.status === 'done' ? (job.result as DatasetImportResult) : null;
    const pct = job.total > 0 ? Math.min(100, Math.round((job.done / job.total) * 100)) : null;
    return {
      id: job.id,
      kind: job.kind,
      status: job.status,
      stage: job.stage,
      done: job.done,
      total: job.total,
      percent: pct,
      message: job.message,
      createdAt: job.createdAt,
      finishedAt: job.finishedAt,
      result: r
        ? {
            dataset: r.dataset,
            read: r.read,
            matched: r.matched,
            unmatched: r.unmatched,
            rejected: r.rejected,
            corrected: r.corrected,
            terminated: r.terminated,
            columns: r.columns,
            pseudonymised: r.pseudonymised,
            keptInClear: r.keptInClear ?? [],
            encoded: (r.privacy ?? []).filter((p) => p.decision === 'encoded for linkage').map((p) => p.column),
            privacy: r.privacy ?? [],
            postcodeColumn: r.postcodeColumn,
            reasons: r.reasons,
            options: r.options ? describeOptions(r.options) : [],
            savedMapping: r.savedMapping ?? null,
            channels: r.channels ? describeChannels(r.channels) : null,
            contactLog: r.contactLog
              ? describeContactLog(r.contactLog, 'choose its column on the mapping page next time if the file has it')
              : [],
            addressing: r.addressing ? describeAddressing(r.addressing) : [],
          }
        : null,
    };
  };

  async function ownJob(request: FastifyRequest, id: string): Promise<Job> {
    const job = await getJob(app.engine, id);
    if (!ownsJob(request.viewer, job))
      throw new HttpProblem(404, 'page_not_found', 'Page not found', 'There is no such job.');
    return job;
  }

  app.get('/jobs/:id.json', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const job = await ownJob(request, (request.params as { id: string }).id);
    return reply.header('cache-control', 'no-store').send(jobView(job));
  });

  app.get('/jobs/:id', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const job = await ownJob(request, (request.params as { id: string }).id);
    if (job.status === 'waiting') return reply.redirect(`/uploads/${job.id}`, 303);
    reply.header('cache-control', 'no-store');
    const v = jobView(job);
    const heading = v.status === 'done' ? 'Import finished' : v.status === 'failed' ? 'Import failed' : 'Importing';
    return app.page(request, reply, 'job.njk', { title: heading, job: v, running: v.status === 'running' });
  });

  app.get('/datasets/:name/rejects', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const { name } = request.params as { name: string };
    const d = (await listDatasets(app.engine)).find((x) => x.name === name);
    if (!d) throw new HttpProblem(404, 'page_not_found', 'Page not found', `There is no dataset called "${name}".`);
    if (!ownsDataset(request.viewer, d))
      throw new HttpProblem(
        403,
        'not_allowed',
        'Not allowed',
        'Only the organisation that owns this dataset can see its records.',
      );
    const issues = await datasetIssues(app.engine, name, { limit: REJECTS_SHOWN });
    await audit(app.engine, request.viewer, 'view rejects', name, request.ip);
    reply.header('cache-control', 'no-store');
    return app.page(request, reply, 'rejects.njk', {
      title: `Rows not placed: ${d.title ?? d.name}`,
      dataset: d,
      issues,
      shownMax: REJECTS_SHOWN,
    });
  });
}
