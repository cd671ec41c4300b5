/**
 * Contact and channels (issue 14, points 2, 3 and 7): the portal's pages and the API.
 *  - Contact and channels (/channels): what a contact log says (channels' contactAnalysis): the
 *    channel mix as a table and a bar chart drawn on the server, NI14, repeat contact within the
 *    days asked for, avoidable reasons and first-contact resolution by tier. The truth is cached;
 *    what the viewer sees is decided by discloseContacts (outputs), with everything the viewer
 *    could ask besides for anyone but the log's owner (access.ts says who sees which log).
 *  - Channel shift (/channels/shift): a published set of unit costs, a service's contacts a year
 *    by channel (or a total and shares), and a share of one channel moved to another: the cost
 *    today, after, and the saving a year (channelShiftScenario). No workspace data: anyone may use it.
 * Both are GET forms that work without JavaScript.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import {
  channelName,
  channelShiftScenario,
  contactAnalysis,
  contactDetail,
  publishedUnitCosts,
  unitCosts,
  volumesFromShares,
  ContactsResultSchema,
  ShiftScenarioSchema,
  UnitCostSetSchema,
  DEFAULT_REPEAT_DAYS,
  DEFAULT_RESOLUTION_TARGET,
  MAX_REPEAT_DAYS,
  type ContactsResult,
  type ShiftScenario,
  type UnitCostSet,
} from '../../channels/index.ts';
import { contactsToCsv, discloseContacts, OTHER_CHANNELS } from '../../outputs/index.ts';
import { checkContactChoices, contactLogFor, visibleContactLogs } from '../access.ts';
import { ANALYSTS_AND_PARTNERS, EVERYONE } from '../http.ts';
import { field, formatOf, one, readForm, type Query } from '../query.ts';
import { audit, type Viewer } from '../users.ts';
import { datasetName } from '../views.ts';
import { defineApi } from './api.ts';
import { formError, safeFilename, sendDownload } from './profile.ts';

// ---------------------------------------------------------------------------------------------
// Reading what was asked

/**
 * A list of reasons: one a line (the page's text boxes), or separated by | (the API, as the values
 * of a filter). Not by commas: reasons have them ("Arrears, reminder received").
 */
export const readReasons = (text: string | undefined): string[] =>
  (text ?? '')
    .split(/\r?\n|\|/)
    .map((x) => x.trim())
    .filter(Boolean);

/** Reasons with their tiers: "reason = tier", one a line or separated by |. */
export function readTiers(text: string | undefined): [string, string][] {
  const out: [string, string][] = [];
  const seen = new Set<string>();
  for (const item of readReasons(text)) {
    const i = item.lastIndexOf('=');
    const reason = i < 0 ? '' : item.slice(0, i).trim();
    const tier = i < 0 ? '' : item.slice(i + 1).trim();
    if (!reason || !tier)
      throw new ParameterError(
        `Cannot read "${item}" as a reason and its tier.`,
        'Write each as the reason, an equals sign and its tier, e.g. Missed bin = 1.',
      );
    if (seen.has(reason.toLowerCase())) throw new ParameterError(`The reason "${reason}" is given two tiers.`);
    seen.add(reason.toLowerCase());
    out.push([reason, tier]);
  }
  return out;
}

interface ContactsQuery {
  dataset: string;
  repeatDays: number;
  avoidable: string[];
  tiers: [string, string][];
  target: number;
  /** the columns, named by an owner (the API only) */
  columns?: {
    channelColumn?: string;
    customerColumn?: string;
    requestColumn?: string;
    reasonColumn?: string;
    datetimeColumn?: string;
    resolvedColumn?: string;
  };
}

/**
 * A contact log's measures as this viewer may see them: the owner's under the small-cell rule (as
 * every answer of the portal and the API); anyone else's also under the rules across answers,
 * with every repeat window and every reason's counts in hand.
 */
