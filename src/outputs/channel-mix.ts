/**
 * Channel mix by segment or area as a viewer may see it, and as text and CSV. The counts make a
 * table with totals on both edges (each segment's contacts, each channel's, and the whole), so a
 * hidden cell must not come back from any edge: in every row and column whose total is shown,
 * hidden cells are none, or at least two that add up to the threshold or more. Non-owners see
 * every count perturbed by its cell key, and every share, index, interval and band is worked out
 * again from the counts they see.
 */
import type {
  ChannelMixCell,
  ChannelMixResult,
  ContactVolumesResult,
  FrameworkResult,
  ShiftModelResult,
} from '../channels/index.ts';
import { suppressOneWay } from '../core/index.ts';
import { profileMeasures } from '../profiling/index.ts';
import { disclosureOf, shownCount, type DisclosureRule } from './disclosure.ts';
import { csvText, fmtInt, fmtPct, SUPPRESSED_MARK, textTable } from './format.ts';

/**
 * Hides cells so that none can be got back from a total that is shown: for each line (a list of
 * cells and whether its total is shown), when one cell is hidden or the hidden ones add up to
 * under the threshold, the smallest shown cell goes too; repeated until nothing changes.
 */
function protectTable(
  counts: number[],
  hidden: boolean[],
  lines: { cells: number[]; totalShown: () => boolean }[],
  minCell: number,
): number {
  let secondary = 0;
  for (let changed = true; changed; ) {
    changed = false;
    for (const line of lines) {
      if (!line.totalShown()) continue;
      const h = line.cells.filter((i) => hidden[i]);
      const sum = h.reduce((s, i) => s + counts[i], 0);
      if (h.length === 0 || h.length === line.cells.length || (h.length >= 2 && sum >= minCell)) continue;
      let pick = -1;
      for (const i of line.cells) if (!hidden[i] && (pick < 0 || counts[i] < counts[pick])) pick = i;
      hidden[pick] = true;
      secondary++;
      changed = true;
    }
  }
  return secondary;
}

