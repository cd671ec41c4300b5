/** `civic rag`. */
import { withWorkspace } from '../../store/index.ts';
import {
  ragSynopsis,
  checkFilterMatches,
  parseArea,
  parseMeasures,
  DEFAULT_RAG_THRESHOLDS,
} from '../../profiling/index.ts';
import { discloseProfile, ragToHtml, ragToJson, ragToTable, ragToXlsx } from '../../outputs/index.ts';
import { DEFAULT_MIN_CELL, ParameterError, parseBands } from '../../core/index.ts';
import { emit, tierOf } from '../io.ts';
import { FORMATS } from '../rag.ts';

function num(v: unknown, name: string, fallback: number): number {
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ParameterError(`${name} must be a number, not ${v}.`);
  return n;
}

export async function rag(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = String(o.format ?? 'table') as (typeof FORMATS)[number];
  if (!FORMATS.includes(format))
    throw new ParameterError(`Unknown format "${format}".`, `Use one of: ${FORMATS.join(', ')}.`);
  const out = o.out as string | undefined;
  if (format === 'xlsx' && !out)
    throw new ParameterError('An XLSX RAG synopsis needs a file to go to.', 'Add --out FILE.xlsx');
  const minCell = o.minCell !== undefined ? Number(o.minCell) : format === 'table' && !out ? 0 : DEFAULT_MIN_CELL;
  if (!Number.isInteger(minCell) || minCell < 0)
    throw new ParameterError(`--min-cell must be a whole number, not ${o.minCell}.`);
  const measures = parseMeasures(String(o.measures), o.where as string | undefined, o.labels as string | undefined);
  const thresholds = {
    green: num(o.green, '--green', DEFAULT_RAG_THRESHOLDS.green),
    red: num(o.red, '--red', DEFAULT_RAG_THRESHOLDS.red),
  };
  const area = o.area ? parseArea(String(o.area)) : undefined;
  const bands = o.bands ? parseBands(String(o.bands)) : undefined;
  await withWorkspace(workspace, async (ws) => {
    // On the owner's own machine a filter that matches nothing is a mistake worth explaining.
    for (const m of measures) if (m.where) await checkFilterMatches(ws.engine, m.dataset, m.where);
    const result = await ragSynopsis(
      ws.engine,
      {
        measures,
        area,
        thresholds,
        bands,
        classification: o.classification as string | undefined,
        tier: tierOf(o),
        base: o.base as 'households' | 'population',
      },
      { disclose: (p) => discloseProfile(p, minCell) },
    );
    if (format === 'json') emit(ragToJson(result), out);
    else if (format === 'xlsx') emit(await ragToXlsx(result), out);
    else if (format === 'html') emit(ragToHtml(result), out);
    else emit(ragToTable(result), out);
  });
}
