/** `civic map`: the portal's map figures (the same disclosure control) as GeoJSON, CSV, XLSX, JSON or a table. */
import { ParameterError } from '../../core/index.ts';
import { withWorkspace } from '../../store/index.ts';
import { straightLineCosts } from '../../location/index.ts';
import { ShapeCache, defaultMeasure, mapFigures, mapOptions, type MapOptions } from '../../maps/index.ts';
import {
  discloseMap,
  mapToCsv,
  mapToGeoJson,
  mapToJson,
  mapToTable,
  mapToXlsx,
  textTable,
} from '../../outputs/index.ts';
import { emit, json } from '../io.ts';

function optionsTable(o: MapOptions): string {
  const lines = ['Levels with boundaries: ' + (o.levels.map((l) => l.value).join(', ') || 'none'), ''];
  const rows = o.measures.flatMap((g) => g.items.map((i) => [i.value, i.text, g.group]));
  lines.push(textTable(['Measure', 'What it shows', 'Group'], rows, () => false, 60));
  return lines.join('\n') + '\n';
}

export async function map(workspace: string, o: Record<string, string | boolean | undefined>): Promise<void> {
  const format = (o.format as string | undefined) ?? 'table';
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX map needs a file to go to.', 'Add --out FILE.xlsx');
  await withWorkspace(workspace, async (ws) => {
    // The workspace's owner may map its datasets, as staff may on the portal.
    const options = await mapOptions(ws.engine, true);
    if (o.list) {
      emit(format === 'json' ? json(options) : optionsTable(options), o.out as string | undefined);
      return;
    }
    const measure = (o.measure as string | undefined) ?? defaultMeasure(options);
    if (!measure)
      throw new ParameterError(
        'There is nothing to map in this workspace yet.',
        'Import base counts, a classification or facilities: civic reference import WORKSPACE ...',
      );
    const level = (o.level as string | undefined) ?? '';
    const shown = discloseMap(await mapFigures(ws.engine, measure, level, straightLineCosts()));
    const out = o.out as string | undefined;
    if (format === 'geojson') emit(mapToGeoJson(shown, await new ShapeCache().get(ws.engine, shown.level)), out);
    else if (format === 'csv') emit(mapToCsv(shown), out);
    else if (format === 'xlsx') emit(await mapToXlsx(shown), out);
    else if (format === 'json') emit(mapToJson(shown), out);
    else emit(mapToTable(shown), out);
  });
}
