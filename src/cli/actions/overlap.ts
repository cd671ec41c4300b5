/** `civic overlap`. */
import { withWorkspace } from '../../store/index.ts';
import { overlapAnalysis } from '../../profiling/index.ts';
import { discloseOverlap, overlapToJson, overlapToSvg, overlapToTable, overlapToXlsx } from '../../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError } from '../../core/index.ts';
import { emit } from '../io.ts';
import { FORMATS } from '../overlap.ts';

export async function overlap(workspace: string, o: Record<string, string | undefined>): Promise<void> {
  const format = o.format ?? 'table';
  if (!(FORMATS as readonly string[]).includes(format))
    throw new ParameterError(`Unknown format "${format}".`, `Use one of: ${FORMATS.join(', ')}.`);
  if (format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX report needs a file to go to.', 'Add --out FILE.xlsx');
  // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !o.out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  const split = (s: string | undefined) =>
    (s ?? '')
      .split(',')
      .map((x) => x.trim())
      .filter(Boolean);
  await withWorkspace(workspace, async (ws) => {
    const truth = await overlapAnalysis(ws.engine, {
      segment: o.segment!,
      datasets: split(o.datasets),
      classification: o.classification,
      population: o.population,
      linkBy: o.linkBy === undefined ? undefined : split(o.linkBy),
    });
    const shown = discloseOverlap(truth, minCell);
    if (format === 'json') emit(overlapToJson(shown), o.out);
    else if (format === 'xlsx') emit(await overlapToXlsx(shown), o.out);
    else if (format === 'svg') emit(overlapToSvg(shown), o.out);
    else emit(overlapToTable(shown), o.out);
  });
}
