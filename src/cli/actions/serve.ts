/** `civic serve`. */
import { openWorkspace, getMeta, holdWorkspace, LEGACY_KEY_META } from '../../store/index.ts';
import { ParameterError } from '../../core/index.ts';
import { resolveReadLimits } from '../../intake/index.ts';
import { buildApp, parseTrustProxy } from '../../server/index.ts';
import { costSourceFor } from './location.ts';
import { keyFor } from './key.ts';
import { stopOnSignal } from './stop.ts';

export async function serve(
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
): Promise<void> {
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
  // Beside the workspace, so that a command run meanwhile can say the portal has it (removed on exit).
  holdWorkspace(ws, 'the portal (civic serve)', address);
  process.stderr.write(`The Observatory is running at ${address} (Ctrl+C to stop)\n`);
  stopOnSignal(app, ws);
}
