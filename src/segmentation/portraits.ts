/**
 * Pen portraits: a plain-English page per segment, generated from what the workspace knows —
 * the segment's distinctive variables (its mean against the whole area's, as an index), its size,
 * the wards it concentrates in, its take-up of every imported service and its channel
 * preferences — then edited by people (name, summary, key features, images) and versioned.
 * Kent used its pen portraits as the user guide to its segmentation; so can a council here.
 */
import { z } from 'zod';
import { DEFAULT_MIN_CELL, NotFoundError, ParameterError, suppressOneWay } from '../core/index.ts';
import { type Engine, ident, sqlAnyValue, sqlFirstPerKey } from '../store/index.ts';
import { profileDataset } from '../profiling/index.ts';

export const PORTRAIT_VERSION = 1;

const VariableFactSchema = z.object({
  variable: z.string(),
  label: z.string(),
  mean: z.number(),
  overall: z.number(),
  index: z.number(),
});
export const PortraitFactsSchema = z.object({
  areas: z.number(),
  households: z.number().nullable(),
  /** % of all households (or of areas when there is no base at the segmentation's level) */
  share: z.number(),
  /** highest index first */
  distinctive: z.array(VariableFactSchema),
  /** lowest index first */
  lowest: z.array(VariableFactSchema),
  topWards: z.array(
    z.object({
      code: z.string(),
      name: z.string().nullable(),
      households: z.number(),
      shareOfSegment: z.number(),
      shareOfWard: z.number(),
    }),
  ),
  takeUp: z.array(
    z.object({
      dataset: z.string(),
      title: z.string().nullable(),
      penetration: z.number().nullable(),
      index: z.number().nullable(),
      band: z.string().nullable(),
      significant: z.boolean().nullable(),
      suppressed: z.boolean(),
    }),
  ),
  channels: z.array(
    z.object({
      dataset: z.string(),
      column: z.string(),
      values: z.array(z.object({ value: z.string(), share: z.number(), index: z.number().nullable() })),
    }),
  ),
  minCell: z.number(),
});
export type PortraitFacts = z.infer<typeof PortraitFactsSchema>;

export const PortraitSchema = z.object({
  version: z.literal(PORTRAIT_VERSION),
  classification: z.string(),
  tier: z.string(),
  code: z.string(),
  parent: z.string().nullable(),
  /** the saved version of this portrait: 1 is the first generated */
  revision: z.number(),
  name: z.string(),
  summary: z.string(),
  keyFeatures: z.array(z.string()),
  images: z.array(z.object({ src: z.string(), alt: z.string() })),
  facts: PortraitFactsSchema,
  editedBy: z.string(),
  editedAt: z.string(),
  note: z.string().nullable(),
});
export type Portrait = z.infer<typeof PortraitSchema>;

export const GENERATED_BY = 'generated';
const TOP = 5;

interface Cls {
  name: string;
  area_level: string;
  tiers: string;
}

async function classificationOf(engine: Engine, name: string): Promise<Cls> {
  const cls = await engine.one<Cls & Record<string, string>>(
    `SELECT name, area_level, tiers FROM classification WHERE name = $1`,
    [name],
  );
  if (!cls) {
    const all = (await engine.all<{ name: string }>(`SELECT name FROM classification ORDER BY name`)).map(
      (r) => r.name,
    );
    throw new NotFoundError(
      `There is no classification or segmentation called "${name}".`,
      all.length
        ? `Classifications: ${all.join(', ')}.`
        : 'Build a segmentation first: civic segment build WORKSPACE --variables FILE --name NAME',
    );
  }
  return cls;
}

function tierOf(cls: Cls, tier?: string): string {
  const tiers: string[] = JSON.parse(cls.tiers);
  if (!tier) return tiers[0];
  const t = tiers.find((x) => x.toLowerCase() === tier.toLowerCase());
  if (!t) throw new ParameterError(`${cls.name} has no tier "${tier}".`, `Tiers: ${tiers.join(', ')}.`);
  return t;
}

