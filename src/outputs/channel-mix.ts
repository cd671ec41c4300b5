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
import { cellKeyOf, suppressOneWay } from '../core/index.ts';
import { CHANNELS } from '../intake/index.ts';
import { profileMeasures } from '../profiling/index.ts';
import { disclosureOf, shownCount, type DisclosureRule } from './disclosure.ts';
import { csvText, fmtInt, fmtPct, SUPPRESSED_MARK, textTable } from './format.ts';

/**
 * Hides cells so that none can be got back from a total that is shown: for each line (a list of
 * cells and whether its total is shown), when one cell is hidden or the hidden ones add up to
 * under the threshold, the smallest shown cell goes too; repeated until nothing changes.
 */
export function protectTable(
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
      // The smallest shown cell that is not empty (an empty cell hides nothing), else an empty one.
      let pick = -1;
      for (const i of line.cells) if (!hidden[i] && counts[i] > 0 && (pick < 0 || counts[i] < counts[pick])) pick = i;
      if (pick < 0) pick = line.cells.find((i) => !hidden[i])!;
      hidden[pick] = true;
      secondary++;
      changed = true;
    }
  }
  return secondary;
}

/** The channels pooled for anyone but the owner: outside the vocabulary, each with a small count. */
export const OTHER_MIX_CHANNELS = 'other channels';

/**
 * The mix with the channels outside the vocabulary that each have under minCell contacts put
 * together as "other channels" (their counts and cell keys added), so that no value someone wrote
 * into the channel column is shown as a column of its own (as discloseContacts does, decision 30).
 */
export function poolOddChannels(r: ChannelMixResult, minCell: number, oddIn?: ReadonlySet<string>): ChannelMixResult {
  const odd = oddIn ?? oddChannels(r, minCell);
  if (!odd.size) return r;
  const keySum = (keys: (number | null)[]) =>
    keys.some((k) => k === null) ? null : keys.reduce<number>((s, k) => cellKeyOf(s + (k ?? 0)), 0);
  const pooled = r.channels.filter((c) => odd.has(c.channel));
  const n = pooled.reduce((s, c) => s + (c.contacts ?? 0), 0);
  const total = r.total.contacts ?? 0;
  const cells = r.cells.filter((c) => !odd.has(c.channel));
  for (const g of r.groups) {
    const these = r.cells.filter((c) => c.code === g.code && odd.has(c.channel));
    cells.push({
      ...these[0],
      channel: OTHER_MIX_CHANNELS,
      contacts: these.reduce((s, c) => s + (c.contacts ?? 0), 0),
      cellKey: keySum(these.map((c) => c.cellKey)),
    });
  }
  return {
    ...r,
    channels: [
      ...r.channels.filter((c) => !odd.has(c.channel)),
      {
        channel: OTHER_MIX_CHANNELS,
        contacts: n,
        pct: total ? (100 * n) / total : null,
        cellKey: keySum(pooled.map((c) => c.cellKey)),
        ...(pooled.every((c) => typeof c.notPlaced === 'number')
          ? {
              notPlaced: pooled.reduce((s, c) => s + (c.notPlaced ?? 0), 0),
            }
          : {}),
      },
    ],
    cells,
  };
}

/** The channels outside the vocabulary that each have under minCell contacts in the mix. */
function oddChannels(r: ChannelMixResult, minCell: number): Set<string> {
  return new Set(
    r.channels.filter((c) => !(c.channel in CHANNELS) && (c.contacts ?? 0) < minCell).map((c) => c.channel),
  );
}

/**
 * The code of the row of contacts not placed in any segment or area, when the mix is protected
 * against the volumes (withNotPlaced): never a segment's or an area's code, never shown.
 */
const NOT_PLACED_ROW = '\u0000not placed';

/**
 * Whether the mix is to be protected against the volumes too: anyone but the owner can ask the
 * volumes by channel, which count every contact, placed or not, so a channel's total in the mix
 * (placed contacts only) taken from its volume gives that channel's contacts not placed.
 */
const againstVolumesOf = (r: ChannelMixResult, wanted: boolean | undefined) =>
  wanted === true && r.notPlaced !== null && r.channels.every((c) => typeof c.notPlaced === 'number');

/**
 * The mix with the contacts not placed as one more row (decision 38), so that the channels'
 * totals are the volumes' (every contact) and the whole is every contact: the two-way rule on
 * this table keeps a small number not placed from coming back as a volume less the mix's total.
 * The row is never shown: a channel's placed total is shown only when the row's cell for that
 * channel could be, and the placed whole only when the row's total could be.
 */
