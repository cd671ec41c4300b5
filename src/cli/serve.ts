import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { openWorkspace, withWorkspace, getMeta, LEGACY_KEY_META } from '../store/index.ts';
import { ParameterError } from '../core/index.ts';
import { resolveReadLimits } from '../intake/index.ts';
import {
  buildApp,
  addUser,
  listUsers,
  createApiToken,
  setUserDisabled,
  ROLES,
  parseTrustProxy,
} from '../server/index.ts';
import { costSourceFor } from './location.ts';
import { action, emit, json, formatOption } from './io.ts';
import { keyFileOption, keyFor } from './key.ts';

/** A password from the environment or standard input, never from the command line (it would sit in shell history). */
function readPassword(o: { passwordEnv?: string; passwordStdin?: boolean }): string {
  if (o.passwordEnv) {
    const v = process.env[o.passwordEnv];
    if (!v) throw new ParameterError(`The environment variable ${o.passwordEnv} is not set.`);
    return v;
  }
  if (o.passwordStdin) return readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  throw new ParameterError(
    'Give the password through --password-stdin or --password-env VAR.',
    'Passwords are never taken on the command line, where they would be kept in shell history.',
  );
}

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
    .option('--max-rows <n>', 'refuse an upload with more records than this (default 2,000,000, or $CIVIC_MAX_ROWS)')
    .option(
      '--max-cells <n>',
      'refuse an upload with more cells (rows × columns) than this (default 50,000,000, or $CIVIC_MAX_CELLS)',
    )
    .option(
      '--max-unpacked-mb <n>',
      'refuse an XLSX upload that unpacks to more than this many MB (default 1024, or $CIVIC_MAX_UNPACKED_MB)',
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
    .action(
      action(
        async (
          workspace: string,
          o: {
            port: string;
            host: string;
            insecureCookies?: boolean;
            maxUploadMb: string;
            trustProxy?: string;
            resultCache?: boolean;
            network?: string;
            valhalla?: string;
            maxRows?: string;
            maxCells?: string;
            maxUnpackedMb?: string;
            uploadWorkerMb: string;
            analysisWorkers: string;
            analysisTimeLimit: string;
            analysisPerPerson: string;
            analysisMemoryMb: string;
            keyFile?: string;
          },
        ) => {
          const port = Number(o.port);
          const num = (flag: string, v: string | undefined) => {
            if (v === undefined) return undefined;
            const n = Number(v);
            if (!Number.isFinite(n) || n <= 0) throw new ParameterError(`${flag} must be a positive number, not ${v}.`);
            return n;
          };
          const unpackedMb = num('--max-unpacked-mb', o.maxUnpackedMb);
          const readLimits = resolveReadLimits({
            maxRows: num('--max-rows', o.maxRows),
            maxCells: num('--max-cells', o.maxCells),
            maxUnpackedBytes: unpackedMb === undefined ? undefined : unpackedMb * 1024 * 1024,
          });
          const uploadWorkerMemoryMb = num('--upload-worker-mb', o.uploadWorkerMb)!;
          if (!Number.isInteger(port) || port < 0 || port > 65535)
            throw new ParameterError(`--port must be a port number, not ${o.port}.`);
          const trustProxy = parseTrustProxy(o.trustProxy ?? '');
          const positive = (text: string, option: string, whole: boolean) => {
            const n = Number(text);
            if (!(Number.isFinite(n) && n > 0 && (!whole || Number.isInteger(n))))
              throw new ParameterError(`${option} must be a ${whole ? 'whole ' : ''}number above 0, not "${text}".`);
            return n;
          };
          const analysis = {
            workers: positive(o.analysisWorkers, '--analysis-workers', true),
            timeLimitSeconds: positive(o.analysisTimeLimit, '--analysis-time-limit', false),
            perViewer: positive(o.analysisPerPerson, '--analysis-per-person', true),
            memoryMb: positive(o.analysisMemoryMb, '--analysis-memory-mb', true),
          };
          const pseudonymKey = keyFor(o);
          const ws = await openWorkspace(workspace);
          if (await getMeta(ws.engine, LEGACY_KEY_META))
            process.stderr.write(
              'Warning: this workspace still holds its pseudonymisation key inside the file. Move it out with: civic key export-from-workspace WORKSPACE --out KEYFILE\n',
            );
          if (!pseudonymKey)
            process.stderr.write(
              'Note: no pseudonymisation key given (--key-file or CIVIC_PSEUDONYM_KEY), so uploads with personal columns cannot be pseudonymised.\n',
            );
          const app = await buildApp({
            workspace: ws,
            secureCookies: !o.insecureCookies,
            trustProxy,
            maxUploadBytes: Number(o.maxUploadMb) * 1024 * 1024,
            readLimits,
            uploadWorkerMemoryMb,
            resultCache: o.resultCache !== false,
            analysis,
            costs: await costSourceFor({ network: o.network, valhalla: o.valhalla }),
            pseudonymKey,
          });
          const address = await app.listen({ port, host: o.host });
          process.stderr.write(`The Observatory is running at ${address} (Ctrl+C to stop)\n`);
          const stop = async () => {
            await app.close();
            ws.close();
            process.exit(0);
          };
          process.once('SIGINT', stop);
          process.once('SIGTERM', stop);
        },
      ),
    );

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
    .action(
      action(
        async (
          workspace: string,
          username: string,
          o: {
            role: string;
            name?: string;
            partner?: string;
            passwordStdin?: boolean;
            passwordEnv?: string;
            format: string;
          },
        ) => {
          const password = readPassword(o);
          await withWorkspace(workspace, async (ws) => {
            const u = await addUser(ws.engine, { username, password, role: o.role, name: o.name, partner: o.partner });
            emit(
              o.format === 'json' ? json(u) : `Added ${u.username} (${u.role}${u.partner ? `, ${u.partner}` : ''}).\n`,
            );
          });
        },
      ),
    );
  user
    .command('list')
    .description('List the people who can sign in')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, o: { format: string }) => {
        await withWorkspace(workspace, async (ws) => {
          const users = await listUsers(ws.engine);
          emit(
            o.format === 'json'
              ? json(users)
              : users
                  .map(
                    (u) =>
                      `${u.username.padEnd(20)} ${u.role.padEnd(8)} ${u.partner ?? ''}${u.disabled ? ' (disabled)' : ''}`,
                  )
                  .join('\n') + '\n',
          );
        });
      }),
    );
  user
    .command('disable')
    .description('Stop a person signing in (their sessions and tokens end)')
    .argument('<workspace>', 'workspace file')
    .argument('<username>', 'user name')
    .action(
      action(async (workspace: string, username: string) => {
        await withWorkspace(workspace, async (ws) => {
          await setUserDisabled(ws.engine, username, true);
          emit(`Disabled ${username}.\n`);
        });
      }),
    );
  user
    .command('token')
    .description('Make an API token for a person (shown once; scripts send it as "Authorization: Bearer TOKEN")')
    .argument('<workspace>', 'workspace file')
    .argument('<username>', 'user name')
    .option('--label <text>', 'what the token is for')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, username: string, o: { label?: string; format: string }) => {
        await withWorkspace(workspace, async (ws) => {
          const token = await createApiToken(ws.engine, username, o.label);
          emit(
            o.format === 'json'
              ? json({ username, token })
              : `${token}\nKeep it safe: it is shown only once. Scripts send it as the header "Authorization: Bearer ${token.slice(0, 10)}…".\n`,
          );
        });
      }),
    );
}