export function discloseChannelMix(result: ChannelMixResult, ruleIn: DisclosureRule): ChannelMixResult {
  const rule = disclosureOf(ruleIn);
  const stripped: ChannelMixResult = {
    ...result,
    groups: result.groups.map((g) => ({ ...g, cellKey: null })),
    channels: result.channels.map((c) => ({ ...c, cellKey: null })),
    cells: result.cells.map((c) => ({ ...c, cellKey: null })),
    total: { ...result.total, cellKey: null },
  };
  if (!(rule.minCell > 0)) return stripped;
  const min = rule.minCell;
  const G = result.groups.length;
  const C = result.channels.length;
  // One array of every count: cells (channel-major, as the result lists them), then the groups'
  // totals, then the channels' totals, then the whole.
  const at = (k: number, g: number) => k * G + g;
  const gi = (g: number) => C * G + g;
  const ci = (k: number) => C * G + G + k;
  const ti = C * G + G + C;
  const counts = [
    ...result.cells.map((c) => c.contacts ?? 0),
    ...result.groups.map((g) => g.contacts ?? 0),
    ...result.channels.map((c) => c.contacts ?? 0),
    result.total.contacts ?? 0,
  ];
  const hidden = counts.map((n) => n < min);
  const primary = hidden.slice(0, C * G).filter(Boolean).length;
  const range = (n: number) => [...Array(n).keys()];
  const lines = [
    ...range(G).map((g) => ({ cells: range(C).map((k) => at(k, g)), totalShown: () => !hidden[gi(g)] })),
    ...range(C).map((k) => ({ cells: range(G).map((g) => at(k, g)), totalShown: () => !hidden[ci(k)] })),
    { cells: range(G).map(gi), totalShown: () => !hidden[ti] },
    { cells: range(C).map(ci), totalShown: () => !hidden[ti] },
  ];
  const secondary = protectTable(counts, hidden, lines, min);
  const keys = [
    ...result.cells.map((c) => c.cellKey),
    ...result.groups.map((g) => g.cellKey),
    ...result.channels.map((c) => c.cellKey),
    result.total.cellKey,
  ];
  const shown = counts.map((n, i) => (hidden[i] ? null : shownCount(n, keys[i], rule)));
  const total = shown[ti];
  const bands = result.bands.map((b) => ({ name: b.name, min: b.min ?? -Infinity }));
  const cells = result.cells.map((c, i): ChannelMixCell => {
    const k = Math.floor(i / G);
    const g = i % G;
    const n = shown[i];
    const base = shown[gi(g)];
    if (n === null)
      return {
        ...c,
        contacts: null,
        pct: null,
        index: null,
        ciLow: null,
        ciHigh: null,
        z: null,
        significant: null,
        band: null,
        suppressed: true,
        cellKey: null,
      };
    if (base === null || !(base > 0))
      return {
        ...c,
        contacts: n,
        pct: null,
        index: null,
        ciLow: null,
        ciHigh: null,
        z: null,
        significant: null,
        band: null,
        cellKey: null,
      };
    const chan = shown[ci(k)];
    const m = profileMeasures(n, base, chan ?? 0, total ?? 0, bands);
    const withTotals = chan !== null && total !== null;
    return {
      ...c,
      contacts: n,
      pct: m.penetration,
      index: withTotals ? m.index : null,
      ciLow: m.ciLow,
      ciHigh: m.ciHigh,
      z: withTotals ? m.z : null,
      significant: withTotals ? m.significant : null,
      band: withTotals ? m.band : null,
      cellKey: null,
    };
  });
  return {
    ...stripped,
    groups: result.groups.map((g, i) => ({ ...g, contacts: shown[gi(i)], cellKey: null })),
    channels: result.channels.map((c, k) => {
      const n = shown[ci(k)];
      return { ...c, contacts: n, pct: n === null || !total ? null : (100 * n) / total, cellKey: null };
    }),
    cells,
    total: { contacts: total, cellKey: null },
    // What was not placed is the owner's figure.
    notPlaced: null,
    disclosure: { minCell: min, primary, secondary, perturbed: rule.perturb },
  };
}

const n0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : fmtInt(n));
const p0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : `${fmtPct(n)}%`);
const i0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : String(Math.round(n)));

export function channelMixToTable(r: ChannelMixResult): string {
  const what = r.kind === 'segment' ? `${r.classification ?? 'segment'} ${r.level}` : r.level;
  const lines = [
    `Channel mix of ${r.dataset} by ${what}: ${n0(r.total.contacts)} contacts placed` +
      (r.notPlaced ? `, ${fmtInt(r.notPlaced)} not placed (postcode not found)` : ''),
    '',
    'The borough: ' + r.channels.map((c) => `${c.channel} ${p0(c.pct)}`).join(', '),
    '',
  ];
  const names = new Map(r.groups.map((g) => [g.code, g]));
  lines.push(
    textTable(
      [
        r.kind === 'segment' ? 'Segment' : 'Area',
        'Contacts',
        'Channel',
        'Count',
        '% of its contacts',
        '95% interval',
        'Index',
        'Band',
      ],
      r.cells.map((c) => {
        const g = names.get(c.code)!;
        return [
          g.name ? `${c.code} ${g.name}` : c.code,
          n0(g.contacts),
          c.channel,
          n0(c.contacts),
          p0(c.pct),
          c.ciLow === null || c.ciHigh === null ? '' : `${fmtPct(c.ciLow)}–${fmtPct(c.ciHigh)}%`,
          i0(c.index),
          c.band ?? '',
        ];
      }),
      (i) => i === 1 || (i >= 3 && i <= 6),
    ),
    '',
    'Index: the share against the borough’s share of the channel × 100 (100 = the same).',
    r.disclosure
      ? `Counts under ${r.disclosure.minCell} are shown as ${SUPPRESSED_MARK}, with others that would give them away${r.disclosure.perturbed ? '; counts carry a little noise' : ''}.`
      : 'Not suppressed: for the data owner only.',
    '',
  );
  return lines.join('\n');
}

