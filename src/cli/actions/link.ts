/** `civic link train | predict | review | clusters | evaluate | explain`. */
import { userInfo } from 'node:os';
import { readFileSync, writeFileSync } from 'node:fs';
import { ParameterError, InputError } from '../../core/index.ts';
import { withWorkspace } from '../../store/index.ts';
import {
  clusterModel,
  evaluateModel,
  explainPair,
  fromSplinkSettings,
  getModel,
  findModel,
  isSplinkSettings,
  levelLabel,
  linkSources,
  modelPairs,
  parseLinkSpec,
  predictModel,
  proposeSpec,
  decidePair,
  reviewQueue,
  saveModel,
  trainModel,
  isNullLevel,
  type LinkSpec,
  type Proposal,
  type TrainingReport,
} from '../../linkage/index.ts';
import { csvText, fmtInt } from '../../outputs/index.ts';
import { emit, json } from '../io.ts';
import { progressBar } from './progress.ts';

function readJson(file: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new InputError(`The ${what} ${file} cannot be read.`, {
      location: { file },
      cause: e,
      fix: 'Check the path.',
    });
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new InputError(`The ${what} ${file} is not JSON.`, {
      location: { file },
      cause: e,
      fix: 'Give a JSON file, as written by --save-spec or by Splink’s save_model_to_json.',
    });
  }
}

const f3 = (x: number | undefined) => (x === undefined ? '-' : x < 0.001 ? x.toExponential(2) : x.toFixed(3));

function describeSpec(spec: LinkSpec): string[] {
  const lines = [`  prior λ = ${spec.prior === undefined ? 'not estimated' : spec.prior.toExponential(3)}`];
  for (const c of spec.comparisons) {
    lines.push(`  ${c.name}:`);
    for (const l of c.levels) {
      const w =
        isNullLevel(l) || l.m === undefined || l.u === undefined ? '' : `  weight ${Math.log2(l.m / l.u).toFixed(2)}`;
      lines.push(
        `    ${levelLabel(c, l).padEnd(34)} ${isNullLevel(l) ? '(no weight)' : `m ${f3(l.m)}  u ${f3(l.u)}${w}`}${'tf' in l && l.tf ? '  (term frequency adjusted)' : ''}`,
      );
    }
  }
  return lines;
}

function describeProposal(p: Proposal): string[] {
  return [
    'Proposed from the columns:',
    ...p.columns.map((c) => `  ${c.column}: ${c.why}`),
    'Blocking rules (pairs each makes on its own):',
    ...p.blocking.map((b) => `  ${b.rule}: ${fmtInt(b.pairs)} pairs, ${b.why}`),
  ];
}

function describeTraining(r: TrainingReport): string[] {
  return [
    ...r.records.map(
      (x) =>
        `  ${x.dataset}: ${fmtInt(x.used)} records linked of ${fmtInt(x.read)} read (${fmtInt(x.leftOut)} rejected at import)`,
    ),
    `  blocking rules (of ${fmtInt(r.allPairs)} possible pairs):`,
    ...r.blocking.map(
      (b) => `    ${b.rule}: ${fmtInt(b.pairs)} pairs, ${fmtInt(b.added ?? 0)} not made by an earlier rule`,
    ),
    `    together: ${fmtInt(r.blockedPairs)} pairs to score`,
    `  u from ${fmtInt(r.uSample.pairs)} random pairs of ${fmtInt(r.uSample.records)} records (seed ${r.uSample.seed})`,
    '  EM sessions:',
    ...r.sessions.map(
      (s) =>
        `    ${s.rule}: ${fmtInt(s.pairs)} pairs, ${s.iterations} iterations${s.converged ? '' : ' (not converged)'}, fixed: ${s.fixed.join(', ') || 'none'}`,
    ),
    ...r.warnings.map((w) => `  Warning: ${w}`),
  ];
}

