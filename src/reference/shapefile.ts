/**
 * ESRI shapefiles, as ONS and the CDRC publish boundaries: the .shp (shapes) with its .dbf
 * (attributes, the area codes and — in a CDRC geodata pack — the OAC codes) and its .prj (the
 * coordinate system, usually British National Grid). Read with the `shapefile` package; checked
 * and converted to WGS84 by the same code as GeoJSON files.
 */
import { closeSync, existsSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { read } from 'shapefile';
import { InputError } from '../core/index.ts';
import { type BoundaryFeatures, boundaryFeatures, parseBoundaries, projectionFromPrj } from '../geo/index.ts';
import { readInputFile } from '../intake/index.ts';

/** Whether a boundary file is a shapefile (by its name, or its first bytes: file code 9994). */
export function isShapefile(path: string): boolean {
  if (/\.shp$/i.test(path)) return true;
  if (!existsSync(path) || !statSync(path).isFile()) return false;
  const head = Buffer.alloc(4);
  try {
    const fd = openSync(path, 'r');
    try {
      if (readSync(fd, head, 0, 4, 0) < 4) return false;
    } finally {
      closeSync(fd);
    }
  } catch {
    // Not readable: reading it as GeoJSON reports that plainly, naming the file.
    return false;
  }
  return head.readInt32BE(0) === 9994;
}

function sibling(path: string, ext: string): string | null {
  const stem = path.replace(/\.shp$/i, '');
  for (const e of [ext, ext.toUpperCase()]) if (existsSync(`${stem}.${e}`)) return `${stem}.${e}`;
  return null;
}

/** Reads a shapefile's polygons and attributes; the .prj beside it says whether they are in British National Grid. */
export async function readShapefile(path: string, opts: { codeProperty?: string } = {}): Promise<BoundaryFeatures> {
  const file = basename(path);
  const shp = readInputFile(path);
  const dbfPath = sibling(path, 'dbf');
  if (!dbfPath)
    throw new InputError('The shapefile has no .dbf file beside it, so its areas have no codes.', {
      location: { file },
      code: 'boundary_shapefile',
      fix: `Put ${file.replace(/\.shp$/i, '.dbf')} (from the same download) in the same folder and import again.`,
    });
  const prjPath = sibling(path, 'prj');
  const cpgPath = sibling(path, 'cpg');
  // A .cpg names the attributes' encoding; without one, dBASE files are Windows-1252.
  const encoding = cpgPath ? readFileSync(cpgPath, 'latin1').trim().toLowerCase() || undefined : undefined;
  let doc: unknown;
  try {
    doc = await read(shp, readInputFile(dbfPath), encoding ? { encoding } : {});
  } catch (e) {
    throw new InputError(`The shapefile could not be read: ${(e as Error).message}`, {
      location: { file },
      code: 'boundary_shapefile',
      fix: 'Give the .shp with its .dbf and .prj as downloaded (unzipped), or the boundaries as GeoJSON.',
    });
  }
  const projection = prjPath ? projectionFromPrj(readFileSync(prjPath, 'latin1')) : null;
  return boundaryFeatures(doc, file, { codeProperty: opts.codeProperty, projection });
}

/** A boundary file of either kind: GeoJSON, or a shapefile with its .dbf and .prj. */
export async function readBoundaryFile(path: string, opts: { codeProperty?: string } = {}): Promise<BoundaryFeatures> {
  if (isShapefile(path)) return readShapefile(path, opts);
  return parseBoundaries(readInputFile(path).toString('utf8'), basename(path), opts);
}
