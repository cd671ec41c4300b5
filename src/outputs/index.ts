export { discloseProfile } from './disclosure.ts';
export { profileToTable, profileToCsv, profileToJson, profileToXlsx } from './profile.ts';
export { fmtInt, fmtPct, fmtCount, safeCellText, SUPPRESSED_MARK } from './format.ts';
