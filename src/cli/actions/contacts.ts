/** `civic contacts unit-costs`, `civic contacts cost` and `civic channel-shift`. */
import { contactCost, publishedUnitCosts, shiftSaving, unitCosts, volumesFromShares } from '../../channels/index.ts';
import { ParameterError } from '../../core/index.ts';
import { contactCostToTable, shiftToTable, unitCostsToCsv, unitCostsToTable } from '../../outputs/index.ts';
import { emit, json } from '../io.ts';

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
  const r = contactCost(volumes, unitCosts(o.unitCosts));
  emit(o.format === 'json' ? json(r) : contactCostToTable(r), o.out);
}

export async function channelShiftCommand(o: {
  unitCosts: string;
  from: string;
  to: string;
  contactsPerMonth: string;
  format: string;
  out?: string;
}): Promise<void> {
  const r = shiftSaving(
    { from: o.from, to: o.to, contactsPerMonth: number(o.contactsPerMonth, '--contacts-per-month') },
    unitCosts(o.unitCosts),
  );
  emit(o.format === 'json' ? json(r) : shiftToTable(r), o.out);
}
