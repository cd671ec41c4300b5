/**
 * Facilities as points for the portal's maps: one GeoJSON of every facility, and a colour per kind
 * for the key. Facility locations are public information (libraries, surgeries), so anyone may see them.
 */
import type { Engine } from '../store/index.ts';
import { facilityKinds, kindLabel, kindNoun } from '../location/index.ts';

export { kindLabel, kindNoun };

/** Distinct, colour-blind-safe hues (Okabe–Ito), in the order kinds are first met; civic.css has a class for each (civic-point-N). */
const KIND_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

/**
 * A shape per kind as well as a colour, so that kinds are told apart without colour (WCAG 1.4.1):
 * each is a polygon in an 18 × 18 box (the circle is drawn as a circle), used by the key's SVG and
 * by map.js, which draws the same polygon as the marker.
 */
export const KIND_SHAPES = [
  'circle',
  'square',
  'triangle',
  'diamond',
  'star',
  'hexagon',
  'cross',
  'down-triangle',
] as const;
export type KindShape = (typeof KIND_SHAPES)[number];

const r1 = (x: number) => Math.round(x * 10) / 10;
const ring = (n: number, radius: number, start: number, inner?: number): [number, number][] =>
  Array.from({ length: inner ? n * 2 : n }, (_, i) => {
    const a = start + (i * Math.PI * 2) / (inner ? n * 2 : n);
    const rad = inner && i % 2 ? inner : radius;
    return [r1(9 + rad * Math.cos(a)), r1(9 + rad * Math.sin(a))];
  });

/** The shape's outline as SVG polygon points ("x,y x,y …"); empty for the circle. */
export function shapePoints(shape: KindShape): [number, number][] {
  switch (shape) {
    case 'circle':
      return [];
    case 'square':
      return [
        [3, 3],
        [15, 3],
        [15, 15],
        [3, 15],
      ];
    case 'triangle':
      return [
        [9, 1.5],
        [16.5, 15.5],
        [1.5, 15.5],
      ];
    case 'diamond':
      return [
        [9, 1],
        [17, 9],
        [9, 17],
        [1, 9],
      ];
    case 'star':
      return ring(5, 8.5, -Math.PI / 2, 3.6);
    case 'hexagon':
      return ring(6, 7.5, 0);
    case 'cross':
      return [
        [6.5, 1.5],
        [11.5, 1.5],
        [11.5, 6.5],
        [16.5, 6.5],
        [16.5, 11.5],
        [11.5, 11.5],
        [11.5, 16.5],
        [6.5, 16.5],
        [6.5, 11.5],
        [1.5, 11.5],
        [1.5, 6.5],
        [6.5, 6.5],
      ];
    case 'down-triangle':
      return [
        [1.5, 2.5],
        [16.5, 2.5],
        [9, 16.5],
      ];
  }
}

export interface FacilityKindKey {
  kind: string;
  label: string;
  colour: string;
  css: string;
  /** the marker's shape on the map and in the key */
  shape: KindShape;
  /** its outline in an 18 × 18 box, for an SVG polygon (empty for the circle) */
  points: string;
  count: number;
}

/** Each kind of facility in the workspace with its colour on the maps and its count. */
export async function facilityKeys(engine: Engine): Promise<FacilityKindKey[]> {
  return (await facilityKinds(engine)).map((k, i) => ({
    kind: k.kind,
    label: kindLabel(k.kind),
    colour: KIND_COLOURS[i % KIND_COLOURS.length],
    css: `civic-point-${i % KIND_COLOURS.length}`,
    shape: KIND_SHAPES[i % KIND_SHAPES.length],
    points: shapePoints(KIND_SHAPES[i % KIND_SHAPES.length])
      .map((p) => p.join(','))
      .join(' '),
    count: k.facilities,
  }));
}

export async function facilitiesGeoJson(engine: Engine, kinds?: readonly string[]): Promise<string> {
  const rows = await engine.all<{
    id: string;
    name: string;
    kind: string;
    lon: number;
    lat: number;
    postcode: string | null;
    capacity: number | null;
    opening_hours: string | null;
  }>(`SELECT id, name, kind, lon, lat, postcode, capacity, opening_hours FROM facility ORDER BY kind, name`);
  const wanted = kinds?.length ? new Set(kinds) : null;
  const features = rows
    .filter((r) => !wanted || wanted.has(r.kind))
    .map((r) => ({
      type: 'Feature',
      id: r.id,
      properties: {
        id: r.id,
        name: r.name,
        kind: r.kind,
        kindLabel: kindLabel(r.kind),
        postcode: r.postcode,
        capacity: r.capacity,
        openingHours: r.opening_hours,
      },
      geometry: { type: 'Point', coordinates: [Math.round(r.lon * 1e6) / 1e6, Math.round(r.lat * 1e6) / 1e6] },
    }));
  return JSON.stringify({ type: 'FeatureCollection', features });
}
