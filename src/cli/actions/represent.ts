/** `civic represent`. */
import { withWorkspace } from '../../store/index.ts';
import { representAnalysis } from '../../profiling/index.ts';
import { discloseRepresent, representToJson, representToTable, representToXlsx } from '../../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import { emit, parseFormat, tierOf } from '../io.ts';

export async function represent(
  workspace: string,
  sample: string,
  o: Record<string, string | undefined>,
): Promise<void> {
  const format = parseFormat(o.format ?? 'table', ['table', 'xlsx', 'json']);
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX report needs a file to go to.', 'Add --out FILE.xlsx');
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  if (o.base !== 'households' && o.base !== 'population')
    throw new ParameterError(`Unknown base "${o.base}".`, 'Use --base households or --base population.');
  await withWorkspace(workspace, async (ws) => {
    const truth = await representAnalysis(ws.engine, {
      sample,
      against: o.against,
      classification: o.classification,
      tier: tierOf(o),
      base: o.base as 'households' | 'population',
    });
    const shown = discloseRepresent(truth, minCell);
    if (format === 'json') emit(representToJson(shown), o.out);
    else if (format === 'xlsx') emit(await representToXlsx(shown), o.out);
    else emit(representToTable(shown), o.out);
  });
}
