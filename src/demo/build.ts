/**
 * Builds the Sample Borough workspace: generate the files, then import them with the same
 * importers a council uses, so the demo exercises the real paths end to end.
 */
import { existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createWorkspace, openWorkspace, getMeta, setMeta, type Workspace } from '../store/index.ts';
import { WorkspaceStateError } from '../core/index.ts';
import { importReference } from '../reference/index.ts';
import {
  importDataset,
  publishCategories,
  loadPseudonymKey,
  writeKeyFile,
  type DatasetImportResult,
  type PseudonymKey,
} from '../intake/index.ts';
import {
  loadAreaVariables,
  buildSegmentation,
  saveSegmentation,
  generatePortraits,
  type BuildResult,
} from '../segmentation/index.ts';
import { generateSampleBorough, checkSampleBoroughOptions, type SampleBoroughManifest } from './generate.ts';
import { importFacilities } from '../location/index.ts';
import { importJourneys } from '../journeys/index.ts';
import {
  importAddressLookups,
  importGazetteer,
  loadAddressLookups,
  type GazetteerImportResult,
} from '../linkage/index.ts';

/** The categories Sample Borough's owners publish (dataset, column). */
export const DEMO_PUBLISHED: readonly (readonly [string, string])[] = [
  ['council_tax_payment', 'payment_method'],
  ['leisure_card', 'card_type'],
  ['adult_social_care', 'support_type'],
  // The contact log's services and reasons: a partner's volumes and plans can be by service and reason.
  ['contact_centre_callers', 'service'],
  ['contact_centre_callers', 'reason'],
];

export interface DemoBuildOptions {
  seed?: number;
  households?: number;
  onStep?: (s: string) => void;
}
export interface DemoBuild {
  workspace: Workspace;
  manifest: SampleBoroughManifest;
  datasets: DatasetImportResult[];
  segmentation: BuildResult;
  /** The address gazetteer's import (the demo's own lookups standardise it). */
  addresses: GazetteerImportResult;
  /** The demo's pseudonymisation key, kept in a file beside the workspace (never inside it). */
  key: PseudonymKey;
  keyFile: string;
}

/** Where the demo keeps its pseudonymisation key: beside the workspace, .demo/sample-borough.key. */
export function demoKeyFile(workspacePath: string): string {
  return resolve(workspacePath).replace(/\.[a-z]+$/i, '') + '.key';
}

/** The demo's own segmentation, built from its census-like variables as a council would build one. */
export const DEMO_SEGMENTATION = { name: 'borough', title: 'Sample Borough neighbourhoods', k: [7, 20] };

type DemoService = SampleBoroughManifest['services'][number];

/**
 * How each service file is imported: the one place an intake option for every file goes. Each file
 * is imported with its address columns and UPRN column as the manifest names them, so its records
 * get property references (matched to the gazetteer imported before) and link into households.
 */
function serviceImportOptions(s: DemoService, i: number, key: PseudonymKey, seed: number | undefined) {
  return {
    postcodeColumn: s.postcodeColumn,
    pseudonymise: s.personalColumns,
    ...(s.addressColumns.length ? { addressColumns: s.addressColumns } : {}),
    ...(s.uprnColumn ? { uprnColumn: s.uprnColumn } : {}),
    ...(s.kind ? { kind: s.kind } : {}),
    title: s.title,
    key,
    decidedBy: { username: 'demo', role: 'command line' },
    // Record keys from the seed, so the same seed gives the same protected figures.
    recordKeySalt: (seed ?? 1) * 1009 + i + 1,
  };
}

