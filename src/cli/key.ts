/**
 * The pseudonymisation key, kept outside the workspace: make one, move one out of a workspace made
 * before keys were kept apart, and see which key made which dataset's pseudonyms.
 */
import { Option, type Command } from 'commander';
import { KEY_ENV } from '../intake/constants.ts';
import { formatOption, lazy } from './io.ts';

/** The --key-file option, shared by every command that may pseudonymise. */
export function keyFileOption(): Option {
  return new Option(
    '--key-file <path>',
    `pseudonymisation key file, kept apart from the workspace (or set ${KEY_ENV}); make one with: civic key generate --out PATH`,
  );
}

export function registerKey(program: Command): void {
  const key = program
    .command('key')
    .description(
      'The pseudonymisation key: make one, move an old one out of a workspace, see which key made which pseudonyms',
    );

  key
    .command('generate')
    .description(
      'Make a new pseudonymisation key in a file only you can read (0600). Keep it apart from the workspace and its backups.',
    )
    .requiredOption('--out <path>', 'the key file to create (never overwritten)')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/key.ts'), 'generate'));

  key
    .command('export-from-workspace')
    .description(
      'Move the key out of a workspace made before keys were kept apart: write it to a key file, remove it from the workspace and rewrite the workspace so no copy of it is left inside',
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption('--out <path>', 'the key file to create (never overwritten)')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/key.ts'), 'exportFromWorkspace'));

  key
    .command('status')
    .description(
      "Which key made each dataset's pseudonyms, and whether the key given (--key-file or the environment) is one of them",
    )
    .argument('<workspace>', 'workspace file')
    .addOption(keyFileOption())
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/key.ts'), 'status'));
}