function withNotPlaced(r: ChannelMixResult): ChannelMixResult {
  const np = (k: number) => r.channels[k].notPlaced ?? 0;
  const G = r.groups.length;
  const cells: ChannelMixCell[] = [];
  r.channels.forEach((c, k) => {
    cells.push(...r.cells.slice(k * G, (k + 1) * G));
    cells.push({ ...r.cells[k * G], code: NOT_PLACED_ROW, channel: c.channel, contacts: np(k), cellKey: null });
  });
  return {
    ...r,
    groups: [...r.groups, { code: NOT_PLACED_ROW, name: null, contacts: r.notPlaced ?? 0, cellKey: null }],
    channels: r.channels.map((c, k) => ({ ...c, contacts: (c.contacts ?? 0) + np(k) })),
    cells,
    total: { ...r.total, contacts: (r.total.contacts ?? 0) + (r.notPlaced ?? 0) },
  };
}

/**
 * Which of the not-placed row's counts start hidden: a small one. A zero gives nothing away (the
 * volume and the mix's total are then the same); a placed total too small to show hides its
 * column's cells, and the two-way rule then hides the row's cell with them.
 */
const notPlacedStartsHidden = (np: number, minCell: number) => np > 0 && np < minCell;

/**
 * The mix's counts in one array (cells channel-major, as the result lists them, then the groups'
 * totals, then the channels' totals, then the whole), and which are hidden: those under the
 * threshold, and then whatever protectTable hides so that none comes back from a total. Against
 * the volumes, the table protected has the not-placed row (withNotPlaced), and the channels'
 * totals and the whole are hidden as that row's cells and total are.
 */
interface ProtectedMix {
  G: number;
  at(k: number, g: number): number;
  gi(g: number): number;
  ci(k: number): number;
  ti: number;
  counts: number[];
  hidden: boolean[];
  primary: number;
  secondary: number;
  /** against the volumes: whether each channel's placed total (then the whole's) must not be shown */
  placedHidden?: boolean[];
}

/**
 * `againstVolumes`: protect the table with the not-placed row instead (see withNotPlaced).
 * `volumesKnown` (that table): its channels' totals and its whole are the volumes', which the
 * viewer may read on the volumes page even where this table hides them, so every line summing to
 * one of them is taken as known unless it is small (the volumes page hides a small count).
 */
function protectMix(
  result: ChannelMixResult,
  minCell: number,
  againstVolumes?: boolean,
  volumesKnown = false,
): ProtectedMix {
  const G = result.groups.length;
  const C = result.channels.length;
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
  if (againstVolumesOf(result, againstVolumes)) {
    // The table with the not-placed row: its channels' totals and its whole are the volumes'
    // (every contact), and those are what is shown; the row itself never is.
    const ext: ProtectedMix = protectMix(withNotPlaced(result), minCell, false, true);
    const E = G + 1;
    const fromExt = (i: number) =>
      i < C * G
        ? Math.floor(i / G) * E + (i % G)
        : i < C * G + G
          ? C * E + (i - C * G)
          : i < ti
            ? ext.ci(i - C * G - G)
            : ext.ti;
    const hidden = counts.map((_, i) => ext.hidden[fromExt(i)]);
    const volCounts = counts.map((_, i) => ext.counts[fromExt(i)]);
    // Whether the placed totals could be shown beside the volumes: only where the row's count is
    // not hidden and the placed count is not small (a plan's totals are placed contacts).
    const placedHidden = [
      ...result.channels.map((_, k) => ext.hidden[k * E + G] || counts[ci(k)] < minCell),
      ext.hidden[C * E + G] || counts[ti] < minCell,
    ];
    const primary = counts.slice(0, C * G).filter((n) => n < minCell).length;
    const secondary = hidden.slice(0, C * G).filter(Boolean).length - primary;
    return { G, at, gi, ci, ti, counts: volCounts, hidden, primary, secondary, placedHidden };
  }
  const hidden = counts.map((n) => n < minCell);
  // The not-placed row (when this is the table withNotPlaced made): hidden as notPlacedStartsHidden says.
  if (G && result.groups[G - 1].code === NOT_PLACED_ROW) {
    for (let k = 0; k < C; k++) hidden[at(k, G - 1)] = notPlacedStartsHidden(counts[at(k, G - 1)], minCell);
    hidden[gi(G - 1)] = notPlacedStartsHidden(counts[gi(G - 1)], minCell);
  }
  const primary = hidden.slice(0, C * G).filter(Boolean).length;
  const range = (n: number) => [...Array(n).keys()];
  const secondary = protectTable(
    counts,
    hidden,
    [
      ...range(G).map((g) => ({ cells: range(C).map((k) => at(k, g)), totalShown: () => !hidden[gi(g)] })),
      ...range(C).map((k) => ({
        cells: range(G).map((g) => at(k, g)),
        totalShown: () => (volumesKnown ? counts[ci(k)] >= minCell : !hidden[ci(k)]),
      })),
      { cells: range(G).map(gi), totalShown: () => (volumesKnown ? counts[ti] >= minCell : !hidden[ti]) },
      { cells: range(C).map(ci), totalShown: () => (volumesKnown ? counts[ti] >= minCell : !hidden[ti]) },
    ],
    minCell,
  );
  return { G, at, gi, ci, ti, counts, hidden, primary, secondary };
}

