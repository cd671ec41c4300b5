/**
 * Generates the benchmark inputs (seeded, so every run compares the same files): a postcode
 * directory in ONSPD layout, base households per OA, a three-tier classification per OA and a
 * service file of records with realistic slips (lower case, missing space, unknown, blank).
 */
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom } from '../../src/core/index.ts';

const INWARD_LETTERS = 'ABDEFGHJLNPQRSTUWXYZ';

async function writeLines(file: string, header: string, count: number, line: (i: number) => string): Promise<void> {
  const out = createWriteStream(file);
  out.write(header + '\n');
  let buf: string[] = [];
  for (let i = 0; i < count; i++) {
    buf.push(line(i));
    if (buf.length === 10_000) {
      if (!out.write(buf.join('\n') + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
      buf = [];
    }
  }
  if (buf.length) out.write(buf.join('\n') + '\n');
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
}

export interface BenchFiles {
  dir: string;
  postcodes: string;
  base: string;
  classification: string;
  records: string;
  nPostcodes: number;
  nRecords: number;
  nOas: number;
}

export async function generateBenchFiles(
  dir: string,
  nPostcodes = 2_700_000,
  nRecords = 1_000_000,
  seed = 42,
): Promise<BenchFiles> {
  mkdirSync(dir, { recursive: true });
  const files: BenchFiles = {
    dir,
    postcodes: join(dir, `postcodes_${nPostcodes}.csv`),
    base: join(dir, `base_${nPostcodes}.csv`),
    classification: join(dir, `classification_${nPostcodes}.csv`),
    records: join(dir, `records_${nRecords}.csv`),
    nPostcodes,
    nRecords,
    nOas: Math.ceil(nPostcodes / 15),
  };
  const rng = createRandom(seed);
  // Postcodes: areas AA..ZZ, districts 1..40, inward codes 0AA..9ZZ; about 15 postcodes per OA.
  const postcodes: string[] = new Array(nPostcodes);
  const letters = 'ABCDEFGHIJKLMNOPRSTUWYZ';
  let k = 0;
  outer: for (let a = 0; a < letters.length; a++)
    for (let b = 0; b < letters.length; b++)
      for (let d = 1; d <= 40; d++) {
        for (let s = 0; s < 10; s++)
          for (let u1 = 0; u1 < 20; u1++)
            for (let u2 = 0; u2 < 20; u2++) {
              postcodes[k++] = `${letters[a]}${letters[b]}${d} ${s}${INWARD_LETTERS[u1]}${INWARD_LETTERS[u2]}`;
              if (k === nPostcodes) break outer;
            }
      }
  const oaOf = (i: number) =>
    `E0${String(1_000_000 + Math.floor(i / 15))
      .slice(1)
      .padStart(7, '0')}`;
  if (!existsSync(files.postcodes)) {
    await writeLines(
      files.postcodes,
      'pcd,pcd2,pcds,dointr,doterm,oseast1m,osnrth1m,oa21cd,lsoa21cd,msoa21cd,osward,oslaua,lat,long',
      nPostcodes,
      (i) => {
        const pc = postcodes[i];
        const compact = pc.replace(' ', '');
        const oa = oaOf(i);
        return `${compact.padEnd(7)},${pc},${pc},198001,${i % 97 === 0 ? '202001' : ''},${400000 + (i % 1000)},${300000 + (i % 777)},${oa},E01${oa.slice(3)},E02${oa.slice(3)},E05000001,E08000009,${(51 + (i % 1000) / 1000).toFixed(6)},${(-2 + (i % 777) / 1000).toFixed(6)}`;
      },
    );
    await writeLines(files.base, 'area_code,households,population', files.nOas, (i) => {
      const hh = 80 + ((i * 7919) % 120);
      return `${oaOf(i * 15)},${hh},${Math.round(hh * 2.3)}`;
    });
    await writeLines(files.classification, 'area_code,supergroup,group,subgroup', files.nOas, (i) => {
      const sub = (i * 2654435761) % 40;
      return `${oaOf(i * 15)},${1 + (sub % 8)},${1 + (sub % 8)}${'abcde'[sub % 5]},${1 + (sub % 8)}${'abcde'[sub % 5]}${1 + (sub % 3)}`;
    });
  }
  if (!existsSync(files.records)) {
    await writeLines(files.records, 'record_id,customer_name,postcode,service_option,joined', nRecords, (i) => {
      const r = rng.next();
      let pc = postcodes[Math.floor(rng.next() * nPostcodes)];
      if (r < 0.01) pc = pc.toLowerCase().replace(' ', '');
      else if (r < 0.015) pc = `QQ${1 + rng.int(9)} ${rng.int(10)}AA`;
      else if (r < 0.017) pc = '';
      return `${i + 1},Customer ${i + 1},${pc},${rng.next() < 0.5 ? 'garden waste' : '"bags, recycling"'},2024-0${1 + rng.int(9)}-1${rng.int(10)}`;
    });
  }
  return files;
}