export async function buildSampleBorough(workspacePath: string, opts: DemoBuildOptions = {}): Promise<DemoBuild> {
  const step = opts.onStep ?? (() => {});
  const full = resolve(workspacePath);
  checkSampleBoroughOptions({ seed: opts.seed, households: opts.households });
  // Only a Sample Borough workspace is ever replaced: anything else at that path is refused.
  const filesDir = full.replace(/\.[a-z]+$/i, '') + '-files';
  if (existsSync(full)) {
    const old = await openWorkspace(full).catch(() => null);
    // A workspace marked as the demo, or one built before the mark whose files the generator made.
    const isDemo = old
      ? (await getMeta(old.engine, 'demo')) === 'sample-borough' || existsSync(join(filesDir, 'truth.json'))
      : false;
    old?.close();
    if (!isDemo) {
      throw new WorkspaceStateError(
        `${full} already exists and is not a Sample Borough workspace, so it was left alone.`,
        'Choose another path for the demo.',
      );
    }
  }
  for (const f of [full, full + '.wal']) if (existsSync(f)) rmSync(f);
  if (existsSync(filesDir) && readdirSync(filesDir).length > 0 && !existsSync(join(filesDir, 'truth.json'))) {
    throw new WorkspaceStateError(
      `${filesDir} already holds files that Sample Borough did not make, so nothing was changed.`,
      'Choose another path for the demo.',
    );
  }
  rmSync(filesDir, { recursive: true, force: true });
  mkdirSync(filesDir, { recursive: true });
  step('generating Sample Borough');
  const manifest = await generateSampleBorough(filesDir, { seed: opts.seed, households: opts.households });
  // The demo's key lives beside the workspace, as a council's would live apart from it; a rebuilt
  // demo keeps the key it had.
  const keyFile = demoKeyFile(full);
  const key = existsSync(keyFile) ? loadPseudonymKey({ keyFile }).key! : writeKeyFile(keyFile);
  const workspace = await createWorkspace(full);
  try {
    await setMeta(workspace.engine, 'demo', 'sample-borough');
    step('importing reference data');
    await importReference(workspace.engine, {
      areas: [manifest.files.areas],
      boundaries: manifest.files.boundaries.map((b) => ({ file: b.file, level: b.level })),
      postcodes: manifest.files.postcodes,
      base: [manifest.files.base],
      classification: [manifest.files.classification],
      classificationName: 'sample',
      segments: [manifest.files.segments],
      deprivation: [manifest.files.deprivation],
      deprivationName: 'imd',
    });
    step('importing facilities');
    await importFacilities(workspace.engine, manifest.files.facilities, { kindColumn: 'type' });
    // The demo's own lookups (the short street words its files use), so it needs nothing outside
    // its files; a council imports the published lists instead (docs/linkage.md).
    step('importing the address gazetteer');
    await importAddressLookups(workspace.engine, manifest.files.addressLookups);
    const addresses = await importGazetteer(workspace.engine, await loadAddressLookups(workspace.engine), {
      file: manifest.files.gazetteer,
    });
    const datasets: DatasetImportResult[] = [];
    for (const [i, s] of manifest.services.entries()) {
      step(`importing ${s.name}`);
      datasets.push(await importDataset(workspace.engine, s.name, s.file, serviceImportOptions(s, i, key, opts.seed)));
    }
    // What the owners publish for others to filter by: categories, never names or references.
    for (const [dataset, column] of DEMO_PUBLISHED) {
      if (manifest.services.some((s) => s.name === dataset)) await publishCategories(workspace.engine, dataset, column);
    }
    step('importing journeys');
    for (const f of manifest.files.journeys) await importJourneys(workspace.engine, f);
    step('building the borough segmentation');
    const av = await loadAreaVariables(workspace.engine, {
      files: [{ file: manifest.files.areaVariables, definitions: manifest.files.areaVariableDefinitions }],
    });
    const built = await buildSegmentation(av, { ...DEMO_SEGMENTATION, seed: 1, restarts: 10, stabilityRuns: 3 });
    await saveSegmentation(workspace.engine, built, { variables: av.variables.map((v) => v.name), data: av.raw.data });
    for (const tier of built.model.tiers)
      await generatePortraits(workspace.engine, DEMO_SEGMENTATION.name, { tier: tier.name });
    return { workspace, manifest, datasets, segmentation: built.result, addresses, key, keyFile };
  } catch (e) {
    workspace.close();
    throw e;
  }
}
