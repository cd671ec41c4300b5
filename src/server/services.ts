/**
 * What the routes use to answer: the capabilities' functions, over the app's workspace, with the
 * app's result cache where a result may be kept until the workspace changes. Routes read
 * parameters, call a service and render; they hold no SQL. `buildApp(options, services)` takes
 * replacements for any of them (route tests can give stubs).
 */
import type { Engine } from '../store/index.ts';
import type { AreaLevel } from '../geo/index.ts';
import { datasetChoices, datasetExists } from '../intake/index.ts';
import {
  areaBoundaries,
  areaLevelsPresent,
  listClassifications,
  listSegments,
  segmentCounts,
} from '../reference/index.ts';
import type { ClassificationSummary } from '../reference/index.ts';
import { portraitsOrGenerate } from '../segmentation/index.ts';
import { listFacilities, type CostSource } from '../location/index.ts';
import {
  ShapeCache,
  boundaryLevels,
  hasBoundaries,
  levelBbox,
  mapFigures,
  mapOptions,
  type LevelShapes,
  type MapOptions,
  type MapResult,
  type SharedMapWork,
} from '../maps/index.ts';
import {
  PostcodeEnricher,
  enrichPostcodes,
  lookupPostcode,
  type PostcodeEnrichment,
  type PostcodeLookup,
} from '../lookup/index.ts';
import { discloseMap } from '../outputs/index.ts';
import {
  circleOfNeed,
  circleOfNeedInWorkspace,
  compareJourneys,
  getCircle,
  getJourney,
  journeyUnitCosts,
  listCircles,
  listJourneys,
  measureJourney,
  type CircleResult,
  type Journey,
  type JourneyComparison,
  type JourneyMeasures,
  type JourneySummary,
  deleteJourney,
  findStoredJourney,
  listStoredJourneys,
  saveJourneys,
  setJourneyPublished,
  type JourneyEntry,
  type StoredJourney,
} from '../journeys/index.ts';
import { publishedUnitCosts } from '../channels/index.ts';
import type { SdfResult } from '../profiling/index.ts';
import type { ResultCache } from './result-cache.ts';

export interface Services {
  maps: {
    /** The levels and measures on offer; datasets only when the viewer may map them. */
    options(datasetsAllowed: boolean): Promise<MapOptions>;
    /**
     * A map as every viewer sees it (outputs' discloseMap over the truth); `shared` lets a batch of
     * measures share the work they have in common (maps' SharedMapWork).
     */
    figures(measure: string, level: string, shared?: SharedMapWork): Promise<MapResult>;
    shapes(level: string): Promise<LevelShapes>;
    bbox(level: string): Promise<[number, number, number, number]>;
    levels(): Promise<AreaLevel[]>;
    hasBoundaries(level: string): Promise<boolean>;
    boundaries(level: string): Promise<Map<string, { name: string | null; geojson: string }>>;
  };
  postcodes: {
    /** An enricher for streaming answers batch by batch. */
    enricher(segmentation?: string | null): Promise<PostcodeEnricher>;
    enrich(inputs: readonly string[], segmentation?: string | null): Promise<PostcodeEnrichment>;
  };
  lookup: {
    postcode(input: string): Promise<PostcodeLookup | null>;
  };
  /** Customer journeys and circles of need (no personal data: read fresh, they are small). */
  journeys: {
    list(): Promise<JourneySummary[]>;
    /** A journey with its measures, costed at its own unit costs. */
    get(name: string): Promise<{ journey: Journey; measures: JourneyMeasures }>;
    compare(before: string, after: string): Promise<JourneyComparison>;
    circles(): Promise<{ name: string; segment: string; needs: number }[]>;
    /** A circle of need, linked to an SDF of the datasets it names when `sdf` gives one (disclosed for the viewer). */
    circle(name: string, sdf?: (datasets: string[]) => Promise<SdfResult>): Promise<CircleResult>;
    /** Every journey with its owner and whether it is published (the routes decide who sees which). */
    stored(): Promise<StoredJourney[]>;
    find(name: string): Promise<StoredJourney | null>;
    /** A journey's measures at its own unit costs. */
    measure(journey: Journey): JourneyMeasures;
    /** Saves journeys all or none; a name taken is refused unless `replace` names it. */
    save(
      items: readonly { journey: Journey; partner: string | null; published: boolean }[],
      opts: { by: string | null; sourceFile?: string | null; replace?: readonly string[] },
    ): Promise<JourneyEntry[]>;
    publish(name: string, published: boolean, by: string | null): Promise<void>;
    remove(name: string): Promise<void>;
    /** The names of the published unit-cost sets a journey may be costed at. */
    unitCostSets(): string[];
  };
  catalogue: {
    classifications(opts?: { deprivation?: boolean }): Promise<ClassificationSummary[]>;
    datasets(): Promise<{ name: string; title: string | null; partner: string | null }[]>;
    datasetExists(name: string): Promise<boolean>;
    areaLevels(): Promise<AreaLevel[]>;
    segments(): Promise<{ classification: string; tier: string; code: string; name: string | null }[]>;
    segmentCounts(): Promise<{ classification: string; tier: string; n: number }[]>;
  };
}