export async function train(workspace: string, o: Record<string, unknown>): Promise<void> {
  const name = o.model as string;
  const asJson = o.format === 'json';
  if (o.spec && o.splink) throw new ParameterError('Give either --spec or --splink, not both.');
  if (o.retrain && !o.splink) throw new ParameterError('--retrain goes with --splink.');
  const bar = progressBar(!asJson);
  await withWorkspace(workspace, async (ws) => {
    const e = ws.engine;
    const saved = await findModel(e, name);
    const datasets = (o.datasets as string[] | undefined) ?? saved?.datasets;
    if (!datasets?.length)
      throw new ParameterError(
        `There is no model "${name}" yet, so its datasets must be named.`,
        'Add --datasets NAME (to find duplicates) or --datasets A,B (to link two).',
      );
    const sources = await linkSources(e, datasets);
    let spec: LinkSpec;
    let proposal: Proposal | null = null;
    let keepParameters = false;
    if (o.splink) {
      spec = fromSplinkSettings(
        readJson(o.splink as string, 'Splink settings file'),
        `The Splink settings in ${o.splink}`,
      );
      keepParameters = !o.retrain;
    } else if (o.spec) {
      const raw = readJson(o.spec as string, 'spec');
      spec = isSplinkSettings(raw)
        ? fromSplinkSettings(raw, `The Splink settings in ${o.spec}`)
        : parseLinkSpec(raw, `The spec in ${o.spec}`);
    } else if (saved && !o.datasets) {
      spec = saved.spec;
    } else {
      const p = await proposeSpec(e, sources, { ignore: o.ignoreColumns as string[] | undefined });
      spec = p.spec;
      proposal = p.proposal;
    }
    if (o.saveSpec) writeFileSync(o.saveSpec as string, JSON.stringify(spec, null, 2) + '\n');
    if (keepParameters) {
      await saveModel(e, { name, datasets, spec });
      const out = { version: 1, model: name, datasets, trained: false, keptFrom: 'splink', spec };
      if (asJson) return void process.stdout.write(json(out));
      process.stdout.write(
        [
          `Model ${name} read from Splink's settings, with its parameters kept:`,
          ...describeSpec(spec),
          `Next: civic link predict ${workspace} --model ${name}`,
        ].join('\n') + '\n',
      );
      return;
    }
    try {
      const r = await trainModel(e, spec, sources, {
        prior: o.prior as number | undefined,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      await saveModel(e, { name, datasets, spec: r.spec, training: r.report });
      if (asJson)
        return void process.stdout.write(
          json({ version: 1, model: name, datasets, proposal, training: r.report, spec: r.spec }),
        );
      const lines = [
        ...(proposal ? describeProposal(proposal) : []),
        `Trained ${name} on ${datasets.join(' and ')} (${spec.linkType === 'dedupe' ? 'duplicates within' : 'links between'}), without labels:`,
        ...describeTraining(r.report),
        'Parameters:',
        ...describeSpec(r.spec),
        o.saveSpec
          ? `Spec written to ${o.saveSpec}: edit it and train again with --spec ${o.saveSpec}.`
          : `Save the spec to edit it with --save-spec FILE.`,
        `Next: civic link predict ${workspace} --model ${name}`,
      ];
      process.stdout.write(lines.join('\n') + '\n');
    } finally {
      bar.stop();
    }
  });
}

export async function predict(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = o.format as string;
  const bar = progressBar(format === 'table' || Boolean(o.out));
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, o.model as string);
    try {
      const r = await predictModel(ws.engine, model, {
        minProbability: o.minProbability as number | undefined,
        onProgress: (p) => bar.update(p),
      });
      bar.stop();
      if (format === 'csv') {
        const pairs = await modelPairs(ws.engine, model.name);
        const rows = pairs.map((p) => [p.id_l, p.id_r, p.match_weight, p.match_probability]);
        return emit(csvText(['id_l', 'id_r', 'match_weight', 'match_probability'], rows), o.out as string | undefined);
      }
      if (format === 'json') {
        const pairs = await modelPairs(ws.engine, model.name);
        return emit(json({ ...r, pairs }), o.out as string | undefined);
      }
      const top = await modelPairs(ws.engine, model.name, { limit: 10 });
      const lines = [
        `Scored ${fmtInt(r.pairs)} pairs with ${model.name}; ${fmtInt(r.kept)} kept, ${fmtInt(r.linked)} at or above the threshold ${r.threshold}`,
        ...r.blocking.map(
          (b) => `  ${b.rule}: ${fmtInt(b.pairs)} pairs, ${fmtInt(b.added ?? 0)} not made by an earlier rule`,
        ),
        ...(r.reviews.kept || r.reviews.dropped
          ? [
              `  review decisions: ${fmtInt(r.reviews.kept)} kept${r.reviews.dropped ? `, ${fmtInt(r.reviews.dropped)} dropped (their pairs are no longer scored)` : ''}`,
            ]
          : []),
        'Most likely pairs (id_l, id_r, match weight, probability):',
        ...top.map((p) => `  ${p.id_l}  ${p.id_r}  ${p.match_weight.toFixed(2)}  ${p.match_probability.toFixed(4)}`),
        `All pairs: civic link predict ${workspace} --model ${model.name} --format csv --out pairs.csv`,
      ];
      emit(lines.join('\n') + '\n', o.out as string | undefined);
    } finally {
      bar.stop();
    }
  });
}

