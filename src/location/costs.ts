/**
 * Travel costs: one matrix shape (origins × destinations, in minutes) whatever produced it, so
 * accessibility, catchments, site choice and targeting never care whether the minutes came from a
 * straight line, the OpenStreetMap road network or Valhalla.
 */
import { InputError } from '../core/index.ts';
import { TRAVEL_MODES, type TravelMode } from './constants.ts';

/** A point that travel starts from or goes to: an area's population-weighted centroid, a postcode, a facility, a candidate site. */
export interface Place {
  id: string;
  lon: number;
  lat: number;
}

export { TRAVEL_MODES, type TravelMode };

/**
 * Minutes from each origin to each destination, row-major (`minutes[o * destinations.length + d]`).
 * Unreachable pairs hold `Infinity`; nothing else is non-finite.
 */
export interface CostMatrix {
  origins: readonly Place[];
  destinations: readonly Place[];
  minutes: Float32Array;
  mode: TravelMode;
  /** What produced the minutes, in words for a report ("straight line × 1.3 at 30 km/h"). */
  source: string;
}

/** Anything that can price journeys. */
export interface CostSource {
  readonly description: string;
  matrix(origins: readonly Place[], destinations: readonly Place[], mode: TravelMode): Promise<CostMatrix>;
  /** Where one can get to from a place within the time (points along the way), when the source knows its roads: draws isochrones. */
  reachable?(from: Place, mode: TravelMode, minutes: number): Promise<[number, number][]>;
}

export function costAt(m: CostMatrix, origin: number, destination: number): number {
  return m.minutes[origin * m.destinations.length + destination];
}

const EARTH_RADIUS_M = 6_371_008.8;

/** Great-circle distance in metres (haversine). */
export function metresBetween(a: { lon: number; lat: number }, b: { lon: number; lat: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * Typical door-to-door speeds for straight-line estimates (km/h) and the circuity factor (road
 * distance ÷ straight-line distance). 1.3 is the usual figure for British towns; speeds are urban averages.
 */
export const STRAIGHT_LINE_DEFAULTS: Readonly<Record<TravelMode, { kmh: number; circuity: number }>> = {
  car: { kmh: 30, circuity: 1.3 },
  walk: { kmh: 4.8, circuity: 1.3 },
  cycle: { kmh: 15, circuity: 1.3 },
};

export interface StraightLineOptions {
  /** km/h per mode; defaults from STRAIGHT_LINE_DEFAULTS. */
  kmh?: Partial<Record<TravelMode, number>>;
  circuity?: number;
}

/** Straight-line distance × circuity ÷ speed. Quick, needs no network, and good enough to rank areas. */
export function straightLineCosts(options: StraightLineOptions = {}): CostSource {
  const circuity = options.circuity ?? STRAIGHT_LINE_DEFAULTS.car.circuity;
  if (!(circuity >= 1))
    throw new InputError(`The circuity factor must be 1 or more (it was ${circuity}).`, {
      code: 'circuity_invalid',
      fix: 'Use 1.3 for a typical British town, or 1 for distance as the crow flies.',
    });
  const speed = (mode: TravelMode) => {
    const kmh = options.kmh?.[mode] ?? STRAIGHT_LINE_DEFAULTS[mode].kmh;
    if (!(kmh > 0))
      throw new InputError(`The ${mode} speed must be above 0 km/h (it was ${kmh}).`, { code: 'speed_invalid' });
    return kmh;
  };
  return {
    description: `straight line × ${circuity}`,
    async matrix(origins, destinations, mode) {
      const kmh = speed(mode);
      const metresPerMinute = (kmh * 1000) / 60;
      const minutes = new Float32Array(origins.length * destinations.length);
      for (let o = 0; o < origins.length; o++) {
        const row = o * destinations.length;
        for (let d = 0; d < destinations.length; d++)
          minutes[row + d] = (metresBetween(origins[o], destinations[d]) * circuity) / metresPerMinute;
      }
      return { origins, destinations, minutes, mode, source: `straight line × ${circuity} at ${kmh} km/h (${mode})` };
    },
  };
}

/** The travel mode's name when the costs came from a cost matrix file, not a mode of travel. */
export const COST_FILE_MODE = 'cost file';

/** The mode as it reads in a sentence: "10 minutes on foot". */
export function travelWords(mode: TravelMode | string): string {
  if (mode === COST_FILE_MODE) return 'as the cost file gives them';
  return mode === 'car' ? 'by car' : mode === 'walk' ? 'on foot' : mode === 'cycle' ? 'by bicycle' : `by ${mode}`;
}
