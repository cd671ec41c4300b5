/**
 * Journeys (C12) rendered: text tables for the terminal, CSV in the template's columns (so an
 * export imports again), an XLSX workbook for a business case (a summary, each journey's steps
 * with their costs in money formats, the before/after sheet, the data asked for again, notes with
 * sources), the template itself, and SVG: a journey map (a lane per agency, a column per step)
 * and a circle of need. Journeys hold no personal data, so nothing here is disclosure-controlled.
 */
import type ExcelJS from 'exceljs';
import type { UnitCostSet } from '../channels/index.ts';
import { CHANNELS } from '../intake/index.ts';
import {
  TEMPLATE_COLUMNS,
  type CircleResult,
  type Journey,
  type JourneyComparison,
  type JourneyMeasures,
  type JourneySummary,
} from '../journeys/index.ts';
import { csvText, escapeHtml, fmtInt, safeCellText, textTable } from './format.ts';
import { addNoteRows, newWorkbook, styleHeaderRows } from './xlsx.ts';

const money = (n: number | null) =>
  n === null ? '' : `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const MONEY_FORMAT = '"£"#,##0.00';
const plural = (n: number, one: string, many = `${one}s`) => `${fmtInt(n)} ${n === 1 ? one : many}`;

// ---- text ----------------------------------------------------------------------------------------

export function journeyListToTable(
  list: JourneySummary[],
  circles: { name: string; segment: string; needs: number }[],
) {
  const parts: string[] = [];
  parts.push(
    list.length
      ? textTable(
          ['Journey', 'Title', 'Stage', 'Compare with', 'Steps'],
          list.map((j) => [j.name, j.title, j.stage ?? '', j.compareWith ?? '', fmtInt(j.steps)]),
          (i) => i === 4,
          60,
        )
      : 'No journeys yet: import one with civic journey import.',
  );
  if (circles.length)
    parts.push(
      '\nCircles of need\n' +
        textTable(
          ['Circle', 'Segment', 'Needs'],
          circles.map((c) => [c.name, c.segment, fmtInt(c.needs)]),
          (i) => i === 2,
          60,
        ),
    );
  return parts.join('\n') + '\n';
}

export function journeyToTable(j: Journey, m: JourneyMeasures): string {
  const rows = j.steps.map((s, i) => [
    String(i + 1),
    s.agency,
    s.service,
    s.channel ? `${s.channel}${s.count > 1 ? ` ×${s.count}` : ''}` : '(event)',
    s.form ?? '',
    s.waitDays === null ? '' : fmtInt(s.waitDays),
    money(m.stepCosts[i].cost),
    s.feeling ?? '',
  ]);
  return (
    `${j.title}${j.stage ? ` (${j.stage})` : ''}\n\n` +
    textTable(
      ['Step', 'Agency', 'Service', 'Channel', 'Form', 'Wait (days)', 'Cost', 'Feeling'],
      rows,
      (i) => i === 0 || i === 5 || i === 6,
      32,
    ) +
    `\n\n${measuresToTable(m)}`
  );
}

export function measuresToTable(m: JourneyMeasures): string {
  const lines = [
    `${m.title}: ${plural(m.steps, 'step')}${m.reconstructedSteps ? ` (${fmtInt(m.reconstructedSteps)} reconstructed)` : ''}`,
    '',
    `  Agencies          ${fmtInt(m.agencies.length)}`,
    `  Services          ${fmtInt(m.services.length)}`,
    `  Forms             ${fmtInt(m.forms.length)}`,
    `  Contacts          ${fmtInt(m.contacts.total)}${m.contacts.byChannel.length ? `: ${m.contacts.byChannel.map((c) => `${c.channel} ${fmtInt(c.contacts)}`).join(', ')}` : ''}`,
    `  Assessments       ${m.assessments.made ? `${fmtInt(m.assessments.made)}, of which ${fmtInt(m.assessments.repeats)} repeat an earlier one` : 'none'}`,
    `  Data items asked  ${fmtInt(m.dataItems.asked)} (${fmtInt(m.dataItems.distinct)} different, ${fmtInt(m.dataItems.repeats)} asked again)`,
    `  Wait              ${m.wait.stepsWithWait ? `${plural(m.wait.totalDays, 'day')}${m.wait.stepsWithWait < m.steps ? ` (over the ${plural(m.wait.stepsWithWait, 'step')} that give one)` : ''}` : 'not given'}`,
    `  Cost              ${money(m.cost.total)}${m.unitCosts ? ` at the unit costs ${m.unitCosts}` : ''}${m.cost.complete ? '' : `; ${plural(m.cost.uncostedContacts, 'contact')} not costed (${m.cost.uncostedChannels.join(', ')}: no unit cost)`}`,
  ];
  if (m.contacts.byChannel.length) {
    lines.push(
      '',
      textTable(
        ['Channel', 'Contacts', 'Unit cost', 'Cost'],
        m.contacts.byChannel.map((c) => [c.channel, fmtInt(c.contacts), money(c.unitCost), money(c.cost)]),
        (i) => i > 0,
      ),
    );
  }
  if (m.repeatedAssessments.length)
    lines.push(
      '',
      'Assessments made more than once',
      textTable(
        ['Assessment', 'Times', 'By'],
        m.repeatedAssessments.map((a) => [a.name, fmtInt(a.times), a.agencies.join(', ')]),
        (i) => i === 1,
        70,
      ),
    );
  if (m.repeatedDataItems.length)
    lines.push(
      '',
      'Data items asked for more than once',
      textTable(
        ['Data item', 'Times', 'Agencies'],
        m.repeatedDataItems.map((d) => [d.name, fmtInt(d.times), fmtInt(d.agencies.length)]),
        (i) => i > 0,
        50,
      ),
    );
  if (m.contacts.outsideVocabulary.length)
    lines.push(
      '',
      `Channels outside the vocabulary (the council's own, or a slip): ${m.contacts.outsideVocabulary.join(', ')}.`,
    );
  return lines.join('\n') + '\n';
}

