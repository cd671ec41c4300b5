/**
 * Who may see what of a dataset: its records (rejected rows, row-level exports) are for its owners —
 * the partner whose data it is, or the council's staff, who administer every dataset — and its row
 * accounts are exact for them and disclosure-controlled for everyone else. One rule for pages and API.
 */
import { basename } from 'node:path';
import { z } from 'zod';
import { AccessError, DEFAULT_MIN_CELL, NotFoundError, suppressOneWay } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import {
  publishedCategories,
  datasetPartners,
  datasetChoices,
  findChannelColumn,
  type DatasetSummary,
} from '../intake/index.ts';
import { checkFilterMatches, filterParts, getDataset, type RecordFilter } from '../profiling/index.ts';
import { shownCount, type Disclosure } from '../outputs/index.ts';
import { findModel, listModels, type SavedModel } from '../linkage/index.ts';
import type { Viewer } from './users.ts';

const Count = z.number().nullable();
export const DatasetAccountSchema = z.object({
  name: z.string(),
  title: z.string().nullable(),
  partner: z.string().nullable().describe('The partner that owns the records; null for the council'),
  file: z
    .string()
    .nullable()
    .describe("The name of the file imported, for the dataset's owner only (null for anyone else)"),
  format: z.string().nullable(),
  importedAt: z.string(),
  read: Count.describe('Rows read (null when suppressed)'),
  matched: Count,
  unmatched: Count,
  rejected: Count,
  matchRate: z.number().nullable().describe('% of rows read whose postcode was matched'),
  ownRecords: z
    .boolean()
    .describe(
      "Whether the caller may see this dataset's records; the row accounts of datasets it does not own are under disclosure control",
    ),
  disclosure: z.object({ minCell: z.number() }).nullable(),
});
export type DatasetAccount = z.infer<typeof DatasetAccountSchema>;

/** Whether a viewer may see a dataset's records: staff see all; a partner its own. */
export const ownsRecords = (viewer: Viewer, datasetPartner: string | null) =>
  viewer.role === 'admin' ||
  viewer.role === 'analyst' ||
  (viewer.role === 'partner' &&
    datasetPartner !== null &&
    viewer.partner !== null &&
    datasetPartner.trim().toLowerCase() === viewer.partner.trim().toLowerCase());

/** The portal's own name for a stored upload (never shown): a random id, as uploads are kept under. */
const SERVER_UPLOAD_NAME =
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.(csv|xlsx|json|parquet|part)$/i;

/** The name of the file imported, as its owner knew it: never a path, nor the name the server stored an upload under. */
export function shownFileName(file: string | null): string | null {
  if (!file) return null;
  const name = basename(file.replace(/\\/g, '/'));
  return SERVER_UPLOAD_NAME.test(name) ? null : name;
}

/**
 * What a viewer may see of a dataset's figures (decision 0012): its owner sees exact counts, with
 * the small-cell rule; everyone else sees counts under the cell key method as well.
 */
export const disclosureFor = (
  viewer: Viewer,
  datasetPartner: string | null,
  minCell = DEFAULT_MIN_CELL,
): Disclosure => ({ minCell, perturb: !ownsRecords(viewer, datasetPartner) });

/** The rule for a viewer and a dataset by name; a dataset that does not exist gets the stricter rule (the analysis will say it is missing). */
export async function disclosureForDataset(
  engine: Engine,
  viewer: Viewer,
  dataset: string,
  minCell = DEFAULT_MIN_CELL,
): Promise<Disclosure> {
  return (await disclosureByDataset(engine, viewer, minCell))(dataset);
}

/** The rule for a result made from several datasets (an overlap): exact only for a viewer who owns every one of them. */
export async function disclosureForAll(
  engine: Engine,
  viewer: Viewer,
  datasets: readonly string[],
  minCell = DEFAULT_MIN_CELL,
): Promise<Disclosure> {
  const ruleOf = await disclosureByDataset(engine, viewer, minCell);
  return { minCell, perturb: datasets.some((d) => ruleOf(d).perturb) };
}

