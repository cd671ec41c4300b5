/**
 * The civic side of bench/contacts, in a process of its own so that its peak memory is its own:
 * a new workspace with Trafford's postcode directory (set-up, timed apart), then (a) the contact
 * log imported as `civic dataset import WS contacts FILE --kind contacts` imports it, its customer
 * references pseudonymised with the key in CIVIC_PSEUDONYM_KEY (importDataset, in process), and (b) the
 * analysis `civic contacts summary --avoidable … --tiers …` runs (contactAnalysis, in process).
 * Prints one JSON line: seconds, CPU seconds and peak resident memory per phase, the import's row accounts and
 * the analysis's result.
 *
 *   tsx bench/contacts/civic_job.ts WORKSPACE CONTACTS.csv TIERS.csv AVOIDABLE_JSON ROWS
 */
import { importReference } from '../../src/reference/index.ts';
import { importDataset, loadPseudonymKey } from '../../src/intake/index.ts';
import { contactAnalysis, readTierFile } from '../../src/channels/index.ts';
import { createWorkspace } from '../../src/store/index.ts';
import { POSTCODE_FILE } from './generate.ts';
import { peakSince, resetPeak } from './memory.ts';

const [ws, contacts, tiersFile, avoidableJson, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg);
const seconds: Record<string, number> = {};
const cpu: Record<string, number> = {};
const peakMb: Record<string, number> = {};
async function phase<T>(name: string, fn: () => Promise<T>): Promise<T> {
  resetPeak();
  const t = performance.now();
  const c = process.cpuUsage();
  const r = await fn();
  seconds[name] = (performance.now() - t) / 1000;
  // user + system, every thread of the process (DuckDB's included)
  const d = process.cpuUsage(c);
  cpu[name] = (d.user + d.system) / 1e6;
  peakMb[name] = peakSince();
  return r;
}

// The key the bench made for this run, as a council's key file or environment variable gives it.
const { key } = loadPseudonymKey({ env: process.env });
if (!key) throw new Error('bench/contacts: civic_job needs CIVIC_PSEUDONYM_KEY (run.ts sets it)');
const w = await createWorkspace(ws);
await phase('directory', () => importReference(w.engine, { postcodes: POSTCODE_FILE }));
const imported = await phase('import', () =>
  // As `civic dataset import WS contacts FILE --kind contacts --max-rows ROWS --max-cells CELLS` imports it.
  importDataset(w.engine, 'contacts', contacts, {
    kind: 'contacts',
    key,
    decidedBy: { username: 'bench', role: 'command line' },
    limits: { maxRows: rows, maxCells: rows * 10 },
  }),
);
const result = await phase('analysis', async () =>
  contactAnalysis(w.engine, {
    dataset: 'contacts',
    avoidableReasons: JSON.parse(avoidableJson) as string[],
    tiers: readTierFile(tiersFile),
    repeatWithinDays: 7,
    target: 80,
  }),
);
w.close();
process.stdout.write(
  `${JSON.stringify({
    seconds,
    cpu,
    peakMb,
    import: {
      read: imported.read,
      matched: imported.matched,
      unmatched: imported.unmatched,
      rejected: imported.rejected,
      corrected: imported.corrected,
      pseudonymised: imported.pseudonymised,
      channels: imported.channels,
    },
    result,
  })}\n`,
);
