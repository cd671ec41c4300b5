/**
 * A map of one channel by area (issue 14 point 7): each area's share of its contacts made by the
 * channel, or the channel's index against the borough's mix, drawn from a channel mix by area as
 * its viewer may see it. It takes the disclosed mix, never the truth, so the map holds exactly the
 * cells of the table beside it: what the table hides (a small count, or one hidden so that no hidden
 * count can be worked out across channels and areas) is hidden on the map, and its counts carry the
 * same noise. No second rule, so no answer to subtract from another.
 */
import { ParameterError } from '../core/index.ts';
import type { ChannelMixResult } from '../channels/index.ts';
import {
  MAP_RESULT_VERSION,
  classedLegend,
  fmtFixed as fmt,
  hiddenArea,
  type AreaFigure,
  type MapResult,
} from '../maps/index.ts';

export const CHANNEL_MAP_MEASURES = ['share', 'index'] as const;
export type ChannelMapMeasure = (typeof CHANNEL_MAP_MEASURES)[number];

export interface ChannelMapArea {
  code: string;
  name: string | null;
}

/** The measure asked for (default the index), or a ParameterError saying `fix`. */
export function channelMapMeasure(asked: string | null | undefined, fix: string): ChannelMapMeasure {
  const measure = asked?.trim() || 'index';
  if (!(CHANNEL_MAP_MEASURES as readonly string[]).includes(measure))
    throw new ParameterError(`Cannot map "${measure}".`, fix);
  return measure as ChannelMapMeasure;
}

/** The channels a map can be drawn of: the mix's own columns, as its viewer sees them. */
export function mappableChannels(mix: ChannelMixResult): string[] {
  return mix.channels.map((c) => c.channel);
}

/**
 * The map of `channel` by area. `areas` are the level's areas with boundaries (every one is drawn:
 * an area with no contacts has no figure); `levelTitle` names the level for people.
 */
export function channelMixMap(
  mix: ChannelMixResult,
  channel: string,
  measure: ChannelMapMeasure,
  areas: readonly ChannelMapArea[],
  levelTitle: string,
): MapResult {
  if (!mix.disclosure)
    throw new Error('A channel map is drawn from the channel mix as its viewer may see it, not from its truth.');
  if (mix.kind !== 'area')
    throw new ParameterError(
      'A map of the channel mix needs the mix by area, not by segment.',
      'Choose the mix by ward (or --by-area LEVEL on the command line).',
    );
  const column = mix.channels.find((c) => c.channel.toLowerCase() === channel.trim().toLowerCase());
  if (!column)
    throw new ParameterError(
      `The channel mix has no column "${channel}" to map.`,
      `Choose one of its channels: ${mappableChannels(mix).join(', ')}.`,
    );
  const minCell = mix.disclosure.minCell;
  const kind = measure === 'share' ? 'channel-share' : 'channel-index';
  const cells = new Map(mix.cells.filter((c) => c.channel === column.channel).map((c) => [c.code, c]));
  const groups = new Map(mix.groups.map((g) => [g.code, g]));
  const known = new Set(areas.map((a) => a.code));
  const all = [...areas, ...mix.groups.filter((g) => !known.has(g.code)).map((g) => ({ code: g.code, name: g.name }))];
  const figures: AreaFigure[] = all.map(({ code, name }) => {
    const g = groups.get(code);
    const cell = cells.get(code);
    const areaName = name ?? g?.name ?? null;
    if (!g || !cell || g.contacts === 0)
      return {
        code,
        name: areaName,
        value: null,
        count: null,
        base: null,
        cls: -2,
        text: 'No contacts',
        cellKey: null,
      };
    if (cell.suppressed) return hiddenArea(code, areaName, minCell);
    const v = measure === 'share' ? cell.pct : cell.index;
    if (v === null)
      return { code, name: areaName, value: null, count: null, base: null, cls: -2, text: 'No figure', cellKey: null };
    const dp = measure === 'share' ? 1 : 0;
    const value = Math.round(v * 10 ** dp) / 10 ** dp;
    return {
      code,
      name: areaName,
      value,
      count: cell.contacts,
      base: g.contacts,
      cls: 0,
      text: measure === 'share' ? `${fmt(value, 1)}%` : `${fmt(value, 0)}${cell.band ? ` (${cell.band})` : ''}`,
      cellKey: null,
    };
  });
  const legend = classedLegend(kind, figures, minCell);
  const noContacts = figures.filter((a) => a.text === 'No contacts').length;
  const notes = [
    measure === 'share'
      ? `Each area's share of its contacts made by ${column.channel}. Across the borough it is ${column.pct === null ? 'not shown' : `${fmt(column.pct, 1)}%`}.`
      : `100 is the borough's share of contacts made by ${column.channel}${column.pct === null ? '' : ` (${fmt(column.pct, 1)}%)`}; 150 means half as much again, 50 half as much.`,
    `The same figures as the channel mix table, hidden where it hides them: counts under ${minCell}, and others so that no hidden count can be worked out.`,
    ...(mix.disclosure.perturbed
      ? ['Each count carries the small fixed noise of the cell key method, as in the table.']
      : []),
    ...(noContacts ? [`${noContacts} of the ${figures.length} areas have no contacts in the log.`] : []),
  ];
  return {
    version: MAP_RESULT_VERSION,
    measure: `${kind}:${mix.dataset}:${column.channel}${mix.service ? `:${mix.service}` : ''}`,
    kind,
    level: mix.level,
    levelTitle,
    title: `${measure === 'share' ? 'Share of contacts made by' : 'Index of contacts made by'} ${column.channel}, by ${levelTitle.toLowerCase()}${mix.service ? `, ${mix.service}` : ''}`,
    valueLabel: measure === 'share' ? `Share by ${column.channel}` : `Index (100 = borough)`,
    countLabel: `Contacts by ${column.channel}`,
    baseLabel: 'All contacts',
    areas: figures,
    legend,
    notes,
    minCell,
    suppressed: figures.filter((a) => a.cls === -1).length,
    levelChanged: null,
    disclosure: { ...mix.disclosure },
    source: null,
  };
}