/**
 * Free-form record filters are for the data's owner. Anyone else may filter a dataset only by a
 * category its owner has published, and may not count distinct values of a column; what they are
 * told depends only on what is published, never on what the records hold. The owner is told when
 * a filter matches nothing, with the column's common values.
 */
export async function checkRecordFilters(
  engine: Engine,
  viewer: Viewer,
  dataset: string,
  f: { where?: RecordFilter; distinct?: string },
): Promise<void> {
  if (!f.where && !f.distinct) return;
  const partners = await datasetPartners(engine);
  if (!partners.has(dataset)) return; // the analysis says the dataset is missing
  if (ownsRecords(viewer, partners.get(dataset)!)) {
    if (f.where) await checkFilterMatches(engine, dataset, f.where);
    return;
  }
  if (f.distinct) {
    throw new AccessError(
      'Counting distinct customers is for the owner of the data.',
      "Profile the dataset's records instead, or ask its owner.",
    );
  }
  const published = await publishedCategories(engine, dataset);
  const cols = Object.keys(published);
  const offer = cols.length
    ? `Its published categories: ${cols.map((c) => `${c} (${published[c].join(', ')})`).join('; ')}.`
    : 'Its owner has published no categories, so it can only be profiled as a whole.';
  // A period or a blank cell of the asker's choosing could single a record out: neither is a
  // published category, and a filter with no categories at all is never let through. Every
  // filter joined to another is checked the same way.
  for (const part of filterParts(f.where!)) {
    if (part.period) throw new AccessError('Filtering a dataset by its dates is for the owner of the data.', offer);
    if (!part.values.length || part.values.some((v) => !v.trim()))
      throw new AccessError('Filtering a dataset by blank cells is for the owner of the data.', offer);
    const col = cols.find((c) => c.toLowerCase() === part.column.trim().toLowerCase());
    if (!col)
      throw new AccessError(
        `This dataset can be filtered only by the categories its owner has published, and "${part.column}" is not one.`,
        offer,
      );
    const allowed = new Set(published[col].map((v) => v.toLowerCase()));
    const bad = part.values.filter((v) => !allowed.has(v.trim().toLowerCase()));
    if (bad.length) throw new AccessError(`"${bad[0]}" is not a published category of ${col}.`, offer);
    part.column = col;
  }
}

/** A dataset's row accounts as a viewer may see them: exact for its owners; for others, suppressed (with secondary suppression) and perturbed. */
export function datasetAccount(d: DatasetSummary, viewer: Viewer, minCell = DEFAULT_MIN_CELL): DatasetAccount {
  const owner = ownsRecords(viewer, d.partner);
  // Nobody but the owner sees the name of the file; nobody sees where the server keeps it.
  const common = {
    name: d.name,
    title: d.title,
    partner: d.partner,
    file: owner ? shownFileName(d.file) : null,
    format: d.format,
    importedAt: d.importedAt,
  };
  if (owner) {
    return {
      ...common,
      read: d.read,
      matched: d.matched,
      unmatched: d.unmatched,
      rejected: d.rejected,
      matchRate: d.read ? d.matchRate : null,
      ownRecords: true,
      disclosure: null,
    };
  }
  const rule = disclosureFor(viewer, d.partner, minCell);
  const s = suppressOneWay([d.matched, d.unmatched, d.rejected], minCell);
  const [matched, unmatched, rejected] = (['matched', 'unmatched', 'rejected'] as const).map((k, i) =>
    s.suppressed[i] ? null : shownCount(d[k], d.keys[k], rule),
  );
  const read = s.totalSuppressed ? null : shownCount(d.read, d.keys.read, rule);
  return {
    ...common,
    read,
    matched,
    unmatched,
    rejected,
    matchRate: read && matched !== null ? (matched / read) * 100 : null,
    ownRecords: false,
    disclosure: { minCell },
  };
}

/** Who owns what, as a cache key: viewers with the same key see every result the same way. */
export const ownershipScope = (viewer: Viewer): string =>
  viewer.role === 'admin' || viewer.role === 'analyst'
    ? 'staff'
    : viewer.role === 'partner' && viewer.partner
      ? `partner:${viewer.partner.trim().toLowerCase()}`
      : 'none';

