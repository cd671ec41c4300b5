/** `civic sdf`. */
import { withWorkspace } from '../../store/index.ts';
import { checkFilterMatches, parseMeasures, serviceDeliveryFramework } from '../../profiling/index.ts';
import { discloseProfile, sdfToJson, sdfToTable, sdfToXlsx } from '../../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError, parseBands } from '../../core/index.ts';
import { emit, parseFormat, tierOf } from '../io.ts';

export async function sdf(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = parseFormat(String(o.format ?? 'table'), ['table', 'json', 'xlsx']);
  const out = o.out as string | undefined;
  if (format === 'xlsx' && !out)
    throw new ParameterError('An XLSX Service Delivery Framework needs a file to go to.', 'Add --out FILE.xlsx');
  // Only the owner's own screen is unsuppressed by default; anything written to a file is an export.
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  const bands = o.bands ? parseBands(String(o.bands)) : undefined;
  if ((o.where || o.labels) && !o.measures)
    throw new ParameterError(
      `${o.where ? '--where' : '--labels'} needs --measures: the columns it applies to.`,
      'For example --measures "garden_waste,council_tax:payment_method=Direct Debit" --labels "Garden waste,Direct Debit".',
    );
  const measures = o.measures
    ? parseMeasures(String(o.measures), o.where as string | undefined, o.labels as string | undefined)
    : undefined;
  await withWorkspace(workspace, async (ws) => {
    // On the owner's own machine a filter that matches nothing is a mistake worth explaining.
    for (const m of measures ?? []) if (m.where) await checkFilterMatches(ws.engine, m.dataset, m.where);
    const result = await serviceDeliveryFramework(
      ws.engine,
      {
        datasets: o.datasets as string[] | undefined,
        measures,
        partner: o.partner as string | undefined,
        distinct: o.distinct as string | undefined,
        classification: o.classification as string | undefined,
        tier: tierOf(o),
        base: o.base as 'households' | 'population',
        bands,
      },
      { disclose: (p) => discloseProfile(p, minCell) },
    );
    if (format === 'json') emit(sdfToJson(result), out);
    else if (format === 'xlsx') emit(await sdfToXlsx(result), out);
    else emit(sdfToTable(result), out);
  });
}
