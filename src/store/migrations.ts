/**
 * Numbered migrations. A workspace records which it has had; opening a workspace applies the
 * rest in order, each in its own transaction. Never edit a migration that has shipped: add one.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string[];
  /** Work that SQL alone cannot say (e.g. a column for every dataset's own table), run after `sql` in the same transaction. */
  run?: (engine: Engine) => Promise<void>;
}

import { ident, type Engine } from './engine.ts';

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'reference geography and datasets',
    sql: [
      `CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)`,
      // One row per postcode, keyed by the compact form ("M154AB"); a column per area level so a
      // record reaches any geography in one join. Kept lean: a national directory has 2.7 million rows.
      `CREATE TABLE postcode (
        pc_key VARCHAR NOT NULL, lat DOUBLE, lon DOUBLE, status VARCHAR NOT NULL, terminated VARCHAR,
        oa21 VARCHAR, lsoa21 VARCHAR, msoa21 VARCHAR, oa11 VARCHAR, lsoa11 VARCHAR, msoa11 VARCHAR,
        ward VARCHAR, lad VARCHAR)`,
      // How a postcode got an area code it did not have in the directory (point in polygon, nearest polygon).
      `CREATE TABLE postcode_placement (pc_key VARCHAR NOT NULL, level VARCHAR NOT NULL, method VARCHAR NOT NULL)`,
      `CREATE TABLE area (code VARCHAR NOT NULL, level VARCHAR NOT NULL, name VARCHAR, parent VARCHAR, parent_level VARCHAR)`,
      `CREATE TABLE area_base (area_code VARCHAR NOT NULL, level VARCHAR NOT NULL, households DOUBLE, population DOUBLE, source VARCHAR)`,
      `CREATE TABLE boundary (area_code VARCHAR NOT NULL, level VARCHAR NOT NULL, name VARCHAR, geojson VARCHAR NOT NULL,
        min_lon DOUBLE, min_lat DOUBLE, max_lon DOUBLE, max_lat DOUBLE)`,
      `CREATE TABLE classification (name VARCHAR PRIMARY KEY, title VARCHAR, area_level VARCHAR NOT NULL, tiers VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, source VARCHAR, imported_at VARCHAR)`,
      `CREATE TABLE segment (classification VARCHAR NOT NULL, tier VARCHAR NOT NULL, code VARCHAR NOT NULL, name VARCHAR,
        description VARCHAR, parent VARCHAR, ordinal INTEGER)`,
      `CREATE TABLE area_segment (classification VARCHAR NOT NULL, tier VARCHAR NOT NULL, area_code VARCHAR NOT NULL, code VARCHAR NOT NULL)`,
      `CREATE TABLE deprivation (index_name VARCHAR NOT NULL, area_code VARCHAR NOT NULL, area_level VARCHAR NOT NULL,
        domain VARCHAR NOT NULL, rank INTEGER, decile INTEGER, score DOUBLE)`,
      `CREATE TABLE dataset (name VARCHAR PRIMARY KEY, title VARCHAR, table_name VARCHAR NOT NULL, source_file VARCHAR, format VARCHAR,
        encoding VARCHAR, postcode_column VARCHAR, columns VARCHAR, pseudonymised VARCHAR, partner VARCHAR,
        read_count BIGINT, matched BIGINT, unmatched BIGINT, rejected BIGINT, corrected BIGINT, terminated BIGINT, imported_at VARCHAR)`,
      `CREATE TABLE dataset_issue (dataset VARCHAR NOT NULL, row_no BIGINT NOT NULL, status VARCHAR NOT NULL,
        column_name VARCHAR, value VARCHAR, reason VARCHAR NOT NULL)`,
      `CREATE TABLE import_log (id INTEGER, kind VARCHAR, what VARCHAR, file VARCHAR, row_count BIGINT, logged_at VARCHAR)`,
    ],
  },
  {
    version: 2,
    name: 'segmentations, their input variables and pen portraits',
    sql: [
      // A segmentation built (or imported) here: the portable model (variables, transformations with
      // their fitted parameters, centres per tier) as JSON, and how it was built and checked.
      `CREATE TABLE segmentation (name VARCHAR PRIMARY KEY, title VARCHAR, area_level VARCHAR NOT NULL, model VARCHAR NOT NULL,
        diagnostics VARCHAR, origin VARCHAR NOT NULL, created_at VARCHAR)`,
      // The untransformed value of each variable per area, as the build used it (rates in percent):
      // pen portraits compare a segment's mean against the whole area's on these.
      `CREATE TABLE area_variable (classification VARCHAR NOT NULL, area_code VARCHAR NOT NULL, variable VARCHAR NOT NULL, value DOUBLE)`,
      // How surely each area belongs to its segment: 1 − distance to own centre ÷ distance to the next.
      `CREATE TABLE area_certainty (classification VARCHAR NOT NULL, tier VARCHAR NOT NULL, area_code VARCHAR NOT NULL, certainty DOUBLE)`,
      // Every saved version of a segment's pen portrait; the highest version is current.
      `CREATE TABLE pen_portrait (classification VARCHAR NOT NULL, tier VARCHAR NOT NULL, code VARCHAR NOT NULL, version INTEGER NOT NULL,
        content VARCHAR NOT NULL, edited_by VARCHAR, edited_at VARCHAR NOT NULL, note VARCHAR)`,
    ],
  },
  {
    version: 3,
    name: 'people, sessions, API tokens, the audit log and jobs',
    sql: [
      `CREATE TABLE app_user (username VARCHAR PRIMARY KEY, name VARCHAR, password_hash VARCHAR NOT NULL, role VARCHAR NOT NULL,
        partner VARCHAR, created_at VARCHAR NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false)`,
      // Only a hash of each session and token is kept: a copy of the workspace does not let anyone in.
      `CREATE TABLE app_session (id_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, csrf VARCHAR NOT NULL, created_at VARCHAR NOT NULL, expires_at VARCHAR NOT NULL)`,
      `CREATE TABLE api_token (id_hash VARCHAR PRIMARY KEY, username VARCHAR NOT NULL, label VARCHAR, created_at VARCHAR NOT NULL, last_used_at VARCHAR)`,
      `CREATE TABLE audit_log (logged_at VARCHAR NOT NULL, username VARCHAR, role VARCHAR, action VARCHAR NOT NULL, detail VARCHAR, ip VARCHAR)`,
      `CREATE TABLE job (id VARCHAR PRIMARY KEY, kind VARCHAR NOT NULL, status VARCHAR NOT NULL, done BIGINT, total BIGINT, stage VARCHAR,
        message VARCHAR, result VARCHAR, created_by VARCHAR, created_at VARCHAR NOT NULL, finished_at VARCHAR)`,
    ],
  },
  {
    version: 4,
    name: 'facilities',
    sql: [
      // Service points (libraries, GP surgeries, children's centres…) as imported: one row per point.
      // `kind` is the facility type ("library"); `details` keeps the file's other columns as JSON.
      `CREATE TABLE facility (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, kind VARCHAR NOT NULL, lon DOUBLE NOT NULL, lat DOUBLE NOT NULL,
        postcode VARCHAR, capacity DOUBLE, opening_hours VARCHAR, details VARCHAR, source_file VARCHAR, source_row BIGINT, imported_at VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 5,
    name: 'record keys and published categories for disclosure control',
    sql: [
      // Per dataset: the salt its record keys were made with (also keys the distinct-customer cells),
      // and the columns whose values its owner has published as categories others may filter on.
      `CREATE TABLE dataset_disclosure (dataset VARCHAR PRIMARY KEY, key_salt BIGINT NOT NULL, published VARCHAR NOT NULL DEFAULT '{}')`,
    ],
    // Datasets imported before record keys existed get theirs now: a fixed random key per record.
    async run(engine) {
      const { randomInt } = await import('node:crypto');
      const tables = await engine.all<{ name: string; table_name: string }>(`SELECT name, table_name FROM dataset`);
      for (const t of tables) {
        const salt = randomInt(1, 2 ** 47);
        await engine.run(`ALTER TABLE ${ident(t.table_name)} ADD COLUMN _rkey UTINYINT`);
        await engine.run(`UPDATE ${ident(t.table_name)} SET _rkey = ${RECORD_KEY_SQL('_row', salt)}`);
        await engine.run(`INSERT INTO dataset_disclosure VALUES ($1, $2, '{}')`, [t.name, salt]);
      }
    },
  },
  {
    version: 6,
    name: 'which key pseudonymised each dataset, and what was kept in clear',
    sql: [
      // The key itself lives outside the workspace; each dataset keeps only its key's fingerprint,
      // so datasets pseudonymised with different keys are never linked by mistake.
      `ALTER TABLE dataset ADD COLUMN pseudonym_key_id VARCHAR`,
      // JSON: every column's decision (pseudonymised, kept in clear on purpose, kept for matching)
      // with its reason, and who decided and when.
      `ALTER TABLE dataset ADD COLUMN privacy VARCHAR`,
    ],
  },
  {
    version: 7,
    name: 'a secret for the keys of postcode units (cell key method)',
    sql: [
      // Overlap at postcode level counts postcodes, not records: each postcode's key is a keyed hash of it.
      `INSERT INTO meta SELECT 'unit_key_salt', md5(random()::VARCHAR || now()::VARCHAR) WHERE NOT EXISTS (SELECT 1 FROM meta WHERE key = 'unit_key_salt')`,
    ],
  },
  {
    version: 8,
    name: 'saved column mappings',
    sql: [
      // How one organisation maps a service's extract (JSON: the columns' names and choices, never a
      // value from a file), reused for next month's extract. Each organisation ('' for the council)
      // sees and replaces only its own.
      `CREATE TABLE column_mapping (owner VARCHAR NOT NULL, name VARCHAR NOT NULL, mapping VARCHAR NOT NULL,
        saved_by VARCHAR, saved_at VARCHAR NOT NULL, PRIMARY KEY (owner, name))`,
    ],
  },
  {
    version: 9,
    name: 'address lookups and the address gazetteer',
    sql: [
      // The word lists that standardise addresses (ONS synonyms, the uk_address_matcher
      // abbreviations, county names), imported as data: kind is synonym, abbreviation or county.
      `CREATE TABLE address_lookup (kind VARCHAR NOT NULL, token VARCHAR NOT NULL, replacement VARCHAR,
        source VARCHAR NOT NULL, imported_at VARCHAR NOT NULL)`,
      // A council's LLPG or an AddressBase-style extract: one row per UPRN, the address as given and
      // standardised, its parts, its property key and its coordinates (WGS84).
      `CREATE TABLE address_gazetteer (uprn VARCHAR PRIMARY KEY, address VARCHAR NOT NULL, postcode VARCHAR,
        pc_key VARCHAR, standardised VARCHAR NOT NULL, sub_building VARCHAR, building_number VARCHAR,
        building_name VARCHAR, street VARCHAR, locality VARCHAR, town VARCHAR, property_key VARCHAR NOT NULL,
        lat DOUBLE, lon DOUBLE)`,
      `CREATE TABLE address_gazetteer_import (file VARCHAR NOT NULL, rows_read BIGINT NOT NULL,
        imported BIGINT NOT NULL, rejected BIGINT NOT NULL, lookups_fingerprint VARCHAR NOT NULL, imported_at VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 10,
    name: 'record linkage: identifiers, models, pairs and clusters',
    sql: [
      // The column holding a dataset's own record identifiers (--id-column); NULL: its row numbers.
      `ALTER TABLE dataset ADD COLUMN id_column VARCHAR`,
      // A linkage model (src/linkage): its datasets (JSON list, one to deduplicate, two to link), its
      // spec (JSON, as saved: proposed, edited or read from Splink) and the last training's report.
      `CREATE TABLE link_model (name VARCHAR PRIMARY KEY, datasets VARCHAR NOT NULL, spec VARCHAR NOT NULL,
        origin VARCHAR NOT NULL, training VARCHAR, created_at VARCHAR NOT NULL, trained_at VARCHAR)`,
      // The scored pairs of a model's last prediction, by the records' own identifiers.
      `CREATE TABLE link_pair (model VARCHAR NOT NULL, id_l VARCHAR NOT NULL, id_r VARCHAR NOT NULL,
        match_weight DOUBLE NOT NULL, match_probability DOUBLE NOT NULL)`,
    ],
  },
  {
    version: 11,
    name: 'property references from addresses at intake',
    sql: [
      // A dataset imported with --address-columns or --uprn-column: which columns, and how many of its
      // records got a property reference of each kind (JSON, counts only, never a value). Its table
      // then has _property, _property_kind and _property_note; NULL: imported without addresses.
      `ALTER TABLE dataset ADD COLUMN addressing VARCHAR`,
    ],
  },
  // (Versions are applied by number, each once, whichever order they arrive in: a workspace that
  // had 12 first, from a branch made beside 11, takes 11 when it comes.)
  {
    version: 12,
    name: 'record linkage: clerical review decisions',
    sql: [
      // An analyst's decision on one scored pair of a model (src/linkage/review.ts): accepted (the
      // pair links whatever its probability) or rejected (it never links directly), with the reason
      // given, who decided and when, and the pair's probability when it was decided. A prediction
      // keeps the decisions on the pairs it scores again and drops the rest.
      `CREATE TABLE link_review (model VARCHAR NOT NULL, id_l VARCHAR NOT NULL, id_r VARCHAR NOT NULL,
        decision VARCHAR NOT NULL, reason VARCHAR NOT NULL, decided_by VARCHAR, decided_at VARCHAR NOT NULL,
        match_probability DOUBLE, PRIMARY KEY (model, id_l, id_r))`,
    ],
  },
  {
    version: 13,
    name: 'contact logs at intake',
    sql: [
      // A dataset's kind: NULL for any file of records, 'contacts' for a contact log (src/intake/contacts.ts).
      `ALTER TABLE dataset ADD COLUMN kind VARCHAR`,
      // A contact log's parts (which column is the channel, customer, request ...), the unit of its
      // handling times, and counts of what could not be read, with row numbers: JSON, never a value.
      `ALTER TABLE dataset ADD COLUMN contact_log VARCHAR`,
      // Names a council's systems give channels, beyond the built-in vocabulary: as written → channel.
      `CREATE TABLE channel_name (written VARCHAR PRIMARY KEY, channel VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 14,
    name: 'customer journeys and circles of need',
    sql: [
      // A customer journey (src/journeys): its steps in the journey format, as JSON, with the file
      // it was imported from. Journeys hold no personal data: a persona's or a household's story.
      `CREATE TABLE journey (name VARCHAR PRIMARY KEY, title VARCHAR NOT NULL, stage VARCHAR, compare_with VARCHAR,
        spec VARCHAR NOT NULL, source_file VARCHAR, imported_at VARCHAR NOT NULL)`,
      // A circle of need for a segment: needs, the services that meet them and their providers, as JSON.
      `CREATE TABLE need_circle (name VARCHAR PRIMARY KEY, segment VARCHAR NOT NULL, spec VARCHAR NOT NULL,
        source_file VARCHAR, imported_at VARCHAR NOT NULL)`,
    ],
  },
  {
    version: 15,
    name: 'journeys owned and published, edited in the portal',
    sql: [
      // Who owns a journey: a partner (by name), or NULL for the council. Journeys imported before
      // (by the command line) are the council's, and stay seen by everyone signed in.
      `ALTER TABLE journey ADD COLUMN partner VARCHAR`,
      // A journey made or uploaded in the portal starts as a draft seen only by its owners (the
      // partner's people and the council's staff) until they publish it for everyone signed in.
      `ALTER TABLE journey ADD COLUMN published BOOLEAN DEFAULT TRUE`,
      // Who last changed it in the portal, and when (NULL: as imported).
      `ALTER TABLE journey ADD COLUMN edited_by VARCHAR`,
      `ALTER TABLE journey ADD COLUMN edited_at VARCHAR`,
    ],
  },
  {
    version: 16,
    name: 'vulnerability models',
    sql: [
      // A vulnerability model (src/vulnerability): its spec as JSON, and each saving of it kept, so a
      // score can say which version made it. The spec names datasets and columns, never a record's value.
      `CREATE TABLE vulnerability_model (name VARCHAR NOT NULL, version INTEGER NOT NULL, title VARCHAR,
        spec VARCHAR NOT NULL, saved_by VARCHAR, saved_at VARCHAR NOT NULL, PRIMARY KEY (name, version))`,
    ],
  },
];

/** The SQL for a record's key: a fixed pseudo-random number from 0 to 255 from its row number and the dataset's salt. */
export const RECORD_KEY_SQL = (rowExpr: string, salt: number) =>
  `(hash(${rowExpr}, ${Math.trunc(salt)}::BIGINT) % 256)::UTINYINT`;
