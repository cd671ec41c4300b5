export { discloseProfile } from './disclosure.ts';
export { profileToTable, profileToCsv, profileToJson, profileToXlsx } from './profile.ts';
export { fmtInt, fmtPct, fmtCount, safeCellText, SUPPRESSED_MARK } from './format.ts';
export { discloseOverlap, overlapToTable, overlapToJson, overlapToXlsx, overlapToSvg } from './overlap.ts';
export { discloseRepresent, representToTable, representToJson, representToXlsx } from './represent.ts';
export { sdfToTable, sdfToJson, sdfToXlsx, sheetNames, bandFill, NOT_SIGNIFICANT_MARK } from './sdf.ts';
export { ragToTable, ragToJson, ragToXlsx, ragToHtml, ragRule } from './rag.ts';
export { buildToTable, diagnosticsToTable, diagnosticsToCsv, segmentationListToTable, assignToTable, postcodeSegmentsToCsv, recordSegmentsToCsv } from './segmentation.ts';
export { portraitsToHtml, portraitsToPdf, portraitsToTable, portraitHistoryToTable } from './portraits.ts';
