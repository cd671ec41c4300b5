/** C8 channels and contact: what contact costs by channel, and what moving it would save. */
export {
  channelName,
  contactCost,
  publishedUnitCosts,
  shiftSaving,
  unitCosts,
  costOf,
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
export type { ContactsRequest, ContactsResult, FirstReasonRow } from './contacts.ts';
export {
  channelMix,
  contactServiceColumn,
  ChannelMixResultSchema,
  ChannelMixCellSchema,
  CHANNEL_MIX_RESULT_VERSION,
  BLANK_CHANNEL,
} from './mix.ts';
export type { ChannelMixRequest, ChannelMixResult, ChannelMixCell } from './mix.ts';
export { contactVolumes, ContactVolumesResultSchema, CONTACT_VOLUMES_RESULT_VERSION } from './volumes.ts';
export type { ContactVolumesRequest, ContactVolumesResult } from './volumes.ts';
export {
  channelShiftModel,
  readPreferenceFile,
  ShiftModelResultSchema,
  ShiftModelSegmentSchema,
  SHIFT_MODEL_RESULT_VERSION,
  DIGITAL_CHANNELS,
} from './shift-model.ts';
export type { ShiftModelRequest, ShiftModelResult, ShiftModelSegment } from './shift-model.ts';
export {
  communicationsFramework,
  readFrameworkFile,
  FrameworkResultSchema,
  FRAMEWORK_RESULT_VERSION,
  CHANNEL_KINDS,
} from './framework.ts';
export type { FrameworkResult, PreferenceRow, ChannelKind } from './framework.ts';
export { accessSheets, AccessSheetsSchema, ACCESS_SHEETS_VERSION, UNTIERED } from './sheet.ts';
export type { AccessSheets, AccessSheetsRequest } from './sheet.ts';
export { contactDetail, MAX_REPEAT_DAYS } from './detail.ts';
export type { ContactDetail } from './detail.ts';
export { channelShiftScenario, ShiftScenarioSchema, SCENARIO_RESULT_VERSION } from './scenario.ts';
export type { ShiftScenario, ShiftScenarioRequest } from './scenario.ts';
