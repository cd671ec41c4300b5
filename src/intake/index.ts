export { readSourceTable, detectFormat } from './readers.ts';
export { decodeText, ENCODINGS } from './decode.ts';
export type { SourceTable, SourceRow, ReadOptions } from './table.ts';
export { cleanHeader } from './table.ts';
export { pseudonymise } from './pseudonymise.ts';
export { importDataset, listDatasets, datasetIssues, removeDataset, missingDataset, validateDatasetName, tableNameFor } from './dataset.ts';
export type { DatasetImportOptions, DatasetImportResult, DatasetSummary, RowIssue } from './dataset.ts';
export { readInputFile, checkReadableFile, fileError } from './files.ts';