/**
 * Which counts of a mix (of the truth, unperturbed) the two-way rule hides: for each cell
 * (segment × channel) and each segment's total. Other answers made from the same counts (the
 * channel-shift plan for any channel) hide what this hides, so that none gives back another's.
 */
export function mixHidden(
  result: ChannelMixResult,
  minCell: number,
  againstVolumes?: boolean,
): Pick<MixHidden, 'cell' | 'group' | 'placed' | 'placedTotal'> {
  const { at, gi, ci, ti, hidden, placedHidden } = protectMix(result, minCell, againstVolumes);
  const g = new Map(result.groups.map((x, i) => [x.code, i]));
  const k = new Map(result.channels.map((x, i) => [x.channel, i]));
  return {
    cell: (code, channel) => {
      const a = g.get(code);
      const b = k.get(channel);
      return a === undefined || b === undefined ? false : hidden[at(b, a)];
    },
    group: (code) => {
      const a = g.get(code);
      return a === undefined ? true : hidden[gi(a)];
    },
    placed: (channel) => {
      const b = k.get(channel);
      return b === undefined ? true : placedHidden ? placedHidden[b] : hidden[ci(b)];
    },
    placedTotal: () => (placedHidden ? placedHidden[placedHidden.length - 1] : hidden[ti]),
  };
}

/**
 * Everything anyone but the owner could ask of a log's channel mix by service (decision 34): the
 * mix of every service and the mix of each service its owner has published, the truth (for the
 * same segments or areas). The rest (the services not published, and blanks) is never shown, but
 * every service less the published ones would give it, so it is protected as if it were shown.
 */
export interface MixAcrossServices {
  all: ChannelMixResult;
  services: readonly { service: string; mix: ChannelMixResult }[];
}

/** Which counts of one answer (a service's mix, or every service's: null) are hidden. */
export interface MixHidden {
  cell(code: string, channel: string): boolean;
  group(code: string): boolean;
  channel(channel: string): boolean;
  total(): boolean;
  /** whether a channel's placed total (the contacts in a segment or area) must not be shown */
  placed(channel: string): boolean;
  /** whether the placed whole must not be shown */
  placedTotal(): boolean;
}

/**
 * The two-way rule in three ways: the mixes of every published service, the rest, and the mix of
 * every service are one table of service × segment × channel, with totals on every edge (each
 * service's segments and channels, each segment's and channel's over the services, and the
 * whole). Hidden first are the counts under the threshold; then, in every line of the table
 * (along segments, along channels, or along services) whose total is shown, hidden cells are none,
 * or at least two adding up to the threshold, so that no hidden count comes back from one answer,
 * from the difference of a service's answer and every service's, nor from two services' answers.
 * Channels outside the vocabulary with small counts (in every service's mix) are pooled in every
 * answer alike.
 */