export function channelMixToCsv(r: ChannelMixResult): string {
  const names = new Map(r.groups.map((g) => [g.code, g]));
  const f = (n: number | null, dp = 2) => (n === null ? '' : Number(n.toFixed(dp)).toString());
  return csvText(
    [
      'code',
      'name',
      'contacts',
      'channel',
      'channel_contacts',
      'pct',
      'ci_low',
      'ci_high',
      'index',
      'band',
      'suppressed',
    ],
    r.cells.map((c) => {
      const g = names.get(c.code)!;
      return [
        c.code,
        g.name ?? '',
        g.contacts === null ? '' : String(g.contacts),
        c.channel,
        c.contacts === null ? '' : String(c.contacts),
        f(c.pct),
        f(c.ciLow),
        f(c.ciHigh),
        f(c.index, 1),
        c.band ?? '',
        c.suppressed ? 'yes' : '',
      ];
    }),
  );
}

/**
 * Volumes as someone other than the owner may see them: a group with under minCell contacts is
 * hidden with its minutes, and when one is, the next smallest too, so that none comes back from
 * the total. Minutes are shown only for groups whose contacts are.
 */
export function discloseVolumes(r: ContactVolumesResult, minCell: number): ContactVolumesResult {
  if (!(minCell > 0)) return r;
  const s = suppressOneWay(
    r.rows.map((x) => x.contacts ?? 0),
    minCell,
  );
  return {
    ...r,
    contacts: s.totalSuppressed ? null : r.contacts,
    minutes: s.totalSuppressed ? null : r.minutes,
    rows: r.rows.map((x, i) =>
      s.suppressed[i]
        ? { ...x, contacts: null, pct: null, minutes: null, minutesPct: null, meanMinutes: null, timed: null }
        : x,
    ),
    unreadable: r.unreadable !== null && r.unreadable > 0 && r.unreadable < minCell ? null : r.unreadable,
    minCell,
  };
}

export function volumesToTable(r: ContactVolumesResult): string {
  const mins = (n: number | null) => (n === null ? SUPPRESSED_MARK : fmtInt(Math.round(n)));
  const mean = (n: number | null) => (n === null ? '' : n.toFixed(1));
  const head = `${r.channel ? `${r.channel[0].toUpperCase()}${r.channel.slice(1)} contacts` : 'Contacts'} in ${r.dataset} by ${r.by}: ${n0(r.contacts)}`;
  const timed = r.handlingColumn !== null;
  return [
    head + (timed ? `, ${mins(r.minutes)} minutes of handling (from "${r.handlingColumn}")` : ''),
    '',
    textTable(
      timed
        ? [r.by, 'Contacts', '% of contacts', 'Minutes', '% of time', 'Mean minutes']
        : [r.by, 'Contacts', '% of contacts'],
      r.rows.map((x) =>
        timed
          ? [x.value, n0(x.contacts), p0(x.pct), mins(x.minutes), p0(x.minutesPct), mean(x.meanMinutes)]
          : [x.value, n0(x.contacts), p0(x.pct)],
      ),
      (i) => i > 0,
    ),
    '',
    timed
      ? `Mean minutes are over the contacts with a handling time.${r.unreadable ? ` ${n0(r.unreadable)} handling times could not be read (not minutes, m:ss or h:mm:ss) and are left out.` : ''}`
      : 'No handling time column: name one with --handling-column for the time spent.',
    r.minCell
      ? `Counts under ${r.minCell} are shown as ${SUPPRESSED_MARK}.`
      : 'Not suppressed: for the data owner only.',
    '',
  ].join('\n');
}

