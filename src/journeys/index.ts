/** C12 journeys and needs: customer journeys with their duplication measures, before/after comparisons and circles of need. */
import { readFileSync } from 'node:fs';
import { unitCosts, type UnitCostSet } from '../channels/index.ts';
import { JourneySchema, type Journey } from './schema.ts';

export {
  JourneySchema,
  JourneyStepSchema,
  JourneySummarySchema,
  JOURNEY_FORMAT_VERSION,
  JOURNEY_NAME,
  nameFrom,
  summarise,
} from './schema.ts';
export type { Journey, JourneyInput, JourneyStep, JourneyStepInput, JourneySummary } from './schema.ts';
export { readJourneyFile, JourneyFileError, TEMPLATE_COLUMNS } from './read.ts';
export type { JourneyProblem } from './read.ts';
export {
  measureJourney,
  compareJourneys,
  sameName,
  JourneyMeasuresSchema,
  JourneyComparisonSchema,
  JOURNEY_MEASURES_VERSION,
  JOURNEY_COMPARISON_VERSION,
} from './measure.ts';
export type { JourneyMeasures, JourneyComparison } from './measure.ts';
export {
  readCircleFile,
  circleOfNeed,
  circleOfNeedInWorkspace,
  isCircleHeader,
  NeedCircleSchema,
  CircleResultSchema,
  CIRCLE_COLUMNS,
  CIRCLE_RESULT_VERSION,
  DEFAULT_HIGH_INDEX,
} from './circle.ts';
export type { NeedCircle, CircleResult } from './circle.ts';
export {
  importJourneys,
  readImportFile,
  listJourneys,
  getJourney,
  listCircles,
  getCircle,
  listStoredJourneys,
  findStoredJourney,
  saveJourneys,
  setJourneyPublished,
  deleteJourney,
  JourneyEntrySchema,
} from './store.ts';
export type { JourneyImportResult, JourneyEntry, StoredJourney } from './store.ts';
export {
  addStep,
  replaceStep,
  moveStep,
  removeStep,
  readStepFields,
  readJourneyFields,
  stepFieldsFrom,
  stepFieldsOf,
  journeyFieldsFrom,
  journeyFieldsOf,
} from './edit.ts';
export type { FieldProblem, StepFields, JourneyFields } from './edit.ts';

/** The unit costs a journey is costed at: the set (or CSV file) asked for, else the journey's own, else none. */
export function journeyUnitCosts(j: Journey, override?: string | null): UnitCostSet | null {
  const name = override?.trim() || j.unitCosts;
  return name ? unitCosts(name) : null;
}

/** The example the template comes with: Kay's new journey (examples/journeys/kay-after.json). */
export function templateExample(): Journey {
  return JourneySchema.parse(
    JSON.parse(readFileSync(new URL('./data/template-example.json', import.meta.url), 'utf8')),
  );
}