export function protectAcrossServices(
  across: MixAcrossServices,
  minCell: number,
  againstVolumesIn?: boolean,
): { odd: ReadonlySet<string>; hidden(service: string | null): MixHidden } {
  const odd = oddChannels(across.all, minCell);
  const pooledAll = poolOddChannels(across.all, minCell, odd);
  const pooled = across.services.map((s) => poolOddChannels(s.mix, minCell, odd));
  // Against the volumes: every layer gains the not-placed row, as protectMix's table does.
  const againstVolumes =
    againstVolumesOf(pooledAll, againstVolumesIn) && pooled.every((r) => againstVolumesOf(r, true));
  const all = againstVolumes ? withNotPlaced(pooledAll) : pooledAll;
  const layers = againstVolumes ? pooled.map(withNotPlaced) : pooled;
  const codes = all.groups.map((g) => g.code);
  const chans = all.channels.map((c) => c.channel);
  const S = layers.length;
  const L = S + 2; // the published services, the rest (S), and every service (S + 1)
  const G = codes.length;
  const C = chans.length;
  const cell = (l: number, g: number, c: number) => (l * G + g) * C + c;
  const grp = (l: number, g: number) => L * G * C + l * G + g;
  const chn = (l: number, c: number) => L * G * C + L * G + l * C + c;
  const tot = (l: number) => L * G * C + L * G + L * C + l;
  const counts = Array<number>(L * G * C + L * G + L * C + L).fill(0);
  const gi = new Map(codes.map((x, i) => [x, i]));
  const ki = new Map(chans.map((x, i) => [x, i]));
  const fill = (l: number, r: ChannelMixResult) => {
    for (const x of r.cells) {
      const g = gi.get(x.code);
      const k = ki.get(x.channel);
      if (g !== undefined && k !== undefined) counts[cell(l, g, k)] += x.contacts ?? 0;
    }
    for (const x of r.groups) {
      const g = gi.get(x.code);
      if (g !== undefined) counts[grp(l, g)] += x.contacts ?? 0;
    }
    for (const x of r.channels) {
      const k = ki.get(x.channel);
      if (k !== undefined) counts[chn(l, k)] += x.contacts ?? 0;
    }
    counts[tot(l)] += r.total.contacts ?? 0;
  };
  layers.forEach((r, l) => fill(l, r));
  fill(S + 1, all);
  // The rest: every service less the published ones.
  const rest = S;
  for (let g = 0; g < G; g++) {
    for (let k = 0; k < C; k++)
      counts[cell(rest, g, k)] = counts[cell(S + 1, g, k)] - sumOf(S, (l) => counts[cell(l, g, k)]);
    counts[grp(rest, g)] = counts[grp(S + 1, g)] - sumOf(S, (l) => counts[grp(l, g)]);
  }
  for (let k = 0; k < C; k++) counts[chn(rest, k)] = counts[chn(S + 1, k)] - sumOf(S, (l) => counts[chn(l, k)]);
  counts[tot(rest)] = counts[tot(S + 1)] - sumOf(S, (l) => counts[tot(l)]);
  const hidden = counts.map((n) => n < minCell);
  const npRow = againstVolumes ? gi.get(NOT_PLACED_ROW)! : -1;
  if (npRow >= 0)
    for (let l = 0; l < L; l++) {
      for (let k = 0; k < C; k++) hidden[cell(l, npRow, k)] = notPlacedStartsHidden(counts[cell(l, npRow, k)], minCell);
      hidden[grp(l, npRow)] = notPlacedStartsHidden(counts[grp(l, npRow)], minCell);
    }
  const range = (n: number) => [...Array(n).keys()];
  const shown = (i: number) => () => !hidden[i];
  // Against the volumes, a channel's total and the whole are the volumes' (every contact), which
  // the volumes page may show where this table hides them: every line summing to one is known,
  // unless it is small (the volumes page hides a small count).
  const volume = (i: number) => (againstVolumes ? () => counts[i] >= minCell : shown(i));
  const lines: { cells: number[]; totalShown: () => boolean }[] = [];
  for (const l of range(L)) {
    for (const g of range(G)) lines.push({ cells: range(C).map((k) => cell(l, g, k)), totalShown: shown(grp(l, g)) });
    for (const k of range(C)) lines.push({ cells: range(G).map((g) => cell(l, g, k)), totalShown: volume(chn(l, k)) });
    lines.push({ cells: range(G).map((g) => grp(l, g)), totalShown: volume(tot(l)) });
    lines.push({ cells: range(C).map((k) => chn(l, k)), totalShown: volume(tot(l)) });
  }
  // Along the services: the published ones and the rest add up to every service's.
  const services = range(S + 1);
  for (const g of range(G))
    for (const k of range(C))
      lines.push({ cells: services.map((l) => cell(l, g, k)), totalShown: shown(cell(S + 1, g, k)) });
  for (const g of range(G)) lines.push({ cells: services.map((l) => grp(l, g)), totalShown: shown(grp(S + 1, g)) });
  for (const k of range(C)) lines.push({ cells: services.map((l) => chn(l, k)), totalShown: volume(chn(S + 1, k)) });
  lines.push({ cells: services.map(tot), totalShown: volume(tot(S + 1)) });
  protectTable(counts, hidden, lines, minCell);
  const names = new Map(across.services.map((s, l) => [s.service, l]));
  return {
    odd,
    hidden: (service) => {
      const l = service === null ? S + 1 : names.get(service);
      if (l === undefined) throw new Error(`The service asked for is not one of those given.`);
      return {
        cell: (code, channel) => {
          const g = gi.get(code);
          const k = ki.get(channel);
          return g === undefined || k === undefined ? true : hidden[cell(l, g, k)];
        },
        group: (code) => {
          const g = gi.get(code);
          return g === undefined ? true : hidden[grp(l, g)];
        },
        // Against the volumes, a channel's placed total is shown only where the not-placed row's cell is.
        // Against the volumes, a channel's total and the whole are every contact's (the volumes').
        channel: (channel) => {
          const k = ki.get(channel);
          return k === undefined ? true : hidden[chn(l, k)];
        },
        total: () => hidden[tot(l)],
        // The placed total beside the volume gives the contacts not placed: shown only where they could be.
        placed: (channel) => {
          const k = ki.get(channel);
          if (k === undefined) return true;
          if (npRow < 0) return hidden[chn(l, k)];
          const np = cell(l, npRow, k);
          return hidden[np] || counts[chn(l, k)] - counts[np] < minCell;
        },
        placedTotal: () =>
          npRow < 0 ? hidden[tot(l)] : hidden[grp(l, npRow)] || counts[tot(l)] - counts[grp(l, npRow)] < minCell,
      };
    },
  };
}