export type ServiceOverrides = { [K in keyof Services]?: Partial<Services[K]> };

/** The services over one workspace. */
export function defaultServices(engine: Engine, costs: CostSource, results: ResultCache): Services {
  const shapes = new ShapeCache();
  return {
    maps: {
      options: (datasetsAllowed) => mapOptions(engine, datasetsAllowed),
      figures: (measure, level, shared) =>
        results.get('map figures', [measure, level], async () =>
          discloseMap(await mapFigures(engine, measure, level, costs, shared)),
        ),
      shapes: (level) => shapes.get(engine, level),
      bbox: (level) => results.get('level bbox', level, () => levelBbox(engine, level)),
      levels: () => boundaryLevels(engine),
      hasBoundaries: (level) => hasBoundaries(engine, level),
      boundaries: (level) => areaBoundaries(engine, level),
    },
    postcodes: {
      enricher: (segmentation) => PostcodeEnricher.open(engine, segmentation),
      enrich: (inputs, segmentation) => enrichPostcodes(engine, inputs, { segmentation }),
    },
    lookup: {
      postcode: (input) =>
        lookupPostcode(engine, input, {
          portraits: (cls, tier) => results.get('portraits', [cls, tier], () => portraitsOrGenerate(engine, cls, tier)),
          facilities: () => results.get('facilities', null, () => listFacilities(engine)),
          classifications: () => results.get('catalogue classifications', null, () => listClassifications(engine)),
        }),
    },
    journeys: {
      list: () => listJourneys(engine),
      get: async (name) => {
        const journey = await getJourney(engine, name);
        return { journey, measures: measureJourney(journey, journeyUnitCosts(journey)) };
      },
      compare: async (before, after) => {
        const [b, a] = [await getJourney(engine, before), await getJourney(engine, after)];
        return compareJourneys(measureJourney(b, journeyUnitCosts(b)), measureJourney(a, journeyUnitCosts(a)));
      },
      circles: () => listCircles(engine),
      circle: async (name, sdf) => {
        const c = await getCircle(engine, name);
        // No SDF for this viewer: the circle alone (no dataset is looked at).
        return sdf ? circleOfNeedInWorkspace(engine, c, { sdf }) : circleOfNeed(c, null);
      },
      stored: () => listStoredJourneys(engine),
      find: (name) => findStoredJourney(engine, name),
      measure: (journey) => measureJourney(journey, journeyUnitCosts(journey)),
      save: (items, opts) => saveJourneys(engine, items, opts),
      publish: (name, published, by) => setJourneyPublished(engine, name, published, by),
      remove: (name) => deleteJourney(engine, name),
      unitCostSets: () => publishedUnitCosts().map((s) => s.name),
    },
    // What is in the workspace, asked for by nearly every page: kept until it changes (a copy for
    // each caller, which may sort or change it).
    catalogue: {
      classifications: (opts) =>
        results.get('catalogue classifications', opts ?? null, () => listClassifications(engine, opts)).then(copy),
      // Not cached: who owns each dataset decides what a viewer sees, so it is read fresh.
      datasets: () => datasetChoices(engine),
      datasetExists: (name) => datasetExists(engine, name),
      areaLevels: () => results.get('catalogue area levels', null, () => areaLevelsPresent(engine)).then(copy),
      segments: () => results.get('catalogue segments', null, () => listSegments(engine)).then(copy),
      segmentCounts: () => results.get('catalogue segment counts', null, () => segmentCounts(engine)).then(copy),
    },
  };
}

const copy = <T>(x: T): T => structuredClone(x);

/** The default services with any given replacements. */
export function withOverrides(base: Services, overrides: ServiceOverrides = {}): Services {
  const out = { ...base } as Record<string, unknown>;
  for (const [k, v] of Object.entries(overrides)) out[k] = { ...(base as unknown as Record<string, object>)[k], ...v };
  return out as unknown as Services;
}
