/**
 * Facilities as points for the portal's maps: one GeoJSON of every facility, and a colour per kind
 * for the key. Facility locations are public information (libraries, surgeries), so anyone may see them.
 */
import type { Engine } from '../store/index.ts';
import { facilityKinds, kindLabel, kindNoun } from '../location/index.ts';

export { kindLabel, kindNoun };

/** Distinct, colour-blind-safe hues (Okabe–Ito), in the order kinds are first met; civic.css has a class for each (civic-point-N). */
const KIND_COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000', '#f0e442'];

export interface FacilityKindKey {
  kind: string;
  label: string;
  colour: string;
  css: string;
  count: number;
}

/** Each kind of facility in the workspace with its colour on the maps and its count. */
export async function facilityKeys(engine: Engine): Promise<FacilityKindKey[]> {
  return (await facilityKinds(engine)).map((k, i) => ({
    kind: k.kind,
    label: kindLabel(k.kind),
    colour: KIND_COLOURS[i % KIND_COLOURS.length],
    css: `civic-point-${i % KIND_COLOURS.length}`,
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