export async function disclosedContacts(
  app: FastifyInstance,
  viewer: Viewer,
  q: ContactsQuery,
): Promise<ContactsResult> {
  const columns = Object.fromEntries(Object.entries(q.columns ?? {}).filter(([, v]) => v));
  const access = await contactLogFor(app.engine, viewer, q.dataset, columns.channelColumn);
  // Anyone but the owner uses the columns found by their names (refused before anything is read).
  if (!access.owner && Object.keys(columns).length)
    await checkContactChoices(app.engine, q.dataset, null, { columns: true, reasons: [] });
  const req = {
    dataset: q.dataset,
    ...columns,
    repeatWithinDays: q.repeatDays,
    avoidableReasons: q.avoidable.length ? q.avoidable : undefined,
    target: q.target,
  };
  const truth = await app.results.get('contacts', { ...req, tiers: q.tiers }, () =>
    contactAnalysis(app.engine, { ...req, tiers: q.tiers.length ? new Map(q.tiers) : undefined }),
  );
  if (access.owner) return discloseContacts(truth, DEFAULT_MIN_CELL);
  await checkContactChoices(app.engine, q.dataset, truth.columns.reason, {
    columns: false,
    reasons: [...q.avoidable, ...q.tiers.map(([reason]) => reason)],
  });
  const detail = await app.results.get('contacts detail', [truth.dataset, truth.columns], () =>
    contactDetail(app.engine, truth),
  );
  return discloseContacts(truth, DEFAULT_MIN_CELL, { detail, tiers: new Map(q.tiers) });
}

const describeContacts = (q: ContactsQuery) =>
  `${q.dataset}: repeat within ${q.repeatDays} days${q.avoidable.length ? `; ${q.avoidable.length} avoidable reasons` : ''}${q.tiers.length ? `; ${q.tiers.length} reasons in tiers, target ${q.target}%` : ''}`;

const CONTACTS_FORM = {
  dataset: field.text(),
  repeatDays: field.wholeNumber({
    min: 1,
    max: MAX_REPEAT_DAYS,
    default: DEFAULT_REPEAT_DAYS,
    message: (v) => `"${v}" is not a number of days from 1 to ${MAX_REPEAT_DAYS}.`,
    fix: 'Give repeat contact as a whole number of days, e.g. 7.',
  }),
  avoidable: field.text(),
  tiers: field.text(),
  target: field.positiveNumber({
    max: 100,
    default: DEFAULT_RESOLUTION_TARGET,
    message: (v) => `"${v}" is not a target from 1 to 100%.`,
    fix: 'Give the share resolved at first contact aimed for, e.g. 80.',
  }),
};

function contactsQuery(q: Query): ContactsQuery | null {
  const f = readForm(q, 'dataset', CONTACTS_FORM);
  if (!f) return null;
  if (!f.dataset) throw new ParameterError('Choose a contact log.');
  return {
    dataset: f.dataset,
    repeatDays: f.repeatDays,
    avoidable: readReasons(f.avoidable),
    tiers: readTiers(f.tiers),
    target: f.target,
  };
}

/** The field a form error belongs to, for the error summary's link. */
function fieldOf(message: string): string {
  if (/days/.test(message)) return 'repeatDays';
  if (/target/.test(message)) return 'target';
  if (/tier/i.test(message)) return 'tiers';
  if (/reason/i.test(message)) return 'avoidable';
  return 'dataset';
}

/** Geometry for the channel mix's bar chart, drawn as SVG by the template (no script). */
export function channelChart(r: ContactsResult) {
  const labelW = 170,
    plotW = 360,
    valueW = 190,
    rowH = 28,
    top = 10;
  const max = Math.max(1, ...r.channels.map((c) => c.pct ?? 0));
  const bars = r.channels.map((c, i) => {
    const y = top + i * rowH;
    const w = c.pct === null ? 0 : Math.max(1, (c.pct / max) * plotW);
    return {
      label: c.channel,
      textY: y + rowH / 2 + 5,
      barY: y + 4,
      barH: rowH - 8,
      width: Math.round(w * 10) / 10,
      drawn: c.pct !== null,
      valueX: labelW + 10 + w + 6,
      value:
        c.contacts === null
          ? 'hidden (a small number)'
          : `${c.contacts.toLocaleString('en-GB')} (${(c.pct ?? 0).toFixed(1)}%)`,
    };
  });
  const shown = r.channels.filter((c) => c.pct !== null);
  const desc = shown.length
    ? `${shown.map((c) => `${c.channel} ${(c.pct ?? 0).toFixed(1)}%`).join(', ')}.${shown.length < r.channels.length ? ` ${r.channels.length - shown.length} channels are hidden.` : ''}`
    : 'Every channel is hidden: the counts are small.';
  return {
    width: labelW + 10 + plotW + valueW,
    height: top + r.channels.length * rowH + 10,
    labelX: labelW,
    barX: labelW + 10,
    bars,
    desc,
  };
}

