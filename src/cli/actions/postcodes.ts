/** `civic postcodes enrich`: every postcode of a file looked up offline, in batches, with a progress bar. */
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';
import { once } from 'node:events';
import { withWorkspace } from '../../store/index.ts';
import { fileError } from '../../intake/index.ts';
import { ENRICH_BATCH, PostcodeEnricher, postcodesFromText, type EnrichedPostcode } from '../../lookup/index.ts';
import { enrichedCsvWriter, enrichedNdjsonWriter, enrichmentJsonChunks, fmtInt } from '../../outputs/index.ts';
import { progressBar } from './progress.ts';

/** Where the answers go: a file written as they come, or stdout (waiting when the reader is slower). */
function sink(out: string | undefined) {
  if (out) {
    const fd = openSync(out, 'w');
    return {
      write: async (s: string) => {
        writeSync(fd, s);
      },
      close: () => closeSync(fd),
    };
  }
  return {
    write: async (s: string) => {
      if (!process.stdout.write(s)) await once(process.stdout, 'drain');
    },
    close: () => {},
  };
}

export async function enrich(workspace: string, file: string, o: Record<string, string | undefined>): Promise<void> {
  const format = o.format ?? 'csv';
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw fileError(e, file);
  }
  const postcodes = postcodesFromText(text, o.column);
  await withWorkspace(workspace, async (ws) => {
    const enricher = await PostcodeEnricher.open(ws.engine, o.segmentation);
    const bar = progressBar(format !== 'json');
    const to = sink(o.out);
    try {
      const csv = format === 'csv' ? enrichedCsvWriter(enricher.classifications) : null;
      const ndjson = format === 'ndjson' ? enrichedNdjsonWriter() : null;
      const all: EnrichedPostcode[] = [];
      if (csv) await to.write(csv.header);
      bar.update({ stage: 'Postcodes', done: 0, total: postcodes.length });
      for (let i = 0; i < postcodes.length; i += ENRICH_BATCH) {
        const batch = await enricher.enrich(postcodes.slice(i, i + ENRICH_BATCH));
        if (csv) await to.write(csv.rows(batch));
        else if (ndjson) await to.write(ndjson(batch));
        else for (const r of batch) all.push(r);
        bar.update({ stage: 'Postcodes', done: Math.min(postcodes.length, i + ENRICH_BATCH), total: postcodes.length });
      }
      if (format === 'json') {
        for (const piece of enrichmentJsonChunks(enricher.result(all))) await to.write(piece);
        await to.write('\n');
      }
    } finally {
      bar.stop();
      to.close();
    }
    const c = enricher.counts;
    if (format !== 'json')
      process.stderr.write(
        `${fmtInt(c.inputs)} postcodes: ${fmtInt(c.found)} found, ${fmtInt(c.terminated)} terminated, ${fmtInt(c.notInDirectory)} not in the directory, ${fmtInt(c.notAPostcode)} not a postcode.${o.out ? `\nWritten to ${o.out}` : ''}\n`,
      );
  });
}
