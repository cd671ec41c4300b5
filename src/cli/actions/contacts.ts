/** `civic contacts unit-costs`, `civic contacts cost` and `civic channel-shift`. */
import { basename } from 'node:path';
import {
  accessSheets,
  channelMix,
  channelShiftModel,
  communicationsFramework,
  readFrameworkFile,
  readPreferenceFile,
  contactVolumes,
  contactAnalysis,
  contactCost,
  publishedUnitCosts,
  readTierFile,
  shiftSaving,
  unitCosts,
  volumesFromShares,
} from '../../channels/index.ts';
import { ParameterError } from '../../core/index.ts';
import { withWorkspace } from '../../store/index.ts';
import { LEVEL_TITLES, type AreaLevel } from '../../geo/index.ts';
import { ShapeCache, hasBoundaries } from '../../maps/index.ts';
import {
  CHANNEL_MAP_MEASURES,
  channelMapMeasure,
  channelMixMap,
  mapToGeoJson,
  mappableChannels,
  channelMixToCsv,
  channelMixToTable,
  discloseChannelMix,
  discloseVolumes,
  discloseShiftModel,
  shiftModelToTable,
  shiftModelToXlsx,
  contactCostToXlsx,
  volumesToXlsx,
  frameworkToCsv,
  frameworkToTable,
  discloseAccessSheets,
  accessSheetsToHtml,
  accessSheetsToTable,
  volumesToCsv,
  volumesToTable,
  contactCostToTable,
  contactsToTable,
  discloseContacts,
  shiftToTable,
  unitCostsToCsv,
  unitCostsToTable,
} from '../../outputs/index.ts';
import { emit, json, minCellOption } from '../io.ts';

/** "phone=750000,face to face=312500" as channels and numbers. */
function pairs(text: string, option: string): { channel: string; n: number }[] {
  return text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => {
      const eq = p.lastIndexOf('=');
      const n = eq > 0 ? Number(p.slice(eq + 1).trim()) : Number.NaN;
      if (eq <= 0 || !Number.isFinite(n) || n < 0)
        throw new ParameterError(
          `${option} needs CHANNEL=NUMBER for each channel, not "${p}".`,
          `For example ${option} "phone=60,face to face=25,web=15".`,
        );
      return { channel: p.slice(0, eq).trim(), n };
    });
}

function number(v: string, option: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new ParameterError(`${option} must be a number of 0 or more, not "${v}".`);
  return n;
}

export async function unitCostsCommand(o: { unitCosts?: string; format: string; out?: string }): Promise<void> {
  const sets = o.unitCosts ? [unitCosts(o.unitCosts)] : publishedUnitCosts();
  emit(
    o.format === 'json' ? json({ sets }) : o.format === 'csv' ? unitCostsToCsv(sets) : unitCostsToTable(sets),
    o.out,
  );
}

export async function contactCostCommand(o: {
  unitCosts: string;
  volumes?: string;
  total?: string;
  shares?: string;
  format: string;
  out?: string;
}): Promise<void> {
  if (!o.volumes === !(o.total !== undefined || o.shares !== undefined))
    throw new ParameterError(
      'Give the contacts either by channel (--volumes) or as a total with shares (--total and --shares).',
      'For example --volumes "phone=750000,web=187500", or --total 1250000 --shares "phone=60,web=40".',
    );
  let volumes: { channel: string; contacts: number }[];
  if (o.volumes) volumes = pairs(o.volumes, '--volumes').map((p) => ({ channel: p.channel, contacts: p.n }));
  else {
    if (o.total === undefined || o.shares === undefined)
      throw new ParameterError('--total and --shares go together.', 'Give both, or --volumes instead.');
    volumes = volumesFromShares(
      number(o.total, '--total'),
      pairs(o.shares, '--shares').map((p) => ({ channel: p.channel, pct: p.n })),
    );
  }
  needsOut(o);
  const r = contactCost(volumes, unitCosts(o.unitCosts));
  emit(o.format === 'json' ? json(r) : o.format === 'xlsx' ? await contactCostToXlsx(r) : contactCostToTable(r), o.out);
}

