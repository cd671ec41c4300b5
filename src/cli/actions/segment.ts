/** `civic segment build`, `diagnose`, `list`, `show`, `export`, `import`, `assign`, `portraits`, `edit` and `history`. */
import { readFileSync, writeFileSync } from 'node:fs';
import { withWorkspace } from '../../store/index.ts';
import { ParameterError } from '../../core/index.ts';
import {
  loadAreaVariables,
  parseRate,
  buildSegmentation,
  diagnoseK,
  parseKList,
  saveSegmentation,
  listSegmentations,
  getModel,
  getBuildResult,
  readModelFile,
  importModel,
  assignAreasFromVariables,
  segmentsForPostcodes,
  segmentsForDataset,
  generatePortraits,
  portraitsOrGenerate,
  editPortrait,
  portraitHistory,
  ensureSegmentation,
  TRANSFORMS,
  type Transform,
  type VariableFile,
} from '../../segmentation/index.ts';
import {
  buildToTable,
  diagnosticsToTable,
  diagnosticsToCsv,
  segmentationListToTable,
  assignToTable,
  postcodeSegmentsToCsv,
  recordSegmentsToCsv,
  portraitsToHtml,
  portraitsToPdf,
  portraitsToTable,
  portraitHistoryToTable,
  fmtInt,
} from '../../outputs/index.ts';
import { emit, json, type OutputFormat } from '../io.ts';
import { progressBar } from './progress.ts';

type Opts = Record<string, unknown>;

function variableFiles(o: Opts): VariableFile[] {
  const files = (o.variables as string[] | undefined) ?? [];
  const year = o.areaYear as string | undefined;
  if (year !== undefined && year !== '11' && year !== '21')
    throw new ParameterError(`--area-year must be 11 or 21, not ${year}.`);
  return files.map((file, i) => ({
    file,
    // A definitions file or rates apply to the first variables file; exclusions to all.
    definitions: i === 0 ? (o.definitions as string | undefined) : undefined,
    rates: i === 0 ? ((o.rate as string[] | undefined) ?? []).map(parseRate) : undefined,
    exclude: o.exclude as string[] | undefined,
    areaYear: year as '11' | '21' | undefined,
  }));
}

function transformsOf(o: Opts): Transform[] | undefined {
  const t = o.transform as string[] | undefined;
  if (!t?.length) return undefined;
  const bad = t.filter((x) => !(TRANSFORMS as string[]).includes(x));
  if (bad.length)
    throw new ParameterError(
      `Unknown transformation ${bad.join(', ')}.`,
      `Use any of: ${TRANSFORMS.join(', ')} (applied in the order given).`,
    );
  return t as Transform[];
}

function weightsOf(o: Opts): Record<string, number> | undefined {
  const w = o.weight as string[] | undefined;
  if (!w?.length) return undefined;
  return Object.fromEntries(
    w.map((x) => {
      const i = x.lastIndexOf('=');
      const value = Number(x.slice(i + 1));
      if (i <= 0 || !(value > 0))
        throw new ParameterError(
          `Cannot read --weight "${x}".`,
          'Write it as variable=number, e.g. --weight no_car=2.',
        );
      return [x.slice(0, i).trim(), value];
    }),
  );
}

export async function build(workspace: string, o: Opts): Promise<void> {
  const k = parseKList(String(o.k));
  const bar = progressBar(o.format !== 'json');
  await withWorkspace(workspace, async (ws) => {
    const av = await loadAreaVariables(ws.engine, {
      files: variableFiles(o),
      deprivation: o.deprivation as string[],
      takeUp: o.takeUp as string[],
    });
    const built = await buildSegmentation(av, {
      name: String(o.name),
      title: o.title as string | undefined,
      k,
      tiers: o.tiers as string[] | undefined,
      transforms: transformsOf(o),
      weights: weightsOf(o),
      seed: o.seed as number,
      restarts: o.restarts as number,
      stabilityRuns: o.stability as number,
      onProgress: (p) => bar.update(p),
    });
    bar.stop();
    await saveSegmentation(
      ws.engine,
      built,
      { variables: av.variables.map((v) => v.name), data: av.raw.data },
      { replace: Boolean(o.replace) },
    );
    for (const tier of built.model.tiers) await generatePortraits(ws.engine, built.model.name, { tier: tier.name });
    if (o.format === 'json') emit(json(built.result));
    else
      emit(
        buildToTable(built.result) +
          `\nPen portraits drafted. See them with: civic segment portraits ${workspace} ${built.model.name} --format html --out ${built.model.name}.html\n`,
      );
  });
}