/** The Contact and channels section's pages, linked from each (routes/channel-analyses.ts has the rest). */
const TABS = [
  { href: '/channels', text: 'What a log says' },
  { href: '/channels/mix', text: 'Channel mix' },
  { href: '/channels/volumes', text: 'Volumes and handling time' },
  { href: '/channels/framework', text: 'Communications framework' },
  { href: '/channels/plan', text: 'Channel shift by segment' },
  { href: '/channels/sheets', text: 'Access sheets' },
];
export const channelTabs = (current: string) => TABS.map((t) => ({ ...t, current: t.href === current }));

// ---------------------------------------------------------------------------------------------
// Channel shift

/** "phone=750000, face to face=312500" → volumes by channel. */
export function readVolumes(text: string, what = 'contacts'): { channel: string; contacts: number }[] {
  return text
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean)
    .map((item) => {
      const i = item.lastIndexOf('=');
      const n =
        i < 0
          ? NaN
          : Number(
              item
                .slice(i + 1)
                .trim()
                .replace(/,/g, ''),
            );
      if (i <= 0 || !Number.isFinite(n) || n < 0)
        throw new ParameterError(
          `Cannot read "${item}" as a channel and its ${what}.`,
          'Write each as the channel, an equals sign and a number, e.g. phone=750000.',
        );
      return { channel: item.slice(0, i).trim(), contacts: n };
    });
}

/** A published set only: the API and the portal never read a file named by the asker. */
function publishedSet(name: string | undefined): UnitCostSet {
  const sets = publishedUnitCosts();
  if (!name) return sets[0];
  const set = sets.find((s) => s.name === name.trim().toLowerCase());
  if (!set)
    throw new ParameterError(
      'There is no published set of unit costs of that name.',
      `Published sets: ${sets.map((s) => s.name).join(', ')}.`,
    );
  return unitCosts(set.name);
}

/** Where a set's figures come from, in a line: the sources' words before their colons. */
export const setSource = (s: UnitCostSet) =>
  [...new Set(s.costs.map((c) => (c.source ?? '').split(':')[0].trim()).filter(Boolean))].join('; ');

interface ShiftQuery {
  set: UnitCostSet;
  volumes: { channel: string; contacts: number }[];
  from: string;
  to: string;
  movePct: number;
  service: string | null;
}

function shiftScenario(s: ShiftQuery): ShiftScenario {
  return channelShiftScenario(
    { volumes: s.volumes, from: s.from, to: s.to, movePct: s.movePct, service: s.service },
    s.set,
  );
}

const PCT = (what: string) =>
  field.wholeNumber({
    min: 0,
    max: 100,
    message: (v) => `"${v}" is not a % from 0 to 100 for ${what}.`,
    fix: 'Give a whole number from 0 to 100.',
  });

