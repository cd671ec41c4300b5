/**
 * Location planning (C7): journey times, accessibility, catchments, access patterns, site choice
 * and what-if scenarios. This is its public face: what the CLI, the portal, outputs and tests use.
 */
export {
  type Place,
  type CostMatrix,
  type CostSource,
  costAt,
  metresBetween,
  straightLineCosts,
  travelWords,
  COST_FILE_MODE,
  TRAVEL_MODES,
  type TravelMode,
} from './costs.ts';
export {
  type Facility,
  type FacilityImportResult,
  importFacilities,
  listFacilities,
  facilityKinds,
  facilitiesOfKind,
  outletKey,
  matchFacilityName,
  findFacility,
  removeFacilities,
} from './facilities.ts';
export { areaOrigins } from './origins.ts';
export { kindLabel, kindNoun } from './kinds.ts';
export {
  nearestAndReach,
  shareWithin,
  type Decay,
  defaultSteps,
  decayWeight,
  floatingCatchment,
  AccessResultSchema,
  type AccessResult,
  accessibility,
  SfcaResultSchema,
  type SfcaResult,
  sfca,
  parseSteps,
} from './accessibility.ts';
export { CatchmentResultSchema, type CatchmentResult, catchment } from './catchment.ts';
export { type OutletPattern, PatternsResultSchema, type PatternsResult, accessPatterns } from './patterns.ts';
export { type Adjacency, ShortestPaths, shortestCostsFrom, adjacencyFromArcs, reverseAdjacency } from './dijkstra.ts';
export { RoadNetwork, networkCosts, reachableWithin } from './network.ts';
export {
  type OsmNode,
  type OsmWay,
  MAXSPEED_FACTOR,
  WALK_KMH,
  parseMaxspeed,
  wayProfile,
  buildRoadGraph,
  readOsmPbf,
  loadRoadNetwork,
} from './osm.ts';
export { type SiteSolution, solveHeuristic, type SiteProblemKind } from './sites.ts';
export { solve } from './highs.ts';
export {
  type ScenarioInput,
  type SiteChange,
  type ScenarioResult,
  applyChange,
  describeChange,
  runScenario,
  compareScenarios,
} from './scenarios.ts';
export {
  type SiteInputs,
  gridCandidates,
  loadSiteInputs,
  costFileInputs,
  findCandidate,
  withKeptSites,
} from './site-inputs.ts';
export { type CostFile, readCostFile, readDemandFile } from './cost-file.ts';
export { type ValhallaActor, VALHALLA_COSTING, loadValhalla, valhallaCosts } from './valhalla.ts';
export { SITE_TASKS } from './site-tasks.ts';
