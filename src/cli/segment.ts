import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { withWorkspace } from '../store/index.ts';
import { ParameterError } from '../core/index.ts';
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
} from '../segmentation/index.ts';
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
} from '../outputs/index.ts';
import { action, emit, json, list, repeat, progressBar, formatOption, type OutputFormat } from './io.ts';

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

const int = (name: string) => (v: string) => {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new ParameterError(`${name} must be a whole number, not ${v}.`);
  return n;
};

function variableOptions(cmd: Command): Command {
  return cmd
    .option(
      '--variables <file>',
      'variables per area: an area code column and one column per variable (CSV, XLSX or Parquet; repeatable)',
      repeat,
    )
    .option(
      '--definitions <file>',
      'which columns to use: a CSV with variable, denominator (optional) and label (optional)',
    )
    .option(
      '--rate <columns=denominator>',
      'turn counts into % of a total column, e.g. --rate "age_0_15,age_65_plus=population" (repeatable)',
      repeat,
    )
    .option('--exclude <columns>', 'numeric columns that are not variables', list)
    .option(
      '--deprivation <index>',
      'add deprivation domain scores, e.g. imd or imd:income,employment (repeatable)',
      repeat,
    )
    .option('--take-up <dataset>', "add a dataset's records per 100 households as a variable (repeatable)", repeat)
    .option('--area-year <yy>', 'census year of the area codes when the header does not say: 11 or 21')
    .option(
      '--transform <steps>',
      `transformations in order (default ihs,range — the 2011 OAC's); any of ${TRANSFORMS.join(', ')}`,
      list,
    )
    .option('--weight <variable=n>', 'weight a variable, e.g. --weight no_car=2 (repeatable)', repeat);
}

