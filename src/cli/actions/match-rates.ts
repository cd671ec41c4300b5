/** `civic link match-rates`: the match-rate report, for the workspace's owner. */
import { withWorkspace } from '../../store/index.ts';
import { matchRates } from '../../linkage/index.ts';
import { matchRatesToCsv, matchRatesToTable } from '../../outputs/index.ts';
import { emit, json } from '../io.ts';

export async function matchRatesCommand(
  workspace: string,
  o: { datasets?: string[]; format: string; out?: string },
): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const r = await matchRates(ws.engine, o.datasets);
    emit(o.format === 'json' ? json(r) : o.format === 'csv' ? matchRatesToCsv(r) : matchRatesToTable(r), o.out);
  });
}