const sumOf = (n: number, f: (i: number) => number) => {
  let s = 0;
  for (let i = 0; i < n; i++) s += f(i);
  return s;
};

/**
 * The mix as a viewer may see it. `opts.poolOdd` (for anyone but the owner, when the categories
 * are channels) pools the channels outside the vocabulary with small counts first.
 */
export function discloseChannelMix(
  resultIn: ChannelMixResult,
  ruleIn: DisclosureRule,
  opts: {
    poolOdd?: boolean;
    /** every other answer by service the viewer could ask, and which one this is (null: every service) */
    across?: MixAcrossServices & { service: string | null };
    /**
     * The viewer can also ask the volumes by channel (anyone but the owner in the portal): protect
     * the mix against them, so that no volume less the mix's total gives a small number not placed.
     */
    againstVolumes?: boolean;
  } = {},
): ChannelMixResult {
  const rule = disclosureOf(ruleIn);
  const joint =
    opts.across && rule.minCell > 0 ? protectAcrossServices(opts.across, rule.minCell, opts.againstVolumes) : null;
  const result =
    rule.minCell > 0 && (opts.poolOdd || joint) ? poolOddChannels(resultIn, rule.minCell, joint?.odd) : resultIn;
  const stripped: ChannelMixResult = {
    ...result,
    groups: result.groups.map((g) => ({ ...g, cellKey: null })),
    channels: result.channels.map(({ notPlaced: _owner, ...c }) => ({ ...c, cellKey: null })),
    cells: result.cells.map((c) => ({ ...c, cellKey: null })),
    total: { ...result.total, cellKey: null },
  };
  if (!(rule.minCell > 0)) return stripped;
  const min = rule.minCell;
  const own = protectMix(result, min, opts.againstVolumes);
  const { G, at, gi, ci, ti, counts } = own;
  let { hidden, primary, secondary } = own;
  if (joint && opts.across) {
    // Hidden as the three-way table says, so that this answer and any other by service agree.
    const h = joint.hidden(opts.across.service);
    hidden = counts.map(() => false);
    result.channels.forEach((c, k) => result.groups.forEach((g, j) => (hidden[at(k, j)] = h.cell(g.code, c.channel))));
    result.groups.forEach((g, j) => (hidden[gi(j)] = h.group(g.code)));
    result.channels.forEach((c, k) => (hidden[ci(k)] = h.channel(c.channel)));
    hidden[ti] = h.total();
    const cellsHidden = hidden.slice(0, result.channels.length * G).filter(Boolean).length;
    primary = counts.slice(0, result.channels.length * G).filter((n) => n < min).length;
    secondary = cellsHidden - primary;
  }
  // Against the volumes the channels' totals and the whole are every contact's (protectMix).
  const all = own.placedHidden !== undefined;
  const keys = [
    ...result.cells.map((c) => c.cellKey),
    ...result.groups.map((g) => g.cellKey),
    ...result.channels.map((c) => c.cellKey),
    result.total.cellKey,
  ];
  // Against the volumes, the channels' totals and the whole are shown as the volumes page shows
  // them, exactly: their noise would tell nothing the volumes do not.
  const exact = (i: number) => all && i >= ci(0) && result.channels.length > 0;
  const shown = counts.map((n, i) => (hidden[i] ? null : exact(i) ? n : shownCount(n, keys[i], rule)));
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
    channels: result.channels.map(({ notPlaced: _owner, ...c }, k) => {
      const n = shown[ci(k)];
      return { ...c, contacts: n, pct: n === null || !total ? null : (100 * n) / total, cellKey: null };
    }),
    cells,
    total: { contacts: total, cellKey: null },
    // What was not placed is the owner's figure.
    notPlaced: null,
    ...(all ? { channelTotals: 'all' as const } : {}),
    disclosure: { minCell: min, primary, secondary, perturbed: rule.perturb },
  };
}

const n0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : fmtInt(n));
const p0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : `${fmtPct(n)}%`);
const i0 = (n: number | null) => (n === null ? SUPPRESSED_MARK : String(Math.round(n)));