const fmtIndex = (x: number) => String(Math.round(x));
const listText = (xs: string[]) =>
  xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`;
const lowerFirst = (s: string) => (/^[A-Z][a-z]/.test(s) ? s.charAt(0).toLowerCase() + s.slice(1) : s);

/** The facts behind every segment's portrait in one tier, computed from the workspace as it is now. */
export async function portraitFacts(
  engine: Engine,
  classification: string,
  tier?: string,
  minCell = DEFAULT_MIN_CELL,
): Promise<Map<string, PortraitFacts>> {
  const cls = await classificationOf(engine, classification);
  const t = tierOf(cls, tier);
  const level = cls.area_level;
  const segs = await engine.all<{ code: string }>(
    `SELECT code FROM segment WHERE classification = $1 AND tier = $2 ORDER BY ordinal, code`,
    [cls.name, t],
  );
  const areaSeg = `SELECT area_code, code FROM area_segment WHERE classification = $1 AND tier = $2`;
  const sizes = new Map(
    (
      await engine.all<{ code: string; areas: number; households: number | null }>(
        `SELECT s.code, count(*)::BIGINT AS areas, sum(b.households) AS households FROM (${areaSeg}) s
     LEFT JOIN area_base b ON b.area_code = s.area_code AND b.level = $3 GROUP BY s.code`,
        [cls.name, t, level],
      )
    ).map((r) => [r.code, r]),
  );
  const hasBase = [...sizes.values()].some((s) => s.households !== null);
  const totalAreas = [...sizes.values()].reduce((a, s) => a + s.areas, 0);
  const totalHouseholds = [...sizes.values()].reduce((a, s) => a + (s.households ?? 0), 0);

  // Distinctive variables: each segment's mean of the area values against the mean over all areas.
  const labels = new Map<string, string>();
  const model = await engine.one<{ model: string }>(`SELECT model FROM segmentation WHERE name = $1`, [cls.name]);
  if (model)
    for (const v of JSON.parse(model.model).variables as { name: string; label: string | null }[])
      labels.set(v.name, v.label ?? v.name);
  const means = await engine.all<{ code: string | null; variable: string; mean: number }>(
    `SELECT s.code, v.variable, avg(v.value) AS mean FROM area_variable v JOIN (${areaSeg}) s ON s.area_code = v.area_code
     WHERE v.classification = $1 GROUP BY GROUPING SETS ((s.code, v.variable), (v.variable))`,
    [cls.name, t],
  );
  const overall = new Map(means.filter((m) => m.code === null).map((m) => [m.variable, m.mean]));

  // Wards: each area counted in the ward most of its postcodes are in.
  const wardRows =
    level === 'ward'
      ? []
      : await engine.all<{ code: string; ward: string; name: string | null; hh: number; ward_hh: number }>(
          `WITH pairs AS (SELECT ${ident(level)} AS area, ward, count(*) AS n FROM postcode WHERE ${ident(level)} IS NOT NULL AND ward IS NOT NULL GROUP BY 1, 2),
          best AS (SELECT area, arg_max(ward, n) AS ward FROM pairs GROUP BY area),
          hh AS (SELECT s.code, w.ward, b.households FROM (${areaSeg}) s JOIN best w ON w.area = s.area_code JOIN area_base b ON b.area_code = s.area_code AND b.level = $3),
          wt AS (SELECT ward, sum(households) AS ward_hh FROM hh GROUP BY ward)
     SELECT hh.code, hh.ward, ${sqlAnyValue('a.name')} AS name, sum(hh.households) AS hh, ${sqlAnyValue('wt.ward_hh')} AS ward_hh
     FROM hh JOIN wt ON wt.ward = hh.ward LEFT JOIN area a ON a.code = hh.ward AND a.level = 'ward' GROUP BY hh.code, hh.ward`,
          [cls.name, t, level],
        );

  // Take-up of every dataset, with disclosure control: portraits are written to be shared.
  const datasets = await engine.all<{ name: string; title: string | null; columns: string; table_name: string }>(
    `SELECT name, title, columns, table_name FROM dataset ORDER BY name`,
  );
  const takeUp = new Map<string, PortraitFacts['takeUp']>();
  if (totalHouseholds > 0) {
    for (const ds of datasets) {
      let profile;
      try {
        profile = await profileDataset(engine, { dataset: ds.name, classification: cls.name, tier: t });
      } catch {
        continue;
      }
      const hidden = suppressOneWay(
        profile.rows.map((r) => r.count ?? 0),
        minCell,
      ).suppressed;
      for (const [i, r] of profile.rows.entries()) {
        const list = takeUp.get(r.code) ?? [];
        list.push(
          hidden[i]
            ? {
                dataset: ds.name,
                title: ds.title,
                penetration: null,
                index: null,
                band: null,
                significant: null,
                suppressed: true,
              }
            : {
                dataset: ds.name,
                title: ds.title,
                penetration: r.penetration,
                index: r.index,
                band: r.band,
                significant: r.significant,
                suppressed: false,
              },
        );
        takeUp.set(r.code, list);
      }
    }
  }

  // Channel preferences, where a dataset records the channel of each contact.
  const channels = new Map<string, PortraitFacts['channels']>();
  for (const ds of datasets) {
    const col = (JSON.parse(ds.columns) as string[]).find((c) => /channel/i.test(c));
    if (!col) continue;
    const rows = await engine.all<{ code: string | null; value: string; n: number }>(
      `SELECT s.code, coalesce(trim(d.${ident(col)}), '(blank)') AS value, count(*)::BIGINT AS n FROM ${ident(ds.table_name)} d
       JOIN postcode p ON p.pc_key = d._pc_key JOIN (${areaSeg}) s ON s.area_code = p.${ident(level)}
       WHERE d._status = 'matched' GROUP BY GROUPING SETS ((s.code, 2), (2))`,
      [cls.name, t],
    );
    const all = rows.filter((r) => r.code === null);
    const allTotal = all.reduce((a, r) => a + r.n, 0);
    for (const s of segs) {
      const mine = rows.filter((r) => r.code === s.code);
      const total = mine.reduce((a, r) => a + r.n, 0);
      // Too few contacts to say anything safely: left out rather than shown as small numbers.
      if (total < minCell) continue;
      // Small values are left out, and when what is left out could be worked back from the total
      // (one value, or values adding up to under the threshold), the next smallest goes too.
      const hidden = suppressOneWay(
        mine.map((r) => r.n),
        minCell,
      ).suppressed;
      const values = mine
        .filter((_, i) => !hidden[i])
        .sort((a, b) => b.n - a.n)
        .map((r) => {
          const overallShare = (all.find((x) => x.value === r.value)?.n ?? 0) / allTotal;
          const share = (r.n / total) * 100;
          return { value: r.value, share, index: overallShare > 0 ? (share / (overallShare * 100)) * 100 : null };
        });
      if (values.length)
        channels.set(s.code, [...(channels.get(s.code) ?? []), { dataset: ds.name, column: col, values }]);
    }
  }

  const out = new Map<string, PortraitFacts>();
  for (const s of segs) {
    const size = sizes.get(s.code);
    const vars = means
      .filter((m) => m.code === s.code)
      .flatMap((m) => {
        const o = overall.get(m.variable);
        return o && o !== 0
          ? [
              {
                variable: m.variable,
                label: labels.get(m.variable) ?? m.variable,
                mean: m.mean,
                overall: o,
                index: (m.mean / o) * 100,
              },
            ]
          : [];
      });
    const byIndex = [...vars].sort((a, b) => b.index - a.index || a.variable.localeCompare(b.variable));
    const wards = wardRows.filter((w) => w.code === s.code).sort((a, b) => b.hh - a.hh || a.ward.localeCompare(b.ward));
    const segHh = wards.reduce((a, w) => a + w.hh, 0);
    out.set(s.code, {
      areas: size?.areas ?? 0,
      households: hasBase ? (size?.households ?? 0) : null,
      share: hasBase
        ? ((size?.households ?? 0) / totalHouseholds) * 100
        : ((size?.areas ?? 0) / Math.max(1, totalAreas)) * 100,
      distinctive: byIndex.slice(0, TOP),
      lowest: byIndex
        .slice(-TOP)
        .reverse()
        .filter((v) => !byIndex.slice(0, TOP).includes(v)),
      topWards: wards.slice(0, 3).map((w) => ({
        code: w.ward,
        name: w.name,
        households: w.hh,
        shareOfSegment: segHh ? (w.hh / segHh) * 100 : 0,
        shareOfWard: w.ward_hh ? (w.hh / w.ward_hh) * 100 : 0,
      })),
      takeUp: (takeUp.get(s.code) ?? []).sort((a, b) => (b.index ?? -1) - (a.index ?? -1)),
      channels: channels.get(s.code) ?? [],
      minCell,
    });
  }
  return out;
}

/** The first draft of a portrait's words, from its facts. */
export function draftText(
  facts: PortraitFacts,
  areaWord = 'the whole area',
): { summary: string; keyFeatures: string[] } {
  const high = facts.distinctive.filter((v) => v.index >= 120).slice(0, 3);
  const low = facts.lowest.filter((v) => v.index <= 80).slice(0, 2);
  const parts: string[] = [];
  parts.push(
    facts.households !== null
      ? `${facts.share.toFixed(1)}% of households (${Math.round(facts.households).toLocaleString('en-GB')}) live in the ${facts.areas} areas of this segment.`
      : `${facts.areas} areas (${facts.share.toFixed(1)}% of all areas) are in this segment.`,
  );
  if (high.length)
    parts.push(
      `Compared with ${areaWord}, its areas have more ${listText(high.map((v) => `${lowerFirst(v.label)} (index ${fmtIndex(v.index)})`))}.`,
    );
  if (low.length)
    parts.push(`They have fewer ${listText(low.map((v) => `${lowerFirst(v.label)} (index ${fmtIndex(v.index)})`))}.`);
  if (facts.topWards.length)
    parts.push(`Most of its households are in ${listText(facts.topWards.map((w) => w.name ?? w.code))}.`);
  const features: string[] = [];
  for (const v of facts.distinctive.slice(0, 3))
    features.push(
      `${v.label}: ${v.mean.toFixed(1)} against ${v.overall.toFixed(1)} overall (index ${fmtIndex(v.index)})`,
    );
  for (const v of facts.lowest.slice(0, 2))
    features.push(
      `${v.label}: ${v.mean.toFixed(1)} against ${v.overall.toFixed(1)} overall (index ${fmtIndex(v.index)})`,
    );
  const used = facts.takeUp.filter((u) => !u.suppressed && u.significant && (u.index ?? 0) >= 120).slice(0, 3);
  if (used.length)
    features.push(
      `Uses more than average: ${listText(used.map((u) => `${u.title ?? u.dataset} (index ${fmtIndex(u.index!)})`))}`,
    );
  const missed = facts.takeUp
    .filter((u) => !u.suppressed && u.significant && (u.index ?? 999) <= 80)
    .slice(-3)
    .reverse();
  if (missed.length)
    features.push(
      `Uses less than average: ${listText(missed.map((u) => `${u.title ?? u.dataset} (index ${fmtIndex(u.index!)})`))}`,
    );
  const ch = facts.channels[0]?.values[0];
  if (ch)
    features.push(`Most contacts come by ${lowerFirst(ch.value)} (${ch.share.toFixed(0)}% of this segment's contacts)`);
  return { summary: parts.join(' '), keyFeatures: features };
}

