/** Unit costs, the cost of contact and a channel shift (channels' results) as text tables and CSV. */
import type { ContactCostResult, ContactDetail, ContactsResult, ShiftResult, UnitCostSet } from '../channels/index.ts';
import { CHANNELS } from '../intake/index.ts';
import { csvText, fmtInt, fmtPct, SUPPRESSED_MARK, textTable } from './format.ts';

const money = (n: number) => `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;

export function unitCostsToTable(sets: UnitCostSet[]): string {
  return sets
    .map((s) => {
      const head = `${s.name}${s.published ? ' (published)' : ''}`;
      const t = textTable(
        ['Channel', 'Cost', 'Per', 'Source'],
        s.costs.map((c) => [c.channel, money(c.cost), c.what ?? '', c.source ?? '']),
        (i) => i === 1,
        90,
      );
      return `${head}\n${t}\n`;
    })
    .join('\n');
}

export function unitCostsToCsv(sets: UnitCostSet[]): string {
  return csvText(
    ['set', 'channel', 'cost', 'what', 'source'],
    sets.flatMap((s) => s.costs.map((c) => [s.name, c.channel, c.cost.toFixed(2), c.what ?? '', c.source ?? ''])),
  );
}

export function contactCostToTable(r: ContactCostResult): string {
  const rows = r.lines.map((l) => [l.channel, fmtInt(l.contacts), fmtPct(l.pct), money(l.unitCost), money(l.cost)]);
  rows.push(['Total', fmtInt(r.contacts), fmtPct(100), money(r.perContact), money(r.total)]);
  return (
    `What the contacts cost, at the unit costs ${r.unitCosts}\n\n` +
    textTable(['Channel', 'Contacts', '%', 'Unit cost', 'Cost'], rows, (i) => i > 0) +
    `\n\nThe total's unit cost is the average contact's.\n`
  );
}

export function shiftToTable(r: ShiftResult): string {
  return [
    `Moving ${fmtInt(r.contactsPerMonth)} contacts a month from ${r.from} to ${r.to}, at the unit costs ${r.unitCosts}`,
    '',
    `  ${fmtInt(r.contactsPerYear)} contacts a year × (${money(r.fromCost)} − ${money(r.toCost)}) = ${money(r.savingPerYear)} a year`,
    '',
  ].join('\n');
}

type Cell = number | null;
const isSmall = (n: Cell, minCell: number) => n !== null && n > 0 && n < minCell;

/** A channel mix row for the channels outside the vocabulary that each had a small count, pooled. */
export const OTHER_CHANNELS = 'other channels';

/**
 * Everything one viewer could ask of a contact log besides this answer (the portal and the API):
 * the repeat contacts within every window and each reason's counts (channels' contactDetail), and
 * the reason → tier table this answer was worked with.
 */
export interface ContactsAcross {
  detail: ContactDetail;
  tiers?: ReadonlyMap<string, string>;
}

/**
 * A contact log's measures as someone other than its owner may see them: every count from 1 to
 * minCell − 1 hidden, with the share worked from it; a count whose complement is small hidden too
 * (7 of 9 resolved says 2 were not); and, where channels (or tiers) are hidden, the next smallest
 * as well until those hidden add up to minCell, so that none can be got back from the total.
 *
 * Given `across` (what the viewer could ask besides: every answer of the portal and the API to
 * anyone but the owner), no two answers differ by a small count either:
 *  - repeat contact is shown for a window only if it differs by 0 or at least minCell from every
 *    other window shown (the windows shown are chosen from 1 day up, the same for every question);
 *  - a reason with a small count (or, when those together are small, the smallest other reason
 *    too) makes any count over a set of reasons that holds it hidden: avoidable contact, a tier and
 *    the contacts without a tier; a reason whose resolved or unresolved count is small hides the
 *    resolution of any tier holding it; when the tiers count requests, by each reason's requests
 *    (those it was the first contact of) instead, and by its contacts less its requests too;
 *  - channels outside the vocabulary with small counts are pooled as "other channels", so that
 *    no value written into the channel column is shown for a single contact.
 */
export function discloseContacts(r: ContactsResult, minCell: number, across?: ContactsAcross): ContactsResult {
  if (minCell <= 0) return r;
  const out = structuredClone(r);
  out.minCell = minCell;
  const small = (n: Cell) => isSmall(n, minCell);
  // Cells adding up to a total that is shown: small ones hidden (and any the caller says must
  // be), then the smallest others until the hidden ones add up to minCell.
  const parts = (cells: { n: Cell; forced?: boolean; hide: () => void }[]) => {
    const hidden = cells.filter((x) => x.forced || small(x.n));
    if (!hidden.length) return;
    const rest = cells.filter((x) => !hidden.includes(x) && x.n !== null && x.n > 0).sort((a, b) => a.n! - b.n!);
    let sum = hidden.reduce((a, x) => a + (x.n ?? 0), 0);
    while (sum < minCell && rest.length) {
      const x = rest.shift()!;
      hidden.push(x);
      sum += x.n!;
    }
    for (const x of hidden) x.hide();
  };
  if (across) {
    const odd = out.channels.filter((x) => x.channel !== '(blank)' && !(x.channel in CHANNELS) && small(x.contacts));
    if (odd.length) {
      const n = odd.reduce((a, x) => a + x.contacts!, 0);
      out.channels = out.channels.filter((x) => !odd.includes(x));
      out.channels.push({ channel: OTHER_CHANNELS, contacts: n, pct: r.contacts ? (100 * n) / r.contacts : 0 });
    }
  }
  parts(out.channels.map((x) => ({ n: x.contacts, hide: () => Object.assign(x, { contacts: null, pct: null }) })));
  // A part of a known whole: small itself, or leaving a small remainder (7 of 9 resolved says 2 were not).
  const part = (n: Cell, of: number | null) => small(n) || (of !== null && n !== null && small(of - n));
  if (out.ni14) {
    const n = out.ni14;
    const t = r.ni14!;
    // Contacts per request times requests is the contacts with a reference: the rest must not be small.
    const withRef = t.requests && t.contactsPerRequest !== null ? Math.round(t.contactsPerRequest * t.requests) : 0;
    if (small(n.requests)) Object.assign(n, { requests: null, contactsPerRequest: null });
    if (small(r.contacts - withRef)) n.contactsPerRequest = null;
    if (part(n.multiContact, t.requests)) Object.assign(n, { multiContact: null, multiContactPct: null });
  }
  if (out.repeat) {
    const rep = out.repeat;
    const notChecked = r.repeat!.notChecked ?? 0;
    const checked = r.contacts - notChecked;
    // The share of those looked at gives how many were, and so how many were not.
    if (small(notChecked) || small(checked)) Object.assign(rep, { notChecked: null, pct: null });
    const windows = across?.detail.repeatWithin;
    if (part(rep.contacts, checked) || (windows && !shownWindows(windows, checked, minCell).has(rep.withinDays)))
      Object.assign(rep, { contacts: null, pct: null });
  }
  const reasons = across?.detail.reasons ? reasonRules(across.detail.reasons, r.contacts, minCell) : null;
  const key = (reason: string) => reason.trim().toLowerCase();
  if (out.avoidable && (part(out.avoidable.contacts, r.contacts) || reasons?.hides(out.avoidable.reasons.map(key))))
    Object.assign(out.avoidable, { contacts: null, pct: null });
  if (out.tiers) {
    const tiers = out.tiers;
    const byRequest = tiers.basis === 'request';
    // By request, the rows add up to NI14's requests; the contacts left out (no reference) are the
    // contacts less those with one, hidden as contacts per request is when either is small.
    if (byRequest && part(tiers.withoutRequest, r.contacts)) tiers.withoutRequest = null;
    const members = new Map<string, string[]>();
    for (const [reason, tier] of across?.tiers ?? []) members.set(tier, [...(members.get(tier) ?? []), key(reason)]);
    const rules = byRequest ? requestRules(across?.detail, r.ni14?.requests ?? 0, minCell) : reasons;
    const forced = new Set(tiers.rows.filter((t) => rules?.hides(members.get(t.tier) ?? [])).map((t) => t.tier));
    const hideTier = (t: (typeof tiers.rows)[number]) =>
      Object.assign(t, { count: null, resolved: null, resolvedPct: null, meetsTarget: null });
    parts([
      ...tiers.rows.map((t) => ({ n: t.count, forced: forced.has(t.tier), hide: () => hideTier(t) })),
      // Those without a tier are the rest of the total: hidden with any tier hidden by its reasons.
      { n: tiers.untiered, forced: forced.size > 0, hide: () => (tiers.untiered = null) },
    ]);
    for (const t of tiers.rows)
      if (t.count !== null && (part(t.resolved, t.count) || rules?.hidesResolution(members.get(t.tier) ?? [])))
        Object.assign(t, { resolved: null, resolvedPct: null, meetsTarget: null });
  }
  return out;
}

/**
 * The repeat windows that may be shown, from 1 day up: one whose count differs from the last shown
 * by 0 or at least minCell (the first from 0), and leaves no small remainder of those looked at.
 * Counts grow with the window, so any two windows shown differ by 0 or at least minCell.
 */
export function shownWindows(repeatWithin: readonly number[], checked: number, minCell: number): Set<number> {
  const shown = new Set<number>();
  let last = 0;
  repeatWithin.forEach((n, i) => {
    const step = n - last;
    if ((step === 0 || step >= minCell) && !isSmall(checked - n, minCell)) {
      shown.add(i + 1);
      last = n;
    }
  });
  return shown;
}

interface ReasonRules {
  hides(set: string[]): boolean;
  hidesResolution(set: string[]): boolean;
}

/**
 * The reason rules for first-contact resolution by request (decision 35): reasonRules over each
 * reason's requests (those it was the first contact of) and those resolved at first contact, out
 * of NI14's requests. A reason is left out of any set, too, when its contacts less its requests
 * are small: the same set asked as avoidable contact (contacts) and as a tier (requests) would
 * otherwise differ by a small count.
 */
function requestRules(detail: ContactDetail | undefined, requests: number, minCell: number): ReasonRules | null {
  if (!detail?.firstReasons) return null;
  const contactsOf = new Map((detail.reasons ?? []).map((x) => [x.reason, x.contacts]));
  const first = new Map(detail.firstReasons.map((x) => [x.reason, x]));
  const alsoBad = new Set<string>();
  for (const [reason, contacts] of contactsOf)
    if (reason !== null && isSmall(contacts - (first.get(reason)?.requests ?? 0), minCell)) alsoBad.add(reason);
  return reasonRules(
    detail.firstReasons.map((x) => ({ reason: x.reason, contacts: x.requests, resolved: x.resolved })),
    requests,
    minCell,
    alsoBad,
  );
}

/**
 * Which reasons may be counted in a set (avoidable, a tier) for a viewer who may ask for any set:
 * each reason's count is 0 or at least minCell, and the reasons left out add up to 0 or at least
 * minCell (else the smallest others are left out too), so no difference of two sets, nor of the
 * total and a set, is small. Resolution, likewise, by each reason's resolved and unresolved counts.
 */
function reasonRules(
  reasons: NonNullable<ContactDetail['reasons']>,
  total: number,
  minCell: number,
  alsoBad: ReadonlySet<string> = new Set(),
): ReasonRules {
  const count = new Map(reasons.filter((x) => x.reason !== null).map((x) => [x.reason!, x]));
  const bad = new Set([
    ...alsoBad,
    ...reasons.filter((x) => x.reason !== null && isSmall(x.contacts, minCell)).map((x) => x.reason!),
  ]);
  let left = total - [...count.values()].filter((x) => !bad.has(x.reason!)).reduce((a, x) => a + x.contacts, 0);
  const usable = [...count.values()].filter((x) => !bad.has(x.reason!) && x.contacts > 0);
  usable.sort((a, b) => a.contacts - b.contacts || a.reason!.localeCompare(b.reason!));
  while (isSmall(left, minCell) && usable.length) {
    const x = usable.shift()!;
    bad.add(x.reason!);
    left += x.contacts;
  }
  const badResolution = new Set(
    reasons
      .filter(
        (x) =>
          x.reason !== null &&
          (bad.has(x.reason) ||
            x.resolved === null ||
            isSmall(x.resolved, minCell) ||
            isSmall(x.contacts - x.resolved, minCell)),
      )
      .map((x) => x.reason!),
  );
  return {
    hides: (set) => set.some((x) => bad.has(x)),
    hidesResolution: (set) => set.some((x) => badResolution.has(x)),
  };
}

const c = (n: Cell) => (n === null ? SUPPRESSED_MARK : fmtInt(n));
const p = (n: Cell) => (n === null ? SUPPRESSED_MARK : `${fmtPct(n)}%`);

export function contactsToTable(r: ContactsResult): string {
  const lines: string[] = [`Contacts in ${r.dataset}: ${fmtInt(r.contacts)} (channel from "${r.columns.channel}")`];
  lines.push(
    '',
    textTable(
      ['Channel', 'Contacts', '%'],
      r.channels.map((x) => [x.channel, c(x.contacts), p(x.pct)]),
      (i) => i > 0,
    ),
  );
  if (r.ni14) {
    const n = r.ni14;
    lines.push(
      '',
      `Avoidable contact (NI14), by "${r.columns.request}": ${n.contactsPerRequest === null ? SUPPRESSED_MARK : n.contactsPerRequest.toFixed(2)} contacts per request, over ${c(n.requests)} requests; ${c(n.multiContact)} (${p(n.multiContactPct)}) needed more than one contact`,
    );
  } else lines.push('', 'NI14: no request reference column (name one with --request-column).');
  if (r.repeat)
    lines.push(
      `Repeat contact: ${c(r.repeat.contacts)} contacts (${p(r.repeat.pct)}) followed one by the same customer for the same reason within ${r.repeat.withinDays} days` +
        (r.repeat.notChecked
          ? `; ${fmtInt(r.repeat.notChecked)} without a customer reference or a readable date not looked at`
          : ''),
    );
  else
    lines.push(
      'Repeat contact: needs a customer reference, a reason and a date (--customer-column, --reason-column, --datetime-column).',
    );
  if (r.avoidable)
    lines.push(
      `Avoidable reasons (${r.avoidable.reasons.join(', ')}): ${c(r.avoidable.contacts)} contacts (${p(r.avoidable.pct)})`,
    );
  if (r.tiers) {
    const byRequest = r.tiers.basis === 'request';
    lines.push(
      '',
      byRequest
        ? `Resolved at first contact, by tier (target ${r.tiers.target}%), counting requests by "${r.columns.request}": a request is resolved at first contact when it had one contact and that was resolved; its tier is its first contact's reason's`
        : `Resolved at first contact, by tier (target ${r.tiers.target}%), counting contacts: there is no request reference`,
      textTable(
        ['Tier', byRequest ? 'Requests' : 'Contacts', 'Resolved', '%', 'Meets target'],
        [
          ...r.tiers.rows.map((t) => [
            t.tier,
            c(t.count),
            c(t.resolved),
            p(t.resolvedPct),
            t.meetsTarget === null ? '' : t.meetsTarget ? 'yes' : 'no',
          ]),
          ['no tier', c(r.tiers.untiered), '', '', ''],
        ],
        (i) => i > 0 && i < 4,
      ),
    );
    if (byRequest)
      lines.push(`Contacts without a request reference, not counted as requests: ${c(r.tiers.withoutRequest)}`);
  }
  lines.push(
    '',
    r.minCell
      ? `Counts under ${r.minCell} are shown as ${SUPPRESSED_MARK}.`
      : 'Not suppressed: for the data owner only.',
    '',
  );
  return lines.join('\n');
}

/**
 * A contact log's measures as CSV, one row per figure: measure, what it is of, contacts, %. Hidden
 * counts are blank, with the mark in the note column. The tiers' counts are requests when the
 * tiers count requests (their "of" says requests).
 */
export function contactsToCsv(r: ContactsResult): string {
  const rows: (string | number)[][] = [];
  const n = (v: Cell) => (v === null ? '' : v);
  const note = (...v: Cell[]) =>
    v.some((x) => x === null) ? `hidden: fewer than ${r.minCell} or would reveal one` : '';
  rows.push(['contacts', 'all', r.contacts, 100, '']);
  for (const x of r.channels) rows.push(['channel', x.channel, n(x.contacts), n(x.pct), note(x.contacts)]);
  if (r.ni14) {
    rows.push(['requests', r.columns.request ?? '', n(r.ni14.requests), '', note(r.ni14.requests)]);
    rows.push(['contacts per request (NI14)', '', n(r.ni14.contactsPerRequest), '', note(r.ni14.contactsPerRequest)]);
    rows.push([
      'requests needing more than one contact',
      '',
      n(r.ni14.multiContact),
      n(r.ni14.multiContactPct),
      note(r.ni14.multiContact),
    ]);
  }
  if (r.repeat) {
    rows.push([
      'repeat contact',
      `within ${r.repeat.withinDays} days`,
      n(r.repeat.contacts),
      n(r.repeat.pct),
      note(r.repeat.contacts, r.repeat.pct),
    ]);
    rows.push(['repeat contact not looked at', '', n(r.repeat.notChecked), '', note(r.repeat.notChecked)]);
  }
  if (r.avoidable)
    rows.push([
      'avoidable reasons',
      r.avoidable.reasons.join('; '),
      n(r.avoidable.contacts),
      n(r.avoidable.pct),
      note(r.avoidable.contacts),
    ]);
  if (r.tiers) {
    // The count column holds requests on the request basis: the "of" column says so.
    const what = r.tiers.basis === 'request' ? 'requests' : 'contacts';
    for (const t of r.tiers.rows) {
      rows.push([`tier ${t.tier}`, what, n(t.count), '', note(t.count)]);
      rows.push([
        `tier ${t.tier}`,
        `${what} resolved at first contact (target ${r.tiers.target}%)`,
        n(t.resolved),
        n(t.resolvedPct),
        note(t.resolved),
      ]);
    }
    rows.push(['no tier', what, n(r.tiers.untiered), '', note(r.tiers.untiered)]);
    if (r.tiers.basis === 'request')
      rows.push([
        'contacts without a request reference',
        'not counted as requests',
        n(r.tiers.withoutRequest),
        '',
        note(r.tiers.withoutRequest),
      ]);
  }
  return csvText(
    ['measure', 'of', 'contacts', 'pct', 'note'],
    rows.map((row) => row.map((v) => (typeof v === 'number' ? String(Math.round(v * 100) / 100) : v))),
  );
}