export function volumesToCsv(r: ContactVolumesResult): string {
  const f = (n: number | null, dp = 2) => (n === null ? '' : Number(n.toFixed(dp)).toString());
  return csvText(
    [r.by, 'contacts', 'pct', 'minutes', 'minutes_pct', 'mean_minutes'],
    r.rows.map((x) => [x.value, f(x.contacts, 0), f(x.pct), f(x.minutes, 1), f(x.minutesPct), f(x.meanMinutes)]),
  );
}

/**
 * The channel-shift model as someone other than the owner may see it: a segment whose contacts
 * (before they are made a year's) are under minCell is hidden with everything worked from them,
 * and so is one whose contacts by the channel left are, with the next smallest when only one is,
 * so that none comes back from the totals. A year's contacts are counts times a factor that is
 * shown, so they are judged by the counts they came from.
 */
export function discloseShiftModel(r: ShiftModelResult, minCell: number): ShiftModelResult {
  const stripped = { ...r, segments: r.segments.map((s) => ({ ...s, cellKey: null })) };
  if (!(minCell > 0)) return stripped;
  const counts = (k: 'contacts' | 'fromContacts') => r.segments.map((s) => Math.round((s[k] ?? 0) / r.perYear));
  const a = suppressOneWay(counts('contacts'), minCell);
  const b = suppressOneWay(counts('fromContacts'), minCell);
  const hide = r.segments.map((_, i) => a.suppressed[i] || b.suppressed[i]);
  // Hiding a segment for one count can leave another line with one hidden: hide the next smallest there.
  for (const k of ['contacts', 'fromContacts'] as const) {
    const c = counts(k);
    const hidden = hide.map((h, i) => (h ? i : -1)).filter((i) => i >= 0);
    if (hidden.length === 1 || (hidden.length > 1 && hidden.reduce((s, i) => s + c[i], 0) < minCell)) {
      const next = c
        .map((n, i) => ({ n, i }))
        .filter((x) => !hide[x.i])
        .sort((p, q) => p.n - q.n)[0];
      if (next) hide[next.i] = true;
    }
  }
  const none = {
    contacts: null,
    fromContacts: null,
    propensity: null,
    propensityLow: null,
    propensityHigh: null,
    index: null,
    band: null,
    moved: null,
    movedLow: null,
    movedHigh: null,
    saving: null,
    savingLow: null,
    savingHigh: null,
  };
  const totalSmall = a.totalSuppressed || b.totalSuppressed;
  return {
    ...stripped,
    segments: stripped.segments.map((s, i) => (hide[i] ? { ...s, ...none } : s)),
    total: totalSmall
      ? {
          contacts: null,
          fromContacts: null,
          moved: null,
          movedLow: null,
          movedHigh: null,
          saving: null,
          savingLow: null,
          savingHigh: null,
          leftBehind: null,
        }
      : r.total,
    notPlaced: null,
    disclosure: { minCell, hidden: hide.filter(Boolean).length },
  };
}

