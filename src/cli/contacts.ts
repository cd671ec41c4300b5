import type { Command } from 'commander';
import { formatOption, lazy } from './io.ts';

const UNIT_COSTS_HELP =
  'a published set (bristol, maidstone, socitm-2012, barking-dagenham, bolton, bristol-housing-benefit) or your own CSV file of channel,cost';

export function registerContacts(program: Command): void {
  const contacts = program
    .command('contacts')
    .description('Contact and channels: what contact costs by channel (unit costs and the cost of a year’s contacts)');
  contacts
    .command('summary')
    .description(
      'What a contact log says: the channel mix, avoidable contact (NI14: contacts per request), repeat contact, avoidable reasons and first-contact resolution by tier',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'the contact log, imported with civic dataset import')
    .option('--channel-column <c>', 'the channel (default: found by its name, as at import)')
    .option('--customer-column <c>', 'the customer reference (pseudonymised is fine; default: found by its name)')
    .option('--request-column <c>', 'the request or case reference, for NI14 (default: found by its name)')
    .option('--reason-column <c>', 'the reason for contact (default: found by its name)')
    .option('--datetime-column <c>', 'the date and time of contact (default: found by its name)')
    .option('--resolved-column <c>', 'whether it was resolved at first contact, Y/N (default: found by its name)')
    .option('--repeat-days <n>', 'repeat contact: the same customer and reason within this many days', '7')
    .option(
      '--avoidable <reasons>',
      'reasons counted as avoidable, separated by commas, e.g. "Progress chasing,Wrong department"',
    )
    .option('--tiers <file>', 'a CSV file of reason,tier: first-contact resolution is given per tier')
    .option('--target <pct>', 'the share resolved at first contact aimed for, %', '80')
    .addOption(formatOption(['table', 'json']))
    .option('--out <file>', 'write to a file')
    .option(
      '--min-cell <n>',
      'hide counts under n (default 10 for json and anything written to a file; 0 to switch off for your own use)',
    )
    .addHelpText(
      'after',
      `
Examples:
  civic contacts summary borough.civic contact_centre_callers
  civic contacts summary borough.civic contacts --avoidable "Progress chasing,Wrong department" --tiers tiers.csv --format json`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactsSummaryCommand'));
  const minCellOption = [
    '--min-cell <n>',
    'hide counts under n (default 10 for json, csv and anything written to a file; 0 to switch off for your own use)',
  ] as const;
  contacts
    .command('mix')
    .description(
      'Channel mix by segment or by area: each segment’s share of contacts by channel, with its index against the borough’s mix, a 95% interval and a band',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'the contact log, imported with civic dataset import')
    .option('--channel-column <c>', 'the channel (default: found by its name, as at import)')
    .option('--classification <name>', 'the segmentation (default: the workspace’s default)')
    .option('--tier <tier>', 'its tier, e.g. group or type (default: the top tier)')
    .option('--by-area <level>', 'by area at this level (ward, lsoa, msoa, oa) instead of by segment')
    .option('--service <name>', 'only this service’s contacts (by the log’s service column)')
    .addOption(formatOption(['table', 'csv', 'json', 'geojson']))
    .option('--map-channel <channel>', 'with --format geojson: the channel to map (default: the largest)')
    .option('--map-measure <measure>', 'with --format geojson: index (against the borough, the default) or share')
    .option('--out <file>', 'write to a file')
    .option(...minCellOption)
    .addHelpText(
      'after',
      `
Contacts whose postcode was not found are counted apart. An index of 150 for face to face means a
segment makes half as many of its contacts face to face again as the borough does. By area,
--format geojson gives one channel's index or share for each area, with its boundary, for a GIS:
the same figures as the table, hidden where it hides them.

Examples:
  civic contacts mix borough.civic contact_centre_callers
  civic contacts mix borough.civic contact_centre_callers --by-area ward --format csv --out mix.csv
  civic contacts mix borough.civic contact_centre_callers --by-area ward --format geojson --map-channel web --out web.geojson
  civic contacts mix borough.civic contact_centre_callers --service Benefits`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactsMixCommand'));
  contacts
    .command('volumes')
    .description(
      'Volume and handling time by service or reason: which requests make the contact, and which take the time',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'the contact log, imported with civic dataset import')
    .option('--by <column>', 'group by service, reason or any column', 'service')
    .option('--channel <channel>', 'only this channel’s contacts, e.g. phone')
    .option('--channel-column <c>', 'the channel (default: found by its name, as at import)')
    .option('--handling-column <c>', 'the handling time (default: found by its name)')
    .option('--handling-unit <unit>', 'plain numbers of handling time are minutes or seconds', 'minutes')
    .addOption(formatOption(['table', 'csv', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file')
    .option(...minCellOption)
    .addHelpText(
      'after',
      `
Handling times may be minutes (12 or 12.5) or durations (12:30, 1:02:00); others are counted.

Examples (Bristol: the switchboard was 26% of calls, benefits 22% of the time on calls):
  civic contacts volumes borough.civic contact_centre_callers --by service --channel phone
  civic contacts volumes borough.civic contact_centre_callers --by reason --format csv --out reasons.csv`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactsVolumesCommand'));
  contacts
    .command('framework')
    .description(
      'The communications framework: for each segment, information and service channels banded High to Low, from the contacts and a preference table',
    )
    .argument('<workspace>', 'workspace file')
    .argument('[dataset]', 'the contact log (its channel mix gives the service channels)')
    .option(
      '--preferences <file>',
      'a CSV of segment,kind,channel,value (kind: information or service; value: a band or an index)',
    )
    .option('--classification <name>', 'the segmentation (default: the workspace’s default)')
    .option('--tier <tier>', 'its tier, e.g. group (default: the top tier)')
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .option(...minCellOption)
    .addHelpText(
      'after',
      `
Kent and Medway's partners banded each group's information channels (internet, telephone, text,
local papers …) and service channels (internet, telephone, post, face to face) apart: people may
look things up online but not transact there.

Examples:
  civic contacts framework borough.civic contact_centre_callers
  civic contacts framework borough.civic contacts --preferences mosaic-channels.csv --format csv --out framework.csv`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactsFrameworkCommand'));
  contacts
    .command('sheets')
    .description(
      'Customer access and channel insights: a sheet per segment with its summary, main indicators and areas, services used, channel and communication preferences and resolution tiers',
    )
    .argument('<workspace>', 'workspace file')
    .argument('<dataset>', 'the contact log')
    .option('--classification <name>', 'the segmentation (default: the workspace’s default)')
    .option('--tier <tier>', 'its tier, e.g. group (default: the top tier)')
    .option('--tiers <file>', 'a CSV file of reason,tier: how each segment’s contacts divide between the tiers')
    .option('--preferences <file>', 'a preference table (segment,kind,channel,value) for the communication preferences')
    .addOption(formatOption(['table', 'html', 'json']))
    .option('--out <file>', 'write to a file')
    .option(...minCellOption)
    .addHelpText(
      'after',
      `
Barking & Dagenham added a "customer access and channel insights" sheet to each pen portrait.

Example:
  civic contacts sheets borough.civic contact_centre_callers --tiers tiers.csv --format html --out sheets.html`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactsSheetsCommand'));
  contacts
    .command('unit-costs')
    .description('List the published unit costs of contact by channel, each with its source, or check your own file')
    .option('--unit-costs <set or file>', UNIT_COSTS_HELP)
    .addOption(formatOption(['table', 'csv', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Your own file is a CSV with a header row: channel,cost and, if you like, what (what one contact
is) and source. Channels are read as the intake reads them (Tel, F2F, Web form …).

Examples:
  civic contacts unit-costs
  civic contacts unit-costs --unit-costs socitm-2012 --format csv --out socitm.csv
  civic contacts unit-costs --unit-costs our-costs.csv`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'unitCostsCommand'));
  contacts
    .command('cost')
    .description('What a year’s contacts cost: the contacts by channel times each channel’s unit cost, to the penny')
    .requiredOption('--unit-costs <set or file>', UNIT_COSTS_HELP)
    .option('--volumes <list>', 'contacts by channel, e.g. "phone=750000,face to face=312500,self-serve=187500"')
    .option('--total <n>', 'or all the contacts, with --shares')
    .option('--shares <list>', 'each channel’s share of --total in %, e.g. "phone=60,face to face=25,self-serve=15"')
    .addOption(formatOption(['table', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file')
    .addHelpText(
      'after',
      `
Example (Bristol's 1.25 million transactions a year: £5,736,875):
  civic contacts cost --unit-costs bristol --total 1250000 --shares "phone=60,face to face=25,self-serve=15"`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'contactCostCommand'));
  program
    .command('channel-shift')
    .description(
      'What moving contacts from one channel to another would save a year: for a number of contacts, or planned by segment on a contact log, with who would be left behind',
    )
    .argument('[workspace]', 'workspace file, to plan on a contact log by segment')
    .argument('[dataset]', 'the contact log')
    .requiredOption('--unit-costs <set or file>', UNIT_COSTS_HELP)
    .requiredOption('--from <channel>', 'the channel the contacts leave, e.g. phone')
    .requiredOption('--to <channel>', 'the channel they move to, e.g. web')
    .option('--contacts-per-month <n>', 'without a contact log: how many contacts move each month')
    .option('--share <pct>', 'with a contact log: the % of each segment’s contacts by --from to move')
    .option('--service <name>', 'only this service’s contacts (e.g. Benefits)')
    .option('--service-column <c>', 'the service column (default: as imported, or found by its name)')
    .option('--classification <name>', 'the segmentation (default: the workspace’s default)')
    .option('--tier <tier>', 'its tier, e.g. group (default: the top tier)')
    .option(
      '--digital <channels>',
      'channels counted as self-service, separated by commas (default: --to, web, self-serve, app, kiosk)',
    )
    .option('--min-band <band>', 'plan only on segments whose propensity is in this band or above', 'Average')
    .option('--protect <segments>', 'segments never planned on (vulnerable customers), separated by commas, e.g. E,F')
    .option('--preferences <file>', 'a CSV of segment,propensity,ceiling (%) to use instead of what the contacts show')
    .addOption(formatOption(['table', 'xlsx', 'json']))
    .option('--out <file>', 'write to a file')
    .option(...minCellOption)
    .addHelpText(
      'after',
      `
Example (Bristol housing benefit: 400 new claims and 1,500 queries a month from phone to web,
£45,600 a year):
  civic channel-shift --unit-costs bristol-housing-benefit --from phone --to web --contacts-per-month 1900

Planned by segment on a contact log: half of each segment's Benefits calls moved to the web, up to
the most digital take-up any segment shows, never on segments E and F:
  civic channel-shift borough.civic contacts --unit-costs bristol --from phone --to web \\
      --share 50 --service Benefits --protect E,F
  … --format xlsx --out business-case.xlsx   (a workbook for the business case)`,
    )
    .action(lazy(() => import('./actions/contacts.ts'), 'channelShiftCommand'));
}
