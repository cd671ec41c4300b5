/**
 * The generator's truth about Sample Borough's people, read back from the truth files written
 * beside the demo's files (truth_records.csv, truth_residents.csv). They are never imported into
 * the workspace, so no analysis can read them; tests and analysts score linkage and address
 * matching against them (docs/sample-borough.md).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RecordTruth } from './records.ts';
import type { Role } from './residents.ts';

export interface ResidentTruth {
  person: string;
  household: number;
  propertyRef: string;
  uprn: string;
  role: Role;
  first: string;
  last: string;
  sex: 'F' | 'M';
  /** ISO date */
  dob: string;
}

export interface PeopleTruth {
  records: RecordTruth[];
  residents: ResidentTruth[];
  /** the truth records of one service, in the file's row order */
  recordsOf(dataset: string): RecordTruth[];
}

function cells(line: string): string[] {
  if (!line.includes('"')) return line.split(',');
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

function table(path: string): Record<string, string>[] {
  const [head, ...lines] = readFileSync(path, 'utf8').split('\n');
  const names = cells(head);
  return lines
    .filter((l) => l.length)
    .map((l) => {
      const v = cells(l);
      return Object.fromEntries(names.map((n, i) => [n, v[i] ?? '']));
    });
}

/** Reads the truth files of a Sample Borough files folder (the manifest's `dir`). */
export function readPeopleTruth(dir: string): PeopleTruth {
  const records: RecordTruth[] = table(join(dir, 'truth_records.csv')).map((r) => ({
    dataset: r.dataset,
    row: Number(r.row),
    recordId: r.record_id,
    person: r.person_id,
    household: Number(r.household),
    propertyRef: r.property_ref,
    uprn: r.uprn,
    addressUprn: r.address_uprn,
    child: r.child_id || null,
    errors: r.errors ? r.errors.split(';') : [],
  }));
  const residents: ResidentTruth[] = table(join(dir, 'truth_residents.csv')).map((r) => ({
    person: r.person_id,
    household: Number(r.household),
    propertyRef: r.property_ref,
    uprn: r.uprn,
    role: r.role as Role,
    first: r.first,
    last: r.last,
    sex: r.sex as 'F' | 'M',
    dob: r.dob,
  }));
  const byDataset = new Map<string, RecordTruth[]>();
  for (const r of records) {
    const list = byDataset.get(r.dataset);
    if (list) list.push(r);
    else byDataset.set(r.dataset, [r]);
  }
  return { records, residents, recordsOf: (d) => byDataset.get(d) ?? [] };
}
