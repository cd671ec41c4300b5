/** Unit costs, the cost of contact and a channel shift (channels' results) as text tables and CSV. */
import type { ContactCostResult, ShiftResult, UnitCostSet } from '../channels/index.ts';
import { csvText, fmtInt, fmtPct, textTable } from './format.ts';

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
