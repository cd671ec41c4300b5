/**
 * Site choice and scenarios as tasks for the portal's analysis pool (src/server/analysis-pool.ts):
 * functions of one structured-cloneable input, run in a worker thread so that a long solve does not
 * hold up the thread answering pages. This file imports only the pure solvers (no database), so a
 * worker loads nothing else.
 */
import { solve, type SolveOptions } from './highs.ts';
import { runScenario, type ScenarioInput, type ScenarioResult, type SiteChange } from './scenarios.ts';
import type { SiteProblem, SiteProblemKind, SiteSolution } from './sites.ts';

export interface SiteChoiceTaskInput {
  problem: SiteProblem;
  kind: SiteProblemKind;
  options: SolveOptions;
}
export interface ScenarioTaskInput {
  input: ScenarioInput;
  change: SiteChange;
}

export function chooseSitesTask(t: SiteChoiceTaskInput): Promise<SiteSolution> {
  return solve(t.problem, t.kind, t.options);
}

export function scenarioTask(t: ScenarioTaskInput): ScenarioResult {
  return runScenario(t.input, t.change);
}

/** A task a worker can run: the function `name` exported by the module at `module` (a file URL). */
export interface SiteTask<I, O> {
  module: string;
  name: string;
  title: string;
  readonly __types?: (input: I) => O;
}

const self = import.meta.url;
const module = new URL(`./site-tasks${self.endsWith('.ts') ? '.ts' : '.js'}`, self).href;

export const SITE_TASKS: {
  choose: SiteTask<SiteChoiceTaskInput, SiteSolution>;
  scenario: SiteTask<ScenarioTaskInput, ScenarioResult>;
} = {
  choose: { module, name: 'chooseSitesTask', title: 'choosing sites' },
  scenario: { module, name: 'scenarioTask', title: 'working out the scenario' },
};
