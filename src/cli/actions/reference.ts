/** `civic reference import` and `civic reference status`. */
import { withWorkspace } from '../../store/index.ts';
import {
  importReference,
  referenceStatus,
  removeReference,
  describeBridge,
  parseMapSpec,
  type ReferencePart,
  parseBaseSum,
  parseBaseRows,
  type BaseRowCount,
  type ReferenceImportResult,
  type ReferenceStatus,
} from '../../reference/index.ts';
import { ParameterError } from '../../core/index.ts';
import { fmtCount, fmtInt } from '../../outputs/index.ts';
import { LEVEL_TITLES, parseLevel, withArticle, type AreaLevel } from '../../geo/index.ts';
import { json } from '../io.ts';
import type { Engine } from '../../store/index.ts';
import type { GazetteerImportResult, LookupImportResult } from '../../linkage/index.ts';
import { progressBar } from './progress.ts';

function describeImport(r: ReferenceImportResult): string {
  const out: string[] = [];
  for (const a of r.areas)
    out.push(
      `Areas from ${a.file}: ${Object.entries(a.byLevel)
        .map(([l, n]) => `${fmtInt(n)} ${l}`)
        .join(', ')}`,
    );
  for (const b of r.boundaries) {
    out.push(
      `Boundaries from ${b.file}: ${fmtCount(b.areas, `${b.level} area`)}` +
        (b.convertedFrom ? ` (converted from ${b.convertedFrom})` : ''),
    );
    if (b.classificationProperties.length && !b.classification)
      out.push(
        `  The file also carries a classification (${b.classificationProperties.join(', ')}): add --classification-from-boundaries to import it.`,
      );
    if (b.postcodesAssigned || b.postcodesUnassigned)
      out.push(
        `  ${fmtCount(b.postcodesAssigned, 'postcode')} already in the workspace placed in them (${fmtInt(b.assignedWithin)} inside a polygon, ${fmtInt(b.assignedNearest)} by nearest polygon)` +
          (b.postcodesUnassigned ? `; ${fmtCount(b.postcodesUnassigned, 'postcode')} outside every boundary` : ''),
      );
  }
  if (r.postcodes) {
    const p = r.postcodes;
    out.push(
      `Postcodes from ${p.file}: ${fmtInt(p.read)} rows read, ${fmtInt(p.imported)} imported (${fmtInt(p.live)} live, ${fmtInt(p.terminated)} terminated)` +
        (p.duplicates ? `, ${fmtInt(p.duplicates)} duplicate rows skipped` : '') +
        (p.rejected ? `, ${fmtInt(p.rejected)} rejected` : ''),
    );
    for (const e of p.rejectedExamples.slice(0, 5)) out.push(`  row ${e.row}: "${e.value ?? ''}" ${e.reason}`);
    if (p.pseudoCodes.postcodes)
      out.push(
        `  ${fmtCount(p.pseudoCodes.postcodes, 'postcode')} with ONSPD pseudo-codes (such as L99999999: no area of that kind), stored as empty: ${Object.entries(
          p.pseudoCodes.byLevel,
        )
          .map(([l, n]) => `${l} ${fmtInt(n)}`)
          .join(', ')}`,
      );
    for (const w of p.warnings) out.push(`  Warning: ${w}`);
    for (const pl of p.placedByBoundaries)
      if (pl.assigned || pl.unassigned) {
        out.push(
          `  ${fmtCount(pl.assigned, 'postcode')} given their ${LEVEL_TITLES[pl.level as AreaLevel] ?? pl.level} code from the boundaries (${fmtInt(pl.within)} inside a polygon, ${fmtInt(pl.nearest)} by nearest polygon)` +
            (pl.unassigned ? `; ${fmtCount(pl.unassigned, 'postcode')} outside every ${pl.level} boundary` : ''),
        );
      }
  }
  for (const b of r.base) {
    out.push(
      `Base from ${b.file}: ${fmtCount(b.areas, `${b.level} area`)}` +
        (b.households !== null ? `, ${fmtInt(b.households)} households` : '') +
        (b.population !== null ? `, ${fmtInt(b.population)} people` : ''),
    );
    if (b.rows) out.push(...describeRows(b.rows, b.level));
    if (b.year) out.push(`  taken as ${b.year.year} areas: ${b.year.reason}`);
  }
  for (const c of r.classifications)
    out.push(
      `Classification ${c.name} (${c.format}) on ${fmtInt(c.areas)} ${c.areaLevel} areas: ${Object.entries(c.segments)
        .map(([t, n]) => `${n} ${t}s`)
        .join(', ')}`,
    );
  for (const c of r.classifications)
    if (c.year) out.push(`  ${c.name} taken as on ${c.year.year} areas: ${c.year.reason}`);
  for (const b of r.bridges ?? []) out.push(describeBridge(b));
  for (const s of r.segments)
    out.push(
      `Segment names for ${s.classification}: ${fmtCount(s.named, 'segment')} named` +
        (s.unknown.length
          ? `; ${fmtCount(s.unknown.length, 'name')} in the file for segments not found in this area (normal for a names file covering the whole country)`
          : ''),
    );
  for (const d of r.deprivation)
    out.push(`Deprivation ${d.name} on ${fmtInt(d.areas)} ${d.areaLevel} areas: ${d.domains.join(', ')}`);
  return out.join('\n') + '\n';
}

