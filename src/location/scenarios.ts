/**
 * Site scenarios: what closing, opening or moving sites does to coverage within a standard and to
 * travel time to the nearest open site, overall and for each group (segment), and who loses or gains
 * coverage. Pure: a cost matrix (demand points × every site in play), weights and labels in, figures out.
 */
import { InputError } from '../core/index.ts';
import type { CostMatrix } from './costs.ts';
import { evaluateSites, nearestMinutes, type SiteOutcome } from './sites.ts';

export interface ScenarioInput {
  /** Demand points are the origins; destinations hold the current sites and any site a change may open. */
  costs: CostMatrix;
  weights: Float64Array;
  groups?: readonly string[];
  /** Coverage standard in minutes. */
  standard: number;
  /** Ids (cost-matrix destination ids) of the sites open now. */
  current: readonly string[];
}

/** One change or a combination: closures, openings and moves (close `from`, open `to`), applied together. */
export interface SiteChange {
  close?: readonly string[];
  open?: readonly string[];
  move?: readonly { from: string; to: string }[];
}

export interface ScenarioFigures {
  coveredWeight: number;
  coveredShare: number;
  /** Weighted mean minutes to the nearest open site, over demand that can reach one. */
  meanMinutes: number | null;
  maxMinutes: number | null;
  /** Demand that no open site can reach. */
  unservedWeight: number;
}

export interface ScenarioGroup {
  group: string;
  weight: number;
  before: { coveredShare: number; meanMinutes: number | null };
  after: { coveredShare: number; meanMinutes: number | null };
  change: { coveredShare: number; meanMinutes: number | null };
}

/** A demand point whose coverage changes. */
export interface ScenarioPoint {
  index: number;
  id: string;
  group: string | null;
  weight: number;
  minutesBefore: number | null;
  minutesAfter: number | null;
}

export interface ScenarioResult {
  standard: number;
  /** The change in words ("close Altrincham; open Hale"). */
  description: string;
  openBefore: string[];
  openAfter: string[];
  totalWeight: number;
  before: ScenarioFigures;
  after: ScenarioFigures;
  change: { coveredWeight: number; coveredShare: number; meanMinutes: number | null; unservedWeight: number };
  groups: ScenarioGroup[];
  /** Demand points covered before and not after, longest new trip first. */
  losers: ScenarioPoint[];
  lostWeight: number;
  /** Demand points covered after and not before. */
  gainers: ScenarioPoint[];
  gainedWeight: number;
}

/** The open sites after a change, checking that closures were open, openings were not, and every id is a known site. */
export function applyChange(costs: CostMatrix, current: readonly string[], change: SiteChange): string[] {
  const known = new Set(costs.destinations.map((d) => d.id));
  const check = (id: string) => {
    if (!known.has(id))
      throw new InputError(`"${id}" is not one of the ${known.size} sites in the cost matrix.`, {
        code: 'scenario_site_unknown',
        fix: 'Use a facility id from the list, or add the new site as a candidate.',
      });
  };
  const open = new Set<string>();
  for (const id of current) {
    check(id);
    open.add(id);
  }
  const closing = [...(change.close ?? []), ...(change.move ?? []).map((mv) => mv.from)];
  const opening = [...(change.open ?? []), ...(change.move ?? []).map((mv) => mv.to)];
  for (const id of closing) {
    check(id);
    if (!open.has(id))
      throw new InputError(
        `Site "${id}" cannot close: it is not open${current.includes(id) ? ' any more (it is closed twice)' : ''}.`,
        { code: 'scenario_close_not_open', fix: 'Close only sites that are open now.' },
      );
    open.delete(id);
  }
  for (const id of opening) {
    check(id);
    if (open.has(id))
      throw new InputError(`Site "${id}" cannot open: it is already open.`, {
        code: 'scenario_open_already_open',
        fix: 'Open only sites that are not open now.',
      });
    open.add(id);
  }
  return [...open];
}

export function describeChange(change: SiteChange): string {
  const parts = [
    ...(change.close ?? []).map((id) => `close ${id}`),
    ...(change.open ?? []).map((id) => `open ${id}`),
    ...(change.move ?? []).map((mv) => `move ${mv.from} to ${mv.to}`),
  ];
  return parts.length ? parts.join('; ') : 'no change';
}

