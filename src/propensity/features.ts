/**
 * The design matrix of a propensity model (issue 15, point 2): one row per household of the
 * population (every household of the council tax register, say, and any user not on it), whether
 * it uses the service, and its features — its area's segment at every tier, the census variables
 * the classification was built from, every deprivation domain, walking minutes to the nearest
 * facility of each kind, and whether it uses each of the council's other services. Missing values
 * take the mean, so a feature says nothing where it is not known. Features are standardised on the
 * rows they are fitted on (see train.ts).
 */
import { ParameterError, WorkspaceStateError } from '../core/index.ts';
import { type AreaLevel, AREA_LEVELS } from '../geo/index.ts';
import { missingDataset } from '../intake/index.ts';
import { metresBetween } from '../location/index.ts';
import { type Engine, ident, literal } from '../store/index.ts';
import type { FeatureKind, PropensitySpec } from './spec.ts';

export interface FeatureInfo {
  name: string;
  kind: FeatureKind;
  label: string;
  /** 0/1 features read as yes/no; others per unit */
  binary: boolean;
  unit: string | null;
  /** the change an odds ratio is quoted for, in the feature's own units (null: one standard deviation) */
  step: number | null;
  /** that change in words: "10 more minutes' walk", "yes against no" */
  stepWords: string;
}

export interface Design {
  features: FeatureInfo[];
  rows: number;
  /** rows × features, row-major, raw (not standardised); NaN where unknown */
  x: Float64Array;
  y: Float64Array;
  /** the unit (property reference), its postcode, area and held-out group */
  units: string[];
  postcodes: string[];
  areas: (string | null)[];
  groups: Int32Array;
  groupCodes: string[];
  /** the segment of the finest tier per row (for the baseline) */
  segments: (string | null)[];
  classification: { name: string; level: AreaLevel; tiers: string[] } | null;
  /**
   * Every household and user accounted for: the population's households, the users among them and
   * beside them, the users' records that could not be placed at an address, and the households
   * left out because their postcode has no area of the held-out level (all of them users or not).
   */
  accounts: {
    population: number;
    usersOnPopulation: number;
    usersOffPopulation: number;
    usersNotPlaced: number;
    householdsWithoutArea: number;
    usersWithoutArea: number;
  };
}

const WALK_METRES_PER_MINUTE = (4.8 * 1000) / 60;
const CIRCUITY = 1.3;

async function tableOf(engine: Engine, name: string): Promise<{ table: string; properties: boolean }> {
  const d = await engine.one<{ table_name: string; addressing: string | null }>(
    `SELECT table_name, addressing FROM dataset WHERE name = $1`,
    [name],
  );
  if (!d) throw await missingDataset(engine, name);
  return { table: d.table_name, properties: Boolean(d.addressing) };
}