const LEFT_OUT: Record<BaseRowCount['leftOut'][number]['reason'], (level: AreaLevel) => string> = {
  'no area code': () => 'with no area code',
  'not an area code of the level': (level) => `with something that is not the code of ${withArticle(level)}`,
  'area not in the workspace': (level) => `in ${level} areas the workspace does not have`,
};

/** What was done with a base file of households or people: rows summed, and every row left out with its reason. */
function describeRows(r: BaseRowCount, level: AreaLevel): string[] {
  const what = r.measures.map(
    (m) =>
      `${fmtInt(m.total)} ${m.field === 'households' ? 'households' : 'people'} (` +
      (m.from === 'rows' ? 'each row counts 1' : `the rows with 1 in ${m.from.map((c) => `"${c}"`).join(' or ')}`) +
      ')',
  );
  const out = [
    `  one row per household or person: summed ${fmtCount(r.counted, 'row')} into ${fmtCount(r.areas, 'area')}: ${what.join(', ')}`,
  ];
  const left = r.leftOut.reduce((a, x) => a + x.rows, 0);
  if (left) {
    out.push(`  ${fmtCount(left, 'row')} of ${fmtInt(r.read)} left out:`);
    for (const x of r.leftOut)
      out.push(
        `    ${fmtCount(x.rows, 'row')} ${LEFT_OUT[x.reason](level)}` +
          (x.codes?.length
            ? ` (${x.codes.join(', ')}${x.rows > x.codes.length ? ' …' : ''})`
            : ` (row${x.firstRows.length > 1 ? 's' : ''} ${x.firstRows.join(', ')}${x.rows > x.firstRows.length ? ' …' : ''})`),
      );
  }
  if (!r.checkedAgainstAreas)
    out.push(
      `  its area codes were not checked against the borough's ${level} areas: the workspace has no list of them yet (give --areas or --boundaries, in the same command or before)`,
    );
  return out;
}

function describeStatus(s: ReferenceStatus): string {
  const out = [
    `Postcodes: ${fmtInt(s.postcodes.total)} (${fmtInt(s.postcodes.live)} live, ${fmtInt(s.postcodes.terminated)} terminated)`,
  ];
  const levels = Object.entries(s.postcodes.byLevel).filter(([, n]) => n > 0);
  if (levels.length) out.push(`  with area codes: ${levels.map(([l, n]) => `${l} ${fmtInt(n)}`).join(', ')}`);
  out.push(
    'Areas: ' +
      (s.areas.length
        ? s.areas
            .map(
              (a) =>
                `${fmtInt(a.areas)} ${a.level}${a.withBoundaries ? ` (${fmtInt(a.withBoundaries)} with boundaries)` : ''}`,
            )
            .join(', ')
        : 'none'),
  );
  out.push(
    'Base: ' +
      (s.base.length
        ? s.base
            .map(
              (b) =>
                `${fmtCount(b.areas, `${b.level} area`)}, ${b.households !== null ? fmtInt(b.households) + ' households' : 'no households'}, ${b.population !== null ? fmtInt(b.population) + ' people' : 'no population'}`,
            )
            .join('; ')
        : 'none'),
  );
  out.push('Classifications:' + (s.classifications.length ? '' : ' none'));
  for (const c of s.classifications)
    out.push(
      `  ${c.name}: ${c.title ?? ''} — ${c.tiers.join(' → ')} on ${fmtInt(c.areas)} ${c.areaLevel} areas, ${c.segments} segments`,
    );
  out.push(
    'Deprivation: ' +
      (s.deprivation.length
        ? s.deprivation
            .map((d) => `${d.name} on ${fmtInt(d.areas)} ${d.areaLevel} areas (${fmtCount(d.domains, 'domain')})`)
            .join('; ')
        : 'none'),
  );
  return out.join('\n') + '\n';
}