export function comparisonToTable(c: JourneyComparison): string {
  const b = c.before,
    a = c.after;
  const rows: string[][] = [
    ['Steps', fmtInt(b.steps), fmtInt(a.steps), fmtInt(c.stepsSaved)],
    ['Agencies', fmtInt(b.agencies.length), fmtInt(a.agencies.length), fmtInt(b.agencies.length - a.agencies.length)],
    ['Forms', fmtInt(b.forms.length), fmtInt(a.forms.length), fmtInt(b.forms.length - a.forms.length)],
    ['Contacts', fmtInt(b.contacts.total), fmtInt(a.contacts.total), fmtInt(c.contactsSaved)],
    ...c.byChannel.map((x) => [`  ${x.channel}`, fmtInt(x.before), fmtInt(x.after), fmtInt(-x.change)]),
    [
      'Assessments repeated',
      fmtInt(b.assessments.repeats),
      fmtInt(a.assessments.repeats),
      fmtInt(c.assessmentRepeatsSaved),
    ],
    ['Data items asked again', fmtInt(b.dataItems.repeats), fmtInt(a.dataItems.repeats), fmtInt(c.dataRepeatsSaved)],
    ['Wait (days)', fmtInt(b.wait.totalDays), fmtInt(a.wait.totalDays), fmtInt(c.waitDaysSaved)],
    ['Cost', money(b.cost.total), money(a.cost.total), money(c.costSaved)],
  ];
  const out = [
    `${b.title} → ${a.title}`,
    '',
    textTable(['', 'Before', 'After', 'Saved'], rows, (i) => i > 0, 40),
    '',
    `Contacts saved: ${fmtInt(c.contactsSaved)}; cost saved: ${money(c.costSaved)}${c.costComplete ? '' : ' (some contacts have no unit cost, so the saving is not the whole of it)'}.`,
    `Forms removed: ${c.formsRemoved.length ? `${fmtInt(c.formsRemoved.length)} (${c.formsRemoved.join('; ')})` : 'none'}${c.formsAdded.length ? `; forms added: ${c.formsAdded.join('; ')}` : ''}.`,
  ];
  return out.join('\n') + '\n';
}

// ---- CSV in the template's columns ---------------------------------------------------------------

