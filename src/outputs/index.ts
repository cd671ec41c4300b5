export { discloseProfile } from './disclosure.ts';
export { profileToTable, profileToCsv, profileToJson, profileToXlsx } from './profile.ts';
export { fmtInt, fmtPct, safeCellText, SUPPRESSED_MARK } from './format.ts';