/** The shift page's form: each channel of the set as `n:CHANNEL` (contacts a year, or % of the total). */
function shiftQuery(q: Query): { set: UnitCostSet; scenario: ShiftQuery | null; values: Record<string, string> } {
  const set = publishedSet(one(q.set));
  const values: Record<string, string> = {};
  for (const c of set.costs) values[c.channel] = one(q[`n:${c.channel}`]) ?? '';
  if (one(q.from) === undefined) return { set, scenario: null, values };
  const as = one(q.as) === 'shares' ? 'shares' : 'volumes';
  const entered = set.costs
    .filter((c) => values[c.channel].trim())
    .map((c) => {
      const n = Number(values[c.channel].trim().replace(/,/g, ''));
      if (!Number.isFinite(n) || n < 0)
        throw new ParameterError(
          `"${values[c.channel]}" is not a number of ${as === 'shares' ? '%' : 'contacts'} for ${c.channel}.`,
          'Give a number of 0 or more, or leave it blank.',
        );
      return { channel: c.channel, n };
    });
  if (!entered.length)
    throw new ParameterError('Give the contacts a year for at least one channel.', 'For example phone 750000.');
  let volumes = entered.map((e) => ({ channel: e.channel, contacts: e.n }));
  if (as === 'shares') {
    const total = Number((one(q.total) ?? '').replace(/,/g, ''));
    if (!Number.isFinite(total) || total <= 0)
      throw new ParameterError('Give the contacts a year in all, for the shares to be of.', 'For example 1250000.');
    volumes = volumesFromShares(
      total,
      entered.map((e) => ({ channel: e.channel, pct: e.n })),
    );
  }
  const movePct = PCT('the contacts moved').read(q, 'movePct');
  if (movePct === undefined) throw new ParameterError('Give the % of contacts that move.', 'For example 20.');
  return {
    set,
    values,
    scenario: {
      set,
      volumes,
      from: one(q.from) ?? '',
      to: one(q.to) ?? '',
      movePct,
      service: one(q.service) ?? null,
    },
  };
}

// ---------------------------------------------------------------------------------------------
// Pages

export async function channelRoutes(app: FastifyInstance): Promise<void> {
  const page = async (request: FastifyRequest) => {
    const q = request.query as Query;
    const logs = await visibleContactLogs(app.engine, request.viewer);
    const chosen = one(q.dataset);
    const ctx: Record<string, unknown> = {
      title: 'Contact and channels',
      tabs: channelTabs('/channels'),
      form: {
        dataset: chosen ?? '',
        repeatDays: one(q.repeatDays) ?? String(DEFAULT_REPEAT_DAYS),
        avoidable: one(q.avoidable) ?? '',
        tiers: one(q.tiers) ?? '',
        target: one(q.target) ?? String(DEFAULT_RESOLUTION_TARGET),
      },
      datasetItems: [
        { value: '', text: 'Choose a contact log' },
        ...logs.map((d) => ({
          value: d.name,
          text: `${datasetName(d.name, [d])}${d.partner ? ` (${d.partner})` : ''}`,
          selected: d.name === chosen,
        })),
      ],
      logs,
      otherChannels: OTHER_CHANNELS,
      minCell: DEFAULT_MIN_CELL,
    };
    let status = 200;
    try {
      const cq = contactsQuery(q);
      if (cq) {
        const result = await disclosedContacts(app, request.viewer, cq);
        const qs = new URLSearchParams({
          dataset: cq.dataset,
          repeatDays: String(cq.repeatDays),
          avoidable: cq.avoidable.join('|'),
          tiers: cq.tiers.map(([r, t]) => `${r}=${t}`).join('|'),
          target: String(cq.target),
        }).toString();
        Object.assign(ctx, {
          result,
          chart: channelChart(result),
          pooled: result.channels.some((c) => c.channel === OTHER_CHANNELS),
          qs,
          owner: logs.find((d) => d.name === cq.dataset)?.owner ?? false,
          datasetTitle: datasetName(result.dataset, logs),
        });
        await audit(app.engine, request.viewer, 'contacts', describeContacts(cq), request.ip);
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true, field: fieldOf(f.error) });
      status = f.status;
    }
    return { ctx, status };
  };

  app.get('/channels', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const { ctx, status } = await page(request);
    return app.page(request, reply, 'channels.njk', ctx as { title: string }, status);
  });

  app.get('/channels/download', { config: { roles: ANALYSTS_AND_PARTNERS } }, async (request, reply) => {
    const q = request.query as Query;
    const format = formatOf(q.format, ['csv', 'json']);
    const cq = contactsQuery(q);
    if (!cq)
      throw new ParameterError(
        'Say which contact log to download.',
        'Choose a contact log on the Contact and channels page, then use its download links.',
      );
    const result = await disclosedContacts(app, request.viewer, cq);
    await audit(app.engine, request.viewer, `export ${format}`, `contacts ${describeContacts(cq)}`, request.ip);
    return sendDownload(
      reply,
      safeFilename(['contacts', result.dataset, `repeat-${cq.repeatDays}-days`], format),
      format,
      format === 'csv' ? contactsToCsv(result) : `${JSON.stringify(result, null, 2)}\n`,
    );
  });

  app.get('/channels/shift', { config: { roles: EVERYONE } }, async (request, reply) => {
    const q = request.query as Query;
    const sets = publishedUnitCosts();
    const ctx: Record<string, unknown> = {
      title: 'Channel shift',
      sets: sets.map((s) => ({ ...s, source: setSource(s) })),
    };
    let status = 200;
    let set = sets[0];
    try {
      const s = shiftQuery(q);
      set = s.set;
      ctx.values = s.values;
      if (s.scenario) {
        const scenario = shiftScenario(s.scenario);
        const cost = (channel: string) => scenario.sources.find((x) => x.channel === channel)?.cost ?? 0;
        Object.assign(ctx, { scenario, unitFrom: cost(scenario.from), unitTo: cost(scenario.to) });
      }
    } catch (e) {
      const f = formError(e);
      Object.assign(ctx, { error: f.error, fix: f.fix, errorTitle: true, field: shiftField(f.error) });
      status = f.status;
      if (status === 400 && sets.some((x) => x.name === one(q.set))) set = unitCosts(one(q.set)!);
    }
    const channels = set.costs.map((c, i) => ({ ...c, id: `n-${i}`, name: `n:${c.channel}` }));
    Object.assign(ctx, {
      set: { ...set, source: setSource(set) },
      setItems: sets.map((s) => ({
        value: s.name,
        text: s.name,
        hint: { text: setSource(s) },
        checked: s.name === set.name,
      })),
      chItems: set.costs.map((c) => ({ value: c.channel, text: c.channel })),
      channels,
      values: ctx.values ?? Object.fromEntries(set.costs.map((c) => [c.channel, one(q[`n:${c.channel}`]) ?? ''])),
      form: {
        as: one(q.as) === 'shares' ? 'shares' : 'volumes',
        total: one(q.total) ?? '',
        from: channelName(one(q.from) ?? set.costs.find((c) => c.channel === 'phone')?.channel ?? set.costs[0].channel),
        to: channelName(
          one(q.to) ?? set.costs.find((c) => c.channel === 'web')?.channel ?? set.costs[set.costs.length - 1].channel,
        ),
        movePct: one(q.movePct) ?? '',
        service: one(q.service) ?? '',
      },
    });
    return app.page(request, reply, 'channel-shift.njk', ctx as { title: string }, status);
  });
}

