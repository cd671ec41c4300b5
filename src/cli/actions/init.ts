/** `civic init`. */
import { createWorkspace } from '../../store/index.ts';
import { json } from '../io.ts';

export async function init(path: string, opts: { format: string }): Promise<void> {
  const ws = await createWorkspace(path);
  ws.close();
  if (opts.format === 'json') process.stdout.write(json({ workspace: ws.path, created: true }));
  else
    process.stdout.write(
      `Created workspace ${ws.path}\nNext: civic reference import ${path} --postcodes POSTCODES.csv --base ts041.csv ...\n`,
    );
}