export async function channelShiftCommand(
  workspace: string | undefined,
  dataset: string | undefined,
  o: {
    unitCosts: string;
    from: string;
    to: string;
    contactsPerMonth?: string;
    share?: string;
    service?: string;
    serviceColumn?: string;
    classification?: string;
    tier?: string;
    digital?: string;
    minBand: string;
    protect?: string;
    preferences?: string;
    format: string;
    out?: string;
    minCell?: string;
  },
): Promise<void> {
  needsOut(o);
  const costs = unitCosts(o.unitCosts);
  if (!workspace) {
    if (o.format === 'xlsx')
      throw new ParameterError(
        'The XLSX business case is for a shift planned on a contact log.',
        'Give a workspace and contact log, or use --format table or json.',
      );
    if (o.contactsPerMonth === undefined)
      throw new ParameterError(
        'Give the contacts that move each month (--contacts-per-month), or a workspace and contact log to plan on.',
        'For example: civic channel-shift --unit-costs bristol --from phone --to web --contacts-per-month 1900',
      );
    const r = shiftSaving(
      { from: o.from, to: o.to, contactsPerMonth: number(o.contactsPerMonth, '--contacts-per-month') },
      costs,
    );
    return emit(o.format === 'json' ? json(r) : shiftToTable(r), o.out);
  }
  if (!dataset)
    throw new ParameterError('Name the contact log after the workspace.', 'civic channel-shift WORKSPACE DATASET …');
  if (o.contactsPerMonth !== undefined)
    throw new ParameterError('--contacts-per-month is for a shift without a contact log; with one, give --share.');
  if (o.share === undefined)
    throw new ParameterError('Give the share of each segment’s contacts to move, e.g. --share 50.');
  const minCell = minCellOption(o, o.format);
  const list = (x?: string) =>
    x
      ?.split(',')
      .map((v) => v.trim())
      .filter(Boolean);
  const preferences = o.preferences ? readPreferenceFile(o.preferences) : undefined;
  await withWorkspace(workspace, async (ws) => {
    const truth = await channelShiftModel(
      ws.engine,
      {
        dataset,
        from: o.from,
        to: o.to,
        sharePct: number(o.share!, '--share'),
        service: o.service,
        serviceColumn: o.serviceColumn,
        classification: o.classification,
        tier: o.tier,
        digital: list(o.digital),
        minBand: o.minBand,
        protect: list(o.protect),
        preferences,
      },
      costs,
    );
    const r = discloseShiftModel(truth, minCell);
    emit(
      o.format === 'json' ? json(r) : o.format === 'xlsx' ? await shiftModelToXlsx(r, costs) : shiftModelToTable(r),
      o.out,
    );
  });
}

export async function contactsSummaryCommand(
  workspace: string,
  dataset: string,
  o: {
    channelColumn?: string;
    customerColumn?: string;
    requestColumn?: string;
    reasonColumn?: string;
    datetimeColumn?: string;
    resolvedColumn?: string;
    repeatDays: string;
    avoidable?: string;
    tiers?: string;
    target: string;
    format: string;
    out?: string;
    minCell?: string;
  },
): Promise<void> {
  const minCell = minCellOption(o, o.format);
  const repeatWithinDays = Number(o.repeatDays);
  if (!Number.isInteger(repeatWithinDays))
    throw new ParameterError(`--repeat-days must be a whole number of days, not "${o.repeatDays}".`);
  const tiers = o.tiers ? readTierFile(o.tiers) : undefined;
  await withWorkspace(workspace, async (ws) => {
    const truth = await contactAnalysis(ws.engine, {
      dataset,
      channelColumn: o.channelColumn,
      customerColumn: o.customerColumn,
      requestColumn: o.requestColumn,
      reasonColumn: o.reasonColumn,
      datetimeColumn: o.datetimeColumn,
      resolvedColumn: o.resolvedColumn,
      repeatWithinDays,
      avoidableReasons: o.avoidable
        ?.split(',')
        .map((x) => x.trim())
        .filter(Boolean),
      tiers,
      target: number(o.target, '--target'),
    });
    const r = discloseContacts(truth, minCell);
    emit(o.format === 'json' ? json(r) : contactsToTable(r), o.out);
  });
}

/** A workbook needs a file to go to. */
function needsOut(o: { format: string; out?: string }): void {
  if (o.format === 'xlsx' && !o.out)
    throw new ParameterError('An XLSX workbook needs a file to go to.', 'Add --out FILE.xlsx');
}