export async function diagnose(workspace: string, o: Opts): Promise<void> {
  const bar = progressBar(o.format !== 'json');
  await withWorkspace(workspace, async (ws) => {
    const av = await loadAreaVariables(ws.engine, {
      files: variableFiles(o),
      deprivation: o.deprivation as string[],
      takeUp: o.takeUp as string[],
    });
    const r = await diagnoseK(av, parseKList(String(o.k)), {
      transforms: transformsOf(o),
      weights: weightsOf(o),
      seed: o.seed as number,
      restarts: o.restarts as number,
      onProgress: (p) => bar.update(p),
    });
    bar.stop();
    emit(
      o.format === 'json' ? json(r) : o.format === 'csv' ? diagnosticsToCsv(r) : diagnosticsToTable(r),
      o.out as string | undefined,
    );
  });
}

export async function list(workspace: string, o: Opts): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const l = await listSegmentations(ws.engine);
    emit(o.format === 'json' ? json({ segmentations: l }) : segmentationListToTable(l));
  });
}

export async function show(workspace: string, name: string, o: Opts): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const r = await getBuildResult(ws.engine, name);
    const model = await getModel(ws.engine, name);
    if (o.format === 'json')
      emit(
        json({
          build: r,
          model: {
            ...model,
            tiers: model.tiers.map((t) => ({ ...t, segments: t.segments.map(({ centre: _c, ...s }) => s) })),
          },
        }),
      );
    else
      emit(
        r
          ? buildToTable(r)
          : `${name} was imported from another workspace: ${model.tiers.map((t) => `${t.segments.length} ${t.name}s`).join(', ')} from ${model.variables.length} variables (${model.variables
              .map((v) => v.name)
              .slice(0, 12)
              .join(', ')}${model.variables.length > 12 ? ' …' : ''}).\n`,
      );
  });
}

export async function exportFile(workspace: string, name: string, o: Opts): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const model = await getModel(ws.engine, name);
    writeFileSync(String(o.out), json(model));
    emit(
      o.format === 'json'
        ? json({ segmentation: name, out: String(o.out), tiers: model.tiers.map((t) => t.name) })
        : `Written ${name} to ${o.out}: import it into another workspace with civic segment import.\n`,
    );
  });
}

export async function importFile(workspace: string, file: string, o: Opts): Promise<void> {
  const model = readModelFile(file);
  await withWorkspace(workspace, async (ws) => {
    const m = await importModel(ws.engine, model, {
      name: o.name as string | undefined,
      replace: Boolean(o.replace),
    });
    if (o.format === 'json')
      emit(
        json({
          imported: m.name,
          areaLevel: m.areaLevel,
          tiers: m.tiers.map((t) => ({ name: t.name, k: t.segments.length })),
          variables: m.variables.map((v) => v.name),
        }),
      );
    else
      emit(
        `Imported segmentation ${m.name}: ${m.tiers.map((t) => `${t.segments.length} ${t.name}s`).join(', ')} for ${m.areaLevel} areas, from ${m.variables.length} variables.\nAssign your areas with: civic segment assign ${workspace} ${m.name} --variables FILE\n`,
      );
  });
}

