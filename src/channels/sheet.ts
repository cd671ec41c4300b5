/**
 * The customer access and channel insights sheet (Barking & Dagenham, C8 issue 14 point 4): for
 * each segment, on one page, what a contact-centre manager or service designer needs — the pen
 * portrait's summary, its main indicators, the areas where it lives, the services it uses most,
 * how it contacts the council (each channel's share and band), how it likes to hear from the
 * council (the communications framework's information channels), and how its contacts divide
 * between the resolution tiers (what share could be settled in the front office), with those whose
 * reason has no tier shown as untiered.
 *
 * It puts together what other analyses already work out, and keeps their truth apart so that the
 * boundary can protect it: the channel mix and the tiers are channel mixes (discloseChannelMix),
 * the portrait's facts are protected when they are made.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import type { Engine } from '../store/index.ts';
import { getDataset } from '../profiling/index.ts';
import { portraitsOrGenerate, PortraitSchema } from '../segmentation/index.ts';
import { contactLogOf } from '../intake/index.ts';
import { channelMix, ChannelMixResultSchema } from './mix.ts';
import { pickContactColumn } from './contacts.ts';
import type { PreferenceRow } from './framework.ts';

/** 2: the tiers have a last category, "untiered", for the contacts whose reason has no tier. */
export const ACCESS_SHEETS_VERSION = 2 as const;

/** The tiers' category for the contacts whose reason has no tier (or no reason). */
export const UNTIERED = 'untiered';

export const AccessSheetsSchema = z.object({
  version: z.literal(ACCESS_SHEETS_VERSION),
  dataset: z.string(),
  classification: z.string().nullable(),
  level: z.string(),
  /** each segment's pen portrait (summary, key features and facts) */
  portraits: z.array(PortraitSchema),
  /** the channel mix by segment */
  mix: ChannelMixResultSchema,
  /**
   * the contacts by resolution tier and segment (a mix whose categories are the tiers, then
   * "untiered" for the contacts whose reason has no tier, so that every contact is in one), or none
   * without tiers
   */
  tiers: ChannelMixResultSchema.nullable(),
  /** the information and service channels of a preference table, when one was given */
  preferences: z.array(z.object({ segment: z.string(), kind: z.string(), channel: z.string(), band: z.string() })),
});
export type AccessSheets = z.infer<typeof AccessSheetsSchema>;

export interface AccessSheetsRequest {
  dataset: string;
  classification?: string;
  tier?: string;
  reasonColumn?: string;
  /** reason → tier, from the council's table */
  tiers?: Map<string, string>;
  preferences?: PreferenceRow[];
}

export async function accessSheets(engine: Engine, req: AccessSheetsRequest): Promise<AccessSheets> {
  const mix = await channelMix(engine, { dataset: req.dataset, classification: req.classification, tier: req.tier });
  if (mix.kind !== 'segment' || !mix.classification)
    throw new ParameterError('The access sheets are by segment: the workspace needs a classification.');
  let tiers: AccessSheets['tiers'] = null;
  if (req.tiers?.size) {
    const ds = await getDataset(engine, req.dataset);
    const columns = (JSON.parse(ds.columns) as string[]).filter((c) => !c.startsWith('_'));
    const log = await contactLogOf(engine, req.dataset);
    const reason = pickContactColumn(columns, 'reason', req.reasonColumn ?? log?.columns.reason ?? undefined, true)!;
    const byTier = new Map<string, string[]>();
    for (const [r, t] of req.tiers) byTier.set(t, [...(byTier.get(t) ?? []), r]);
    tiers = await channelMix(engine, {
      dataset: req.dataset,
      classification: mix.classification,
      tier: mix.level,
      categories: [...byTier]
        .sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }))
        .map(([t, reasons]) => ({ name: `tier ${t}`, where: { column: reason, values: reasons } })),
      rest: UNTIERED,
    });
  }
  const portraits = await portraitsOrGenerate(engine, mix.classification, mix.level);
  return {
    version: ACCESS_SHEETS_VERSION,
    dataset: req.dataset,
    classification: mix.classification,
    level: mix.level,
    portraits,
    mix,
    tiers,
    preferences: (req.preferences ?? []).filter((p) => mix.groups.some((g) => g.code === p.segment)),
  };
}