interface StoredRow {
  tier: string;
  code: string;
  version: number;
  content: string;
  edited_by: string | null;
  edited_at: string;
  note: string | null;
}

function fromRow(cls: string, r: StoredRow): Portrait {
  const c = JSON.parse(r.content);
  return PortraitSchema.parse({
    version: PORTRAIT_VERSION,
    classification: cls,
    tier: r.tier,
    code: r.code,
    parent: c.parent ?? null,
    revision: r.version,
    name: c.name,
    summary: c.summary,
    keyFeatures: c.keyFeatures,
    images: c.images,
    facts: c.facts,
    editedBy: r.edited_by ?? GENERATED_BY,
    editedAt: r.edited_at,
    note: r.note,
  });
}

async function save(engine: Engine, p: Omit<Portrait, 'revision' | 'version'>): Promise<Portrait> {
  const last = await engine.one<{ v: number | null }>(
    `SELECT max(version) AS v FROM pen_portrait WHERE classification = $1 AND tier = $2 AND code = $3`,
    [p.classification, p.tier, p.code],
  );
  const revision = (last?.v ?? 0) + 1;
  await engine.run(`INSERT INTO pen_portrait VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, [
    p.classification,
    p.tier,
    p.code,
    revision,
    JSON.stringify({
      name: p.name,
      summary: p.summary,
      keyFeatures: p.keyFeatures,
      images: p.images,
      facts: p.facts,
      parent: p.parent,
    }),
    p.editedBy,
    p.editedAt,
    p.note,
  ]);
  await engine.run(
    `UPDATE segment SET name = $4, description = $5 WHERE classification = $1 AND tier = $2 AND code = $3`,
    [p.classification, p.tier, p.code, p.name, p.summary],
  );
  return { ...p, version: PORTRAIT_VERSION, revision };
}

/** Portraits of one tier as they would be drafted now, before anything is saved. */
async function composePortraits(
  engine: Engine,
  cls: { name: string },
  tier: string,
  current: readonly Portrait[],
  opts: { minCell?: number; areaWord?: string },
  note: (before: Portrait | undefined) => string,
): Promise<Omit<Portrait, 'revision' | 'version'>[]> {
  const facts = await portraitFacts(engine, cls.name, tier, opts.minCell);
  const segs = await engine.all<{ code: string; name: string | null; parent: string | null }>(
    `SELECT code, name, parent FROM segment WHERE classification = $1 AND tier = $2 ORDER BY ordinal, code`,
    [cls.name, tier],
  );
  return segs.map((s) => {
    const f = facts.get(s.code)!;
    const before = current.find((p) => p.code === s.code);
    const edited = before && before.editedBy !== GENERATED_BY;
    const draft = draftText(f, opts.areaWord);
    return {
      classification: cls.name,
      tier,
      code: s.code,
      parent: s.parent,
      name: before?.name ?? s.name ?? s.code,
      summary: edited ? before.summary : draft.summary,
      keyFeatures: edited ? before.keyFeatures : draft.keyFeatures,
      images: before?.images ?? [],
      facts: f,
      editedBy: edited ? before.editedBy : GENERATED_BY,
      editedAt: new Date().toISOString(),
      note: note(before),
    };
  });
}

/**
 * Generates (or refreshes) the portraits of one tier. A refresh recomputes the facts; words that
 * people have edited are kept, and generated words are redrafted from the new facts.
 */
export async function generatePortraits(
  engine: Engine,
  classification: string,
  opts: { tier?: string; minCell?: number; areaWord?: string } = {},
): Promise<Portrait[]> {
  const cls = await classificationOf(engine, classification);
  const tier = tierOf(cls, opts.tier);
  const current = await currentPortraits(engine, cls.name, tier);
  const composed = await composePortraits(engine, cls, tier, current, opts, (before) =>
    before ? 'facts refreshed' : 'first draft',
  );
  return engine.transaction(async () => {
    const out: Portrait[] = [];
    for (const p of composed) out.push(await save(engine, p));
    return out;
  });
}

/** The latest version of every portrait of a tier (generated first if there are none). */
export async function currentPortraits(engine: Engine, classification: string, tier?: string): Promise<Portrait[]> {
  const cls = await classificationOf(engine, classification);
  const t = tierOf(cls, tier);
  const rows = await engine.all<StoredRow & Record<string, string | number | null>>(
    `SELECT p.tier, p.code, p.version, p.content, p.edited_by, p.edited_at, p.note
     FROM ${sqlFirstPerKey({ from: 'pen_portrait', where: 'classification = $1 AND tier = $2', key: 'code', order: 'version DESC' })} p
     JOIN segment s ON s.classification = p.classification AND s.tier = p.tier AND s.code = p.code
     ORDER BY s.ordinal, p.code`,
    [cls.name, t],
  );
  return rows.map((r) => fromRow(cls.name, r));
}

/**
 * The current portrait of every segment of a tier: the saved one where there is one, else a first
 * draft made on the spot and not saved (revision 0). Reading never writes; an edit, or
 * civic segment portraits, saves.
 */
export async function portraitsOrGenerate(engine: Engine, classification: string, tier?: string): Promise<Portrait[]> {
  const cls = await classificationOf(engine, classification);
  const t = tierOf(cls, tier);
  const saved = await currentPortraits(engine, cls.name, t);
  const segments = (await engine.one<{ n: number }>(
    `SELECT count(*)::BIGINT AS n FROM segment WHERE classification = $1 AND tier = $2`,
    [cls.name, t],
  ))!.n;
  if (saved.length >= segments) return saved;
  const drafts = await composePortraits(engine, cls, t, saved, {}, () => 'first draft, not saved yet');
  return drafts.map((d) => saved.find((p) => p.code === d.code) ?? { ...d, version: PORTRAIT_VERSION, revision: 0 });
}

export interface PortraitEdit {
  name?: string;
  summary?: string;
  keyFeatures?: string[];
  addImages?: { src: string; alt: string }[];
  removeImages?: boolean;
}

/** Saves an edit as a new version; earlier versions stay and can be listed. */
export async function editPortrait(
  engine: Engine,
  classification: string,
  code: string,
  edit: PortraitEdit,
  opts: { tier?: string; editedBy: string; note?: string },
): Promise<Portrait> {
  const cls = await classificationOf(engine, classification);
  const tier = tierOf(cls, opts.tier);
  const all = await portraitsOrGenerate(engine, cls.name, tier);
  const before = all.find((p) => p.code.toLowerCase() === code.toLowerCase());
  if (!before)
    throw new NotFoundError(`${cls.name} has no ${tier} "${code}".`, `Codes: ${all.map((p) => p.code).join(', ')}.`);
  if (edit.name !== undefined && !edit.name.trim()) throw new ParameterError('A segment needs a name.');
  for (const img of edit.addImages ?? [])
    if (!img.alt.trim())
      throw new ParameterError(
        `The image ${img.src} needs a text description (alt text) for people who cannot see it.`,
        'Give --alt "what the picture shows".',
      );
  if (!opts.editedBy.trim()) throw new ParameterError('Say who made the edit (--by NAME).');
  return engine.transaction(() =>
    save(engine, {
      ...before,
      name: edit.name?.trim() ?? before.name,
      summary: edit.summary ?? before.summary,
      keyFeatures: edit.keyFeatures ?? before.keyFeatures,
      images: [...(edit.removeImages ? [] : before.images), ...(edit.addImages ?? [])],
      editedBy: opts.editedBy,
      editedAt: new Date().toISOString(),
      note: opts.note ?? null,
    }),
  );
}

/** Every saved version of one portrait, oldest first. */
export async function portraitHistory(
  engine: Engine,
  classification: string,
  code: string,
  tier?: string,
): Promise<Portrait[]> {
  const cls = await classificationOf(engine, classification);
  const t = tierOf(cls, tier);
  const rows = await engine.all<StoredRow & Record<string, string | number | null>>(
    `SELECT tier, code, version, content, edited_by, edited_at, note FROM pen_portrait WHERE classification = $1 AND tier = $2 AND lower(code) = lower($3) ORDER BY version`,
    [cls.name, t, code],
  );
  if (!rows.length)
    throw new NotFoundError(
      `No pen portrait of ${t} "${code}" in ${cls.name} has been saved yet.`,
      `Generate them with: civic segment portraits WORKSPACE ${cls.name}`,
    );
  return rows.map((r) => fromRow(cls.name, r));
}
