/**
 * The `civic` command line: every analysis scriptable, with --help everywhere and --format json.
 * Every command is defined up front (names, options, help), but its code, and the packages it uses,
 * load only when it runs (`lazy` in io.ts; docs/decisions/0015).
 */
import { existsSync, realpathSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerInit } from './init.ts';
import { registerReference, registerReferenceRemove } from './reference.ts';
import { registerDataset } from './dataset.ts';
import { registerKey } from './key.ts';
import { registerProfile } from './profile.ts';
import { registerDemo } from './demo.ts';
import { registerSegment } from './segment.ts';
import { registerServe } from './serve.ts';
import { registerOverlap } from './overlap.ts';
import { registerRepresent } from './represent.ts';
import { registerSdf } from './sdf.ts';
import { registerRag } from './rag.ts';
import { registerTarget } from './target.ts';
import { registerFacilities } from './facilities.ts';
import { registerLocation } from './location.ts';
import { registerSiteCommands } from './location-sites.ts';
import { registerMap } from './map.ts';
import { registerPostcodes } from './postcodes.ts';
import { registerAddress } from './address.ts';
import { registerLink } from './link.ts';
import { registerContacts } from './contacts.ts';
import { registerJourneys } from './journeys.ts';
import { registerVulnerability } from './vulnerability.ts';
import { json, wantsJson } from './io.ts';

export function buildProgram(): Command {
  const program = new Command();
  program
    .name('civic')
    .description(
      'Civic Insight Observatory: who uses council services, who misses out, and where — from the records you already hold.',
    )
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)')
    // Usage mistakes exit 2, like every other problem with the request; help and version exit 0.
    .exitOverride()
    // A subcommand's options are its own: `civic target evaluate --areas` is not `civic target --areas`.
    .enablePositionalOptions();
  registerInit(program);
  registerReference(program);
  registerReferenceRemove(program);
  registerDataset(program);
  registerKey(program);
  registerProfile(program);
  registerSegment(program);
  registerSdf(program);
  registerRag(program);
  registerOverlap(program);
  registerRepresent(program);
  registerTarget(program);
  registerFacilities(program);
  registerSiteCommands(registerLocation(program));
  registerMap(program);
  registerPostcodes(program);
  registerAddress(program);
  registerLink(program);
  registerContacts(program);
  registerJourneys(program);
  registerVulnerability(program);
  registerServe(program);
  registerDemo(program);
  return program;
}

/**
 * Runs the CLI on argv (as process.argv: node, script, arguments) and gives its exit code: 0 done,
 * 2 a problem with the request or its files, 1 a defect. Tests call it in process.
 */
export async function runCli(argv: string[]): Promise<number> {
  process.exitCode = undefined;
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      const ok = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(e.code);
      if (!ok && wantsJson(argv))
        process.stdout.write(json({ error: { code: 'usage', message: e.message.replace(/^error: /, '') } }));
      process.exitCode = ok ? 0 : 2;
    } else throw e;
  }
  return Number(process.exitCode ?? 0);
}

// Run when started as the program (bin/civic.js or tsx src/cli/main.ts), not when imported by a test.
const entry = process.argv[1] ? resolve(process.argv[1]) : '';
if (
  [fileURLToPath(import.meta.url), fileURLToPath(new URL('../../bin/civic.js', import.meta.url))].some(
    (f) => f === entry || (existsSync(entry) && realpathSync(entry) === f),
  )
) {
  process.exitCode = await runCli(process.argv);
}
