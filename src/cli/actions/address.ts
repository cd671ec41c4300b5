/** `civic address match`: a file's addresses matched to the gazetteer, written as CSV or JSON. */
import { ParameterError } from '../../core/index.ts';
import { withWorkspace } from '../../store/index.ts';
import { matchAddressFile, type AddressMatchResult } from '../../linkage/index.ts';
import { csvRow, fmtInt } from '../../outputs/index.ts';
import { emit, json } from '../io.ts';
import { progressBar } from './progress.ts';

const HEADER = [
  'row',
  'id',
  'status',
  'uprn',
  'score',
  'margin',
  'step',
  'candidates',
  'property_key',
  'property_key_kind',
  'sub_building',
  'building_number',
  'building_name',
  'street',
  'locality',
  'town',
  'postcode',
  'problems',
  'standardised',
  'matched_address',
];

export function matchToCsv(r: AddressMatchResult): string {
  const lines = [csvRow(HEADER)];
  for (const m of r.records)
    lines.push(
      csvRow([
        m.row,
        m.id,
        m.status,
        m.uprn,
        m.score,
        m.margin,
        m.step,
        m.candidates.map((c) => `${c.uprn}:${c.score}`).join(' '),
        m.propertyKey,
        m.propertyKeyKind,
        m.parts.subBuilding,
        m.parts.buildingNumber,
        m.parts.buildingName,
        m.parts.street,
        m.parts.locality,
        m.parts.town,
        m.parts.postcode,
        m.problems.join(' '),
        m.standardised,
        m.matchedAddress,
      ]),
    );
  return lines.join('\r\n') + '\r\n';
}

function number(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ParameterError(`${name} must be a number, not "${v}".`);
  return n;
}

export async function match(
  workspace: string,
  file: string,
  o: {
    addressColumns: string[];
    postcodeColumn?: string;
    uprnColumn?: string;
    idColumn?: string;
    minScore?: string;
    minMargin?: string;
    format: string;
    out?: string;
  },
): Promise<void> {
  const parameters = {
    ...(o.minScore !== undefined ? { minScore: number(o.minScore, '--min-score') } : {}),
    ...(o.minMargin !== undefined ? { minMargin: number(o.minMargin, '--min-margin') } : {}),
  };
  await withWorkspace(workspace, async (ws) => {
    const bar = progressBar(o.format !== 'json');
    let r: AddressMatchResult;
    try {
      r = await matchAddressFile(ws.engine, {
        file,
        addressColumns: o.addressColumns,
        postcodeColumn: o.postcodeColumn,
        uprnColumn: o.uprnColumn,
        idColumn: o.idColumn,
        parameters,
        onProgress: (p) => bar.update(p),
      });
    } finally {
      bar.stop();
    }
    emit(o.format === 'json' ? json(r) : matchToCsv(r), o.out);
    const c = r.counts;
    if (o.format !== 'json') {
      process.stderr.write(
        `${fmtInt(c.read)} addresses: ${fmtInt(c.matched)} matched (${fmtInt(c.byStep.exact)} exactly, ${fmtInt(c.byStep.postcode)} in their postcode, ${fmtInt(c.byStep.street)} on their street), ${fmtInt(c.ambiguous)} ambiguous, ${fmtInt(c.noMatch)} no match, ${fmtInt(c.blank)} blank; ${fmtInt(c.unparsed)} could not be parsed.\n`,
      );
      for (const [reason, n] of Object.entries(c.problems))
        process.stderr.write(`  ${fmtInt(n)} ${reason.replace(/_/g, ' ')}\n`);
      if (!r.gazetteer)
        process.stderr.write(
          'No gazetteer in the workspace: addresses were standardised and given property keys but not matched. Import one with: civic reference import W --addresses FILE\n',
        );
      if (!r.lookups.synonyms && !r.lookups.abbreviations)
        process.stderr.write(
          'No address lookups in the workspace: only the structural rules were applied. Import them with: civic reference import W --address-lookups DIR\n',
        );
    }
  });
}
