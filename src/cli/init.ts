import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create a new workspace (one file holding reference data, datasets and results)')
    .argument('<path>', 'path of the workspace file to create, e.g. borough.civic')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/init.ts'), 'init'));
}