export async function contactsMixCommand(
  workspace: string,
  dataset: string,
  o: {
    channelColumn?: string;
    classification?: string;
    tier?: string;
    byArea?: string;
    service?: string;
    format: string;
    out?: string;
    minCell?: string;
    mapChannel?: string;
    mapMeasure?: string;
  },
): Promise<void> {
  const minCell = minCellOption(o, o.format);
  const geojson = o.format === 'geojson';
  if (geojson && !o.byArea)
    throw new ParameterError('A map of the channel mix is by area.', 'Add --by-area ward (or lsoa, msoa, oa).');
  if (!geojson && (o.mapChannel || o.mapMeasure))
    throw new ParameterError('--map-channel and --map-measure are for the map.', 'Add --format geojson.');
  const measure = channelMapMeasure(o.mapMeasure, `Choose --map-measure ${CHANNEL_MAP_MEASURES.join(' or ')}.`);
  await withWorkspace(workspace, async (ws) => {
    const truth = await channelMix(ws.engine, {
      dataset,
      channelColumn: o.channelColumn,
      classification: o.classification,
      tier: o.tier,
      byArea: o.byArea,
      service: o.service,
    });
    const r = discloseChannelMix(truth, minCell);
    if (geojson) {
      // The map is drawn from the mix just disclosed, so it holds the table's cells exactly.
      if (!(await hasBoundaries(ws.engine, r.level)))
        throw new ParameterError(
          `The workspace has no ${r.level} boundaries, so the channel mix cannot be drawn as a map.`,
          `Import them (civic reference import WORKSPACE --boundaries FILE --level ${r.level}), or use --format csv.`,
        );
      const shapes = await new ShapeCache().get(ws.engine, r.level);
      const channel = o.mapChannel ?? mappableChannels(r)[0];
      const map = channelMixMap(
        r,
        channel,
        measure,
        shapes.features.map((f) => ({ code: f.code, name: null })),
        LEVEL_TITLES[r.level as AreaLevel] ?? r.level,
      );
      emit(mapToGeoJson(map, shapes), o.out);
      return;
    }
    emit(o.format === 'json' ? json(r) : o.format === 'csv' ? channelMixToCsv(r) : channelMixToTable(r), o.out);
  });
}

export async function contactsVolumesCommand(
  workspace: string,
  dataset: string,
  o: {
    by: string;
    channel?: string;
    channelColumn?: string;
    handlingColumn?: string;
    handlingUnit: string;
    format: string;
    out?: string;
    minCell?: string;
  },
): Promise<void> {
  needsOut(o);
  const minCell = minCellOption(o, o.format);
  if (o.handlingUnit !== 'minutes' && o.handlingUnit !== 'seconds')
    throw new ParameterError(`--handling-unit is minutes or seconds, not "${o.handlingUnit}".`);
  await withWorkspace(workspace, async (ws) => {
    const truth = await contactVolumes(ws.engine, {
      dataset,
      by: o.by,
      channel: o.channel,
      channelColumn: o.channelColumn,
      handlingColumn: o.handlingColumn,
      handlingUnit: o.handlingUnit as 'minutes' | 'seconds',
    });
    const r = discloseVolumes(truth, minCell);
    emit(
      o.format === 'json'
        ? json(r)
        : o.format === 'csv'
          ? volumesToCsv(r)
          : o.format === 'xlsx'
            ? await volumesToXlsx(r)
            : volumesToTable(r),
      o.out,
    );
  });
}

export async function contactsFrameworkCommand(
  workspace: string,
  dataset: string | undefined,
  o: {
    preferences?: string;
    classification?: string;
    tier?: string;
    format: string;
    out?: string;
    minCell?: string;
  },
): Promise<void> {
  if (!dataset && !o.preferences)
    throw new ParameterError(
      'The framework needs a contact log, a preference table (--preferences), or both.',
      'For example: civic contacts framework borough.civic contacts --preferences kent.csv',
    );
  const minCell = minCellOption(o, o.format);
  const table = o.preferences ? readFrameworkFile(o.preferences) : null;
  await withWorkspace(workspace, async (ws) => {
    const mix = dataset
      ? discloseChannelMix(
          await channelMix(ws.engine, { dataset, classification: o.classification, tier: o.tier }),
          minCell,
        )
      : null;
    const r = communicationsFramework(mix, table, { tableName: o.preferences ? basename(o.preferences) : undefined });
    emit(o.format === 'json' ? json(r) : o.format === 'csv' ? frameworkToCsv(r) : frameworkToTable(r), o.out);
  });
}

export async function contactsSheetsCommand(
  workspace: string,
  dataset: string,
  o: {
    classification?: string;
    tier?: string;
    tiers?: string;
    preferences?: string;
    format: string;
    out?: string;
    minCell?: string;
  },
): Promise<void> {
  const minCell = minCellOption(o, o.format);
  const tiers = o.tiers ? readTierFile(o.tiers) : undefined;
  const preferences = o.preferences ? readFrameworkFile(o.preferences) : undefined;
  await withWorkspace(workspace, async (ws) => {
    const truth = await accessSheets(ws.engine, {
      dataset,
      classification: o.classification,
      tier: o.tier,
      tiers,
      preferences,
    });
    const r = discloseAccessSheets(truth, minCell);
    emit(o.format === 'json' ? json(r) : o.format === 'html' ? accessSheetsToHtml(r) : accessSheetsToTable(r), o.out);
  });
}