export async function assign(workspace: string, name: string, o: Opts): Promise<void> {
  const given = [o.variables, o.postcode ?? o.postcodes, o.dataset].filter(Boolean).length;
  if (given !== 1) throw new ParameterError('Give one of --variables, --postcode/--postcodes or --dataset.');
  const format = o.format as OutputFormat;
  await withWorkspace(workspace, async (ws) => {
    await ensureSegmentation(ws.engine, name);
    if (o.variables) {
      const r = await assignAreasFromVariables(
        ws.engine,
        name,
        (o.variables as string[]).map((file) => ({ file, areaYear: o.areaYear as '11' | '21' | undefined })),
      );
      emit(format === 'json' ? json(r) : assignToTable(r), o.out as string | undefined);
    } else if (o.dataset) {
      const r = await segmentsForDataset(ws.engine, name, String(o.dataset));
      if (format === 'json') emit(json(r), o.out as string | undefined);
      else if (format === 'csv' || o.out) emit(recordSegmentsToCsv(r), o.out as string | undefined);
      else {
        const by = new Map<string, number>();
        for (const row of r.rows)
          by.set(row.codes[0] ?? `(${row.status})`, (by.get(row.codes[0] ?? `(${row.status})`) ?? 0) + 1);
        emit(
          `${fmtInt(r.rows.length)} records of ${o.dataset} by ${r.tiers[0]}:\n${[...by]
            .sort()
            .map(([c, n]) => `  ${c.padEnd(16)} ${fmtInt(n)}`)
            .join('\n')}\nAdd --format csv --out FILE for every record.\n`,
        );
      }
    } else {
      const inputs = o.postcodes
        ? readFileSync(String(o.postcodes), 'utf8')
            .split(/\r?\n/)
            .map((l) => l.split(',')[0].trim())
            .filter((l) => l && !/^postcode$/i.test(l))
        : (o.postcode as string[]);
      const rows = await segmentsForPostcodes(ws.engine, name, inputs);
      const tiers = (await getModel(ws.engine, name)).tiers.map((t) => t.name);
      if (format === 'json') emit(json({ segmentation: name, tiers, postcodes: rows }), o.out as string | undefined);
      else if (format === 'csv' || o.out) emit(postcodeSegmentsToCsv(rows, tiers), o.out as string | undefined);
      else
        emit(
          rows
            .map(
              (r) =>
                `${(r.postcode ?? r.input).padEnd(9)} ${r.status === 'found' ? r.segments.map((s) => `${s.code} ${s.name}`).join(' › ') : r.status}`,
            )
            .join('\n') + '\n',
        );
    }
  });
}

export async function portraits(workspace: string, classification: string, o: Opts): Promise<void> {
  if (o.format === 'pdf' && !o.out)
    throw new ParameterError('A PDF handout needs a file to go to.', 'Add --out FILE.pdf');
  await withWorkspace(workspace, async (ws) => {
    const ps = o.refresh
      ? await generatePortraits(ws.engine, classification, { tier: o.tier as string | undefined })
      : await portraitsOrGenerate(ws.engine, classification, o.tier as string | undefined);
    const out = o.out as string | undefined;
    if (o.format === 'json')
      emit(json({ classification, tier: (o.tier as string | undefined) ?? null, portraits: ps }), out);
    else if (o.format === 'html') emit(portraitsToHtml(ps), out);
    else if (o.format === 'pdf') emit(await portraitsToPdf(ps), out);
    else emit(portraitsToTable(ps), out);
  });
}

export async function edit(workspace: string, classification: string, code: string, o: Opts): Promise<void> {
  if (o.image && !o.alt)
    throw new ParameterError('A picture needs a description.', 'Add --alt "what the picture shows".');
  await withWorkspace(workspace, async (ws) => {
    const p = await editPortrait(
      ws.engine,
      classification,
      code,
      {
        name: o.rename as string | undefined,
        summary: o.summary as string | undefined,
        keyFeatures: o.feature as string[] | undefined,
        addImages: o.image ? [{ src: String(o.image), alt: String(o.alt) }] : undefined,
        removeImages: Boolean(o.removeImages),
      },
      { tier: o.tier as string | undefined, editedBy: String(o.by), note: o.note as string | undefined },
    );
    emit(o.format === 'json' ? json(p) : `Saved version ${p.revision} of the pen portrait of ${p.code} ${p.name}.\n`);
  });
}

export async function history(workspace: string, classification: string, code: string, o: Opts): Promise<void> {
  await withWorkspace(workspace, async (ws) => {
    const h = await portraitHistory(ws.engine, classification, code, o.tier as string | undefined);
    emit(o.format === 'json' ? json({ classification, code, versions: h }) : portraitHistoryToTable(h));
  });
}
