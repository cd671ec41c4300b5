/** A map's measure as written in a URL or on the command line: "segment:borough:group:1", "index:green_waste". */
import { ParameterError } from '../core/index.ts';
import { TRAVEL_MODES, type TravelMode } from '../location/index.ts';
import type { MeasureKind } from './constants.ts';

export interface MeasureSpec {
  kind: MeasureKind;
  classification?: string;
  tier?: string;
  segment?: string;
  dataset?: string;
  /** access: minutes to the nearest facility of this kind by this mode */
  facilityKind?: string;
  mode?: TravelMode;
}

/** "segment:borough:group:1", "penetration:green_waste", "access:library:walk", "deprivation", "households". */
export function parseMeasure(input: string): MeasureSpec {
  const [kind, ...rest] = input.split(':');
  if (kind === 'households' || kind === 'deprivation') return { kind };
  if (kind === 'segment' && rest.length >= 3)
    return { kind, classification: rest[0], tier: rest[1], segment: rest.slice(2).join(':') };
  if ((kind === 'penetration' || kind === 'index') && rest.length === 1 && rest[0]) return { kind, dataset: rest[0] };
  if (kind === 'access' && rest.length === 2 && rest[0] && (TRAVEL_MODES as readonly string[]).includes(rest[1]))
    return { kind, facilityKind: rest[0], mode: rest[1] as TravelMode };
  throw new ParameterError(
    `"${input}" is not a measure the map knows.`,
    'Choose a measure from the list on the map page (or civic map WORKSPACE --list).',
  );
}

export function measureKey(m: MeasureSpec): string {
  if (m.kind === 'segment') return `segment:${m.classification}:${m.tier}:${m.segment}`;
  if (m.kind === 'penetration' || m.kind === 'index') return `${m.kind}:${m.dataset}`;
  if (m.kind === 'access') return `access:${m.facilityKind}:${m.mode}`;
  return m.kind;
}
