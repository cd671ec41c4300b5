export { readSourceTable, detectFormat } from './readers.ts';
export { decodeText, ENCODINGS } from './decode.ts';
export type { SourceTable, SourceRow, ReadOptions } from './table.ts';
export { cleanHeader } from './table.ts';
export {
  pseudonymise,
  keyIdOf,
  loadPseudonymKey,
  writeKeyFile,
  newKeySecret,
  missingKeyError,
  KEY_ENV,
} from './pseudonymise.ts';
export type { PseudonymKey } from './pseudonymise.ts';
export {
  bloomEncode,
  bloomDecode,
  bloomDice,
  letterPairs,
  BLOOM_BITS,
  BLOOM_HASHES,
  BLOOM_PREFIX,
} from './bloom.ts';
export { detectPersonalColumns, clearForMatching, PERSONAL_SAMPLE_ROWS } from './personal.ts';
export type { PersonalColumn, PersonalKind, ClearColumn } from './personal.ts';
export {
  importDataset,
  listDatasets,
  datasetIssues,
  removeDataset,
  missingDataset,
  publishedCategories,
  publishCategories,
  datasetColumn,
  datasetPartners,
  datasetChoices,
  datasetExists,
  validateDatasetName,
  tableNameFor,
} from './dataset.ts';
export type { DatasetImportOptions, DatasetImportResult, DatasetSummary, RowIssue, ColumnPrivacy } from './dataset.ts';
export {
  DEFAULT_READ_LIMITS,
  READ_LIMIT_ENV,
  resolveReadLimits,
  EstimatedOverLimitError,
  type ReadLimits,
  type LimitEstimate,
} from './limits.ts';
export { writePreparedTable, type PreparedTable } from './prepared.ts';
export { checkWorkbookLimits } from './zip-check.ts';
export type { SheetProjection, WorkbookCheckOptions } from './zip-check.ts';
export { readInputFile, checkReadableFile, fileError } from './files.ts';
export { columnIndex, columnNamed, findColumn } from './columns.ts';
export { readYesNo, listedOptions, optionColumnName, describeOptions, MAX_OPTIONS } from './options.ts';
export type { OptionsSpec, OptionsSummary } from './options.ts';
export { saveMapping, listMappings, getMapping, removeMapping, validateMappingName } from './mappings.ts';
export type { SavedMapping, MappingSummary } from './mappings.ts';
export {
  readChannel,
  findChannelColumn,
  describeChannels,
  readChannelNames,
  channelKey,
  CHANNELS,
} from './channels.ts';
export {
  CONTACT_ROLES,
  CONTACT_COLUMN_PATTERNS,
  CONTACT_AT,
  HANDLING_MINUTES,
  RESOLVED,
  RESOLVED_YES,
  RESOLVED_NO,
  parseContactColumns,
  findContactColumns,
  contactTimeSql,
  handlingMinutesSql,
  resolvedSql,
  describeContactLog,
  contactLogOf,
} from './contacts.ts';
export type { ContactRole, ContactColumns, ContactLogSummary } from './contacts.ts';
export type { ChannelSummary } from './channels.ts';
export { AddressingSummarySchema, PROPERTY_COLUMNS, describeAddressing } from './addressing.ts';
export type { AddressingSummary } from './addressing.ts';
