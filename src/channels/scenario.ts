/**
 * A channel-shift scenario (issue 14, point 3): a service's contacts a year by channel, and a share
 * of one channel's contacts moved to another. What they cost today and after, at one set of unit
 * costs, and the saving a year, all to the penny (contactCost). The saving is today's cost less
 * the cost after, so it is exactly the moved contacts times the difference of the two unit costs.
 */
import { z } from 'zod';
import { ParameterError } from '../core/index.ts';
import { channelName, contactCost, ContactCostResultSchema, type UnitCostSet } from './costs.ts';

export const SCENARIO_RESULT_VERSION = 1 as const;
export const ShiftScenarioSchema = z.object({
  version: z.literal(SCENARIO_RESULT_VERSION),
  unitCosts: z.string(),
  /** the service the contacts are for, as the user named it (null: all contacts) */
  service: z.string().nullable(),
  from: z.string(),
  to: z.string(),
  /** % of the from channel's contacts moved */
  movePct: z.number(),
  /** contacts a year moved, rounded to whole contacts */
  moved: z.number(),
  today: ContactCostResultSchema,
  after: ContactCostResultSchema,
  /** pounds a year, exact to the penny: today's total less the total after */
  savingPerYear: z.number(),
  /** where each unit cost used comes from */
  sources: z.array(z.object({ channel: z.string(), cost: z.number(), source: z.string().nullable() })),
});
export type ShiftScenario = z.infer<typeof ShiftScenarioSchema>;

export interface ShiftScenarioRequest {
  /** contacts a year by channel */
  volumes: readonly { channel: string; contacts: number }[];
  from: string;
  to: string;
  /** the share of the from channel's contacts that moves, % */
  movePct: number;
  service?: string | null;
}

/** What moving movePct% of one channel's contacts to another does to a year's cost of contact. */
export function channelShiftScenario(o: ShiftScenarioRequest, set: UnitCostSet): ShiftScenario {
  const from = channelName(o.from);
  const to = channelName(o.to);
  if (from === to) throw new ParameterError(`The contacts would move from ${from} to itself.`, 'Name two channels.');
  if (!Number.isFinite(o.movePct) || o.movePct < 0 || o.movePct > 100)
    throw new ParameterError('The share of contacts moved is a % from 0 to 100.');
  const volumes = new Map<string, number>();
  for (const v of o.volumes) {
    if (!Number.isFinite(v.contacts) || v.contacts < 0)
      throw new ParameterError(`The contacts by ${v.channel} must be a number of 0 or more.`);
    const c = channelName(v.channel);
    volumes.set(c, (volumes.get(c) ?? 0) + v.contacts);
  }
  const fromContacts = volumes.get(from) ?? 0;
  if (fromContacts <= 0)
    throw new ParameterError(
      `There are no contacts by ${from} to move.`,
      `Give the contacts a year by ${from}, or move contacts from a channel that has some.`,
    );
  if (!volumes.has(to)) volumes.set(to, 0);
  const moved = Math.round((fromContacts * o.movePct) / 100);
  const todayVolumes = [...volumes].map(([channel, contacts]) => ({ channel, contacts }));
  const afterVolumes = todayVolumes.map((v) => ({
    channel: v.channel,
    contacts: v.channel === from ? v.contacts - moved : v.channel === to ? v.contacts + moved : v.contacts,
  }));
  const today = contactCost(todayVolumes, set);
  const after = contactCost(afterVolumes, set);
  const used = new Set(volumes.keys());
  return {
    version: SCENARIO_RESULT_VERSION,
    unitCosts: set.name,
    service: o.service?.trim() || null,
    from,
    to,
    movePct: o.movePct,
    moved,
    today,
    after,
    savingPerYear: Math.round(today.total * 100 - after.total * 100) / 100,
    sources: set.costs
      .filter((c) => used.has(c.channel))
      .map((c) => ({ channel: c.channel, cost: c.cost, source: c.source })),
  };
}
