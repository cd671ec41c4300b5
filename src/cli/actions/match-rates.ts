/** `civic link match-rates` and `civic link household`: households across datasets, for the workspace's owner. */
import { withWorkspace } from '../../store/index.ts';
import { householdView, matchRates } from '../../linkage/index.ts';
import { householdToTable, matchRatesToCsv, matchRatesToTable } from '../../outputs/index.ts';
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

export async function householdCommand(
  workspace: string,
  o: { uprn?: string; address?: string; postcode?: string; format: string; out?: string },
): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const all = (await ws.engine.all<{ name: string }>(`SELECT name FROM dataset ORDER BY name`)).map((d) => d.name);
    const r = await householdView(ws.engine, { uprn: o.uprn, address: o.address, postcode: o.postcode }, all);
    emit(o.format === 'json' ? json(r) : householdToTable(r), o.out);
  });
}
