/** `civic facilities import`, `list` and `remove`. */
import { withWorkspace } from '../../store/index.ts';
import { importFacilities, listFacilities, removeFacilities } from '../../location/index.ts';
import {
  facilitiesToTable,
  facilitiesToCsv,
  facilitiesToGeoJson,
  facilityImportToTable,
  locationToJson,
} from '../../outputs/index.ts';
import { ParameterError } from '../../core/index.ts';
import { emit } from '../io.ts';

export async function importFile(
  workspace: string,
  file: string,
  o: Record<string, string | boolean | undefined>,
): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const r = await importFacilities(ws.engine, file, {
      kind: o.kind as string | undefined,
      kindColumn: o.kindColumn as string | undefined,
      nameColumn: o.nameColumn as string | undefined,
      capacityColumn: o.capacityColumn as string | undefined,
      postcodeColumn: o.postcodeColumn as string | undefined,
      lonColumn: o.lonColumn as string | undefined,
      latColumn: o.latColumn as string | undefined,
      openingHoursColumn: o.openingHoursColumn as string | undefined,
      idPrefix: o.id as string | undefined,
      sheet: o.sheet as string | undefined,
      strict: Boolean(o.strict),
    });
    emit(o.format === 'json' ? locationToJson(r) : facilityImportToTable(r));
  });
}

export async function list(workspace: string, o: { kind?: string; format: string; out?: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const list = await listFacilities(ws.engine, { kind: o.kind });
    emit(
      o.format === 'json'
        ? locationToJson({ kind: o.kind ?? null, facilities: list })
        : o.format === 'csv'
          ? facilitiesToCsv(list)
          : o.format === 'geojson'
            ? facilitiesToGeoJson(list)
            : facilitiesToTable(list),
      o.out,
    );
  });
}

export async function remove(
  workspace: string,
  o: { kind?: string; file?: string; id?: string; format: string },
): Promise<void> {
  if (!o.kind && !o.file && !o.id)
    throw new ParameterError('Say which facilities to remove.', 'Add --kind KIND, --file FILE or --id ID.');
  await withWorkspace(workspace, async (ws) => {
    const r = await removeFacilities(ws.engine, { kind: o.kind, file: o.file, id: o.id });
    emit(
      o.format === 'json'
        ? locationToJson(r)
        : `Removed ${r.removed} ${r.removed === 1 ? 'facility' : 'facilities'}.\n`,
    );
  });
}
