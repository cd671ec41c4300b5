/**
 * Journeys made and changed in the portal (issue 14 point 5; decision 0033), without JavaScript:
 * uploading a spreadsheet from the template (read by the same reader as `civic journey import`, in
 * a worker with bounded memory, all or nothing, every problem named by sheet, row and column);
 * making a journey; changing its own fields; adding, changing, moving and deleting a step (deleting
 * asks first); publishing it for everyone signed in; deleting it. Forms post, are checked on the
 * server and redirect with 303, or show again with a GOV.UK error summary linking to each field.
 *
 * Who may: the journey's owners (its partner's people, and the council's staff), as access.ts says;
 * a draft is not there for anyone else. Agents and the public never see the forms (the routes'
 * roles). Every POST carries the session's CSRF token (app.ts; the upload reads it from the form's
 * fields before it writes the file).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ObservatoryError } from '../../core/index.ts';
import { CHANNELS, checkWorkbookLimits } from '../../intake/index.ts';
import { channelName } from '../../channels/index.ts';
import {
  addStep,
  journeyFieldsFrom,
  journeyFieldsOf,
  moveStep,
  readJourneyFields,
  readStepFields,
  removeStep,
  replaceStep,
  stepFieldsFrom,
  stepFieldsOf,
  JourneyStepSchema,
  type FieldProblem,
  type Journey,
  type JourneyFields,
  type JourneyProblem,
  type StepFields,
  type StoredJourney,
} from '../../journeys/index.ts';
import { journeyAccess, journeyOwnerFor, makesJourneys, noSuchJourney } from '../access.ts';
import { ANALYSTS_AND_PARTNERS, HttpProblem, requireMultipart } from '../http.ts';
import { audit, type Viewer } from '../users.ts';
import { runUploadTask } from '../uploads.ts';
import type { JourneyUploadResult } from '../upload-worker.ts';
import { checkUploadType, safeOriginalName } from './datasets.ts';

/** Words the portal uses in journeys' addresses, so a journey may not be called them. */
export const RESERVED_JOURNEY_NAMES = ['new', 'upload', 'circles'] as const;
/** A journey spreadsheet is small: Kay's 16 steps are 5 KB as CSV, 12 KB as XLSX. */
export const JOURNEY_UPLOAD_MAX_BYTES = 2 * 1024 * 1024;
/** The memory (MB) the worker reading one journey file may use. */
const JOURNEY_WORKER_MB = 512;
/** Problems listed in the error summary; the rest are counted. */
const PROBLEMS_SHOWN = 50;

const csrfProblem = () =>
  new HttpProblem(
    403,
    'form_expired',
    'Form expired',
    'The form could not be checked (it may have expired).',
    'Go back, reload the page and try again.',
  );

/** Pounds and pence as the journeys pages write them; blank for none. */
export const money = (n: number | null) =>
  n === null ? '' : `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

/** The journeys a viewer may see, each with what the viewer may do with it. */
export async function visibleJourneys(
  app: FastifyInstance,
  viewer: Viewer,
): Promise<(StoredJourney & { access: { see: boolean; edit: boolean } })[]> {
  return (await app.services.journeys.stored())
    .map((s) => ({ ...s, access: journeyAccess(viewer, s.entry) }))
    .filter((s) => s.access.see);
}

/**
 * The journey asked for, if the viewer may see it (and, for `edit`, change it). A draft of
 * someone else's and a name that is nobody's get the same 404; a published journey the viewer may
 * see but not change gets a 403.
 */
export async function journeyFor(
  app: FastifyInstance,
  viewer: Viewer,
  name: string,
  need: 'see' | 'edit' = 'see',
): Promise<StoredJourney> {
  const s = await app.services.journeys.find(name);
  const access = s ? journeyAccess(viewer, s.entry) : null;
  if (!s || !access?.see) throw noSuchJourney(name);
  if (need === 'edit' && !access.edit)
    throw new HttpProblem(
      403,
      'not_allowed',
      'Not allowed',
      `Only the owners of ${s.journey.title} can change it: ${s.entry.partner ?? 'the council'}.`,
      'Download it (CSV in the template’s columns), change it and upload it as a journey of your own.',
    );
  return s;
}

const fieldErrors = (problems: FieldProblem[]) => {
  const out: Record<string, string> = {};
  for (const p of problems) out[p.field] ??= p.message;
  return out;
};
const errorList = (problems: FieldProblem[]) => problems.map((p) => ({ text: p.message, href: `#${p.field}` }));