export function registerSegment(program: Command): void {
  const seg = program
    .command('segment')
    .description('Build, check, share and explain a segmentation (your own Mosaic or OAC, made openly)');

  variableOptions(
    seg
      .command('build')
      .description(
        'Build a segmentation from variables per area with k-means, tier by tier, and write its pen portraits',
      )
      .argument('<workspace>', 'workspace file'),
  )
    .requiredOption('--name <name>', 'short name, e.g. county13')
    .option('--title <text>', 'a readable title')
    .option('--k <list>', 'segments in each tier, broadest first, e.g. 8 or 8,26', '8')
    .option('--tiers <names>', 'tier names, broadest first (default group,type,subtype)', list)
    .option('--seed <n>', 'random seed: the same seed gives the same segments', int('--seed'), 1)
    .option('--restarts <n>', 'k-means++ restarts per run; the lowest sum of squares is kept', int('--restarts'), 10)
    .option('--stability <n>', 'extra builds with other seeds to measure stability (0 to skip)', int('--stability'), 5)
    .option('--replace', 'replace a segmentation of the same name (and its pen portraits)')
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Examples:
  civic segment build borough.civic --variables area_variables.csv --rate "age_0_15,age_65_plus,students,bad_health,degree_level=population" \\
      --rate "owner_occupied,social_rented,private_rented,lone_parent,no_car=households" --name borough7 --k 7,20
  civic segment build county.civic --variables oac_inputs.csv --definitions oac_variables.csv --name county8 --k 8 --area-year 11`,
    )
    .action(
      action(async (workspace: string, o: Opts) => {
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
          for (const tier of built.model.tiers)
            await generatePortraits(ws.engine, built.model.name, { tier: tier.name });
          if (o.format === 'json') emit(json(built.result));
          else
            emit(
              buildToTable(built.result) +
                `\nPen portraits drafted. See them with: civic segment portraits ${workspace} ${built.model.name} --format html --out ${built.model.name}.html\n`,
            );
        });
      }),
    );

  variableOptions(
    seg
      .command('diagnose')
      .description('Help choose k: within-cluster sum of squares and silhouette for a range of k')
      .argument('<workspace>', 'workspace file'),
  )
    .option('--k <range>', 'the numbers of segments to try, e.g. 2-12 or 4,6,8', '2-12')
    .option('--seed <n>', 'random seed', int('--seed'), 1)
    .option('--restarts <n>', 'k-means++ restarts for each k', int('--restarts'), 10)
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .action(
      action(async (workspace: string, o: Opts) => {
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
      }),
    );

  seg
    .command('list')
    .description('List the segmentations in a workspace')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, o: Opts) => {
        await withWorkspace(workspace, async (ws) => {
          const l = await listSegmentations(ws.engine);
          emit(o.format === 'json' ? json(l) : segmentationListToTable(l));
        });
      }),
    );

  seg
    .command('show')
    .description('How a segmentation was built and how well it holds together')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'segmentation')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, name: string, o: Opts) => {
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
      }),
    );

  seg
    .command('export')
    .description(
      'Write a segmentation (variables, transformations, centres, names) to a file another workspace can import',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'segmentation')
    .requiredOption('--out <file>', 'file to write (JSON)')
    .action(
      action(async (workspace: string, name: string, o: Opts) => {
        await withWorkspace(workspace, async (ws) => emit(json(await getModel(ws.engine, name)), String(o.out)));
      }),
    );

  seg
    .command('import')
    .description("Add another workspace's segmentation, so your own areas, postcodes and records can be assigned to it")
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'file written by civic segment export')
    .option('--name <name>', 'name it differently here')
    .option('--replace', 'replace a segmentation of the same name')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, file: string, o: Opts) => {
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
      }),
    );

  seg
    .command('assign')
    .description('Put areas (from their variables), postcodes or the records of a dataset into a segmentation')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'segmentation')
    .option(
      '--variables <file>',
      'areas with the same variables the segmentation was built from; they join the segmentation (repeatable)',
      repeat,
    )
    .option('--area-year <yy>', 'census year of the area codes when the header does not say: 11 or 21')
    .option('--postcode <postcode>', 'one or more postcodes (repeatable)', repeat)
    .option('--postcodes <file>', 'a file with one postcode per line (any number)')
    .option('--dataset <name>', "every record of a dataset with its postcode's segment")
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .action(
      action(async (workspace: string, name: string, o: Opts) => {
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
            if (format === 'json') emit(json(rows), o.out as string | undefined);
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
      }),
    );

  seg
    .command('portraits')
    .description('Pen portraits of every segment: as a handout (HTML or PDF), JSON or on screen')
    .argument('<workspace>', 'workspace file')
    .argument('<classification>', 'segmentation or classification')
    .option('--tier <tier>', 'tier (default the top tier)')
    .option('--refresh', 'recompute the facts (after importing more datasets); edited words are kept')
    .addOption(formatOption(['table', 'html', 'pdf', 'json'] as OutputFormat[]))
    .option('--out <file>', 'write to a file (needed for pdf)')
    .action(
      action(async (workspace: string, classification: string, o: Opts) => {
        if (o.format === 'pdf' && !o.out)
          throw new ParameterError('A PDF handout needs a file to go to.', 'Add --out FILE.pdf');
        await withWorkspace(workspace, async (ws) => {
          const ps = o.refresh
            ? await generatePortraits(ws.engine, classification, { tier: o.tier as string | undefined })
            : await portraitsOrGenerate(ws.engine, classification, o.tier as string | undefined);
          const out = o.out as string | undefined;
          if (o.format === 'json') emit(json(ps), out);
          else if (o.format === 'html') emit(portraitsToHtml(ps), out);
          else if (o.format === 'pdf') emit(await portraitsToPdf(ps), out);
          else emit(portraitsToTable(ps), out);
        });
      }),
    );

  seg
    .command('edit')
    .description("Edit a segment's pen portrait: each save is a new version, earlier ones are kept")
    .argument('<workspace>', 'workspace file')
    .argument('<classification>', 'segmentation or classification')
    .argument('<code>', 'segment code, e.g. 3 or 3b')
    .option('--tier <tier>', 'tier (default the top tier)')
    .option('--rename <name>', 'a new name for the segment')
    .option('--summary <text>', 'the summary paragraph')
    .option('--feature <text>', 'a key feature (repeatable; replaces the list)', repeat)
    .option('--image <file-or-url>', 'add a picture')
    .option('--alt <text>', 'what the picture shows, for people who cannot see it (needed with --image)')
    .option('--remove-images', 'remove the pictures first')
    .requiredOption('--by <name>', 'who is making the edit')
    .option('--note <text>', 'why')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, classification: string, code: string, o: Opts) => {
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
          emit(
            o.format === 'json' ? json(p) : `Saved version ${p.revision} of the pen portrait of ${p.code} ${p.name}.\n`,
          );
        });
      }),
    );

  seg
    .command('history')
    .description('Every saved version of a pen portrait')
    .argument('<workspace>', 'workspace file')
    .argument('<classification>', 'segmentation or classification')
    .argument('<code>', 'segment code')
    .option('--tier <tier>', 'tier (default the top tier)')
    .addOption(formatOption(['table', 'json']))
    .action(
      action(async (workspace: string, classification: string, code: string, o: Opts) => {
        await withWorkspace(workspace, async (ws) => {
          const h = await portraitHistory(ws.engine, classification, code, o.tier as string | undefined);
          emit(o.format === 'json' ? json(h) : portraitHistoryToTable(h));
        });
      }),
    );
}
