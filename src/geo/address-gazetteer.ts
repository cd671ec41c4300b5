/**
 * The workspace's address gazetteer as read for matching (it is imported by linkage's
 * importGazetteer): what it holds, and its addresses standardised alike with the lookups in use.
 */
import type { Engine } from '../store/index.ts';
import type { AddressLookups } from './address-lookups.ts';
import type { GazetteerAddress } from './address-match.ts';
import { standardiseAddress } from './address-standardise.ts';

export interface GazetteerInfo {
  file: string;
  addresses: number;
  importedAt: string;
}

/** What gazetteer the workspace holds, or null. */
export async function gazetteerInfo(engine: Engine): Promise<GazetteerInfo | null> {
  const r = await engine.one<{ file: string; imported: number; imported_at: string }>(
    `SELECT file, imported, imported_at FROM address_gazetteer_import LIMIT 1`,
  );
  return r ? { file: r.file, addresses: r.imported, importedAt: r.imported_at } : null;
}

/**
 * The gazetteer's addresses for matching. Standardised again here if the workspace's lookups have
 * changed since the gazetteer was imported, so both sides are always standardised alike.
 */
export async function loadGazetteer(engine: Engine, lookups: AddressLookups): Promise<GazetteerAddress[]> {
  const imp = await engine.one<{ fp: string }>(
    `SELECT lookups_fingerprint AS fp FROM address_gazetteer_import LIMIT 1`,
  );
  const rows = await engine.all<{
    uprn: string;
    address: string;
    postcode: string | null;
    pc_key: string | null;
    standardised: string;
    street: string | null;
    building_number: string | null;
    building_name: string | null;
  }>(
    `SELECT uprn, address, postcode, pc_key, standardised, street, building_number, building_name FROM address_gazetteer ORDER BY uprn`,
  );
  const same = imp?.fp === lookups.fingerprint;
  return rows.map((r) => {
    if (same)
      return {
        uprn: r.uprn,
        address: r.address,
        standardised: r.standardised,
        pcKey: r.pc_key,
        street: r.street,
        buildingNumber: r.building_number,
        buildingName: r.building_name,
      };
    const s = standardiseAddress([r.address], lookups, { postcode: r.postcode });
    return {
      uprn: r.uprn,
      address: r.address,
      standardised: s.text,
      pcKey: s.pcKey,
      street: s.parts.street,
      buildingNumber: s.parts.buildingNumber,
      buildingName: s.parts.buildingName,
    };
  });
}
