/** Unit costs, the cost of contact and a channel shift (channels' results) as text tables and CSV. */
import type { ContactCostResult, ContactsResult, ShiftResult, UnitCostSet } from '../channels/index.ts';
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

/**
 * A contact log's measures as someone other than its owner may see them: every count from 1 to
 * minCell − 1 hidden, with the share worked from it; a count whose complement is small hidden too
 * (7 of 9 resolved says 2 were not); and, where one channel is hidden, the next smallest as well,
 * so that none can be got back from the total.
 */
export function discloseContacts(r: ContactsResult, minCell: number): ContactsResult {
  if (minCell <= 0) return r;
  const out = structuredClone(r);
  out.minCell = minCell;
  // Cells adding up to a total that is shown: small ones hidden, and when just one is, the
  // smallest other too.
  const parts = (cells: { n: Cell; hide: () => void }[]) => {
    const small = cells.filter((x) => isSmall(x.n, minCell));
    for (const x of small) x.hide();
    if (small.length !== 1) return;
    const next = cells.filter((x) => !small.includes(x) && x.n !== null && x.n > 0).sort((a, b) => a.n! - b.n!)[0];
    next?.hide();
  };
  parts(out.channels.map((x) => ({ n: x.contacts, hide: () => Object.assign(x, { contacts: null, pct: null }) })));
  // A part of a known whole: small itself, or leaving a small remainder (7 of 9 resolved says 2 were not).
  const part = (n: Cell, of: number | null) =>
    isSmall(n, minCell) || (of !== null && n !== null && isSmall(of - n, minCell));
  if (out.ni14) {
    const n = out.ni14;
    if (isSmall(n.requests, minCell)) Object.assign(n, { requests: null, contactsPerRequest: null });
    if (part(n.multiContact, r.ni14!.requests)) Object.assign(n, { multiContact: null, multiContactPct: null });
  }
  if (out.repeat && part(out.repeat.contacts, r.contacts - r.repeat!.notChecked))
    Object.assign(out.repeat, { contacts: null, pct: null });
  if (out.avoidable && part(out.avoidable.contacts, r.contacts))
    Object.assign(out.avoidable, { contacts: null, pct: null });
  if (out.tiers) {
    const tiers = out.tiers;
    const hideTier = (t: (typeof tiers.rows)[number]) =>
      Object.assign(t, { contacts: null, resolved: null, resolvedPct: null, meetsTarget: null });
    parts([
      ...tiers.rows.map((t) => ({ n: t.contacts, hide: () => hideTier(t) })),
      { n: tiers.untiered, hide: () => (tiers.untiered = null) },
    ]);
    for (const t of tiers.rows)
      if (t.contacts !== null && part(t.resolved, t.contacts))
        Object.assign(t, { resolved: null, resolvedPct: null, meetsTarget: null });
  }
  return out;
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
    lines.push(
      '',
      `Resolved at first contact, by tier (target ${r.tiers.target}%):`,
      textTable(
        ['Tier', 'Contacts', 'Resolved', '%', 'Meets target'],
        [
          ...r.tiers.rows.map((t) => [
            t.tier,
            c(t.contacts),
            c(t.resolved),
            p(t.resolvedPct),
            t.meetsTarget === null ? '' : t.meetsTarget ? 'yes' : 'no',
          ]),
          ['no tier', c(r.tiers.untiered), '', '', ''],
        ],
        (i) => i > 0 && i < 4,
      ),
    );
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
