/** The `civic` command line: every analysis scriptable, with --help everywhere and --format json. */
import { Command } from 'commander';
import { registerInit } from './init.ts';
import { registerReference } from './reference.ts';
import { registerDataset } from './dataset.ts';
import { registerProfile } from './profile.ts';
import { registerDemo } from './demo.ts';

export function buildProgram(): Command {
  const program = new Command();
  program.name('civic')
    .description('Civic Insight Observatory: who uses council services, who misses out, and where — from the records you already hold.')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)');
  registerInit(program);
  registerReference(program);
  registerDataset(program);
  registerProfile(program);
  registerDemo(program);
  return program;
}

await buildProgram().parseAsync(process.argv);
