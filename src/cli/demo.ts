import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      'Build Sample Borough (a synthetic borough of about 100,000 households with a dozen service files) and show its headline profile',
    )
    .argument('[workspace]', 'where to build the workspace', '.demo/sample-borough.civic')
    .option('--seed <n>', 'random seed: the same seed builds the same borough', '2026')
    .option('--households <n>', 'number of households', '100000')
    .option('--no-serve', 'only build; do not serve the portal')
    .option('--port <n>', 'port for the portal', '8080')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/demo.ts'), 'demo'));
}
