/** `civic profile`. */
import { withWorkspace } from '../../store/index.ts';
import { profileDataset, checkFilterMatches, parseWhere } from '../../profiling/index.ts';
import { discloseProfile, profileToCsv, profileToJson, profileToTable, profileToXlsx } from '../../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError, parseBands } from '../../core/index.ts';
import { emit, parseFormat, tierOf } from '../io.ts';

export async function profile(
  workspace: string,
  dataset: string,
  o: Record<string, string | undefined>,
): Promise<void> {
  const format = parseFormat(o.format ?? 'table', ['table', 'csv', 'xlsx', 'json']);
  if (tierOf(o) && o.byArea) throw new ParameterError('Give either --tier or --by-area, not both.');
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX profile needs a file to go to.', 'Add --out FILE.xlsx');
  // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  const where = o.where ? parseWhere(o.where, '--where') : undefined;

  const bands = o.bands ? parseBands(o.bands) : undefined;
  await withWorkspace(workspace, async (ws) => {
    // On the owner's own machine a filter that matches nothing is a mistake worth explaining.
    if (where) await checkFilterMatches(ws.engine, dataset, where);
    const truth = await profileDataset(ws.engine, {
      dataset,
      classification: o.classification,
      tier: tierOf(o),
      byArea: o.byArea,
      base: o.base as 'households' | 'population',
      baseLevel: o.baseLevel as string | undefined,
      where,
      bands,
      distinct: o.distinct,
    });
    const shown = discloseProfile(truth, minCell);
    if (format === 'json') emit(profileToJson(shown), o.out);
    else if (format === 'csv') emit(profileToCsv(shown), o.out);
    else if (format === 'xlsx') emit(await profileToXlsx(shown), o.out);
    else emit(profileToTable(shown), o.out);
  });
}
