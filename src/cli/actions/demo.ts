/** `civic demo`: build Sample Borough, print its headline profile, and serve the portal on it. */
import { randomBytes } from 'node:crypto';
import { profileDataset } from '../../profiling/index.ts';
import { discloseProfile, profileToTable, fmtInt } from '../../outputs/index.ts';
import { holdWorkspace, type Workspace } from '../../store/index.ts';
import type { PseudonymKey } from '../../intake/index.ts';
import { buildSampleBorough } from '../../demo/index.ts';
import { json } from '../io.ts';
import { stopOnSignal } from './stop.ts';

/** The demo's people: one per role, the partner one scoped to the leisure trust. */
const DEMO_PEOPLE: [string, string, string | undefined][] = [
  ['admin', 'admin', undefined],
  ['analyst', 'analyst', undefined],
  ['partner', 'partner', 'Sample Leisure Trust'],
  ['agent', 'agent', undefined],
];

/** Adds one person per role, all with one fresh password (returned, to print once), served or not. */
async function addDemoUsers(workspace: Workspace): Promise<{ usernames: string[]; password: string }> {
  const { addUser } = await import('../../server/index.ts');
  const password = randomBytes(12).toString('base64url');
  for (const [username, role, partner] of DEMO_PEOPLE)
    await addUser(workspace.engine, { username, password, role, partner, name: `Demo ${role}` });
  return { usernames: DEMO_PEOPLE.map(([u]) => u), password };
}

/** Serves the demo on this machine. */
async function servePortal(workspace: Workspace, port: number, pseudonymKey: PseudonymKey): Promise<void> {
  const { buildApp } = await import('../../server/index.ts');
  const app = await buildApp({ workspace, secureCookies: false, pseudonymKey });
  const address = await app.listen({ port, host: '127.0.0.1' });
  holdWorkspace(workspace, 'the portal (civic demo)', address);
  process.stdout.write(`\nThe portal is running at ${address} (Ctrl+C to stop).\n`);
  stopOnSignal(app, workspace);
}

export async function demo(
  workspace: string,
  o: { seed: string; households: string; serve: boolean; format: string; port: string },
): Promise<void> {
  const quiet = o.format === 'json';
  const started = Date.now();
  const built = await buildSampleBorough(workspace, {
    seed: Number(o.seed),
    households: Number(o.households),
    onStep: quiet ? undefined : (s: string) => process.stderr.write(`${s}…\n`),
  });
  try {
    const headline =
      built.manifest.services.find((s) => s.name === 'stop_smoking_clinic') ?? built.manifest.services[0];
    const profile = discloseProfile(
      await profileDataset(built.workspace.engine, { dataset: headline.name, tier: 'group' }),
      10,
    );
    // The same people whether the portal is served now or later (civic serve), so that it can be signed in to.
    const users = await addDemoUsers(built.workspace);
    if (quiet) {
      process.stdout.write(
        json({
          workspace: built.workspace.path,
          keyFile: built.keyFile,
          datasets: built.datasets.map((d) => ({
            name: d.dataset,
            read: d.read,
            matched: d.matched,
            unmatched: d.unmatched,
            rejected: d.rejected,
          })),
          headline: profile,
          users: { usernames: users.usernames, password: users.password },
        }),
      );
    } else {
      process.stdout.write(
        `\nSample Borough built in ${((Date.now() - started) / 1000).toFixed(1)} s: ${built.workspace.path}\n`,
      );
      process.stdout.write(
        `${fmtInt(built.manifest.households)} households; ${built.datasets.length} service files imported:\n`,
      );
      for (const d of built.datasets)
        process.stdout.write(
          `  ${d.dataset.padEnd(28)} read ${fmtInt(d.read).padStart(7)} = matched ${fmtInt(d.matched).padStart(7)} + unmatched ${fmtInt(d.unmatched).padStart(4)} + rejected ${fmtInt(d.rejected).padStart(4)}\n`,
        );
      process.stdout.write('\nHeadline: ' + profileToTable(profile));
      const seg = built.segmentation;
      process.stdout.write(
        `\nSegmentation "${seg.name}" built from the census-like variables: ${seg.tiers.map((t) => `${t.k} ${t.name}s`).join(', ')}, with a pen portrait for each.\n`,
      );
      process.stdout.write(
        `\nPersonal columns were pseudonymised with the key in ${built.keyFile} (kept beside the workspace, not inside it).\n`,
      );
      process.stdout.write(
        `\nPortal users: ${users.usernames.join(', ')} (one per role), each with the password ${users.password}${o.serve ? '' : ` — serve it with: npx civic serve ${workspace} --insecure-cookies`}\n`,
      );
      process.stdout.write(`\nTry: npx civic profile ${workspace} green_waste --by-area ward\n`);
      process.stdout.write(
        `     npx civic segment portraits ${workspace} ${seg.name} --format html --out borough.html\n`,
      );
    }
    if (o.serve && !quiet) {
      await servePortal(built.workspace, Number(o.port), built.key);
      return; // the portal keeps the workspace open until Ctrl+C
    }
  } catch (e) {
    built.workspace.close();
    throw e;
  }
  built.workspace.close();
}
