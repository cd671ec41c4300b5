export { discloseProfile, shownCount, disclosureOf, disclosureNote, sumDisclosure } from './disclosure.ts';
export type { Disclosure, DisclosureRule, DisclosureSummary } from './disclosure.ts';
export { profileToTable, profileToCsv, profileToJson, profileToXlsx } from './profile.ts';
export { profileToGeoJson } from './geojson.ts';
export { fmtInt, fmtPct, fmtCount, safeCellText, SUPPRESSED_MARK } from './format.ts';
export { discloseOverlap, overlapToTable, overlapToJson, overlapToXlsx, overlapToSvg } from './overlap.ts';
export { discloseRepresent, representToTable, representToJson, representToXlsx } from './represent.ts';
export {
  sdfToTable,
  sdfToJson,
  sdfToXlsx,
  sheetNames,
  bandFill,
  serviceLabel as sdfColumnLabel,
  NOT_SIGNIFICANT_MARK,
} from './sdf.ts';
export { ragToTable, ragToJson, ragToXlsx, ragToHtml, ragRule } from './rag.ts';
export {
  buildToTable,
  diagnosticsToTable,
  diagnosticsToCsv,
  segmentationListToTable,
  assignToTable,
  postcodeSegmentsToCsv,
  recordSegmentsToCsv,
} from './segmentation.ts';
export { portraitsToHtml, portraitsToPdf, portraitsToTable, portraitHistoryToTable } from './portraits.ts';
export {
  discloseTarget,
  targetToTable,
  targetToCsv,
  targetToJson,
  targetToXlsx,
  discloseEvaluation,
  evaluationToXlsx,
  evaluationToTable,
  evaluationToCsv,
  evaluationToJson,
} from './targeting.ts';
export {
  facilitiesToTable,
  facilitiesToCsv,
  facilitiesToGeoJson,
  facilityImportToTable,
  accessToTable,
  accessToCsv,
  accessToXlsx,
  accessToGeoJson,
  sfcaToTable,
  sfcaToCsv,
  sfcaToXlsx,
  sfcaToGeoJson,
  discloseCatchment,
  catchmentToTable,
  catchmentToCsv,
  catchmentToXlsx,
  catchmentToGeoJson,
  disclosePatterns,
  patternsToTable,
  patternsToCsv,
  patternsToXlsx,
  locationToJson,
} from './location.ts';
export { textTable, csvText, csvRow, escapeHtml } from './format.ts';
export {
  hideSmallWeights,
  choiceToTable,
  choiceToCsv,
  choiceToXlsx,
  scenarioToTable,
  scenarioToCsv,
  scenarioToXlsx,
} from './sites.ts';
export { discloseMap, mapRule, mapToGeoJson, mapToCsv, mapToJson, mapToTable, mapToXlsx } from './maps.ts';
export {
  enrichmentToJson,
  enrichmentJsonChunks,
  enrichedJsonWriter,
  enrichedNdjsonWriter,
  enrichedCsvWriter,
  enrichmentCsvHeader,
} from './postcodes.ts';
export { matchRatesToTable, matchRatesToCsv, householdToTable, discloseMatchRates } from './match-rate.ts';
export {
  unitCostsToTable,
  unitCostsToCsv,
  contactCostToTable,
  shiftToTable,
  discloseContacts,
  contactsToTable,
  contactsToCsv,
  shownWindows,
  OTHER_CHANNELS,
} from './channels.ts';
export {
  journeyListToTable,
  journeyToTable,
  measuresToTable,
  comparisonToTable,
  journeysToCsv,
  journeyTemplateCsv,
  journeyTemplateXlsx,
  journeysToXlsx,
  journeyMapSvg,
  circleToSvg,
  circleToTable,
  wrapText,
} from './journeys.ts';
export type { JourneyReport } from './journeys.ts';
export {
  discloseChannelMix,
  channelMixToTable,
  channelMixToCsv,
  discloseVolumes,
  volumesToTable,
  volumesToCsv,
  discloseShiftModel,
  mixHidden,
  protectAcrossServices,
  poolOddChannels,
  protectTable,
  OTHER_VALUES,
  shiftModelToTable,
  frameworkToTable,
  frameworkToCsv,
} from './channel-mix.ts';
export { channelMixMap, channelMapMeasure, mappableChannels, CHANNEL_MAP_MEASURES } from './channel-map.ts';
export type { ChannelMapMeasure, ChannelMapArea } from './channel-map.ts';
export { shiftModelToXlsx, contactCostToXlsx, volumesToXlsx } from './channels-xlsx.ts';
export { discloseAccessSheets, accessSheetsToTable, accessSheetsToHtml } from './access-sheets.ts';
export type { ContactsAcross } from './channels.ts';
export type { VolumesAcross, MixAcrossServices, MixHidden } from './channel-mix.ts';
export {
  discloseVulnerability,
  discloseSplit,
  vulnerabilityToTable,
  vulnerabilityToCsv,
  explanationToTable,
  splitToTable,
  deprivationComparisonToTable,
} from './vulnerability.ts';
