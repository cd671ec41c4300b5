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