const money = (n: number | null) =>
  n === null
    ? SUPPRESSED_MARK
    : `£${n.toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
const whole = (n: number | null) => (n === null ? SUPPRESSED_MARK : fmtInt(Math.round(n)));

export function shiftModelToTable(r: ShiftModelResult): string {
  const t = r.total;
  return [
    `Moving ${fmtPct(r.sharePct)}% of ${r.service ? `${r.service} ` : ''}contacts by ${r.from} to ${r.to}, by ${r.classification ?? 'segment'} ${r.level}, at the unit costs ${r.unitCosts} (${money(r.fromCost)} and ${money(r.toCost)})`,
    `The log spans ${r.days.toFixed(1)} days; its contacts are made a year's by × ${r.perYear.toFixed(3)}.`,
    '',
    textTable(
      [
        'Segment',
        'Contacts a year',
        `By ${r.from}`,
        'Already digital',
        'Band',
        'Ceiling',
        'Moved a year',
        'Saving a year',
        'Range',
        'Planned on',
      ],
      r.segments.map((s) => [
        s.name ? `${s.code} ${s.name}` : s.code,
        whole(s.contacts),
        whole(s.fromContacts),
        s.propensity === null
          ? SUPPRESSED_MARK
          : `${fmtPct(s.propensity)}%${s.propensitySource === 'table' ? ' (table)' : ''}`,
        s.band ?? '',
        s.ceiling === null ? '' : `${fmtPct(s.ceiling)}%`,
        whole(s.moved),
        money(s.saving),
        s.savingLow === null ? '' : `${money(s.savingLow)}–${money(s.savingHigh)}`,
        s.eligible ? 'yes' : `no: ${s.leftBehind}`,
      ]),
      (i) => i >= 1 && i <= 8 && i !== 4,
    ),
    '',
    `In all: ${whole(t.moved)} contacts a year moved (${whole(t.movedLow)} to ${whole(t.movedHigh)}), saving ${money(t.saving)} a year (${money(t.savingLow)} to ${money(t.savingHigh)}).`,
    `Left behind: ${whole(t.leftBehind)} contacts a year by ${r.from} in segments not planned on${r.protected.length ? ` (protected: ${r.protected.join(', ')})` : ''}.`,
    `Already digital: the share of a segment's contacts made by ${r.digital.join(', ')}. Band: its index against the borough's share. Ceiling: the most digital take-up expected; the range puts it at the ends of its 95% interval.`,
    r.disclosure
      ? `Segments with under ${r.disclosure.minCell} contacts are shown as ${SUPPRESSED_MARK}.`
      : 'Not suppressed: for the data owner only.',
    '',
  ].join('\n');
}

/** The framework as a grid: a row per segment, a column per channel, information then service. */
export function frameworkToTable(r: FrameworkResult): string {
  const cols = [
    ...r.channels.information.map((c) => ({ kind: 'information' as const, channel: c })),
    ...r.channels.service.map((c) => ({ kind: 'service' as const, channel: c })),
  ];
  const short = (b: string | null) => b ?? '';
  const lines = [
    `Communications framework${r.dataset ? ` from the contacts in ${r.dataset}` : ''}${r.table ? `${r.dataset ? ' and' : ' from'} the preference table ${r.table}` : ''}`,
    '',
  ];
  for (const kind of ['information', 'service'] as const) {
    const these = cols.filter((c) => c.kind === kind);
    if (!these.length) continue;
    lines.push(
      kind === 'information' ? 'Information channels (finding things out):' : 'Service channels (getting things done):',
      textTable(
        ['Segment', ...these.map((c) => c.channel)],
        r.segments.map((s) => [
          s.name ? `${s.code} ${s.name}` : s.code,
          ...these.map((c) => {
            const cell = s.cells.find((x) => x.kind === c.kind && x.channel === c.channel)!;
            const both = cell.contactsBand && cell.tableBand && cell.contactsBand !== cell.tableBand;
            return both ? `${short(cell.contactsBand)} (table: ${cell.tableBand})` : short(cell.band);
          }),
        ]),
        () => false,
      ),
      '',
    );
  }
  lines.push(
    `Bands: ${r.bands.join(', ')}. Service channels from the contacts are each segment's channel mix index, banded; where the table disagrees it is shown beside.`,
    '',
  );
  return lines.join('\n');
}

export function frameworkToCsv(r: FrameworkResult): string {
  return csvText(
    ['segment', 'name', 'kind', 'channel', 'band', 'contacts_index', 'contacts_band', 'table_band'],
    r.segments.flatMap((s) =>
      s.cells.map((c) => [
        s.code,
        s.name ?? '',
        c.kind,
        c.channel,
        c.band ?? '',
        c.contactsIndex === null ? '' : c.contactsIndex.toFixed(1),
        c.contactsBand ?? '',
        c.tableBand ?? '',
      ]),
    ),
  );
}
