import { existsSync } from 'node:fs';
import { SHARED_DATA } from './workspace.ts';

/**
 * Real-data tests read ../shared/data. Without it they skip with a message; under CI a missing
 * folder is a failure, so a wrong path can never hide a test.
 */
export function sharedData(sub: string): { path: string; skip: string | false } {
  const path = SHARED_DATA + sub;
  if (existsSync(path)) return { path, skip: false };
  if (process.env.CI)
    throw new Error(`Real data missing under CI: ${path} (../shared/data must sit beside the repository)`);
  return { path, skip: `real data not found at ${path}` };
}
