import { InvalidArgumentError, Option, type Command } from 'commander';
import { formatOption, lazy, list } from './io.ts';

const probability =
  (flag: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n) || n <= 0 || n >= 1)
      throw new InvalidArgumentError(`${flag} must be a probability between 0 and 1, not "${v}".`);
    return n;
  };

const count =
  (flag: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new InvalidArgumentError(`${flag} must be a whole number, not "${v}".`);
    return n;
  };

/** "id_l,id_r": two identifiers, as predict writes them. */
const pairIds =
  (flag: string) =>
  (v: string): [string, string] => {
    const parts = v.split(',').map((x) => x.trim());
    if (parts.length !== 2 || !parts[0] || !parts[1])
      throw new InvalidArgumentError(`${flag} takes two identifiers separated by a comma (id_l,id_r).`);
    return [parts[0], parts[1]];
  };

export function registerLink(program: Command): void {
  const link = program
    .command('link')
    .description(
      'Record linkage of people: train a model, score pairs, review the uncertain ones, cluster, evaluate and explain',
    );
  link
    .command('train')
    .description(
      'Train a linkage model on its own data (never on labels): propose a spec from the columns, or read one (ours or a Splink settings file), count the blocking rules, estimate u, m and the prior',
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption('--model <name>', 'the model to train (created, or trained again)')
    .option('--datasets <names>', 'one dataset to deduplicate, or two to link, separated by a comma', list)
    .option('--spec <file>', 'a spec (JSON) to use instead of a proposal: as saved with --save-spec and edited')
    .option(
      '--splink <file>',
      'a Splink 4 settings file (DuckDB dialect): its parameters are used as they are, unless --retrain',
    )
    .option('--retrain', 'with --splink: estimate the parameters here instead of keeping Splink’s')
    .option('--ignore-columns <columns>', 'columns the proposal must leave out (e.g. a truth column)', list)
    .option(
      '--prior <p>',
      'λ, the probability two random records match, as given instead of estimated',
      probability('--prior'),
    )
    .option('--save-spec <file>', 'write the spec (before training) to this file, to edit and run again with --spec')
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Without --spec or --splink, comparisons and blocking rules are proposed from the columns' names and
contents (first name, surname, date of birth, email, postcode, town, address, phone, identity
numbers), printed, and saved with the model. Edit them and train again with --spec.

Examples:
  civic dataset import ws.civic people people.csv --no-postcode --id-column person_id --keep-in-clear "first_name,surname,dob" --key-file council.key
  civic link train ws.civic --model people --datasets people --save-spec people-spec.json
  civic link train ws.civic --model people --spec people-spec.json
  civic link train ws.civic --model housing_to_benefits --datasets housing,benefits
  civic link train ws.civic --model from_splink --datasets people --splink splink_model.json`,
    )
    .action(lazy(() => import('./actions/link.ts'), 'train'));
  link
    .command('predict')
    .description('Score every pair the blocking rules make: match weight and match probability, saved with the model')
    .argument('<workspace>', 'workspace file')
    .requiredOption('--model <name>', 'a trained model')
    .option(
      '--min-probability <p>',
      'keep only pairs at least this likely (default: every pair)',
      probability('--min-probability'),
    )
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
--format csv writes id_l,id_r,match_weight,match_probability, where the ids are the records' own
identifiers (--id-column at import) or their row numbers.

Example:
  civic link predict ws.civic --model people --format csv --out pairs.csv`,
    )
    .action(lazy(() => import('./actions/link.ts'), 'predict'));
  link
    .command('clusters')
    .description('Group records into people: the connected components of the pairs at or above a match probability')
    .argument('<workspace>', 'workspace file')
    .requiredOption('--model <name>', 'a model whose pairs have been scored (civic link predict)')
    .option(
      '--threshold <p>',
      "link pairs at least this likely (default: the model's threshold, 0.5)",
      probability('--threshold'),
    )
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .action(lazy(() => import('./actions/link.ts'), 'clusters'));
  link
    .command('review')
    .description(
      "The clerical review: list the pairs in the model's review band (between two match probabilities), or accept or reject one with a reason; the next clustering follows the decisions",
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption('--model <name>', 'a model whose pairs have been scored (civic link predict)')
    .option('--accept <id_l,id_r>', 'accept this pair: it links whatever its probability', pairIds('--accept'))
    .option('--reject <id_l,id_r>', 'reject this pair: it never links directly', pairIds('--reject'))
    .option('--reason <text>', 'why (required with --accept or --reject; kept with the decision)')
    .option('--by <name>', 'who decides (default: the user running the command)')
    .addOption(
      new Option('--status <which>', 'which pairs of the band to list')
        .choices(['undecided', 'decided', 'all'])
        .default('undecided'),
    )
    .option('--limit <n>', 'list at most this many pairs (default 50; 0 for all)', count('--limit'), 50)
    .option('--offset <n>', 'skip this many pairs first', count('--offset'), 0)
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write the list to a file')
    .addHelpText(
      'after',
      `
The band is the spec's "review": { "low": 0.2, "high": 0.8 } (the default, widened to take in the
threshold); a pair is in it when low <= match probability < high. Any scored pair may be decided,
in the band or not. Decisions are kept when the model predicts again, for the pairs it scores again.
Every decision is written to the audit log. To see why a pair scored as it did:
civic link explain WORKSPACE ID_L ID_R --model NAME.

Examples:
  civic link review ws.civic --model people
  civic link review ws.civic --model people --reject p12,p40 --reason "different dates of birth, common name"
  civic link review ws.civic --model people --accept p7,p81 --reason "same person, married name"
  civic link review ws.civic --model people --status decided --format csv --out decisions.csv`,
    )
    .action(lazy(() => import('./actions/link.ts'), 'review'));
  link
    .command('evaluate')
    .description(
      "Score a model's pairs against known truth: precision, recall and F1 at the threshold and at the best one, and the precision–recall curve",
    )
    .argument('<workspace>', 'workspace file')
    .requiredOption('--model <name>', 'a model whose pairs have been scored')
    .option('--truth-column <column>', "a column naming each record's true entity (e.g. Splink's fake_1000 cluster)")
    .option('--febrl', 'truth from FEBRL identifiers: rec-N-org and rec-N-dup-k are the same entity N')
    .option('--threshold <p>', "the threshold to report (default: the model's, 0.5)", probability('--threshold'))
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/link.ts'), 'evaluate'));
  link
    .command('explain')
    .description('Explain one pair: the weight each comparison added to the prior (the figures of a waterfall chart)')
    .argument('<workspace>', 'workspace file')
    .argument('<id_l>', "the first record's identifier")
    .argument('<id_r>', "the second record's identifier")
    .requiredOption('--model <name>', 'a trained model')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/link.ts'), 'explain'));
  link
    .command('match-rates')
    .description(
      'How each dataset’s records reach households and each other: own UPRN, matched UPRN, derived key, none, not placed, households, records sharing one, and records whose household is in each other dataset',
    )
    .argument('<workspace>', 'workspace file')
    .option('--datasets <names>', 'the datasets to report, separated by commas (default: every dataset)', list)
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Property references come from civic dataset import … --address-columns (or --uprn-column).

Example:
  civic link match-rates borough.civic --datasets council_tax,housing_benefit,school_census`,
    )
    .action(lazy(() => import('./actions/match-rates.ts'), 'matchRatesCommand'));
  link
    .command('household')
    .description(
      'The single customer view of one household: every record at one property reference, in every dataset imported with addresses',
    )
    .argument('<workspace>', 'workspace file')
    .option('--uprn <uprn>', 'the property’s UPRN')
    .option('--address <text>', 'or its address, e.g. "Flat 2, 12 High Road" (standardised as at import)')
    .option('--postcode <postcode>', 'the address’s postcode, when not written at its end')
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Pseudonymised columns are never shown (they hold keyed hashes). The portal's household page
shows the same to the datasets' owners, and records every look-up in the audit log.

Examples:
  civic link household borough.civic --uprn 100023336956
  civic link household borough.civic --address "Flat 2, 12 High Road" --postcode "SB1 1AB" --format json`,
    )
    .action(lazy(() => import('./actions/match-rates.ts'), 'householdCommand'));
}
