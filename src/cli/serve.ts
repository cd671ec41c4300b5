import type { Command } from 'commander';
import { DEFAULT_READ_LIMITS, READ_LIMIT_ENV } from '../intake/constants.ts';
import { ROLES } from '../server/constants.ts';
import { formatOption, lazy, thousands } from './io.ts';
import { keyFileOption } from './key.ts';

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('Run the portal and the HTTP API over a workspace')
    .argument('<workspace>', 'workspace file')
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <address>', 'address to listen on (127.0.0.1 keeps it to this machine)', '127.0.0.1')
    .option(
      '--insecure-cookies',
      'allow sign-in over plain HTTP (for use on this machine only; behind HTTPS leave this off)',
    )
    .option('--max-upload-mb <n>', 'largest file that can be uploaded', '50')
    .option(
      '--trust-proxy <addresses>',
      'believe X-Forwarded-For and X-Forwarded-Proto only from these reverse proxies: addresses or ranges, comma-separated (e.g. 127.0.0.1 or 10.0.0.0/8); off by default',
    )
    .option(
      '--max-rows <n>',
      `refuse an upload with more records than this (default ${thousands(DEFAULT_READ_LIMITS.maxRows)}, or $${READ_LIMIT_ENV.maxRows})`,
    )
    .option(
      '--max-cells <n>',
      `refuse an upload with more cells (rows × columns) than this (default ${thousands(DEFAULT_READ_LIMITS.maxCells)}, or $${READ_LIMIT_ENV.maxCells})`,
    )
    .option(
      '--max-unpacked-mb <n>',
      `refuse an XLSX upload that unpacks to more than this many MB (default ${DEFAULT_READ_LIMITS.maxUnpackedBytes / 1024 / 1024}, or $${READ_LIMIT_ENV.maxUnpackedBytes})`,
    )
    .option('--upload-worker-mb <n>', "memory one upload's reader may use before it is stopped", '2048')
    .option(
      '--network <file>',
      'time journeys on the location pages along the roads of this OpenStreetMap extract (.osm.pbf) instead of straight lines',
    )
    .option('--valhalla <config>', 'time journeys on the location pages with Valhalla, from this configuration file')
    .addOption(keyFileOption())
    .option(
      '--no-result-cache',
      'work out every analysis afresh instead of keeping results until the workspace changes (slower; for measuring and debugging)',
    )
    .option('--analysis-workers <n>', 'worker threads for heavy analyses (site choice, scenarios)', '1')
    .option('--analysis-time-limit <seconds>', 'stop a heavy analysis that runs longer than this', '30')
    .option('--analysis-per-person <n>', 'heavy analyses one person may have running or waiting at once', '1')
    .option('--analysis-memory-mb <n>', 'memory (JavaScript heap) each analysis worker may use', '512')
    .addHelpText(
      'after',
      `
Examples:
  civic user add borough.civic admin --role admin --password-stdin < password.txt
  civic serve borough.civic --port 8080 --insecure-cookies
  civic serve borough.civic --trust-proxy 127.0.0.1        (behind nginx on the same machine)`,
    )
    .action(lazy(() => import('./actions/serve.ts'), 'serve'));

  const user = program.command('user').description('People who can sign in to the portal, and API tokens for scripts');
  user
    .command('add')
    .description('Add a person')
    .argument('<workspace>', 'workspace file')
    .argument('<username>', 'user name')
    .requiredOption('--role <role>', `one of ${ROLES.join(', ')}`)
    .option('--name <name>', 'full name')
    .option('--partner <organisation>', 'partner organisation (for the partner role)')
    .option('--password-stdin', 'read the password from standard input')
    .option('--password-env <var>', 'read the password from an environment variable')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/user.ts'), 'add'));
  user
    .command('list')
    .description('List the people who can sign in')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/user.ts'), 'list'));
  user
    .command('disable')
    .description('Stop a person signing in (their sessions and tokens end)')
    .argument('<workspace>', 'workspace file')
    .argument('<username>', 'user name')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/user.ts'), 'disable'));
  user
    .command('token')
    .description('Make an API token for a person (shown once; scripts send it as "Authorization: Bearer TOKEN")')
    .argument('<workspace>', 'workspace file')
    .argument('<username>', 'user name')
    .option('--label <text>', 'what the token is for')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/user.ts'), 'token'));
}
