/**
 * Reads an uploaded file in a worker thread whose memory is bounded (see uploads.ts): a hostile
 * file can at worst exhaust this worker, never the server. Two tasks: "inspect" (the header, the
 * first rows and the row count, kept with the waiting upload) and "prepare" (every row written to
 * a plain CSV file that the import loads with DuckDB); and "journeys" (a journey template read whole
 * by the same reader as `civic journey import`, its journeys or every problem in it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ObservatoryError } from '../core/index.ts';
import { readSourceTable, writePreparedTable, detectPersonalColumns, type ReadLimits } from '../intake/index.ts';
import { JourneyFileError, readJourneyFile, type Journey, type JourneyProblem } from '../journeys/index.ts';

/** What reading a journey file gives: its journeys, or every problem in it (nothing is kept). */
export type JourneyUploadResult = { journeys: Journey[] } | { problems: JourneyProblem[] };

export interface UploadTask {
  task: 'inspect' | 'prepare' | 'journeys';
  file: string;
  limits: ReadLimits;
  out?: string;
  previewRows: number;
}

async function run(t: UploadTask): Promise<unknown> {
  if (t.task === 'journeys') {
    try {
      return { journeys: await readJourneyFile(t.file) } satisfies JourneyUploadResult;
    } catch (e) {
      if (e instanceof JourneyFileError) return { problems: e.problems } satisfies JourneyUploadResult;
      throw e;
    }
  }
  const table = await readSourceTable(t.file, { limits: t.limits });
  if (t.task === 'inspect') {
    const preview = table.rows
      .slice(0, t.previewRows)
      .map((r) => ({ rowNo: r.rowNo, values: table.header.map((_, i) => r.values[i] ?? '') }));
    // Which columns look personal is judged here, from the first rows, so the mapping page need not read the file again.
    return {
      header: table.header,
      preview,
      total: table.rows.length,
      format: table.format,
      sheet: table.sheet ?? null,
      personal: detectPersonalColumns(
        table.header,
        table.rows.map((r) => r.values),
      ),
    };
  }
  return writePreparedTable(table, t.out!);
}

run(workerData as UploadTask).then(
  (result) => parentPort!.postMessage({ ok: true, result }),
  (e: unknown) => {
    const error =
      e instanceof ObservatoryError
        ? { known: true, code: e.code, message: e.message, fix: e.fix, location: e.location }
        : { known: false, message: e instanceof Error ? e.message : String(e) };
    parentPort!.postMessage({ ok: false, error });
  },
);
