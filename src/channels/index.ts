/** C8 channels and contact: what contact costs by channel, and what moving it would save. */
export {
  channelName,
  contactCost,
  publishedUnitCosts,
  shiftSaving,
  unitCosts,
  volumesFromShares,
  ContactCostResultSchema,
  ShiftResultSchema,
  UnitCostSchema,
  UnitCostSetSchema,
  CONTACT_COST_RESULT_VERSION,
  SHIFT_RESULT_VERSION,
} from './costs.ts';
export type { ContactCostResult, ShiftResult, UnitCost, UnitCostSet } from './costs.ts';
export {
  contactAnalysis,
  readTierFile,
  ContactsResultSchema,
  CONTACTS_RESULT_VERSION,
  DEFAULT_REPEAT_DAYS,
  DEFAULT_RESOLUTION_TARGET,
} from './contacts.ts';
export type { ContactsRequest, ContactsResult } from './contacts.ts';
export { contactDetail, MAX_REPEAT_DAYS } from './detail.ts';
export type { ContactDetail } from './detail.ts';
export { channelShiftScenario, ShiftScenarioSchema, SCENARIO_RESULT_VERSION } from './scenario.ts';
export type { ShiftScenario, ShiftScenarioRequest } from './scenario.ts';