/** One row of the template for each step: what the import reads back. */
function templateRows(journeys: readonly Journey[]): (string | number | null)[][] {
  return journeys.flatMap((j) =>
    j.steps.map((s, i) => {
      const first = i === 0;
      const own: Record<string, string | number | null> = {
        journey: j.name,
        title: first ? j.title : null,
        customer: first ? j.customer : null,
        council: first ? j.council : null,
        segment: first ? j.segment : null,
        stage: first ? j.stage : null,
        compare_with: first ? j.compareWith : null,
        unit_costs: first ? j.unitCosts : null,
        source: first ? j.source : null,
        reconstruction: first ? j.reconstruction : null,
        step: i + 1,
        agency: s.agency,
        service: s.service,
        channel: s.channel,
        form: s.form,
        assessment: s.assessment,
        data_items: s.dataItems.join('; ') || null,
        wait_days: s.waitDays,
        cost: s.cost === null ? null : s.cost.toFixed(2),
        count: s.count,
        feeling: s.feeling,
        note: s.note,
        reconstructed: s.reconstructed ? 'yes' : null,
      };
      return TEMPLATE_COLUMNS.map((c) => own[c.name] ?? null);
    }),
  );
}

export function journeysToCsv(journeys: readonly Journey[]): string {
  return csvText(
    TEMPLATE_COLUMNS.map((c) => c.name),
    templateRows(journeys),
  );
}

/** The template as CSV: the header and an example journey to write over. */
export function journeyTemplateCsv(example: Journey): string {
  return journeysToCsv([example]);
}

// ---- XLSX ----------------------------------------------------------------------------------------

/** A sheet whose first row is the header (so that it imports again), frozen, filtered and printed with titles. */
function plainSheet(wb: ExcelJS.Workbook, name: string, head: string[], rows: (string | number | null)[][]) {
  const ws = wb.addWorksheet(name, {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: {
      paperSize: 9,
      orientation: 'landscape',
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: '1:1',
    },
    headerFooter: { oddFooter: '&LCivic Insight Observatory&RPage &P of &N' },
  });
  styleHeaderRows([ws.addRow(head)]);
  for (const r of rows) ws.addRow(r.map((v) => (typeof v === 'string' ? safeCellText(v) : v)));
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: head.length } };
  return ws;
}

const WIDTH: Record<string, number> = {
  journey: 16,
  title: 30,
  agency: 26,
  service: 26,
  channel: 14,
  form: 30,
  assessment: 24,
  data_items: 36,
  feeling: 28,
  note: 50,
  source: 40,
  reconstruction: 40,
};

/** The template workbook: a Steps sheet with the example to write over (channels offered from the vocabulary), and how to fill it in. */
export async function journeyTemplateXlsx(example: Journey): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const head = TEMPLATE_COLUMNS.map((c) => c.name);
  const ws = plainSheet(wb, 'Steps', head, templateRows([example]));
  head.forEach((h, i) => {
    ws.getColumn(i + 1).width = WIDTH[h] ?? 12;
  });
  ws.getColumn(head.indexOf('cost') + 1).numFmt = '0.00';
  const channels = wb.addWorksheet('Channels');
  channels.addRow(['channel', 'also written as']).font = { bold: true };
  for (const [c, ways] of Object.entries(CHANNELS)) channels.addRow([c, ways.filter((w) => w !== c).join(', ')]);
  channels.addRow(['internal email', 'the council’s own: any name may be used, and costed in your own unit costs']);
  channels.getColumn(1).width = 16;
  channels.getColumn(2).width = 90;
  // The channel column offers the vocabulary, and still takes the council's own.
  const col = head.indexOf('channel') + 1;
  const listEnd = Object.keys(CHANNELS).length + 2;
  for (let r = 2; r <= 500; r++)
    ws.getCell(r, col).dataValidation = {
      type: 'list',
      allowBlank: true,
      showErrorMessage: false,
      formulae: [`Channels!$A$2:$A$${listEnd}`],
    };
  const help = wb.addWorksheet('How to fill in');
  help.addRow(['column', 'what it holds']).font = { bold: true };
  for (const c of TEMPLATE_COLUMNS)
    help.addRow([
      c.name,
      `${c.required ? '(required) ' : ''}${c.journey ? '(the journey’s, on its first row) ' : ''}${c.help}`,
    ]);
  help.addRow([]);
  help.addRow([
    'import',
    'civic journey import WORKSPACE this-file.xlsx — every problem is reported with its row and column. Save as CSV (UTF-8) if you prefer: the same columns.',
  ]);
  help.getColumn(1).width = 18;
  help.getColumn(2).width = 110;
  help.getColumn(2).alignment = { wrapText: true, vertical: 'top' };
  return Buffer.from(await wb.xlsx.writeBuffer());
}