/** The rule for each dataset for this viewer, looked up once (for analyses over several datasets). */
export async function disclosureByDataset(
  engine: Engine,
  viewer: Viewer,
  minCell = DEFAULT_MIN_CELL,
): Promise<(dataset: string) => Disclosure> {
  const partners = await datasetPartners(engine);
  return (dataset) =>
    partners.has(dataset) ? disclosureFor(viewer, partners.get(dataset)!, minCell) : { minCell, perturb: true };
}

/**
 * The rule for a representativeness result: the sample's counts as the sample's rule has them. The
 * other dataset it may be compared against gives the expected shares exactly, so it must be the
 * viewer's own: a non-owner compares against the households or people of the base instead.
 */
export async function disclosureForRepresent(
  engine: Engine,
  viewer: Viewer,
  sample: string,
  against: string,
  minCell = DEFAULT_MIN_CELL,
): Promise<Disclosure> {
  const ruleOf = await disclosureByDataset(engine, viewer, minCell);
  const reference = against.trim();
  if (reference && reference !== 'base' && ruleOf(reference).perturb)
    throw new AccessError(
      'Only the owner of a dataset can use it as the comparison: its shares by segment would show its exact counts.',
      'Compare against the households or people of the area (the base), or against one of your own datasets.',
    );
  return ruleOf(sample);
}

// ---- Record linkage -------------------------------------------------------------------------------
// A linkage model's pairs, review queue and explanations show the records' values (names, dates of
// birth), so they are for the owners of every dataset the model links, and nobody else: not a
// partner who owns one of the two, not an agent, not the public. Anyone else is told there is no
// such model, in the same words whether or not it exists.

/** Whether a viewer owns every one of these datasets (a dataset not in the workspace is owned by nobody). */
export async function ownsAllDatasets(engine: Engine, viewer: Viewer, datasets: readonly string[]): Promise<boolean> {
  const partners = await datasetPartners(engine);
  return datasets.length > 0 && datasets.every((d) => partners.has(d) && ownsRecords(viewer, partners.get(d)!));
}

/** The linkage models whose datasets the viewer owns, by name. */
export async function visibleLinkModels(engine: Engine, viewer: Viewer): Promise<SavedModel[]> {
  const out: SavedModel[] = [];
  for (const m of await listModels(engine)) if (await ownsAllDatasets(engine, viewer, m.datasets)) out.push(m);
  return out;
}

/** The refusal for a model that does not exist and for one the viewer may not see: the same, word for word. */
export const noSuchLinkModel = () =>
  new NotFoundError(
    'There is no linkage model of that name that you can see.',
    'Linkage models are shown only to the owners of every dataset they link. The models you can see are listed on the Linkage page (GET /api/linkage/models).',
  );

/** A linkage model, for a viewer who owns all its datasets; otherwise the one refusal above. */
export async function linkModelFor(engine: Engine, viewer: Viewer, name: string): Promise<SavedModel> {
  const m = await findModel(engine, name).catch(() => null);
  if (!m || !(await ownsAllDatasets(engine, viewer, m.datasets))) throw noSuchLinkModel();
  return m;
}

// ---- Contact logs -----------------------------------------------------------------------------------
// A contact log (issue 14) is seen by its owners, and a log of the council's own by every partner
// as well, under disclosure control across answers. A partner's log is for that partner (and the
// council's staff): to another partner, an agent or the public it does not exist, and they are
// told so in the same words as for a name that is nobody's.

/** The refusal for a contact log that does not exist and for one the viewer may not see: the same, word for word. */
export const noSuchContactLog = () =>
  new NotFoundError(
    'There is no contact log of that name that you can see.',
    'The contact logs you can see are listed on the Contact and channels page.',
  );

/** Whether a dataset is a contact log: it has a channel column (found by its name, as at import). */
const isContactLog = async (engine: Engine, name: string) =>
  findChannelColumn(JSON.parse((await getDataset(engine, name)).columns) as string[]) >= 0;

/** Whether the viewer may analyse a dataset owned by this partner (null: the council), and as its owner. */
function contactAccess(viewer: Viewer, partner: string | null): { owner: boolean } | null {
  if (ownsRecords(viewer, partner)) return { owner: true };
  if (partner === null && viewer.role === 'partner') return { owner: false };
  return null;
}

