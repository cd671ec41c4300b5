import type { Command } from 'commander';
import { createWorkspace } from '../store/index.ts';
import { action, json, formatOption } from './io.ts';

export function registerInit(program: Command): void {
  program
    .command('init')
    .description('Create a new workspace (one file holding reference data, datasets and results)')
    .argument('<path>', 'path of the workspace file to create, e.g. borough.civic')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (path: string, opts: { format: string }) => {
        const ws = await createWorkspace(path);
        ws.close();
        if (opts.format === 'json') process.stdout.write(json({ workspace: ws.path, created: true }));
        else
          process.stdout.write(
            `Created workspace ${ws.path}\nNext: civic reference import ${path} --postcodes POSTCODES.csv --base ts041.csv ...\n`,
          );
      }),
    );
}