export interface JourneyReport {
  journey: Journey;
  measures: JourneyMeasures;
}

/**
 * A business-case workbook: Summary (the measures of each journey, money in pounds), Steps (every
 * step in the template's columns, which imports again), Costs by step, Before and after (when a
 * comparison is given), Data asked again, and Notes (sources, reconstruction, the unit costs used).
 */
export async function journeysToXlsx(
  reports: readonly JourneyReport[],
  comparison: JourneyComparison | null,
  unitCostSets: readonly UnitCostSet[],
): Promise<Buffer> {
  const wb = await newWorkbook();
  wb.creator = 'Civic Insight Observatory';
  const title = (ws: ExcelJS.Worksheet, text: string) => {
    ws.addRow([safeCellText(text)]).font = { bold: true, size: 13 };
  };

  // Summary
  const sum = wb.addWorksheet('Summary', {
    pageSetup: { paperSize: 9, orientation: 'landscape', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  title(sum, reports.length === 1 ? reports[0].journey.title : 'Customer journeys');
  const measureRows: [string, (m: JourneyMeasures) => number | string, string?][] = [
    ['Steps', (m) => m.steps],
    ['Steps reconstructed', (m) => m.reconstructedSteps],
    ['Agencies', (m) => m.agencies.length],
    ['Services', (m) => m.services.length],
    ['Application forms', (m) => m.forms.length],
    ['Contacts', (m) => m.contacts.total],
    ['Assessments made', (m) => m.assessments.made],
    ['Assessments repeated', (m) => m.assessments.repeats],
    ['Data items asked', (m) => m.dataItems.asked],
    ['Data items asked again', (m) => m.dataItems.repeats],
    ['Wait (days)', (m) => m.wait.totalDays],
    ['Cost', (m) => m.cost.total, MONEY_FORMAT],
    ['Contacts not costed', (m) => m.cost.uncostedContacts],
    ['Unit costs', (m) => m.unitCosts ?? 'none'],
  ];
  const headRow = sum.addRow(['Measure', ...reports.map((r) => r.journey.name)]);
  styleHeaderRows([headRow]);
  for (const [label, f, fmt] of measureRows) {
    const row = sum.addRow([label, ...reports.map((r) => f(r.measures))]);
    if (fmt) for (let c = 2; c <= reports.length + 1; c++) row.getCell(c).numFmt = fmt;
    else
      for (let c = 2; c <= reports.length + 1; c++)
        if (typeof row.getCell(c).value === 'number') row.getCell(c).numFmt = '#,##0';
  }
  sum.getColumn(1).width = 26;
  for (let c = 2; c <= reports.length + 1; c++) sum.getColumn(c).width = 18;

  // Steps, in the template's columns
  const head = TEMPLATE_COLUMNS.map((c) => c.name);
  const steps = plainSheet(wb, 'Steps', head, templateRows(reports.map((r) => r.journey)));
  head.forEach((h, i) => {
    steps.getColumn(i + 1).width = WIDTH[h] ?? 12;
  });
  steps.getColumn(head.indexOf('cost') + 1).numFmt = MONEY_FORMAT;

  // Costs by step
  const costs = plainSheet(
    wb,
    'Costs by step',
    ['journey', 'step', 'agency', 'service', 'channel', 'contacts', 'unit cost', 'cost', 'costed from'],
    reports.flatMap((r) =>
      r.journey.steps.map((s, i) => {
        const c = r.measures.stepCosts[i];
        return [
          r.journey.name,
          i + 1,
          s.agency,
          s.service,
          s.channel ?? '(event)',
          c.contacts,
          c.unitCost,
          c.cost,
          c.from === 'step' ? 'the step' : c.from === 'table' ? r.measures.unitCosts : 'not costed',
        ];
      }),
    ),
  );
  [16, 6, 26, 26, 14, 10, 12, 12, 18].forEach((w, i) => {
    costs.getColumn(i + 1).width = w;
  });
  costs.getColumn(7).numFmt = MONEY_FORMAT;
  costs.getColumn(8).numFmt = MONEY_FORMAT;
  for (const r of reports) {
    const t = costs.addRow([
      r.journey.name,
      null,
      'Total',
      null,
      null,
      r.measures.contacts.total,
      null,
      r.measures.cost.total,
      r.measures.cost.complete ? null : `${r.measures.cost.uncostedContacts} contacts not costed`,
    ]);
    t.font = { bold: true };
  }

  // Before and after
  if (comparison) {
    const ba = wb.addWorksheet('Before and after', {
      pageSetup: { paperSize: 9, orientation: 'portrait', fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
    });
    title(ba, `${comparison.before.title} → ${comparison.after.title}`);
    styleHeaderRows([ba.addRow(['Measure', 'Before', 'After', 'Saved'])]);
    const b = comparison.before,
      a = comparison.after;
    const rows: [string, number, number, number, string?][] = [
      ['Steps', b.steps, a.steps, comparison.stepsSaved],
      ['Agencies', b.agencies.length, a.agencies.length, b.agencies.length - a.agencies.length],
      ['Application forms', b.forms.length, a.forms.length, b.forms.length - a.forms.length],
      ['Contacts', b.contacts.total, a.contacts.total, comparison.contactsSaved],
      ...comparison.byChannel.map(
        (x) => [`  by ${x.channel}`, x.before, x.after, -x.change] as [string, number, number, number],
      ),
      ['Assessments repeated', b.assessments.repeats, a.assessments.repeats, comparison.assessmentRepeatsSaved],
      ['Data items asked again', b.dataItems.repeats, a.dataItems.repeats, comparison.dataRepeatsSaved],
      ['Wait (days)', b.wait.totalDays, a.wait.totalDays, comparison.waitDaysSaved],
      ['Cost', b.cost.total, a.cost.total, comparison.costSaved, MONEY_FORMAT],
    ];
    for (const [label, x, y, z, fmt] of rows) {
      const row = ba.addRow([label, x, y, z]);
      for (let c = 2; c <= 4; c++) row.getCell(c).numFmt = fmt ?? '#,##0';
      if (label === 'Cost' || label === 'Contacts') row.font = { bold: true };
    }
    ba.addRow([]);
    addNoteRows(ba, [
      ['Forms removed', comparison.formsRemoved.join('; ') || 'none'],
      ['Forms added', comparison.formsAdded.join('; ') || 'none'],
      ['Agencies no longer involved', comparison.agenciesRemoved.join('; ') || 'none'],
      [
        'Costing',
        comparison.costComplete
          ? 'Every contact of both journeys is costed.'
          : 'Some contacts have no unit cost: the saving is over the contacts that have one.',
      ],
    ]);
    ba.getColumn(1).width = 30;
    for (const c of [2, 3, 4]) ba.getColumn(c).width = 14;
  }

  // Data asked again
  plainSheet(
    wb,
    'Data asked again',
    ['journey', 'data item', 'times asked', 'agencies asking'],
    reports.flatMap((r) =>
      r.measures.repeatedDataItems.map((d) => [r.journey.name, d.name, d.times, d.agencies.join('; ')]),
    ),
  ).columns.forEach((c, i) => {
    c.width = [16, 34, 12, 80][i];
  });

  // Notes
  const notes = wb.addWorksheet('Notes');
  for (const r of reports)
    addNoteRows(notes, [
      [r.journey.name, r.journey.title],
      ['  source', r.journey.source ?? 'not given'],
      ['  reconstructed', r.journey.reconstruction ?? 'nothing said'],
    ]);
  for (const set of unitCostSets) {
    addNoteRows(notes, [
      [`Unit costs ${set.name}`, set.published ? 'published with the Observatory' : 'the council’s own file'],
    ]);
    for (const c of set.costs) addNoteRows(notes, [[`  ${c.channel} £${c.cost.toFixed(2)}`, c.source ?? '']]);
  }
  addNoteRows(notes, [
    [
      'Counting',
      'A step with no channel is an event, not a contact. A step of n contacts counts n contacts, costs n times its unit cost and asks for its data items n times. Names are compared ignoring case and spacing.',
    ],
  ]);
  notes.getColumn(1).width = 34;
  notes.getColumn(2).width = 110;
  return Buffer.from(await wb.xlsx.writeBuffer());
}

// ---- SVG -----------------------------------------------------------------------------------------

/** Text cut into lines of at most `width` characters (words kept whole where they fit), at most `lines` of them. */
export function wrapText(s: string, width: number, lines: number): string[] {
  const out: string[] = [];
  let line = '';
  for (const word of s.split(/\s+/).filter(Boolean)) {
    const next = line ? `${line} ${word}` : word;
    if (next.length <= width) line = next;
    else {
      if (line) out.push(line);
      line = word.length > width ? `${word.slice(0, width - 1)}…` : word;
    }
  }
  if (line) out.push(line);
  if (out.length > lines) {
    const kept = out.slice(0, lines);
    kept[lines - 1] = `${kept[lines - 1].slice(0, width - 1)}…`;
    return kept;
  }
  return out;
}

const tspans = (lines: string[], x: number, dy: number) =>
  lines.map((l, i) => `<tspan x="${x}" dy="${i ? dy : 0}">${escapeHtml(l)}</tspan>`).join('');

/**
 * A journey map: a lane for each agency, a column for each step in order, each step a box in its
 * agency's lane (channel and contacts, service, form), arrows from step to step, the waits above
 * and the customer's feelings below. Plain SVG, drawn on the server; the steps table beside it on
 * the page says the same in words.
 */
export function journeyMapSvg(j: Journey, m: JourneyMeasures, opts: { id?: string } = {}): string {
  const id = opts.id ?? 'journey-map';
  const agencies = m.agencies.map((a) => a.name);
  const laneOf = (agency: string) =>
    agencies.findIndex(
      (a) => a.trim().replace(/\s+/g, ' ').toLowerCase() === agency.trim().replace(/\s+/g, ' ').toLowerCase(),
    );
  const LABEL = 190,
    COL = 150,
    LANE = 92,
    TOP = 56,
    BOX_W = 132,
    BOX_H = 76;
  const width = LABEL + COL * j.steps.length + 20;
  const feelingsY = TOP + LANE * agencies.length + 16;
  const height = feelingsY + 70;
  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="civic-journey-map" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="Arial, sans-serif">`,
    `<title id="${id}-title">${escapeHtml(`Journey map: ${j.title}`)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(`${m.steps} steps across ${m.agencies.length} agencies; ${m.contacts.total} contacts; the table of steps below says the same in words.`)}</desc>`,
    `<defs><marker id="${id}-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#505a5f"/></marker></defs>`,
  );
  agencies.forEach((a, i) => {
    const y = TOP + i * LANE;
    parts.push(
      `<rect x="0" y="${y}" width="${width}" height="${LANE}" fill="${i % 2 ? '#ffffff' : '#f3f2f1'}"/>`,
      `<text x="8" y="${y + 24}" font-size="14" font-weight="bold" fill="#0b0c0c">${tspans(wrapText(a, 24, 3), 8, 17)}</text>`,
    );
  });
  parts.push(
    `<text x="8" y="30" font-size="14" font-weight="bold" fill="#0b0c0c">Step</text>`,
    `<text x="8" y="${feelingsY + 18}" font-size="14" font-weight="bold" fill="#0b0c0c">${tspans(['How it felt'], 8, 17)}</text>`,
  );
  const centre = (i: number) => ({
    x: LABEL + i * COL + COL / 2,
    y: TOP + laneOf(j.steps[i].agency) * LANE + LANE / 2,
  });
  for (let i = 0; i + 1 < j.steps.length; i++) {
    const a = centre(i),
      b = centre(i + 1);
    const x1 = a.x + BOX_W / 2,
      x2 = b.x - BOX_W / 2;
    parts.push(
      `<path d="M${x1},${a.y} C${x1 + 10},${a.y} ${x2 - 10},${b.y} ${x2 - 2},${b.y}" fill="none" stroke="#505a5f" stroke-width="2" marker-end="url(#${id}-arrow)"/>`,
    );
  }
  j.steps.forEach((s, i) => {
    const c = centre(i);
    const x = c.x - BOX_W / 2,
      y = c.y - BOX_H / 2;
    const contact = s.channel !== null;
    const cost = m.stepCosts[i].cost;
    parts.push(
      `<text x="${c.x}" y="30" font-size="14" text-anchor="middle" fill="#0b0c0c">${i + 1}</text>`,
      s.waitDays
        ? `<text x="${LABEL + (i + 1) * COL}" y="48" font-size="12" text-anchor="middle" fill="#505a5f">${escapeHtml(`${s.waitDays} day${s.waitDays === 1 ? '' : 's'}`)}</text>`
        : '',
      `<rect x="${x}" y="${y}" width="${BOX_W}" height="${BOX_H}" rx="6" fill="${contact ? '#ffffff' : '#f3f2f1'}" stroke="${contact ? '#1d70b8' : '#505a5f'}" stroke-width="${contact ? 2 : 1}"${contact ? '' : ' stroke-dasharray="4 3"'}/>`,
      `<text x="${x + 8}" y="${y + 18}" font-size="13" font-weight="bold" fill="${contact ? '#1d70b8' : '#505a5f'}">${escapeHtml(contact ? `${s.channel}${s.count > 1 ? ` ×${s.count}` : ''}` : 'event')}</text>`,
      `<text x="${x + 8}" y="${y + 36}" font-size="12" fill="#0b0c0c">${tspans(wrapText(s.service, 20, s.form ? 1 : 2), x + 8, 15)}</text>`,
      s.form
        ? `<text x="${x + 8}" y="${y + 53}" font-size="11" fill="#0b0c0c">${tspans(wrapText(`Form: ${s.form}`, 22, 1), x + 8, 13)}</text>`
        : '',
      cost !== null && cost > 0
        ? `<text x="${x + BOX_W - 8}" y="${y + BOX_H - 8}" font-size="11" text-anchor="end" fill="#505a5f">${escapeHtml(money(cost))}</text>`
        : '',
      s.feeling
        ? `<text x="${c.x}" y="${feelingsY + 18}" font-size="12" text-anchor="middle" font-style="italic" fill="#0b0c0c">${tspans(wrapText(s.feeling, 22, 3), c.x, 15)}</text>`
        : '',
    );
  });
  parts.push('</svg>');
  return parts.filter(Boolean).join('\n');
}

/**
 * A circle of need: the segment at the centre, its needs round it, and the services meeting each
 * need (with their providers) on the outer ring, in the need's sector.
 */
export function circleToSvg(r: CircleResult, opts: { id?: string } = {}): string {
  const id = opts.id ?? 'circle';
  const W = 1300,
    H = 1200,
    cx = W / 2,
    cy = H / 2,
    R_NEED = 245,
    R_SERVICE = 400,
    STAGGER = 55;
  const palette = [
    '#1d70b8',
    '#00703c',
    '#d4351c',
    '#4c2c92',
    '#b58840',
    '#28a197',
    '#f47738',
    '#912b88',
    '#5694ca',
    '#85994b',
  ];
  // Each need gets a share of the circle for its services, and a little more, so that needs with
  // one service still have room for their node.
  const weight = (k: number) => r.needs[k].services.length + 1.5;
  const totalWeight = r.needs.reduce((t, _, k) => t + weight(k), 0);
  const spokes: string[] = [];
  const outer: string[] = [];
  const nodes: string[] = [];
  let start = -Math.PI / 2 - (Math.PI * weight(0)) / totalWeight;
  r.needs.forEach((need, k) => {
    const colour = palette[k % palette.length];
    const share = (2 * Math.PI * weight(k)) / totalWeight;
    const angle = start + share / 2;
    start += share;
    const nx = cx + R_NEED * Math.cos(angle),
      ny = cy + R_NEED * Math.sin(angle);
    const s = need.services.length;
    const spread = share * 0.8 * ((s - 1) / s);
    need.services.forEach((svc, i) => {
      const a = angle + (s === 1 ? 0 : -spread / 2 + (spread * i) / (s - 1));
      // Crowded needs alternate their services between two rings, so that the labels do not overlap.
      const radius = R_SERVICE + (s > 3 && i % 2 ? STAGGER : 0);
      const sx = cx + radius * Math.cos(a),
        sy = cy + radius * Math.sin(a);
      const right = Math.cos(a) >= 0;
      const anchor = Math.abs(Math.cos(a)) < 0.3 ? 'middle' : right ? 'start' : 'end';
      const tx = anchor === 'middle' ? sx : sx + (right ? 10 : -10);
      const lines = wrapText(svc.service, 22, 2);
      const prov = wrapText(svc.providers.join('; '), 28, 2);
      const height = (lines.length + prov.length) * 14;
      const baseY = Math.sin(a) > 0.5 ? sy + 20 : Math.sin(a) < -0.5 ? sy - 8 - height + 14 : sy + 4;
      outer.push(
        `<line x1="${nx.toFixed(1)}" y1="${ny.toFixed(1)}" x2="${sx.toFixed(1)}" y2="${sy.toFixed(1)}" stroke="${colour}" stroke-width="2"/>`,
        `<circle cx="${sx.toFixed(1)}" cy="${sy.toFixed(1)}" r="6" fill="${colour}"/>`,
        `<text x="${tx.toFixed(1)}" y="${baseY.toFixed(1)}" font-size="13" text-anchor="${anchor}" fill="#0b0c0c">${tspans(lines, Number(tx.toFixed(1)), 15)}</text>`,
        `<text x="${tx.toFixed(1)}" y="${(baseY + lines.length * 15).toFixed(1)}" font-size="11" text-anchor="${anchor}" fill="#505a5f">${tspans(prov, Number(tx.toFixed(1)), 13)}</text>`,
      );
    });
    const label = wrapText(need.need, 14, 3);
    spokes.push(
      `<line x1="${cx}" y1="${cy}" x2="${nx.toFixed(1)}" y2="${ny.toFixed(1)}" stroke="${colour}" stroke-width="3"/>`,
    );
    nodes.push(
      `<circle cx="${nx.toFixed(1)}" cy="${ny.toFixed(1)}" r="58" fill="#ffffff" stroke="${colour}" stroke-width="4"/>`,
      `<text x="${nx.toFixed(1)}" y="${(ny - ((label.length - 1) * 16) / 2 + 5).toFixed(1)}" font-size="14" font-weight="bold" text-anchor="middle" fill="#0b0c0c">${tspans(label, Number(nx.toFixed(1)), 16)}</text>`,
    );
  });
  const seg = wrapText(r.segment, 18, 4);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" class="civic-circle" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-labelledby="${id}-title ${id}-desc" font-family="Arial, sans-serif">`,
    `<title id="${id}-title">${escapeHtml(`Circle of need: ${r.segment}`)}</title>`,
    `<desc id="${id}-desc">${escapeHtml(`${r.counts.needs} needs, ${r.counts.services} services, ${r.counts.providers} providers; the table says the same in words.`)}</desc>`,
    `<rect x="0" y="0" width="${W}" height="${H}" fill="#ffffff"/>`,
    `<circle cx="${cx}" cy="${cy}" r="${R_SERVICE - 40}" fill="none" stroke="#b1b4b6" stroke-dasharray="6 6"/>`,
    ...outer,
    ...spokes,
    `<circle cx="${cx}" cy="${cy}" r="120" fill="#f3f2f1" stroke="#0b0c0c" stroke-width="2"/>`,
    `<text x="${cx}" y="${cy - ((seg.length - 1) * 20) / 2 + 6}" font-size="17" font-weight="bold" text-anchor="middle" fill="#0b0c0c">${tspans(seg, cx, 20)}</text>`,
    ...nodes,
    '</svg>',
  ].join('\n');
}

export function circleToTable(r: CircleResult): string {
  const rows = r.needs.flatMap((n) =>
    n.services.map((s, i) => [
      i === 0 ? n.need : '',
      s.service,
      s.providers.join('; '),
      s.usedBy === null
        ? ''
        : s.usedBy.length
          ? s.usedBy.map((u) => `${u.code} (${Math.round(u.index)})`).join(', ')
          : 'none high',
    ]),
  );
  const head = ['Need', 'Service', 'Providers', ...(r.sdf ? [`High take-up (index ≥ ${r.sdf.minIndex})`] : [])];
  return (
    `Circle of need: ${r.segment} — ${plural(r.counts.needs, 'need')}, ${plural(r.counts.services, 'service')}, ${plural(r.counts.providers, 'provider')}\n\n` +
    textTable(
      head,
      rows.map((x) => (r.sdf ? x : x.slice(0, 3))),
      () => false,
      44,
    ) +
    (r.sdf
      ? `\n\nTake-up from the Service Delivery Framework (${r.sdf.classification} ${r.sdf.level}).${r.sdf.missing.length ? ` Datasets named but not in it: ${r.sdf.missing.join(', ')}.` : ''}`
      : '') +
    '\n'
  );
}
