export type { Engine, Row, SqlValue } from './engine.ts';
export { ident, literal } from './engine.ts';
export { DuckDbEngine } from './duckdb.ts';
export {
  createWorkspace,
  openWorkspace,
  withWorkspace,
  getMeta,
  setMeta,
  compactWorkspace,
  LEGACY_KEY_META,
  holdWorkspace,
  workspaceHolder,
  lockFileFor,
} from './workspace.ts';
export type { Workspace, WorkspaceHolder } from './workspace.ts';
export { MIGRATIONS, RECORD_KEY_SQL } from './migrations.ts';
export {
  columnsOf,
  sqlAnyValue,
  sqlSmallestList,
  sqlBitsDice,
  sqlBloomBits,
  sqlBloomDice,
  sqlColumnsOf,
  sqlCompare,
  sqlFirstPerKey,
  sqlFormatPostcode,
  sqlReadCsv,
  sqlReadParquet,
  sqlTextList,
  sqlTryNumber,
  textList,
} from './sql.ts';
export type { CsvReadOptions } from './sql.ts';
export { ANY_TABLE, ChangeCounts, tablesWritten, tableKey, whileUnchanged } from './changes.ts';