/** Before, after and the change for one combination of closures, openings and moves. */
export function runScenario(input: ScenarioInput, change: SiteChange): ScenarioResult {
  const { costs, weights, groups, standard } = input;
  if (!(standard > 0 && Number.isFinite(standard)))
    throw new InputError(`The standard must be a positive number of minutes (it was ${standard}).`, {
      code: 'scenario_standard_invalid',
    });
  if (weights.length !== costs.origins.length)
    throw new InputError(
      `There are ${weights.length} demand weights for ${costs.origins.length} demand points; they must match one to one.`,
      { code: 'site_weights_length' },
    );
  if (groups && groups.length !== costs.origins.length)
    throw new InputError(
      `There are ${groups.length} group labels for ${costs.origins.length} demand points; they must match one to one.`,
      { code: 'site_groups_length' },
    );
  const index = new Map(costs.destinations.map((d, j) => [d.id, j]));
  const afterIds = applyChange(costs, input.current, change);
  const beforeOpen = [...new Set(input.current)].map((id) => index.get(id)!);
  const afterOpen = afterIds.map((id) => index.get(id)!);
  const problem = { costs, weights, groups, standard };
  const b = evaluateSites(problem, beforeOpen);
  const a = evaluateSites(problem, afterOpen);
  const nearBefore = nearestMinutes(costs, beforeOpen);
  const nearAfter = nearestMinutes(costs, afterOpen);
  const losers: ScenarioPoint[] = [];
  const gainers: ScenarioPoint[] = [];
  const finite = (x: number) => (x === Infinity ? null : x);
  for (let i = 0; i < costs.origins.length; i++) {
    const was = nearBefore[i] <= standard,
      is = nearAfter[i] <= standard;
    if (was === is) continue;
    const point: ScenarioPoint = {
      index: i,
      id: costs.origins[i].id,
      group: groups ? groups[i] : null,
      weight: weights[i],
      minutesBefore: finite(nearBefore[i]),
      minutesAfter: finite(nearAfter[i]),
    };
    (was ? losers : gainers).push(point);
  }
  losers.sort((x, y) => (y.minutesAfter ?? Infinity) - (x.minutesAfter ?? Infinity) || x.index - y.index);
  gainers.sort((x, y) => (x.minutesAfter ?? 0) - (y.minutesAfter ?? 0) || x.index - y.index);
  const before = figures(b),
    after = figures(a);
  const afterGroups = new Map(a.groups.map((g) => [g.group, g]));
  return {
    standard,
    description: describeChange(change),
    openBefore: b.openIds,
    openAfter: a.openIds,
    totalWeight: b.totalWeight,
    before,
    after,
    change: {
      coveredWeight: after.coveredWeight - before.coveredWeight,
      coveredShare: after.coveredShare - before.coveredShare,
      meanMinutes:
        before.meanMinutes === null || after.meanMinutes === null ? null : after.meanMinutes - before.meanMinutes,
      unservedWeight: after.unservedWeight - before.unservedWeight,
    },
    groups: b.groups.map((g) => {
      const ag = afterGroups.get(g.group)!;
      return {
        group: g.group,
        weight: g.weight,
        before: { coveredShare: g.coveredShare!, meanMinutes: g.meanMinutes },
        after: { coveredShare: ag.coveredShare!, meanMinutes: ag.meanMinutes },
        change: {
          coveredShare: ag.coveredShare! - g.coveredShare!,
          meanMinutes: g.meanMinutes === null || ag.meanMinutes === null ? null : ag.meanMinutes - g.meanMinutes,
        },
      };
    }),
    losers,
    lostWeight: losers.reduce((s, p) => s + p.weight, 0),
    gainers,
    gainedWeight: gainers.reduce((s, p) => s + p.weight, 0),
  };
}

/** Several alternative changes from the same starting sites, each compared with today. */
export function compareScenarios(input: ScenarioInput, changes: readonly SiteChange[]): ScenarioResult[] {
  return changes.map((c) => runScenario(input, c));
}

function figures(o: SiteOutcome): ScenarioFigures {
  return {
    coveredWeight: o.coverage!.coveredWeight,
    coveredShare: o.coverage!.share,
    meanMinutes: o.meanMinutes,
    maxMinutes: o.maxMinutes,
    unservedWeight: o.unserved.weight + o.unreachable.weight,
  };
}