export function channelMixToTable(r: ChannelMixResult): string {
  const what = r.kind === 'segment' ? `${r.classification ?? 'segment'} ${r.level}` : r.level;
  const lines = [
    `Channel mix of ${r.dataset}${r.service ? ` (${r.service})` : ''} by ${what}: ${n0(r.total.contacts)} ${r.channelTotals === 'all' ? 'contacts, with those whose postcode was not found' : 'contacts placed'}` +
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

/** The row for the values of the grouping column that are not published, put together. */
export const OTHER_VALUES = '(other values, not published)';

/**
 * Everything one viewer could ask of a log's volumes besides this answer (anyone but the owner):
 * the answer for all channels and for every channel of the log, and the values of the grouping
 * column its owner has published (the rest are put together as one row).
 */
export interface VolumesAcross {
  all: ContactVolumesResult;
  byChannel: readonly ContactVolumesResult[];
  published: readonly string[];
}

/**
 * Volumes as a viewer may see them. Always: a group with under minCell contacts is hidden with its
 * minutes, and when one is, the next smallest too, so that none comes back from the total; and
 * minutes are shown only when at least minCell contacts have a handling time (the minutes of two
 * timed contacts are nearly a record's value), with the same rule against the total.
 *
 * Given `across`, the answers for every channel filter make one table (the values by channel, with
 * the all-channels answer as its row totals): a cell is hidden when it is small, or when it could
 * be worked back from a row's or a column's total (the two-way rule of the channel mix), for the
 * contacts and, with the timed contacts as their counts, for the minutes. Channels outside the
 * vocabulary are one column, and values not published one row, so that nothing written into the
 * log is shown; that column, never asked for by name, is hidden wherever it holds any contacts (the
 * contacts page names such a channel written for 10 or more, so its count less that would be the
 * rest).
 */
export function discloseVolumes(
  r: ContactVolumesResult,
  minCell: number,
  across?: VolumesAcross,
): ContactVolumesResult {
  if (!(minCell > 0)) return r;
  if (across) return discloseVolumesAcross(r, minCell, across);
  const s = suppressOneWay(
    r.rows.map((x) => x.contacts ?? 0),
    minCell,
  );
  const t = suppressOneWay(
    r.rows.map((x, i) => (s.suppressed[i] ? 0 : (x.timed ?? 0))),
    minCell,
  );
  const minutesHidden = r.rows.map((x, i) => s.suppressed[i] || ((x.timed ?? 0) > 0 && t.suppressed[i]));
  const timedTotal = r.rows.reduce((a, x) => a + (x.timed ?? 0), 0);
  return {
    ...r,
    contacts: s.totalSuppressed ? null : r.contacts,
    minutes: s.totalSuppressed || (timedTotal > 0 && timedTotal < minCell) ? null : r.minutes,
    rows: r.rows.map((x, i) =>
      s.suppressed[i]
        ? { ...x, contacts: null, pct: null, minutes: null, minutesPct: null, meanMinutes: null, timed: null }
        : minutesHidden[i]
          ? { ...x, minutes: null, minutesPct: null, meanMinutes: null, timed: null }
          : x,
    ),
    unreadable: r.unreadable !== null && r.unreadable > 0 && r.unreadable < minCell ? null : r.unreadable,
    minCell,
  };
}

function discloseVolumesAcross(r: ContactVolumesResult, min: number, across: VolumesAcross): ContactVolumesResult {
  const known = new Map(across.published.map((v) => [v.trim().toLowerCase(), v]));
  const rowOf = (v: string) => known.get(v.trim().toLowerCase()) ?? OTHER_VALUES;
  const rows = [...new Set(across.all.rows.map((x) => rowOf(x.value)))];
  const oddChannel = 'other channels';
  const colOf = (c: string | null) => (c !== null && c in CHANNELS ? c : oddChannel);
  // A column for each channel of the vocabulary asked about, and one for the rest (channels
  // written otherwise, and blanks): the all-channels answer less the others.
  const vocab = across.byChannel.filter((x) => x.channel !== null && x.channel in CHANNELS);
  const cols = [...new Set(vocab.map((x) => x.channel!)), oddChannel];
  const R = rows.length;
  const C = cols.length;
  // cells (column-major), then the rows' totals (the all-channels answer), the columns' totals, the whole
  const at = (k: number, i: number) => k * R + i;
  const ri = (i: number) => C * R + i;
  const ci = (k: number) => C * R + R + k;
  const ti = C * R + R + C;
  const size = ti + 1;
  const range = (k: number) => [...Array(k).keys()];
  const n = Array<number>(size).fill(0);
  const m = Array<number>(size).fill(0);
  const timed = Array<number>(size).fill(0);
  const add = (j: number, x: { contacts: number | null; minutes: number | null; timed: number | null }) => {
    n[j] += x.contacts ?? 0;
    m[j] += x.minutes ?? 0;
    timed[j] += x.timed ?? 0;
  };
  for (const a of vocab) {
    const k = cols.indexOf(a.channel!);
    for (const x of a.rows) add(at(k, rows.indexOf(rowOf(x.value))), x);
  }
  for (const x of across.all.rows) {
    add(ri(rows.indexOf(rowOf(x.value))), x);
    add(ti, x);
  }
  const odd = C - 1;
  for (const i of range(R)) {
    const j = at(odd, i);
    for (const k of range(C - 1)) {
      n[j] -= n[at(k, i)];
      m[j] -= m[at(k, i)];
      timed[j] -= timed[at(k, i)];
    }
    n[j] += n[ri(i)];
    m[j] += m[ri(i)];
    timed[j] += timed[ri(i)];
  }
  for (const k of range(C))
    for (const i of range(R)) {
      n[ci(k)] += n[at(k, i)];
      m[ci(k)] += m[at(k, i)];
      timed[ci(k)] += timed[at(k, i)];
    }
  const lines = (hidden: boolean[]) => [
    ...range(R).map((i) => ({ cells: range(C).map((k) => at(k, i)), totalShown: () => !hidden[ri(i)] })),
    ...range(C).map((k) => ({ cells: range(R).map((i) => at(k, i)), totalShown: () => !hidden[ci(k)] })),
    { cells: range(R).map(ri), totalShown: () => !hidden[ti] },
    { cells: range(C).map(ci), totalShown: () => !hidden[ti] },
  ];
  const small = (x: number) => x > 0 && x < min;
  const hideN = n.map(small);
  // The rest are never asked for by name, and the contacts page names those written for 10 or more:
  // their column is hidden wherever it holds any, so that it cannot be had by subtraction either.
  for (const i of range(R)) if (n[at(odd, i)] > 0) hideN[at(odd, i)] = true;
  if (n[ci(odd)] > 0) hideN[ci(odd)] = true;
  protectTable(n, hideN, lines(hideN), min);
  // Minutes: hidden with their contacts, and where the timed contacts are small, by the same rule.
  const hideM = timed.map((x, j) => hideN[j] || small(x));
  protectTable(timed, hideM, lines(hideM), min);
  // This answer: a column (one channel) or the rows' totals (every channel).
  const asked = r.channel === null ? null : cols.indexOf(colOf(r.channel));
  const cell = (i: number) => (asked === null ? ri(i) : asked < 0 ? -1 : at(asked, i));
  const tot = asked === null ? ti : asked < 0 ? -1 : ci(asked);
  const totalN = tot < 0 || hideN[tot] ? null : n[tot];
  const totalM = tot < 0 || hideM[tot] || r.handlingColumn === null ? null : m[tot];
  const out = rows
    .map((value, i) => ({ value, j: cell(i) }))
    .filter(({ j }) => j >= 0 && (n[j] > 0 || hideN[j]))
    .sort((a, b) => n[b.j] - n[a.j] || a.value.localeCompare(b.value))
    .map(({ value, j }) => {
      const cN = hideN[j] ? null : n[j];
      const cM = hideM[j] || r.handlingColumn === null ? null : m[j];
      return {
        value,
        contacts: cN,
        pct: cN !== null && totalN ? (100 * cN) / totalN : null,
        minutes: cM,
        minutesPct: cM !== null && totalM ? (100 * cM) / totalM : null,
        meanMinutes: cM !== null && timed[j] > 0 ? cM / timed[j] : null,
        timed: cM === null ? null : timed[j],
      };
    });
  // Unreadable handling times: shown only when no answer, nor the difference of two, is small.
  const bad = [across.all.unreadable ?? 0, ...across.byChannel.map((x) => x.unreadable ?? 0)];
  const safe = bad.every((x) => !small(x) && !small(bad[0] - x));
  return {
    ...r,
    contacts: totalN,
    minutes: totalM,
    rows: out,
    unreadable: r.unreadable === null ? null : safe ? r.unreadable : null,
    minCell: min,
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
 *
 * The totals of what is planned (moved, savings) and of who is left behind each add up only some
 * segments: when the hidden segments are some planned on and some not, either total less the
 * segments shown would give back a hidden segment's contacts, so both are hidden.
 *
 * Given `across` (the channel mix by the same tier, the truth: anyone but the owner could ask the
 * plan for any channel left and moved to), a segment is hidden too when the two-way rule hides its
 * total, its cell for the channel left, or its cell for the channel moved to when that channel is
 * not one of the digital channels every plan counts, so that no two plans differ by a hidden count.
 */
export function discloseShiftModel(
  r: ShiftModelResult,
  minCell: number,
  across?: {
    mix: ChannelMixResult;
    alwaysDigital: readonly string[];
    /** which of the mix's counts are hidden, when the plan is one of several by service (protectAcrossServices) */
    hidden?: Pick<MixHidden, 'cell' | 'group' | 'placed' | 'placedTotal'>;
  },
): ShiftModelResult {
  const stripped = { ...r, segments: r.segments.map((s) => ({ ...s, cellKey: null })) };
  if (!(minCell > 0)) return stripped;
  const counts = (k: 'contacts' | 'fromContacts') => r.segments.map((s) => Math.round((s[k] ?? 0) / r.perYear));
  const a = suppressOneWay(counts('contacts'), minCell);
  const b = suppressOneWay(counts('fromContacts'), minCell);
  const hide = r.segments.map((_, i) => a.suppressed[i] || b.suppressed[i]);
  // The plan's totals are placed contacts: beside the volumes (every contact) they would give the
  // contacts not placed, so they are shown only where the mix could show its placed totals.
  let placedFromHidden = false;
  let placedAllHidden = false;
  if (across) {
    // Anyone but the owner can ask the volumes too: the mix's hidden cells are those against them.
    const h = across.hidden ?? mixHidden(across.mix, minCell, true);
    placedFromHidden = h.placed(r.from);
    placedAllHidden = h.placedTotal();
    const toVaries = !across.alwaysDigital.includes(r.to);
    r.segments.forEach((s, i) => {
      if (h.group(s.code) || h.cell(s.code, r.from) || (toVaries && h.cell(s.code, r.to))) hide[i] = true;
    });
  }
  // Hiding a segment for one count can leave another line with one hidden: hide the next smallest there.
  for (let changed = true; changed; ) {
    changed = false;
    for (const k of ['contacts', 'fromContacts'] as const) {
      const c = counts(k);
      const hidden = hide.map((h, i) => (h ? i : -1)).filter((i) => i >= 0);
      if (hidden.length === 1 || (hidden.length > 1 && hidden.reduce((s, i) => s + c[i], 0) < minCell)) {
        const next = c
          .map((n, i) => ({ n, i }))
          .filter((x) => !hide[x.i])
          .sort((p, q) => p.n - q.n)[0];
        if (next) {
          hide[next.i] = true;
          changed = true;
        }
      }
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
  const totalSmall = a.totalSuppressed || b.totalSuppressed || placedFromHidden;
  // The default ceiling is one segment's own digital share, and its range that share's interval
  // (which gives its contacts back): when that segment is hidden, so are the ceiling, every range,
  // and what is moved wherever the ceiling holds it back.
  const best = r.segments.findIndex(
    (s) =>
      s.propensitySource === 'contacts' &&
      s.propensity !== null &&
      s.ceiling !== null &&
      Math.abs(s.propensity - s.ceiling) < 1e-9,
  );
  const ceilingHidden = best >= 0 && hide[best];
  const capped = (s: ShiftModelResult['segments'][number]) =>
    s.eligible && s.moved !== null && s.fromContacts !== null && s.moved < (r.sharePct / 100) * s.fromContacts - 1e-6;
  const anyCapped = r.segments.some(capped);
  const noRange = { movedLow: null, movedHigh: null, savingLow: null, savingHigh: null };
  const hiddenSegments = r.segments.filter((_, i) => hide[i]);
  const split = hiddenSegments.some((s) => s.eligible === true) && hiddenSegments.some((s) => s.eligible === false);
  return {
    ...stripped,
    segments: stripped.segments.map((s, i) =>
      !hide[i] && ceilingHidden
        ? { ...s, ...noRange, ceiling: null, ...(capped(s) ? { moved: null, saving: null } : {}) }
        : hide[i]
          ? {
              ...s,
              ...none,
              ...(ceilingHidden ? { ceiling: null } : {}),
              // Whether and why a hidden segment is left behind would tell its band; only protection
              // is the council's own choice, and is shown.
              eligible: r.protected.includes(s.code) ? false : null,
              leftBehind: s.leftBehind && r.protected.includes(s.code) ? s.leftBehind : s.leftBehind ? 'hidden' : null,
            }
          : s,
    ),
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
      : split
        ? {
            ...r.total,
            ...(placedAllHidden ? { contacts: null } : {}),
            moved: null,
            movedLow: null,
            movedHigh: null,
            saving: null,
            savingLow: null,
            savingHigh: null,
            leftBehind: null,
          }
        : ceilingHidden
          ? {
              ...r.total,
              ...(placedAllHidden ? { contacts: null } : {}),
              ...noRange,
              ...(anyCapped ? { moved: null, saving: null } : {}),
            }
          : placedAllHidden
            ? { ...r.total, contacts: null }
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
        s.eligible === null ? SUPPRESSED_MARK : s.eligible ? 'yes' : `no: ${s.leftBehind}`,
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