/** The channel choices: the vocabulary, no channel (an event), or the council's own. */
function channelItems(written: string) {
  const known = Object.keys(CHANNELS);
  const current = written.trim() ? channelName(written) : '';
  const isKnown = !current || known.includes(current);
  return {
    items: [
      { value: '', text: 'No contact: an event on the way', selected: !current },
      ...known.map((c) => ({ value: c, text: c.charAt(0).toUpperCase() + c.slice(1), selected: c === current })),
      { value: 'other', text: 'Another channel (say which below)', selected: !isKnown },
    ],
    other: isKnown ? '' : current,
  };
}

function stepView(f: StepFields) {
  const ch = channelItems(f.channel);
  return { ...f, channelItems: ch.items, otherChannel: ch.other };
}

function journeyView(app: FastifyInstance, f: JourneyFields) {
  return {
    ...f,
    unitCostItems: [
      { value: '', text: 'None: only the costs given on the steps', selected: !f.unitCosts },
      ...app.services.journeys.unitCostSets().map((n) => ({ value: n, text: n, selected: n === f.unitCosts })),
    ],
  };
}

const PLACEHOLDER_STEP = JourneyStepSchema.parse({ agency: 'a', service: 's' });
const BLANK_STEP: StepFields = stepFieldsFrom({});
const BLANK_JOURNEY: JourneyFields = journeyFieldsFrom({});

const editUrl = (name: string, done?: string) =>
  `/journeys/${encodeURIComponent(name)}/edit${done ? `?done=${encodeURIComponent(done)}` : ''}`;

/** What the editing page says was done, by the code the redirect carries. */
const DONE: Record<string, string> = {
  made: 'The journey is made, as a draft: only its owners see it until it is published.',
  uploaded: 'The journey is uploaded, as a draft: only its owners see it until it is published.',
  details: 'The journey’s details are saved.',
  added: 'The step is added.',
  changed: 'The step is saved.',
  moved: 'The step is moved.',
  deleted: 'The step is deleted.',
  published: 'The journey is published: everyone signed in can see it.',
  draft: 'The journey is a draft again: only its owners can see it.',
};

