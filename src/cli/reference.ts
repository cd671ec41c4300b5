import { Option, type Command } from 'commander';
import { AREA_LEVELS } from '../geo/constants.ts';
import { formatOption, lazy, repeat } from './io.ts';

export function registerReference(program: Command): void {
  const ref = program
    .command('reference')
    .description('Reference geography: postcodes, areas, base counts, boundaries, classifications, deprivation');
  ref
    .command('import')
    .description(
      'Import reference files as published (ONSPD/NSPL, Census 2021 TS041/TS001, OAC 2011/2021, IMD 2019, GeoJSON boundaries)',
    )
    .argument('<workspace>', 'workspace file')
    .option(
      '--postcodes <file>',
      'postcode directory: ONSPD, NSPL or a CSV with postcode, lat, lon and any area-code columns',
    )
    .option(
      '--map <column=field>',
      'name a postcode-directory column, e.g. --map "Post Code=postcode" (repeatable)',
      repeat,
    )
    .option(
      '--areas <file>',
      'area hierarchy: code,level,name,parent or an ONS lookup such as OA21CD,LSOA21CD (repeatable)',
      repeat,
    )
    .option(
      '--base <file>',
      'households/population per area: Census 2021 TS041/TS001 or area_code,households[,population] (repeatable)',
      repeat,
    )
    .option(
      '--base-sum <field=a+b>',
      'make households or population by adding columns of the --base file, e.g. --base-sum population=m+f; in a long file (indicator, value), the indicators, e.g. population=Female+Male; in a file with one row per household or person, columns of 1s and 0s added up per area, e.g. population=resident (repeatable)',
      repeat,
    )
    .addOption(
      new Option(
        '--base-rows <measure>',
        'the --base file has one row per household or person (a property list, a register extract), its area code in a column: count the rows in each area as households or population',
      ).choices(['households', 'population']),
    )
    .option('--base-level <level>', 'area level of the base codes when it cannot be told from them (e.g. oa21)')
    .option(
      '--boundaries <file>',
      'boundaries as GeoJSON or a shapefile (.shp with its .dbf and .prj), in WGS84 or British National Grid; pair each with --level, or write LEVEL=FILE (repeatable)',
      repeat,
    )
    .option(
      '--level <level>',
      `area level of the preceding --boundaries (${AREA_LEVELS.join(', ')}) (repeatable)`,
      repeat,
    )
    .option(
      '--code-property <[level=]name>',
      'boundary property holding the area codes, when it is not found by name; LEVEL=NAME for the --boundaries file of that level, e.g. --code-property oa21=OA21CD (repeatable)',
      repeat,
    )
    .option(
      '--classification <file>',
      'area classification: ONS OAC 2011/2021 as published, or area_code,<tier columns> (repeatable)',
      repeat,
    )
    .option(
      '--classification-from-boundaries [properties]',
      'also import the classification the --boundaries files carry as properties (the CDRC’s OAC codes and names); optionally name the tier properties, broadest first, e.g. supgrpcode,grpcode,subgrpcode',
    )
    .option('--classification-name <name>', 'name for the classification (default: oac2011, oac2021 or the file name)')
    .option(
      '--segments <file>',
      'segment names and descriptions: tier,code,name,description[,parent] or the ONS OAC names file (repeatable)',
      repeat,
    )
    .option('--deprivation <file>', 'deprivation index as published (IMD 2019 File 1 or 2) (repeatable)', repeat)
    .option('--deprivation-name <name>', 'name for the deprivation index (default imd2019 when the file says so)')
    .option(
      '--area-year <year>',
      'census year of area codes whose column names do not say (2011 or 2021); told from the codes when not given',
    )
    .option(
      '--address-lookups <dir>',
      'the word lists that standardise addresses: a folder with ons_synonyms.csv, ukam_address_abbreviations.json and optionally ons_counties.csv (imported before --addresses)',
    )
    .option(
      '--addresses <file>',
      'address gazetteer: an LLPG or AddressBase-style extract with UPRN, the address (one column or LLPG fields), postcode and coordinates',
    )
    .option(
      '--address-map <field=column>',
      'name a gazetteer column: uprn, address, postcode, lat, lon, x or y, e.g. --address-map "Full Address=address" (repeatable)',
      repeat,
    )
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Example (Trafford, as published):
  civic reference import trafford.civic \\
    --areas trafford_oa21_to_lsoa21.csv \\
    --boundaries oa_2021_trafford_oa_generalised.geojson --level oa21 \\
    --postcodes trafford_postcodes.csv \\
    --base trafford_census2021_ts041_households_by_oa21.csv \\
    --classification trafford_oac2021_by_oa21.csv \\
    --deprivation trafford_imd2019_by_lsoa11.csv

A base from the council's own records, one row per household or person with its output area:
  civic reference import borough.civic --base property_list.csv --base-rows households
  civic reference import borough.civic --base register_extract.csv \
    --base-sum households=household --base-sum population=person

Example (an address gazetteer):
  civic reference import borough.civic --address-lookups lookups/ --addresses llpg.csv`,
    )
    .action(lazy(() => import('./actions/reference.ts'), 'importFiles'));
  ref
    .command('status')
    .description('What reference data the workspace holds')
    .argument('<workspace>', 'workspace file')
    .addOption(formatOption(['table', 'json']))
    .action(lazy(() => import('./actions/reference.ts'), 'status'));
}

export function registerReferenceRemove(program: Command): void {
  const ref = program.commands.find((c) => c.name() === 'reference')!;
  ref
    .command('remove')
    .description(
      'Remove reference data imported wrongly: a base, a classification, a deprivation index, boundaries, areas or the postcode directory',
    )
    .argument('<workspace>', 'workspace file')
    .option('--base <level>', 'the base (households and population) by this area level, e.g. oa21')
    .addOption(
      new Option('--measure <measure>', 'with --base: only this measure').choices(['households', 'population']),
    )
    .option('--classification <name>', 'a classification and its segments (and any pen portraits written for it)')
    .option('--deprivation <name>', 'a deprivation index, e.g. imd2019')
    .option('--boundaries <level>', 'the boundaries of this area level')
    .option('--areas <level>', 'the areas of this level and their place in the hierarchy')
    .option('--postcodes', 'the postcode directory (only while no dataset has been matched against it)')
    .addOption(formatOption(['table', 'json']))
    .addHelpText(
      'after',
      `
Give one of the options. To put right a file imported wrongly, remove it, then import the right one.

Examples:
  civic reference remove borough.civic --base oa21
  civic reference remove borough.civic --classification oac2021
  civic reference import borough.civic --classification oac2011_by_oa11.csv --area-year 2011`,
    )
    .action(lazy(() => import('./actions/reference.ts'), 'remove'));
}