/**
 * --code-property NAME applies to every boundary file; --code-property LEVEL=NAME to the file of
 * that level (given to the boundaries in place). Returns the one for every file, if any.
 */
function codeProperties(
  specs: string[] | undefined,
  boundaries: { file: string; level: string; codeProperty?: string }[],
) {
  let all: string | undefined;
  for (const spec of specs ?? []) {
    const m = /^([^=]+)=(.+)$/.exec(spec);
    if (!m) {
      if (all !== undefined)
        throw new ParameterError(
          `--code-property is given twice without a level ("${all}" and "${spec}").`,
          'Give one for every file, or name each file’s level: --code-property oa21=OA21CD --code-property ward=WD22CD.',
        );
      all = spec;
      continue;
    }
    const level = parseLevel(m[1]);
    const matching = boundaries.filter((b) => level && parseLevel(b.level) === level);
    if (!level || !matching.length)
      throw new ParameterError(
        `--code-property ${spec} names the level "${m[1]}", but no --boundaries file has that level.`,
        `Levels of the boundary files in this command: ${boundaries.map((b) => b.level).join(', ') || 'none'}.`,
      );
    for (const b of matching) b.codeProperty = m[2].trim();
  }
  return all;
}

function classificationFromBoundaries(v: unknown): boolean | string[] | undefined {
  if (v === undefined || v === false) return undefined;
  if (v === true) return true;
  const props = String(v)
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  return props.length ? props : true;
}

export async function importFiles(workspace: string, o: Record<string, unknown>): Promise<void> {
  const files = (o.boundaries as string[] | undefined) ?? [];
  const levels = (o.level as string[] | undefined) ?? [];
  const boundaries: { file: string; level: string; codeProperty?: string }[] = files.map((f, i) => {
    const m = /^([a-z0-9]+)=(.+)$/i.exec(f);
    if (m && !levels[i]) return { level: m[1], file: m[2] };
    if (!levels[i])
      throw new ParameterError(
        `--boundaries ${f} has no --level.`,
        'Follow each --boundaries FILE with --level LEVEL (e.g. --level oa21).',
      );
    return { file: f, level: levels[i] };
  });
  const codeProperty = codeProperties(o.codeProperty as string[] | undefined, boundaries);
  const year = o.areaYear === undefined ? undefined : String(o.areaYear).replace(/^20/, '');
  if (year !== undefined && year !== '11' && year !== '21')
    throw new ParameterError(`--area-year must be 2011 or 2021, not ${o.areaYear}.`);
  const addressOnly =
    (o.addresses || o.addressLookups) &&
    !o.postcodes &&
    ![o.areas, o.base, o.boundaries, o.classification, o.segments, o.deprivation].some(
      (v) => (v as unknown[] | undefined)?.length,
    );
  if (o.addressMap && !o.addresses)
    throw new ParameterError('--address-map goes with --addresses.', 'Add --addresses FILE, the gazetteer.');
  await withWorkspace(workspace, async (ws) => {
    const addresses = await importAddressParts(ws.engine, o);
    if (addressOnly) {
      process.stdout.write(o.format === 'json' ? json(addresses) : describeAddressImport(addresses));
      return;
    }
    const result = await importReference(ws.engine, {
      postcodes: o.postcodes as string | undefined,
      postcodeMap: parseMapSpec(o.map as string[] | undefined),
      areas: o.areas as string[] | undefined,
      base: o.base as string[] | undefined,
      baseLevel: o.baseLevel as string | undefined,
      baseSum: ((o.baseSum as string[] | undefined) ?? []).map(parseBaseSum),
      baseRows: o.baseRows === undefined ? undefined : parseBaseRows(String(o.baseRows)),
      boundaries,
      codeProperty,
      classification: o.classification as string[] | undefined,
      classificationName: o.classificationName as string | undefined,
      classificationFromBoundaries: classificationFromBoundaries(o.classificationFromBoundaries),
      segments: o.segments as string[] | undefined,
      deprivation: o.deprivation as string[] | undefined,
      deprivationName: o.deprivationName as string | undefined,
      areaYear: year,
      onStep: o.format === 'json' ? undefined : (s) => process.stderr.write(`Importing ${s}\n`),
    });
    process.stdout.write(
      o.format === 'json'
        ? json({ ...result, ...addresses })
        : describeImport(result) + describeAddressImport(addresses),
    );
  });
}

interface AddressImports {
  addressLookups?: LookupImportResult;
  addresses?: GazetteerImportResult;
}