export async function clusters(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = o.format as string;
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, o.model as string);
    const r = await clusterModel(ws.engine, model, { threshold: o.threshold as number | undefined });
    if (format === 'json') return emit(json(r), o.out as string | undefined);
    if (format === 'csv') {
      const rows = r.members.map((m) => [m.dataset, m.id, m.cluster]);
      return emit(csvText(['dataset', 'id', 'cluster'], rows), o.out as string | undefined);
    }
    const lines = [
      `${fmtInt(r.records)} records in ${fmtInt(r.clusters)} clusters at match probability ≥ ${r.threshold} (${fmtInt(r.singletons)} alone; the largest has ${fmtInt(r.largest)})`,
      ...r.sizes.map((s) => `  ${fmtInt(s.clusters)} of ${s.size}`),
      ...(r.decisions.accepted || r.decisions.rejected
        ? [
            `Following the review: ${fmtInt(r.decisions.accepted)} accepted pairs (${fmtInt(r.decisions.joined)} below the threshold), ${fmtInt(r.decisions.rejected)} rejected (${fmtInt(r.decisions.split)} at or above it)`,
          ]
        : []),
      `Each record's cluster: civic link clusters ${workspace} --model ${model.name} --format csv --out clusters.csv`,
    ];
    emit(lines.join('\n') + '\n', o.out as string | undefined);
  });
}

export async function evaluate(workspace: string, o: Record<string, unknown>): Promise<void> {
  if (!o.truthColumn === !o.febrl)
    throw new ParameterError('Say where the truth is: --truth-column COLUMN, or --febrl.', 'Give exactly one of them.');
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, o.model as string);
    const r = await evaluateModel(ws.engine, model, o.febrl ? { febrl: true } : { column: o.truthColumn as string }, {
      threshold: o.threshold as number | undefined,
    });
    if (o.format === 'json') return void process.stdout.write(json(r));
    const line = (what: string, s: typeof r.best) =>
      `  ${what}: precision ${s.precision.toFixed(4)}, recall ${s.recall.toFixed(4)}, F1 ${s.f1.toFixed(4)} (${fmtInt(s.truePositives)} true and ${fmtInt(s.falsePositives)} false links, ${fmtInt(s.falseNegatives)} missed)`;
    process.stdout.write(
      [
        `${model.name} against ${r.truth}: ${fmtInt(r.truePairs)} true pairs, ${fmtInt(r.truePairsNotBlocked)} of them never compared (blocking)`,
        line(`at the threshold ${r.atThreshold.threshold}`, r.atThreshold),
        line(`best, at ${r.best.threshold.toPrecision(4)} (weight ${r.best.match_weight.toFixed(2)})`, r.best),
        `The precision–recall curve (${r.curve.length} points) is in --format json.`,
      ].join('\n') + '\n',
    );
  });
}

export async function explain(workspace: string, idL: string, idR: string, o: Record<string, unknown>): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, o.model as string);
    const r = await explainPair(ws.engine, model, idL, idR);
    if (o.format === 'json') return void process.stdout.write(json(r));
    const lines = [
      `${r.id_l} and ${r.id_r} with ${model.name}:`,
      `  ${'prior'.padEnd(20)} ${r.prior.weight.toFixed(2).padStart(7)}`,
      ...r.comparisons.map(
        (c) =>
          `  ${c.comparison.padEnd(20)} ${c.total.toFixed(2).padStart(7)}  ${c.label}${c.tfAdjustment ? ` (term frequency ${c.tfAdjustment >= 0 ? '+' : ''}${c.tfAdjustment.toFixed(2)})` : ''}`,
      ),
      `  ${'match weight'.padEnd(20)} ${r.match_weight.toFixed(2).padStart(7)}  probability ${r.match_probability.toFixed(4)}`,
      `  found by: ${r.foundBy.join('; ') || 'no prediction rule (predict does not score this pair)'}`,
    ];
    process.stdout.write(lines.join('\n') + '\n');
  });
}

