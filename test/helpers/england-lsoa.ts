/**
 * A synthetic but honest England-wide LSOA fixture for the map: there is no national LSOA boundary
 * file offline, so each of the 32,844 LSOAs (2011) of the real IMD 2019 file becomes a small
 * hexagon in a grid over England's bounding box, ordered by local authority then LSOA code (so an
 * authority's areas sit together). The areas, names and deprivation deciles are the real ones,
 * imported through the real importer; only the shapes are made up. The map then carries as many
 * polygons (7 points each) as the national choropleth would, though real LSOA outlines have more
 * points.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importDeprivation } from '../../src/reference/index.ts';
import { SHARED_DATA } from './workspace.ts';

export const IMD_FILE = join(
  SHARED_DATA,
  'national/imd2019-national/File_1_-_IMD2019_Index_of_Multiple_Deprivation.csv.gz',
);
/** England's bounding box (lon, lat). */
export const ENGLAND_BBOX = [-5.75, 49.95, 1.77, 55.81] as const;

export function hasImd(): boolean {
  return existsSync(IMD_FILE);
}

/** Hexagon (pointy top) centred on (lon, lat), r in degrees of latitude; longitudes stretched for latitude. */
function hexagon(lon: number, lat: number, r: number): number[][] {
  const k = 1 / Math.cos((lat * Math.PI) / 180);
  const ring: number[][] = [];
  for (let i = 0; i < 6; i++) {
    const a = (Math.PI / 3) * i + Math.PI / 6;
    ring.push([Math.round((lon + r * Math.cos(a) * k) * 1e5) / 1e5, Math.round((lat + r * Math.sin(a)) * 1e5) / 1e5]);
  }
  ring.push(ring[0]);
  return ring;
}

export interface EnglandFixture {
  workspace: Workspace;
  areas: number;
  ms: number;
}

export async function buildEnglandLsoaWorkspace(path: string): Promise<EnglandFixture> {
  const t0 = Date.now();
  const ws = await createWorkspace(path);
  const e = ws.engine;
  const imd = await importDeprivation(e, IMD_FILE);
  if (imd.areaLevel !== 'lsoa11') throw new Error(`expected lsoa11 deprivation, got ${imd.areaLevel}`);
  // Names and authorities straight from the same published file.
  const names = await e.all<{
    code: string;
    name: string;
    lad: string;
  }>(`SELECT trim("LSOA code (2011)") AS code, "LSOA name (2011)" AS name, "Local Authority District code (2019)" AS lad
    FROM read_csv('${IMD_FILE.replace(/'/g, "''")}', header = true, all_varchar = true) ORDER BY lad, code`);
  const n = names.length;
  const [w, s, east, north] = ENGLAND_BBOX;
  const midK = Math.cos((((s + north) / 2) * Math.PI) / 180);
  // Columns and rows so the grid fills the box with roughly square cells on the ground.
  const aspect = ((east - w) * midK) / (north - s);
  const cols = Math.ceil(Math.sqrt(n * aspect));
  const rows = Math.ceil(n / cols);
  const dy = (north - s) / rows;
  const r = dy * 0.62;
  const shapes: (string | number)[][] = [];
  names.forEach((a, i) => {
    const row = Math.floor(i / cols),
      col = i % cols;
    const lat = north - (row + 0.5) * dy;
    const lon = w + ((col + 0.5 + (row % 2) * 0.5) / (cols + 0.5)) * (east - w);
    const ring = hexagon(lon, lat, r);
    const xs = ring.map((p) => p[0]),
      ys = ring.map((p) => p[1]);
    shapes.push([
      a.code,
      'lsoa11',
      a.name,
      JSON.stringify({ type: 'Polygon', coordinates: [ring] }),
      Math.min(...xs),
      Math.min(...ys),
      Math.max(...xs),
      Math.max(...ys),
    ]);
  });
  await e.append('boundary', shapes as (string | number)[][]);
  await e.append(
    'area',
    names.map((a) => [a.code, 'lsoa11', a.name, a.lad, 'lad']),
  );
  return { workspace: ws, areas: n, ms: Date.now() - t0 };
}