export async function journeyEditRoutes(app: FastifyInstance): Promise<void> {
  const uploadDir = app.settings.uploadDir;
  const editors = { roles: ANALYSTS_AND_PARTNERS, changes: [] as const };
  const mayMake = (request: FastifyRequest) => {
    if (!makesJourneys(request.viewer))
      throw new HttpProblem(
        403,
        'not_allowed',
        'Not allowed',
        'Your account belongs to no organisation, so journeys you made would have no owner.',
        'Ask an administrator to set your organisation.',
      );
  };
  const log = (request: FastifyRequest, action: string, detail: string) =>
    audit(app.engine, request.viewer, action, detail, request.ip);
  const body = (request: FastifyRequest) => (request.body ?? {}) as Record<string, unknown>;
  const stepNo = (request: FastifyRequest) => Number((request.params as { n: string }).n);
  const nameOf = (request: FastifyRequest) => (request.params as { name: string }).name;

  /** Saves a changed journey in place, keeping its owner and whether it is published. */
  const resave = async (request: FastifyRequest, s: StoredJourney, journey: Journey) => {
    await app.services.journeys.save([{ journey, partner: s.entry.partner, published: s.entry.published }], {
      by: request.viewer.username,
      replace: [journey.name],
    });
  };

  // ---- the editing page ---------------------------------------------------------------------------

  app.get('/journeys/:name/edit', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const measures = app.services.journeys.measure(s.journey);
    const done = DONE[String((request.query as Record<string, unknown>).done ?? '')] ?? null;
    return app.page(request, reply, 'journey-edit.njk', {
      title: `Change ${s.journey.title}`,
      journey: s.journey,
      entry: s.entry,
      done,
      cost: money(measures.cost.total),
      steps: s.journey.steps.map((st, i) => ({
        ...st,
        n: i + 1,
        contact: st.channel ? `${st.channel}${st.count > 1 ? ` × ${st.count}` : ''}` : 'event (not a contact)',
        cost: money(measures.stepCosts[i].cost),
      })),
    });
  });

  // ---- a new journey ------------------------------------------------------------------------------

  const newPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    j: JourneyFields,
    st: StepFields,
    problems: FieldProblem[] = [],
  ) =>
    app.page(
      request,
      reply,
      'journey-details.njk',
      {
        title: 'Make a new journey',
        isNew: true,
        errorTitle: problems.length > 0,
        errors: errorList(problems),
        fieldErrors: fieldErrors(problems),
        form: journeyView(app, j),
        step: stepView(st),
        owner: journeyOwnerFor(request.viewer),
      },
      problems.length ? 400 : 200,
    );

  app.get('/journeys/new', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    mayMake(request);
    return newPage(request, reply, BLANK_JOURNEY, BLANK_STEP);
  });

  app.post('/journeys/new', { config: editors }, async (request, reply) => {
    mayMake(request);
    const b = body(request);
    const jf = journeyFieldsFrom(b);
    const sf = stepFieldsFrom(b);
    const st = readStepFields(sf);
    const stepProblems = st.problems.map((p) => ({ ...p, field: `step-${p.field}` }));
    // The journey's fields are checked whatever is wrong with the step, so every problem shows at once.
    const jr = readJourneyFields(jf, ['step' in st ? st.step : PLACEHOLDER_STEP], {
      unitCostSets: app.services.journeys.unitCostSets(),
      reserved: RESERVED_JOURNEY_NAMES,
    });
    const problems = [...jr.problems, ...stepProblems];
    if (!problems.length && 'journey' in jr && (await app.services.journeys.find(jr.journey.name)))
      problems.push({
        field: 'name',
        message: `There is already a journey called ${jr.journey.name}: choose another short name`,
      });
    if (problems.length || !('journey' in jr)) return newPage(request, reply, jf, sf, problems);
    await app.services.journeys.save(
      [{ journey: jr.journey, partner: journeyOwnerFor(request.viewer), published: false }],
      { by: request.viewer.username, sourceFile: null },
    );
    await log(request, 'journey made', jr.journey.name);
    return reply.redirect(editUrl(jr.journey.name, 'made'), 303);
  });

  // ---- the journey's own fields -------------------------------------------------------------------

  const detailsPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    s: StoredJourney,
    j: JourneyFields,
    problems: FieldProblem[] = [],
  ) =>
    app.page(
      request,
      reply,
      'journey-details.njk',
      {
        title: `Change the details of ${s.journey.title}`,
        isNew: false,
        journey: s.journey,
        errorTitle: problems.length > 0,
        errors: errorList(problems),
        fieldErrors: fieldErrors(problems),
        form: journeyView(app, { ...j, name: s.journey.name }),
      },
      problems.length ? 400 : 200,
    );

  app.get('/journeys/:name/details', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    return detailsPage(request, reply, s, journeyFieldsOf(s.journey));
  });

  app.post('/journeys/:name/details', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    // The short name stays: it is the journey's address, and other journeys compare with it by it.
    const jf = { ...journeyFieldsFrom(body(request)), name: s.journey.name };
    const jr = readJourneyFields(jf, s.journey.steps, { unitCostSets: app.services.journeys.unitCostSets() });
    if (!('journey' in jr)) return detailsPage(request, reply, s, jf, jr.problems);
    await resave(request, s, jr.journey);
    await log(request, 'journey changed', `${s.journey.name}: details`);
    return reply.redirect(editUrl(s.journey.name, 'details'), 303);
  });

  app.post('/journeys/:name/publish', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const published = String(body(request).published ?? '') === 'yes';
    await app.services.journeys.publish(s.journey.name, published, request.viewer.username);
    await log(request, published ? 'journey published' : 'journey made a draft', s.journey.name);
    return reply.redirect(editUrl(s.journey.name, published ? 'published' : 'draft'), 303);
  });

  // ---- steps --------------------------------------------------------------------------------------

  const stepPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    s: StoredJourney,
    n: number | null,
    f: StepFields,
    stepProblems: FieldProblem[] = [],
  ) => {
    const problems = stepProblems.map((p) => ({ ...p, field: `step-${p.field}` }));
    return app.page(
      request,
      reply,
      'journey-step.njk',
      {
        title: n === null ? `Add a step to ${s.journey.title}` : `Change step ${n} of ${s.journey.title}`,
        journey: s.journey,
        n,
        action:
          n === null
            ? `/journeys/${encodeURIComponent(s.journey.name)}/steps/new`
            : `/journeys/${encodeURIComponent(s.journey.name)}/steps/${n}`,
        errorTitle: problems.length > 0,
        errors: errorList(problems),
        fieldErrors: fieldErrors(problems),
        step: stepView(f),
      },
      problems.length ? 400 : 200,
    );
  };

  const stepOf = (s: StoredJourney, n: number) => {
    if (!Number.isInteger(n) || n < 1 || n > s.journey.steps.length)
      throw new HttpProblem(404, 'page_not_found', 'Page not found', `${s.journey.title} has no step ${n}.`);
    return s.journey.steps[n - 1];
  };

  app.get('/journeys/:name/steps/new', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    return stepPage(request, reply, s, null, BLANK_STEP);
  });

  app.post('/journeys/:name/steps/new', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const f = stepFieldsFrom(body(request));
    const r = readStepFields(f);
    if (!('step' in r)) return stepPage(request, reply, s, null, f, r.problems);
    await resave(request, s, addStep(s.journey, r.step));
    await log(request, 'journey changed', `${s.journey.name}: step ${s.journey.steps.length + 1} added`);
    return reply.redirect(`${editUrl(s.journey.name, 'added')}#step-${s.journey.steps.length + 1}`, 303);
  });

  app.get('/journeys/:name/steps/:n', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const n = stepNo(request);
    return stepPage(request, reply, s, n, stepFieldsOf(stepOf(s, n)));
  });

  app.post('/journeys/:name/steps/:n', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const n = stepNo(request);
    stepOf(s, n);
    const f = stepFieldsFrom(body(request));
    const r = readStepFields(f);
    if (!('step' in r)) return stepPage(request, reply, s, n, f, r.problems);
    await resave(request, s, replaceStep(s.journey, n, r.step));
    await log(request, 'journey changed', `${s.journey.name}: step ${n} changed`);
    return reply.redirect(`${editUrl(s.journey.name, 'changed')}#step-${n}`, 303);
  });

  app.post('/journeys/:name/steps/:n/move', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const n = stepNo(request);
    stepOf(s, n);
    const direction = String(body(request).direction ?? '');
    if (direction !== 'up' && direction !== 'down')
      throw new HttpProblem(400, 'bad_request', 'Cannot do that', 'Move a step up or down.', 'Use the journey’s page.');
    const moved = moveStep(s.journey, n, direction);
    const to = moved === s.journey ? n : direction === 'up' ? n - 1 : n + 1;
    if (moved !== s.journey) {
      await resave(request, s, moved);
      await log(request, 'journey changed', `${s.journey.name}: step ${n} moved ${direction}`);
    }
    return reply.redirect(`${editUrl(s.journey.name, 'moved')}#step-${to}`, 303);
  });

  const deletePage = (
    request: FastifyRequest,
    reply: FastifyReply,
    s: StoredJourney,
    n: number | null,
    error?: string,
  ) =>
    app.page(
      request,
      reply,
      'journey-delete.njk',
      {
        title: n === null ? `Delete ${s.journey.title}` : `Delete step ${n} of ${s.journey.title}`,
        errorTitle: !!error,
        errors: error ? [{ text: error, href: '#confirm' }] : [],
        journey: s.journey,
        n,
        step: n === null ? null : s.journey.steps[n - 1],
        action:
          n === null
            ? `/journeys/${encodeURIComponent(s.journey.name)}/delete`
            : `/journeys/${encodeURIComponent(s.journey.name)}/steps/${n}/delete`,
      },
      error ? 400 : 200,
    );

  app.get('/journeys/:name/steps/:n/delete', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const n = stepNo(request);
    stepOf(s, n);
    return deletePage(request, reply, s, n);
  });

  app.post('/journeys/:name/steps/:n/delete', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    const n = stepNo(request);
    stepOf(s, n);
    let changed: Journey;
    try {
      changed = removeStep(s.journey, n);
    } catch (e) {
      if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
      return deletePage(request, reply, s, n, `${e.message} ${e.fix ?? ''}`.trim());
    }
    await resave(request, s, changed);
    await log(request, 'journey changed', `${s.journey.name}: step ${n} deleted`);
    return reply.redirect(editUrl(s.journey.name, 'deleted'), 303);
  });

  app.get('/journeys/:name/delete', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    return deletePage(request, reply, s, null);
  });

  app.post('/journeys/:name/delete', { config: editors }, async (request, reply) => {
    const s = await journeyFor(app, request.viewer, nameOf(request), 'edit');
    await app.services.journeys.remove(s.journey.name);
    await log(request, 'journey deleted', s.journey.name);
    return reply.redirect(`/journeys?deleted=${encodeURIComponent(s.journey.title)}`, 303);
  });

  // ---- uploading a spreadsheet --------------------------------------------------------------------

  const maxBytes = () => Math.min(app.settings.maxUploadBytes, JOURNEY_UPLOAD_MAX_BYTES);
  const uploadPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: { errors?: { text: string; href: string }[]; fileError?: string; replace?: boolean } = {},
    status = 200,
  ) =>
    app.page(
      request,
      reply,
      'journey-upload.njk',
      {
        title: 'Upload a journey spreadsheet',
        errorTitle: !!extra.errors?.length,
        maxKb: Math.round(maxBytes() / 1024),
        owner: journeyOwnerFor(request.viewer),
        ...extra,
      },
      status,
    );

  app.get('/journeys/upload', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    mayMake(request);
    return uploadPage(request, reply);
  });

  /** Where a problem is, in words: the sheet, the row and the column. */
  const where = (p: JourneyProblem) =>
    [
      p.sheet ? `Sheet "${p.sheet}"` : '',
      p.row !== undefined ? `row ${p.row}` : '',
      p.column ? `column "${p.column}"` : '',
    ]
      .filter(Boolean)
      .join(', ');

  app.post(
    '/journeys/upload',
    // The token is read from the form's fields, which come before the file, and checked before anything is written.
    { config: { roles: ANALYSTS_AND_PARTNERS, csrfInFormFields: true, changes: [] } },
    async (request, reply) => {
      mayMake(request);
      requireMultipart(request);
      const viewer = request.viewer;
      const fields: Record<string, string> = {};
      const csrfOk = () =>
        viewer.via !== 'session' || fields._csrf === viewer.csrf || request.headers['x-csrf-token'] === viewer.csrf;
      const dir = join(uploadDir, `${randomUUID()}.journey`);
      let file: string | null = null;
      let shown: string | null = null;
      let tooBig = false;
      let badName = false;
      let head = Buffer.alloc(0);
      let bytes = 0;
      try {
        try {
          for await (const part of request.parts({ limits: { fileSize: maxBytes(), files: 1, fields: 10 } })) {
            if (part.type === 'file') {
              if (!csrfOk()) {
                part.file.resume();
                throw csrfProblem();
              }
              if (file || !part.filename) {
                part.file.resume();
                continue;
              }
              shown = safeOriginalName(part.filename);
              if (!shown) {
                badName = true;
                part.file.resume();
                continue;
              }
              await mkdir(dir, { recursive: true, mode: 0o700 });
              // Kept under the name it was sent with, so the reader's messages (and a journey named
              // by its file) use it; in a folder of its own, removed when it has been read.
              file = join(dir, shown);
              await pipeline(part.file, createWriteStream(file, { flags: 'wx', mode: 0o600 }));
              if (part.file.truncated) tooBig = true;
            } else fields[part.fieldname] = String(part.value ?? '');
          }
        } catch (e) {
          if ((e as { code?: string }).code === 'FST_REQ_FILE_TOO_LARGE') tooBig = true;
          else throw e;
        }
        if (!csrfOk()) throw csrfProblem();
        const replace = fields.replace === 'yes';
        const refuse = (text: string, status = 400) =>
          uploadPage(request, reply, { errors: [{ text, href: '#file' }], fileError: text, replace }, status);
        if (tooBig)
          return refuse(
            `The file must be smaller than ${Math.round(maxBytes() / 1024)} KB: a journey spreadsheet is a row for each step. Upload each journey on its own, or ask an analyst to import a larger one with civic journey import.`,
            413,
          );
        if (badName) return refuse('The file name cannot be used: rename the file and try again.');
        if (!file || !shown) return refuse('Select a journey spreadsheet (CSV or XLSX) to upload');
        const fh = await open(file, 'r');
        try {
          const b = Buffer.alloc(4096);
          head = b.subarray(0, (await fh.read(b, 0, b.length, 0)).bytesRead);
          bytes = (await fh.stat()).size;
        } finally {
          await fh.close();
        }
        if (bytes === 0) return refuse('The selected file is empty: fill in a row for each step of the journey');
        const type = checkUploadType(shown, head);
        if (!type.ok || type.format === 'parquet')
          return refuse(
            type.ok
              ? 'The file must be a CSV or XLSX spreadsheet from the journey template (or a journey file in JSON)'
              : type.reason,
            415,
          );
        let read: JourneyUploadResult;
        try {
          if (type.format === 'xlsx') await checkWorkbookLimits(file, shown, app.settings.readLimits);
          read = await runUploadTask<JourneyUploadResult>(
            { task: 'journeys', file, limits: app.settings.readLimits, previewRows: 0 },
            {
              memoryMb: Math.min(app.settings.uploadWorkerMemoryMb, JOURNEY_WORKER_MB),
              timeoutMs: Math.min(app.settings.uploadWorkerTimeoutMs, 60_000),
            },
            shown,
          );
        } catch (e) {
          if (!(e instanceof ObservatoryError) || e instanceof HttpProblem) throw e;
          return refuse(
            `${e.message}${e.fix ? ` ${e.fix}` : ''}`,
            (e as ObservatoryError).code === 'input_too_large' ? 413 : 400,
          );
        }
        if ('problems' in read) {
          const shownProblems = read.problems.slice(0, PROBLEMS_SHOWN).map((p) => ({
            text: `${where(p) ? `${where(p)}: ` : ''}${p.message}`,
            href: '#file',
          }));
          if (read.problems.length > PROBLEMS_SHOWN)
            shownProblems.push({ text: `… and ${read.problems.length - PROBLEMS_SHOWN} more problems`, href: '#file' });
          return uploadPage(
            request,
            reply,
            {
              errors: shownProblems,
              fileError: `${shown} has ${read.problems.length === 1 ? 'a problem' : `${read.problems.length} problems`}, listed above. Nothing was saved: correct each one in the spreadsheet and upload it again.`,
              replace,
            },
            400,
          );
        }
        // All or nothing: every journey in the file is new, or one the uploader may replace.
        const problems: string[] = [];
        const replacing: string[] = [];
        const items = [];
        for (const j of read.journeys) {
          if ((RESERVED_JOURNEY_NAMES as readonly string[]).includes(j.name))
            problems.push(
              `The journey "${j.name}" needs another short name: the portal uses "${j.name}" in its addresses. Change it in the journey column.`,
            );
          const had = await app.services.journeys.find(j.name);
          if (!had) {
            items.push({ journey: j, partner: journeyOwnerFor(viewer), published: false });
            continue;
          }
          const access = journeyAccess(viewer, had.entry);
          if (!access.edit)
            problems.push(
              `There is already a journey called ${j.name}, and it is not yours to replace. Give your journey another short name in the journey column.`,
            );
          else if (!replace)
            problems.push(
              `There is already a journey called ${j.name}. Tick “Replace journeys of the same name” to replace it, or give yours another short name in the journey column.`,
            );
          else {
            replacing.push(j.name);
            items.push({ journey: j, partner: had.entry.partner, published: had.entry.published });
          }
        }
        if (problems.length)
          return uploadPage(
            request,
            reply,
            {
              errors: problems.map((text) => ({ text, href: '#file' })),
              fileError: 'Nothing was saved: see the problems listed above.',
              replace,
            },
            409,
          );
        await app.services.journeys.save(items, { by: viewer.username, sourceFile: shown, replace: replacing });
        await log(
          request,
          'journey upload',
          `${shown} (${bytes} bytes): ${read.journeys.map((j) => j.name).join(', ')}${replacing.length ? `; replaced ${replacing.join(', ')}` : ''}`,
        );
        if (read.journeys.length === 1) return reply.redirect(editUrl(read.journeys[0].name, 'uploaded'), 303);
        return reply.redirect(
          `/journeys?uploaded=${encodeURIComponent(read.journeys.map((j) => j.name).join(','))}`,
          303,
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
}