/** Who is running the command, for the decision and the audit log. */
function operator(): string | null {
  try {
    return userInfo().username || null;
  } catch {
    return null;
  }
}

export async function review(workspace: string, o: Record<string, unknown>): Promise<void> {
  const format = o.format as string;
  if (o.accept && o.reject) throw new ParameterError('Give either --accept or --reject, not both.');
  const pair = (o.accept ?? o.reject) as [string, string] | undefined;
  if (!pair && o.reason) throw new ParameterError('--reason goes with --accept or --reject.');
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, o.model as string);
    if (pair) {
      const r = await decidePair(ws.engine, model, {
        idL: pair[0],
        idR: pair[1],
        decision: o.accept ? 'accepted' : 'rejected',
        reason: (o.reason as string | undefined) ?? '',
        by: { username: (o.by as string | undefined) ?? operator(), role: 'command line' },
      });
      if (format === 'json') return void process.stdout.write(json(r));
      process.stdout.write(
        [
          `${r.decision === 'accepted' ? 'Accepted' : 'Rejected'} ${r.id_l} and ${r.id_r} (match probability ${r.match_probability.toFixed(4)})${r.previous ? `, replacing the earlier decision (${r.previous})` : ''}.`,
          `  reason: ${r.reason}`,
          `The next clustering ${r.decision === 'accepted' ? 'links them whatever their probability' : 'never links them directly'}: civic link clusters ${workspace} --model ${model.name}`,
        ].join('\n') + '\n',
      );
      return;
    }
    const limit = o.limit as number;
    const q = await reviewQueue(ws.engine, model, {
      status: o.status as 'undecided' | 'decided' | 'all',
      offset: o.offset as number,
      limit: limit === 0 ? undefined : limit,
    });
    if (format === 'json') return emit(json(q), o.out as string | undefined);
    if (format === 'csv') {
      const rows = q.items.map((i) => [
        i.id_l,
        i.id_r,
        i.match_weight,
        i.match_probability,
        i.decision ?? '',
        i.reason ?? '',
        i.decidedBy ?? '',
        i.decidedAt ?? '',
      ]);
      return emit(
        csvText(
          ['id_l', 'id_r', 'match_weight', 'match_probability', 'decision', 'reason', 'decided_by', 'decided_at'],
          rows,
        ),
        o.out as string | undefined,
      );
    }
    const lines = [
      `${model.name}: ${fmtInt(q.inBand)} pairs with match probability from ${q.band.low} to below ${q.band.high} (threshold ${q.threshold}); ${fmtInt(q.undecided)} to review, ${fmtInt(q.accepted)} accepted, ${fmtInt(q.rejected)} rejected${q.decidedOutsideBand ? ` (and ${fmtInt(q.decidedOutsideBand)} decisions outside the band)` : ''}`,
      q.items.length
        ? `${q.status === 'undecided' ? 'To review' : q.status === 'decided' ? 'Decided' : 'In the band'} (${fmtInt(q.offset + 1)} to ${fmtInt(q.offset + q.items.length)} of ${fmtInt(q.matching)}; id_l, id_r, match weight, probability${q.status === 'undecided' ? '' : ', decision'}):`
        : `No ${q.status === 'undecided' ? 'pairs left to review' : q.status === 'decided' ? 'decisions yet' : 'pairs in the band'}${q.offset ? ` after the first ${fmtInt(q.offset)}` : ''}.`,
      ...q.items.map(
        (i) =>
          `  ${i.id_l}  ${i.id_r}  ${i.match_weight.toFixed(2)}  ${i.match_probability.toFixed(4)}${i.decision ? `  ${i.decision} by ${i.decidedBy ?? 'unknown'}: ${i.reason}` : ''}`,
      ),
      q.matching > q.offset + q.items.length ? `More: --offset ${q.offset + q.items.length}` : '',
      `Why a pair scored as it did: civic link explain ${workspace} ID_L ID_R --model ${model.name}`,
      `Decide: civic link review ${workspace} --model ${model.name} --accept ID_L,ID_R --reason "..." (or --reject)`,
    ].filter(Boolean);
    emit(lines.join('\n') + '\n', o.out as string | undefined);
  });
}