/** Builds the household design matrix for a spec with a population. */
export async function householdDesign(engine: Engine, spec: PropensitySpec): Promise<Design> {
  if (!spec.population)
    throw new ParameterError(
      'A household model needs the list of households to compare the users with.',
      'Name it with --population (e.g. council_tax_payment).',
    );
  const target = await tableOf(engine, spec.dataset);
  const pop = await tableOf(engine, spec.population);
  for (const [n, d] of [
    [spec.dataset, target],
    [spec.population, pop],
  ] as const)
    if (!d.properties)
      throw new ParameterError(
        `${n} was imported without addresses, so its records cannot be told apart by household.`,
        'Import it again with --address-columns (or --uprn-column).',
      );
  const kinds = new Set(spec.features);
  const others: { name: string; table: string }[] = [];
  if (kinds.has('services')) {
    const rows = await engine.all<{ name: string; table_name: string }>(
      `SELECT name, table_name FROM dataset WHERE addressing IS NOT NULL AND name NOT IN ($1, $2) ORDER BY name`,
      [spec.dataset, spec.population],
    );
    for (const r of rows) others.push({ name: r.name, table: r.table_name });
  }
  const placed = `_status = 'matched' AND _property IS NOT NULL`;
  const holdout = ident(spec.holdoutLevel);
  const cls = await classificationOf(engine, spec.classification);
  const areaCol = cls ? ident(cls.level) : 'NULL';
  const rows = await engine.all<Record<string, string | number | boolean | null>>(
    `WITH pop AS (SELECT _property AS u, min(_pc_key) AS pc FROM ${ident(pop.table)} WHERE ${placed} GROUP BY 1),
      tgt AS (SELECT _property AS u, min(_pc_key) AS pc FROM ${ident(target.table)} WHERE ${placed} GROUP BY 1),
      units AS (SELECT coalesce(pop.u, tgt.u) AS u, coalesce(pop.pc, tgt.pc) AS pc, pop.u IS NOT NULL AS on_pop, tgt.u IS NOT NULL AS y
                FROM pop FULL OUTER JOIN tgt ON tgt.u = pop.u)
      ${others.map((o, k) => `, o${k} AS (SELECT DISTINCT _property AS u FROM ${ident(o.table)} WHERE ${placed})`).join('')}
     SELECT units.u, units.pc, units.on_pop, units.y, p.${holdout} AS grp, ${cls ? `p.${areaCol}` : 'NULL'} AS area
       ${others.map((_, k) => `, o${k}.u IS NOT NULL AS s${k}`).join('')}
     FROM units LEFT JOIN postcode p ON p.pc_key = units.pc
     ${others.map((_, k) => `LEFT JOIN o${k} ON o${k}.u = units.u`).join(' ')}
     ORDER BY units.u`,
  );
  const usersNotPlaced = Number(
    (await engine.one<{ n: number }>(`SELECT count(*)::BIGINT AS n FROM ${ident(target.table)} WHERE NOT (${placed})`))!
      .n,
  );
  const keep = rows.filter((r) => r.grp !== null);
  const features: FeatureInfo[] = [];
  const columns: ((i: number) => number)[] = [];
  const pcs = keep.map((r) => String(r.pc));
  const areas = keep.map((r) => (r.area === null ? null : String(r.area)));

  // area features: segment dummies and census variables, by the classification's areas
  let segments: (string | null)[] = keep.map(() => null);
  if (cls && kinds.has('segment')) {
    for (const tier of cls.tiers) {
      const seg = new Map(
        (
          await engine.all<{ area_code: string; code: string }>(
            `SELECT area_code, code FROM area_segment WHERE classification = $1 AND tier = $2`,
            [cls.name, tier],
          )
        ).map((r) => [r.area_code, r.code]),
      );
      const codes = [...new Set(seg.values())].sort();
      const of = areas.map((a) => (a === null ? null : (seg.get(a) ?? null)));
      if (tier === cls.tiers[cls.tiers.length - 1]) segments = of;
      for (const c of codes) {
        features.push({
          name: `segment:${tier}:${c}`,
          kind: 'segment',
          label: `living in a ${tier} ${c} area`,
          binary: true,
          unit: null,
          step: 1,
          stepWords: 'against the rest',
        });
        columns.push((i) => (of[i] === null ? Number.NaN : of[i] === c ? 1 : 0));
      }
    }
  }
  if (cls && kinds.has('census')) {
    const vals = await engine.all<{ area_code: string; variable: string; value: number | null }>(
      `SELECT area_code, variable, value FROM area_variable WHERE classification = $1`,
      [cls.name],
    );
    const byVar = new Map<string, Map<string, number>>();
    for (const v of vals) {
      if (v.value === null) continue;
      const m = byVar.get(v.variable) ?? new Map<string, number>();
      m.set(v.area_code, Number(v.value));
      byVar.set(v.variable, m);
    }
    for (const [variable, m] of [...byVar].sort(([a], [b]) => (a < b ? -1 : 1))) {
      features.push({
        name: `census:${variable}`,
        kind: 'census',
        label: `the area’s ${variable.replace(/_/g, ' ')}`,
        binary: false,
        unit: 'of the area',
        step: null,
        stepWords: 'one standard deviation higher',
      });
      columns.push((i) => (areas[i] === null ? Number.NaN : (m.get(areas[i]!) ?? Number.NaN)));
    }
  }
  // postcode features: deprivation and access
  const distinct = [...new Set(pcs)];
  const pcRows = new Map(
    (
      await engine.all<Record<string, string | number | null>>(
        `SELECT pc_key, lat, lon, ${AREA_LEVELS.map(ident).join(', ')} FROM postcode WHERE pc_key IN (${distinct.map(literal).join(', ') || 'NULL'})`,
      )
    ).map((r) => [String(r.pc_key), r]),
  );
  if (kinds.has('deprivation')) {
    const doms = await engine.all<{ index_name: string; domain: string; area_level: string; scored: boolean }>(
      `SELECT index_name, domain, area_level, bool_and(score IS NOT NULL) AS scored FROM deprivation GROUP BY index_name, domain, area_level ORDER BY 1, 2`,
    );
    for (const d of doms) {
      const vals = new Map(
        (
          await engine.all<{ area_code: string; v: number }>(
            `SELECT area_code, ${d.scored ? 'score' : 'decile'} AS v FROM deprivation WHERE index_name = $1 AND domain = $2`,
            [d.index_name, d.domain],
          )
        ).map((r) => [r.area_code, Number(r.v)]),
      );
      const what = d.scored ? 'score' : 'decile';
      features.push({
        name: `deprivation:${d.index_name}:${d.domain}`,
        kind: 'deprivation',
        label: `${d.index_name.toUpperCase()} ${d.domain === 'IMD' ? '' : `${d.domain} `}${what}`,
        binary: false,
        unit: what === 'decile' ? 'decile' : 'point',
        step: what === 'decile' ? 1 : 10,
        stepWords: what === 'decile' ? 'one decile less deprived' : '10 points more deprived',
      });
      columns.push((i) => {
        const a = pcRows.get(pcs[i])?.[d.area_level];
        return a === null || a === undefined ? Number.NaN : (vals.get(String(a)) ?? Number.NaN);
      });
    }
  }
  if (kinds.has('access')) {
    const fac = await engine.all<{ kind: string; lon: number; lat: number }>(
      `SELECT kind, lon, lat FROM facility ORDER BY kind`,
    );
    const byKind = new Map<string, { lon: number; lat: number }[]>();
    for (const f of fac)
      byKind.set(f.kind, [...(byKind.get(f.kind) ?? []), { lon: Number(f.lon), lat: Number(f.lat) }]);
    for (const [kind, list] of byKind) {
      const minutes = new Map<string, number>();
      for (const pc of distinct) {
        const r = pcRows.get(pc);
        if (!r || r.lat === null || r.lon === null) continue;
        const at = { lon: Number(r.lon), lat: Number(r.lat) };
        let best = Infinity;
        for (const f of list) best = Math.min(best, metresBetween(at, f));
        minutes.set(pc, (best * CIRCUITY) / WALK_METRES_PER_MINUTE);
      }
      const place = kind.replace(/_/g, ' ');
      features.push({
        name: `access:${kind}`,
        kind: 'access',
        label: `walking minutes to the nearest ${place}`,
        binary: false,
        unit: 'minute',
        step: 10,
        stepWords: '10 more minutes’ walk',
      });
      columns.push((i) => minutes.get(pcs[i]) ?? Number.NaN);
      // use usually falls fastest over the first minutes, so the log of the walk is a feature too
      features.push({
        name: `access-log:${kind}`,
        kind: 'access',
        label: `the walk to the nearest ${place}, on a log scale`,
        binary: false,
        unit: 'log minute',
        step: Math.LN2,
        stepWords: 'twice as far (on top of the minutes)',
      });
      columns.push((i) => {
        const m = minutes.get(pcs[i]);
        return m === undefined ? Number.NaN : Math.log1p(m);
      });
    }
  }
  others.forEach((o, k) => {
    features.push({
      name: `services:${o.name}`,
      kind: 'services',
      label: `using ${o.name.replace(/_/g, ' ')}`,
      binary: true,
      unit: null,
      step: 1,
      stepWords: 'against not using it',
    });
    columns.push((i) => (keep[i][`s${k}`] ? 1 : 0));
  });
  if (!features.length)
    throw new WorkspaceStateError(
      'None of the features asked for is in the workspace.',
      'Import a classification, a deprivation index or facilities, or add --features services.',
    );
  const n = keep.length;
  const f = features.length;
  const x = new Float64Array(n * f);
  for (let i = 0; i < n; i++) for (let j = 0; j < f; j++) x[i * f + j] = columns[j](i);
  const groupCodes = [...new Set(keep.map((r) => String(r.grp)))].sort();
  const gIndex = new Map(groupCodes.map((g, i) => [g, i]));
  return {
    features,
    rows: n,
    x,
    y: Float64Array.from(keep.map((r) => (r.y ? 1 : 0))),
    units: keep.map((r) => String(r.u)),
    postcodes: pcs,
    areas,
    groups: Int32Array.from(keep.map((r) => gIndex.get(String(r.grp))!)),
    groupCodes,
    segments,
    classification: cls,
    accounts: {
      population: rows.filter((r) => r.on_pop).length,
      usersOnPopulation: rows.filter((r) => r.on_pop && r.y).length,
      usersOffPopulation: rows.filter((r) => !r.on_pop && r.y).length,
      usersNotPlaced,
      householdsWithoutArea: rows.length - keep.length,
      usersWithoutArea: rows.filter((r) => r.grp === null && r.y).length,
    },
  };
}

async function classificationOf(
  engine: Engine,
  name: string | null,
): Promise<{ name: string; level: AreaLevel; tiers: string[] } | null> {
  const r = await engine.one<{ name: string; area_level: string; tiers: string }>(
    name
      ? `SELECT name, area_level, tiers FROM classification WHERE name = $1`
      : `SELECT name, area_level, tiers FROM classification WHERE kind <> 'deprivation' ORDER BY kind = 'segmentation' DESC, imported_at LIMIT 1`,
    name ? [name] : [],
  );
  if (!r) {
    if (name)
      throw new ParameterError(`There is no classification called "${name}".`, 'See civic reference list WORKSPACE.');
    return null;
  }
  return { name: r.name, level: r.area_level as AreaLevel, tiers: JSON.parse(r.tiers) as string[] };
}