function shiftField(message: string): string {
  if (/% of contacts that move|contacts moved/.test(message)) return 'movePct';
  if (/in all|shares add up/.test(message)) return 'total';
  if (/to itself|no cost for|no contacts by/.test(message)) return 'from';
  if (/unit costs/.test(message)) return 'set';
  return 'n-0';
}

// ---------------------------------------------------------------------------------------------
// API

const text = (description: string) => z.string().trim().min(1).describe(description);

export async function channelApiRoutes(app: FastifyInstance): Promise<void> {
  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/contacts',
      operationId: 'contacts',
      tag: 'Channels',
      roles: ANALYSTS_AND_PARTNERS,
      summary:
        'What a contact log says: channel mix, NI14, repeat contact, avoidable reasons and first-contact resolution by tier (as civic contacts summary --format json)',
      description:
        "Its owner (and the council's staff) gets every log it owns; a partner also gets the council's own logs, with the counts anyone could work out a small number from hidden, across every answer it could ask for. Another partner's log answers as a name nobody has. Counts under 10 are hidden for everyone.",
      query: z.strictObject({
        dataset: text('The contact log, a dataset imported with a channel column'),
        repeatDays: z.coerce
          .number()
          .int()
          .min(1)
          .max(MAX_REPEAT_DAYS)
          .optional()
          .describe(
            `Repeat contact: the same customer and reason within this many days (default ${DEFAULT_REPEAT_DAYS})`,
          ),
        avoidable: text(
          "Reasons counted as avoidable, separated by | (for others than the log's owner, reasons its owner has published)",
        ).optional(),
        tiers: text('Reasons and their tiers, separated by |, e.g. "Missed bin=1|Benefit claim=2"').optional(),
        target: z.coerce
          .number()
          .positive()
          .max(100)
          .optional()
          .describe(`The share resolved at first contact aimed for, % (default ${DEFAULT_RESOLUTION_TARGET})`),
        channelColumn: text('The channel column (owners only; default: found by its name)').optional(),
        customerColumn: text('The customer reference column (owners only)').optional(),
        requestColumn: text('The request or case reference column, for NI14 (owners only)').optional(),
        reasonColumn: text('The reason column (owners only)').optional(),
        datetimeColumn: text('The date and time column (owners only)').optional(),
        resolvedColumn: text('The resolved-at-first-contact column (owners only)').optional(),
      }),
      response: {
        name: 'ContactsResult',
        schema: ContactsResultSchema,
        description: 'The measures, after disclosure control',
      },
      errors: [400, 403, 404],
    },
    async ({ request, query: q }) => {
      const cq: ContactsQuery = {
        dataset: q.dataset,
        repeatDays: q.repeatDays ?? DEFAULT_REPEAT_DAYS,
        avoidable: readReasons(q.avoidable),
        tiers: readTiers(q.tiers),
        target: q.target ?? DEFAULT_RESOLUTION_TARGET,
        columns: {
          channelColumn: q.channelColumn,
          customerColumn: q.customerColumn,
          requestColumn: q.requestColumn,
          reasonColumn: q.reasonColumn,
          datetimeColumn: q.datetimeColumn,
          resolvedColumn: q.resolvedColumn,
        },
      };
      const shown = await disclosedContacts(app, request.viewer, cq);
      await audit(app.engine, request.viewer, 'api contacts', describeContacts(cq), request.ip);
      return shown;
    },
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/unit-costs',
      operationId: 'unitCosts',
      tag: 'Channels',
      roles: EVERYONE,
      summary:
        'The published unit costs of contact by channel, each with its source (as civic contacts unit-costs --format json)',
      response: { name: 'UnitCostSets', schema: z.array(UnitCostSetSchema), description: 'The published sets' },
    },
    async () => publishedUnitCosts(),
  );

  defineApi(
    app,
    {
      method: 'GET',
      path: '/api/channel-shift',
      operationId: 'channelShift',
      tag: 'Channels',
      roles: EVERYONE,
      summary:
        "A channel-shift scenario: a service's contacts a year by channel, a share of one channel moved to another; the cost today, after and the saving a year, to the penny",
      description:
        'Give volumes (contacts a year by channel), or total with shares (% by channel, adding up to 100). Only published unit costs are used (GET /api/unit-costs).',
      query: z.strictObject({
        unitCosts: z
          .enum(publishedUnitCosts().map((s) => s.name) as [string, ...string[]])
          .describe('A published set of unit costs'),
        volumes: text(
          'Contacts a year by channel, e.g. "phone=750000,face to face=312500,self-serve=187500"',
        ).optional(),
        total: z.coerce.number().positive().optional().describe('All the contacts a year, with shares'),
        shares: text('Each channel’s share of total in %, e.g. "phone=60,face to face=25,self-serve=15"').optional(),
        from: text('The channel the contacts leave, e.g. phone'),
        to: text('The channel they move to, e.g. web'),
        movePct: z.coerce.number().min(0).max(100).describe('The % of the from channel’s contacts that move'),
        service: text('The service the contacts are for, as a label (e.g. Housing benefit)').optional(),
      }),
      response: { name: 'ShiftScenario', schema: ShiftScenarioSchema, description: 'The scenario' },
      errors: [400],
    },
    async ({ query: q }) => {
      if (!q.volumes === !(q.total !== undefined && q.shares))
        throw new ParameterError(
          'Give either volumes, or total with shares.',
          'For example volumes=phone=750000,web=187500.',
        );
      const volumes = q.volumes
        ? readVolumes(q.volumes)
        : volumesFromShares(
            q.total!,
            readVolumes(q.shares!, 'share').map((v) => ({ channel: v.channel, pct: v.contacts })),
          );
      return shiftScenario({
        set: publishedSet(q.unitCosts),
        volumes,
        from: q.from,
        to: q.to,
        movePct: q.movePct,
        service: q.service ?? null,
      });
    },
  );
}
