/**
 * Channel results as workbooks for a business case: the shift planned by segment (a summary sheet
 * a finance officer can read, the segments with money formatted as money, and the method and unit
 * costs with their sources), the cost of a year's contacts, and volumes by service or reason.
 */
import type { ContactCostResult, ContactVolumesResult, ShiftModelResult, UnitCostSet } from '../channels/index.ts';
import { addNoteRows, addTableSheet, newWorkbook } from './xlsx.ts';

const MONEY = '"£"#,##0.00';
const WHOLE = '#,##0';
const PCT = '0.0"%"';

async function done(wb: Awaited<ReturnType<typeof newWorkbook>>): Promise<Buffer> {
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export async function shiftModelToXlsx(r: ShiftModelResult, costs?: UnitCostSet): Promise<Buffer> {
  const wb = await newWorkbook();
  const t = r.total;
  addTableSheet(
    wb,
    'Business case',
    `Channel shift: ${r.sharePct}% of ${r.service ? `${r.service} ` : ''}contacts by ${r.from} to ${r.to}`,
    ['', 'Low', 'Expected', 'High'],
    [
      ['Contacts moved a year', t.movedLow, t.moved, t.movedHigh],
      ['Saving a year (£)', t.savingLow, t.saving, t.savingHigh],
      [`Unit cost of ${r.from} (£)`, null, r.fromCost, null],
      [`Unit cost of ${r.to} (£)`, null, r.toCost, null],
      [`Contacts a year by ${r.from}`, null, t.fromContacts, null],
      [`Of which in segments left behind`, null, t.leftBehind, null],
    ],
    [38, 16, 16, 16],
    { 2: MONEY, 3: MONEY, 4: MONEY },
  );
  const bc = wb.getWorksheet('Business case')!;
  for (const n of [3, 7, 8]) for (const c of [2, 3, 4]) bc.getRow(n).getCell(c).numFmt = WHOLE;
  addTableSheet(
    wb,
    'By segment',
    `By ${r.classification ?? 'segment'} ${r.level}`,
    [
      'Segment',
      'Name',
      'Contacts a year',
      `By ${r.from}`,
      'Already digital %',
      'Band',
      'Ceiling %',
      'Planned on',
      'Why not',
      'Moved a year',
      'Saving a year (£)',
      'Saving, low (£)',
      'Saving, high (£)',
    ],
    r.segments.map((s) => [
      s.code,
      s.name,
      s.contacts,
      s.fromContacts,
      s.propensity,
      s.band,
      s.ceiling,
      s.eligible === null ? null : s.eligible ? 'yes' : 'no',
      s.leftBehind,
      s.moved,
      s.saving,
      s.savingLow,
      s.savingHigh,
    ]),
    [9, 32, 14, 12, 14, 14, 10, 10, 40, 12, 16, 16, 16],
    { 3: WHOLE, 4: WHOLE, 5: PCT, 7: PCT, 10: WHOLE, 11: MONEY, 12: MONEY, 13: MONEY },
  );
  const notes = wb.addWorksheet('Notes');
  addNoteRows(notes, [
    ['Contact log', r.dataset],
    ['Unit costs', r.unitCosts],
    ...(costs ?? { costs: [] }).costs.map(
      (c) => [`  ${c.channel}`, `£${c.cost.toFixed(2)}${c.source ? ` — ${c.source}` : ''}`] as const,
    ),
    ['Contacts a year', `The log's contacts × ${r.perYear.toFixed(4)} (it spans ${r.days.toFixed(1)} days).`],
    ['Already digital', `The share of a segment's contacts made by ${r.digital.join(', ')}.`],
    [
      'Planned on',
      `Segments whose band is ${r.minBand} or above${r.protected.length ? `, except those protected (${r.protected.join(', ')})` : ''}.`,
    ],
    ['Ceiling', 'The most digital take-up a segment is expected to reach; contacts never move past it.'],
    ['Range', 'The same sums with each ceiling at the ends of its 95% interval.'],
    [
      'Disclosure',
      r.disclosure
        ? `Segments with under ${r.disclosure.minCell} contacts are left blank.`
        : 'Not suppressed: for the data owner only.',
    ],
  ]);
  notes.getColumn(1).width = 22;
  notes.getColumn(2).width = 90;
  return done(wb);
}

export async function contactCostToXlsx(r: ContactCostResult): Promise<Buffer> {
  const wb = await newWorkbook();
  addTableSheet(
    wb,
    'Cost of contact',
    `What the contacts cost, at the unit costs ${r.unitCosts}`,
    ['Channel', 'Contacts', '%', 'Unit cost (£)', 'Cost (£)'],
    [
      ...r.lines.map((l) => [l.channel, l.contacts, l.pct, l.unitCost, l.cost]),
      ['Total', r.contacts, 100, r.perContact, r.total],
    ],
    [20, 14, 10, 14, 16],
    { 2: WHOLE, 3: PCT, 4: MONEY, 5: MONEY },
  );
  return done(wb);
}

export async function volumesToXlsx(r: ContactVolumesResult): Promise<Buffer> {
  const wb = await newWorkbook();
  addTableSheet(
    wb,
    'Volumes',
    `${r.channel ? `${r.channel} contacts` : 'Contacts'} in ${r.dataset} by ${r.by}`,
    [r.by, 'Contacts', '% of contacts', 'Minutes', '% of time', 'Mean minutes'],
    r.rows.map((x) => [x.value, x.contacts, x.pct, x.minutes, x.minutesPct, x.meanMinutes]),
    [28, 12, 14, 12, 12, 14],
    { 2: WHOLE, 3: PCT, 4: WHOLE, 5: PCT, 6: '0.0' },
  );
  return done(wb);
}
