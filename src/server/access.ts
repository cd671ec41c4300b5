/**
 * Who may see what of a dataset: its records (rejected rows, row-level exports) are for its owners —
 * the partner whose data it is, or the council's staff, who administer every dataset — and its row
 * accounts are exact for them and disclosure-controlled for everyone else. One rule for pages and API.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { DEFAULT_MIN_CELL, suppressOneWay } from '../core/index.ts';
import type { DatasetSummary } from '../intake/index.ts';
import type { Viewer } from './users.ts';

const Count = z.number().nullable();
export const DatasetAccountSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  partner: z.string().nullable().describe('The partner that owns the records; null for the council'),
  file: z.string().nullable().describe('The name of the file imported, for the dataset\'s owner only (null for anyone else)'),
  format: z.string().nullable(),
  importedAt: z.string(),
  read: Count.describe('Rows read (null when suppressed)'),
  matched: Count,
  unmatched: Count,
  rejected: Count,
  matchRate: z.number().nullable().describe('% of rows read whose postcode was matched'),
  ownRecords: z.boolean().describe('Whether the caller may see this dataset\'s records; the row accounts of datasets it does not own are under disclosure control'),
  disclosure: z.object({ minCell: z.number() }).nullable(),
});
export type DatasetAccount = z.infer<typeof DatasetAccountSchema>;

/** Whether a viewer may see a dataset's records: staff see all; a partner its own. */
export const ownsRecords = (viewer: Viewer, datasetPartner: string | null) =>
  viewer.role === 'admin' || viewer.role === 'analyst' || (viewer.role === 'partner' && datasetPartner !== null && viewer.partner !== null && datasetPartner.trim().toLowerCase() === viewer.partner.trim().toLowerCase());

/** The portal's own name for a stored upload (never shown): a random id, as uploads are kept under. */
const SERVER_UPLOAD_NAME = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(csv|xlsx|json|parquet|part)$/i;

/** The name of the file imported, as its owner knew it: never a path, nor the name the server stored an upload under. */
export function shownFileName(file: string | null): string | null {
  if (!file) return null;
  const name = basename(file.replace(/\\/g, '/'));
  return SERVER_UPLOAD_NAME.test(name) ? null : name;
}

/** A dataset's row accounts as a viewer may see them: suppressed (with secondary suppression) when not its own. */
export function datasetAccount(d: DatasetSummary, viewer: Viewer, minCell = DEFAULT_MIN_CELL): DatasetAccount {
  const common = { name: d.name, title: d.title, partner: d.partner, file: ownsRecords(viewer, d.partner) ? shownFileName(d.file) : null, format: d.format, importedAt: d.importedAt };
  if (ownsRecords(viewer, d.partner)) {
    return { ...common, read: d.read, matched: d.matched, unmatched: d.unmatched, rejected: d.rejected, matchRate: d.read ? d.matchRate : null, ownRecords: true, disclosure: null };
  }
  const s = suppressOneWay([d.matched, d.unmatched, d.rejected], minCell);
  const [matched, unmatched, rejected] = [d.matched, d.unmatched, d.rejected].map((n, i) => (s.suppressed[i] ? null : n));
  const read = s.totalSuppressed ? null : d.read;
  return { ...common, read, matched, unmatched, rejected, matchRate: read && matched !== null ? d.matchRate : null, ownRecords: false, disclosure: { minCell } };
}
