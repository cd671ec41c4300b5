import type { Command } from 'commander';
import { ParameterError } from '../core/index.ts';
import { TRANSFORMS, OAC_TRANSFORMS } from '../segmentation/constants.ts';
import { formatOption, lazy, list, repeat, type OutputFormat } from './io.ts';

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
      `transformations in order (default ${OAC_TRANSFORMS.join(',')} — the 2011 OAC's); any of ${TRANSFORMS.join(', ')}`,
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
    .action(lazy(() => import('./actions/segment.ts'), 'build'));

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
    .action(lazy(() => import('./actions/segment.ts'), 'diagnose'));

  seg
    .command('list')
    .description('List the segmentations in a workspace')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/segment.ts'), 'list'));

  seg
    .command('show')
    .description('How a segmentation was built and how well it holds together')
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'segmentation')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/segment.ts'), 'show'));

  seg
    .command('export')
    .description(
      'Write a segmentation (variables, transformations, centres, names) to a file another workspace can import',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<name>', 'segmentation')
    .requiredOption('--out <file>', 'file to write (JSON)')
    .addOption(formatOption(['table', 'json'], 'how to report what was written'))
    .action(lazy(() => import('./actions/segment.ts'), 'exportFile'));

  seg
    .command('import')
    .description("Add another workspace's segmentation, so your own areas, postcodes and records can be assigned to it")
    .argument('<workspace>', 'workspace file')
    .argument('<file>', 'file written by civic segment export')
    .option('--name <name>', 'name it differently here')
    .option('--replace', 'replace a segmentation of the same name')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/segment.ts'), 'importFile'));

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
    .action(lazy(() => import('./actions/segment.ts'), 'assign'));

  seg
    .command('portraits')
    .description('Pen portraits of every segment: as a handout (HTML or PDF), JSON or on screen')
    .argument('<workspace>', 'workspace file')
    .argument('<classification>', 'segmentation or classification')
    .option('--tier <tier>', 'tier (default the top tier)')
    .option('--refresh', 'recompute the facts (after importing more datasets); edited words are kept')
    .addOption(formatOption(['table', 'html', 'pdf', 'json'] as OutputFormat[]))
    .option('--out <file>', 'write to a file (needed for pdf)')
    .action(lazy(() => import('./actions/segment.ts'), 'portraits'));

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
    .action(lazy(() => import('./actions/segment.ts'), 'edit'));

  seg
    .command('history')
    .description('Every saved version of a pen portrait')
    .argument('<workspace>', 'workspace file')
    .argument('<classification>', 'segmentation or classification')
    .argument('<code>', 'segment code')
    .option('--tier <tier>', 'tier (default the top tier)')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/segment.ts'), 'history'));
}
