/** `civic key generate`, `export-from-workspace` and `status`; and the key for any command that may pseudonymise. */
import { openWorkspace, withWorkspace, getMeta, compactWorkspace, LEGACY_KEY_META } from '../../store/index.ts';
import { WorkspaceStateError } from '../../core/index.ts';
import { loadPseudonymKey, writeKeyFile, keyIdOf, KEY_ENV, type PseudonymKey } from '../../intake/index.ts';
import { emit, json } from '../io.ts';

/** The key for this command (from --key-file or the environment), or null; warnings go to stderr. */
export function keyFor(o: { keyFile?: string }): PseudonymKey | null {
  const { key, warnings } = loadPseudonymKey({ keyFile: o.keyFile });
  for (const w of warnings) process.stderr.write(`Warning: ${w}\n`);
  return key;
}

export async function generate(o: { out: string; format: string }): Promise<void> {
  const k = writeKeyFile(o.out);
  emit(
    o.format === 'json'
      ? json({ keyFile: o.out, keyId: k.id })
      : `Made a new pseudonymisation key in ${o.out} (key id ${k.id}); only you can read the file.\n` +
          `Use it with --key-file ${o.out} (or put its contents in ${KEY_ENV}).\n` +
          'Keep it apart from the workspace and its backups: whoever has both could recompute pseudonyms from a list of names.\n' +
          'Losing it means new imports can no longer be linked with the datasets it pseudonymised.\n',
  );
}

export async function exportFromWorkspace(workspace: string, o: { out: string; format: string }): Promise<void> {
  const ws = await openWorkspace(workspace);
  let k: PseudonymKey;
  let datasets: number;
  try {
    const secret = await getMeta(ws.engine, LEGACY_KEY_META);
    if (!secret)
      throw new WorkspaceStateError(
        'This workspace holds no pseudonymisation key, so there is nothing to move.',
        'Give imports the key with --key-file PATH or the CIVIC_PSEUDONYM_KEY environment variable.',
      );
    // The key file is written first, so the key is never lost, even if what follows fails.
    k = writeKeyFile(o.out, secret);
    datasets = await ws.engine.transaction(async () => {
      const n = (await ws.engine.one<{ n: number }>(
        `SELECT count(*)::BIGINT AS n FROM dataset WHERE pseudonym_key_id IS NULL AND pseudonymised IS NOT NULL AND pseudonymised <> '[]'`,
      ))!.n;
      await ws.engine.run(
        `UPDATE dataset SET pseudonym_key_id = $1 WHERE pseudonym_key_id IS NULL AND pseudonymised IS NOT NULL AND pseudonymised <> '[]'`,
        [keyIdOf(secret)],
      );
      await ws.engine.run(`DELETE FROM meta WHERE key = $1`, [LEGACY_KEY_META]);
      return n;
    });
    await ws.engine.run('CHECKPOINT');
  } finally {
    ws.close();
  }
  // A deleted value stays in the file's free space until the file is rewritten.
  await compactWorkspace(workspace);
  emit(
    o.format === 'json'
      ? json({ workspace, keyFile: o.out, keyId: k.id, datasets })
      : `Moved the pseudonymisation key out of ${workspace} into ${o.out} (key id ${k.id}); ${datasets} dataset${datasets === 1 ? '' : 's'} marked as made with it.\n` +
          `The workspace was rewritten so no copy of the key is left inside. Give imports the key with --key-file ${o.out}.\n` +
          'Backups of the workspace taken before today still hold the key: delete them or keep them as safe as the key.\n',
  );
}

export async function status(workspace: string, o: { keyFile?: string; format: string }): Promise<void> {
  const k = keyFor(o);
  await withWorkspace(workspace, async (ws) => {
    const legacy = Boolean(await getMeta(ws.engine, LEGACY_KEY_META));
    const rows = await ws.engine.all<{ name: string; key_id: string | null; pseudonymised: string | null }>(
      `SELECT name, pseudonym_key_id AS key_id, pseudonymised FROM dataset ORDER BY name`,
    );
    const datasets = rows.map((r) => ({
      dataset: r.name,
      keyId: r.key_id,
      pseudonymised: JSON.parse(r.pseudonymised ?? '[]') as string[],
      sameKey: k && r.key_id ? r.key_id === k.id : null,
    }));
    if (o.format === 'json') return emit(json({ keyGiven: k ? k.id : null, keyInsideWorkspace: legacy, datasets }));
    const lines = [k ? `Key given: ${k.id} (${k.source})` : `No key given (use --key-file PATH or ${KEY_ENV}).`];
    if (legacy)
      lines.push(
        'Warning: this workspace still holds its old key inside. Move it out with: civic key export-from-workspace WORKSPACE --out KEYFILE',
      );
    if (!datasets.length) lines.push('No datasets yet.');
    for (const d of datasets) {
      lines.push(
        `  ${d.dataset.padEnd(28)} ${d.pseudonymised.length ? `${d.keyId ?? 'key inside the workspace'}${d.sameKey === true ? ' (the key given)' : d.sameKey === false ? ' (another key)' : ''}: ${d.pseudonymised.join(', ')}` : 'nothing pseudonymised'}`,
      );
    }
    emit(lines.join('\n') + '\n');
  });
}