/** The address lookups, then the gazetteer standardised with them (linkage, C3). */
async function importAddressParts(engine: Engine, o: Record<string, unknown>): Promise<AddressImports> {
  if (!o.addresses && !o.addressLookups) return {};
  const { importAddressLookups, importGazetteer, loadAddressLookups, GAZETTEER_FIELDS } = await import(
    '../../linkage/index.ts'
  );
  const out: AddressImports = {};
  if (o.addressLookups) out.addressLookups = await importAddressLookups(engine, String(o.addressLookups));
  if (o.addresses) {
    const map: Record<string, string> = {};
    for (const spec of (o.addressMap as string[] | undefined) ?? []) {
      const m = /^(.+)=([a-z]+)$/.exec(spec);
      if (!m || !(GAZETTEER_FIELDS as readonly string[]).includes(m[2]))
        throw new ParameterError(
          `--address-map "${spec}" is not COLUMN=FIELD.`,
          `Write the file's column, then =, then one of: ${GAZETTEER_FIELDS.join(', ')} (e.g. --address-map "Full Address=address").`,
        );
      map[m[2]] = m[1];
    }
    const bar = progressBar(o.format !== 'json');
    try {
      out.addresses = await importGazetteer(engine, await loadAddressLookups(engine), {
        file: String(o.addresses),
        map,
        onProgress: (done, total) => bar.update({ stage: 'Addresses', done, total }),
      });
    } finally {
      bar.stop();
    }
  }
  return out;
}

function describeAddressImport(a: AddressImports): string {
  const out: string[] = [];
  if (a.addressLookups)
    out.push(
      `Address lookups from ${a.addressLookups.folder}: ${fmtInt(a.addressLookups.synonyms)} synonyms, ${fmtInt(a.addressLookups.abbreviations)} abbreviations, ${fmtInt(a.addressLookups.counties)} counties`,
    );
  if (a.addresses) {
    const g = a.addresses;
    out.push(
      `Addresses from ${g.file}: ${fmtInt(g.read)} rows read, ${fmtInt(g.imported)} imported` +
        (g.rejected ? `, ${fmtInt(g.rejected)} rejected` : ''),
    );
    for (const [reason, n] of Object.entries(g.rejectedByReason)) out.push(`  ${fmtInt(n)} ${reason}`);
    for (const e of g.rejectedExamples.slice(0, 5)) out.push(`  row ${e.row}: ${e.reason}`);
    out.push(
      `  columns: UPRN ${g.columns.uprn}; address ${g.columns.address.join(', ')}; postcode ${g.columns.postcode ?? 'from the address'}`,
    );
    if (!g.withLookups)
      out.push(
        '  Warning: no address lookups in the workspace, so only the structural rules standardised these addresses; add --address-lookups DIR.',
      );
  }
  return out.length ? out.join('\n') + '\n' : '';
}

export async function status(workspace: string, o: { format: string }): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const s = await referenceStatus(ws.engine);
    process.stdout.write(o.format === 'json' ? json(s) : describeStatus(s));
  });
}

export async function remove(
  workspace: string,
  o: {
    base?: string;
    measure?: 'households' | 'population';
    classification?: string;
    deprivation?: string;
    boundaries?: string;
    areas?: string;
    postcodes?: boolean;
    format: string;
  },
): Promise<void> {
  const parts: ReferencePart[] = [];
  if (o.base) parts.push({ kind: 'base', level: o.base, measure: o.measure });
  if (o.classification) parts.push({ kind: 'classification', name: o.classification });
  if (o.deprivation) parts.push({ kind: 'deprivation', name: o.deprivation });
  if (o.boundaries) parts.push({ kind: 'boundaries', level: o.boundaries });
  if (o.areas) parts.push({ kind: 'areas', level: o.areas });
  if (o.postcodes) parts.push({ kind: 'postcodes' });
  if (parts.length !== 1)
    throw new ParameterError(
      parts.length ? 'Remove one piece of reference data at a time.' : 'Say what to remove.',
      'Give one of --base LEVEL, --classification NAME, --deprivation NAME, --boundaries LEVEL, --areas LEVEL or --postcodes.',
    );
  if (o.measure && !o.base)
    throw new ParameterError('--measure goes with --base.', 'For example --base oa21 --measure population.');
  await withWorkspace(workspace, async (ws) => {
    const r = await removeReference(ws.engine, parts[0]);
    process.stdout.write(
      o.format === 'json'
        ? json(r)
        : [`Removed ${r.removed} (${fmtCount(r.rows, 'row')}).`, ...r.notes.map((n) => `  ${n}`)].join('\n') + '\n',
    );
  });
}