/**
 * The contact log asked for, if the viewer may see it: whether the viewer owns it. A log of
 * another partner's, a dataset that is not a contact log and a name that is nobody's all get
 * noSuchContactLog. An owner naming the channel column may use any dataset of theirs.
 */
export async function contactLogFor(
  engine: Engine,
  viewer: Viewer,
  dataset: string,
  channelColumn?: string,
): Promise<{ owner: boolean }> {
  const partners = await datasetPartners(engine);
  const access = partners.has(dataset) ? contactAccess(viewer, partners.get(dataset)!) : null;
  if (!access) throw noSuchContactLog();
  if (!(access.owner && channelColumn) && !(await isContactLog(engine, dataset))) throw noSuchContactLog();
  return access;
}

/** The contact logs a viewer may see, by title. */
export async function visibleContactLogs(
  engine: Engine,
  viewer: Viewer,
): Promise<{ name: string; title: string | null; partner: string | null; owner: boolean }[]> {
  const out = [];
  for (const d of await datasetChoices(engine)) {
    const access = contactAccess(viewer, d.partner);
    if (access && (await isContactLog(engine, d.name))) out.push({ ...d, owner: access.owner });
  }
  return out;
}

/**
 * What someone other than a contact log's owner may choose: not its columns (they are found by
 * their names), and only reasons its owner has published as categories of its reason column, so
 * that what they are told depends on what is published, never on what the records hold.
 */
export async function checkContactChoices(
  engine: Engine,
  dataset: string,
  reasonColumn: string | null,
  o: { columns: boolean; reasons: readonly string[] },
): Promise<void> {
  if (o.columns)
    throw new AccessError(
      'Choosing the columns of a contact log is for its owner.',
      'Leave the columns out: they are found by their names.',
    );
  if (!o.reasons.length) return;
  const published = await publishedCategories(engine, dataset);
  const col = reasonColumn && Object.keys(published).find((c) => c.toLowerCase() === reasonColumn.toLowerCase());
  const allowed = col ? published[col] : [];
  if (!allowed.length)
    throw new AccessError(
      'Avoidable reasons and tiers can be counted only by reasons the owner of the contact log has published, and it has published none.',
      'Leave the reasons and tiers out, or ask the owner to publish its reasons.',
    );
  const known = new Set(allowed.map((v) => v.trim().toLowerCase()));
  const bad = o.reasons.find((r) => !known.has(r.trim().toLowerCase()));
  if (bad !== undefined)
    throw new AccessError(
      `"${bad}" is not a reason the owner has published.`,
      `Its published reasons: ${allowed.join(', ')}.`,
    );
}

// ---- Customer journeys --------------------------------------------------------------------------------
// A journey (decision 0033) is the council's or a partner's. Its owners (that partner's people, and
// the council's staff, who administer every journey) may change it; everyone signed in sees it once
// it is published, and nobody else sees a draft: to another partner or an agent a draft does not
// exist, in the same words as a name that is nobody's.

/** Who owns what a viewer makes or uploads: their partner, or the council (null) for staff. */
export const journeyOwnerFor = (viewer: Viewer): string | null => (viewer.role === 'partner' ? viewer.partner : null);

/** Whether a viewer may make journeys at all: staff, and partners of a named organisation. */
export const makesJourneys = (viewer: Viewer): boolean =>
  viewer.role === 'admin' || viewer.role === 'analyst' || (viewer.role === 'partner' && !!viewer.partner?.trim());

/** What a viewer may do with a journey owned by this partner (null: the council), published or not. */
export function journeyAccess(
  viewer: Viewer,
  journey: { partner: string | null; published: boolean },
): { see: boolean; edit: boolean } {
  const edit = makesJourneys(viewer) && ownsRecords(viewer, journey.partner);
  return { see: edit || (journey.published && viewer.role !== 'public'), edit };
}

/** The refusal for a journey that does not exist and for one the viewer may not see: the same, word for word. */
export const noSuchJourney = (name: string) =>
  new NotFoundError(
    `There is no journey called ${name} that you can see.`,
    'The journeys you can see are listed on the Journeys page (GET /api/journeys).',
  );
