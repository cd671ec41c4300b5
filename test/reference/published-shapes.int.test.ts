import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createWorkspace, type Workspace } from '../../src/store/index.ts';
import { importReference } from '../../src/reference/index.ts';
import { lonLatToBng } from '../../src/geo/index.ts';
import { ObservatoryError } from '../../src/core/index.ts';
import { tempDir } from '../helpers/workspace.ts';
import { civic } from '../helpers/cli.ts';
import { sharedData } from '../helpers/shared-data.ts';

const tmp = tempDir();
const file = (name: string, text: string) => {
  const p = join(tmp.dir, name);
  writeFileSync(p, text);
  return p;
};
let n = 0;
async function fresh(): Promise<Workspace> {
  return createWorkspace(join(tmp.dir, `w${++n}.civic`));
}
after(() => tmp.cleanup());

/** Two squares side by side in Trafford (longitude/latitude), 0.01° wide. */
const SQUARES: [string, number, number][] = [
  ['E00000001', -2.33, 53.44],
  ['E00000002', -2.32, 53.44],
];
const ring = (lon: number, lat: number) => [
  [lon, lat],
  [lon + 0.01, lat],
  [lon + 0.01, lat + 0.01],
  [lon, lat + 0.01],
  [lon, lat],
];
function collection(
  toBng: boolean,
  crs: boolean,
  props: (code: string) => Record<string, unknown> = (code) => ({ code }),
) {
  return JSON.stringify({
    type: 'FeatureCollection',
    ...(crs ? { crs: { type: 'name', properties: { name: 'urn:ogc:def:crs:EPSG::27700' } } } : {}),
    features: SQUARES.map(([code, lon, lat]) => ({
      type: 'Feature',
      properties: props(code),
      geometry: {
        type: 'Polygon',
        coordinates: [ring(lon, lat).map(([x, y]) => (toBng ? lonLatToBng(x, y) : [x, y]))],
      },
    })),
  });
}
const POSTCODES = 'postcode,lat,lon\nM33 1AA,53.445,-2.325\nM33 1AB,53.445,-2.315\n';

for (const crs of [true, false]) {
  test(`boundaries in British National Grid (${crs ? 'said by the crs member' : 'told from the coordinates'}) are converted and place postcodes`, async () => {
    const ws = await fresh();
    try {
      const r = await importReference(ws.engine, {
        boundaries: [{ file: file(`bng-${crs}.geojson`, collection(true, crs)), level: 'oa21' }],
        postcodes: file('pc.csv', POSTCODES),
      });
      assert.equal(r.boundaries[0].convertedFrom, 'British National Grid');
      const placed = await ws.engine.all(`SELECT pc_key, oa21 FROM postcode ORDER BY pc_key`);
      assert.deepEqual(
        placed.map((p) => [p.pc_key, p.oa21]),
        [
          ['M331AA', 'E00000001'],
          ['M331AB', 'E00000002'],
        ],
      );
      // The stored corners are the original longitude/latitude, to the centimetre.
      const b = (await ws.engine.one<{ min_lon: number; min_lat: number }>(
        `SELECT min_lon, min_lat FROM boundary WHERE area_code = 'E00000001'`,
      ))!;
      assert.ok(Math.abs(b.min_lon - -2.33) < 1e-7 && Math.abs(b.min_lat - 53.44) < 1e-7, JSON.stringify(b));
    } finally {
      ws.close();
    }
  });
}

test('boundaries already in longitude/latitude are not converted', async () => {
  const ws = await fresh();
  try {
    const r = await importReference(ws.engine, {
      boundaries: [{ file: file('wgs.geojson', collection(false, false)), level: 'oa21' }],
    });
    assert.equal(r.boundaries[0].convertedFrom, null);
  } finally {
    ws.close();
  }
});

test('a boundary file whose crs member names another system is refused with what to do', async () => {
  const ws = await fresh();
  try {
    const other = JSON.parse(collection(false, false));
    other.crs = { type: 'name', properties: { name: 'EPSG:3857' } };
    await assert.rejects(
      importReference(ws.engine, {
        boundaries: [{ file: file('3857.geojson', JSON.stringify(other)), level: 'oa21' }],
      }),
      (e: unknown) =>
        e instanceof ObservatoryError &&
        /other than longitude\/latitude/.test(e.message) &&
        /EPSG:27700/.test(e.fix ?? ''),
    );
  } finally {
    ws.close();
  }
});

test('the CLI says a file was converted, and --code-property LEVEL=NAME goes to that level’s file', async () => {
  const ws = join(tmp.dir, 'cli.civic');
  assert.equal((await civic('init', ws)).code, 0);
  const oa = file(
    'oa-bng.geojson',
    collection(true, false, (code) => ({ OA21CD: code, OBJECTID: 1 })),
  );
  const ward = file(
    'ward.geojson',
    collection(false, false, (code) => ({ WD_ID: code.replace('E00', 'E05'), x: 1 })),
  );
  const r = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    oa,
    '--level',
    'oa21',
    '--boundaries',
    ward,
    '--level',
    'ward',
    '--code-property',
    'oa21=OA21CD',
    '--code-property',
    'ward=WD_ID',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /Boundaries from oa-bng\.geojson: 2 oa21 areas \(converted from British National Grid\)/);
  assert.match(r.stdout, /Boundaries from ward\.geojson: 2 ward areas\n/);
  const bad = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    oa,
    '--level',
    'oa21',
    '--code-property',
    'lsoa=X',
  );
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /names the level "lsoa", but no --boundaries file has that level/);
  // One name without a level still applies to every file.
  const one = await civic(
    'reference',
    'import',
    ws,
    '--boundaries',
    oa,
    '--level',
    'oa21',
    '--code-property',
    'OA21CD',
  );
  assert.equal(one.code, 0, one.stderr);
});

const leicester = sharedData('leicester-oac2011');
test('the CDRC’s Leicester shapefile (British National Grid, .prj beside it) imports as published', {
  skip: leicester.skip,
}, async () => {
  const ws = await fresh();
  try {
    const r = await importReference(ws.engine, {
      boundaries: [{ file: `${leicester.path}/E06000016_Leicester.shp`, level: 'oa11' }],
    });
    assert.equal(r.boundaries[0].areas, 969);
    assert.equal(r.boundaries[0].convertedFrom, 'British National Grid');
    // Every OA lies in Leicester (about 1.13°W, 52.63°N).
    const box = (await ws.engine.one<Record<string, number>>(
      `SELECT min(min_lon) AS w, max(max_lon) AS e, min(min_lat) AS s, max(max_lat) AS n FROM boundary`,
    ))!;
    assert.ok(box.w > -1.25 && box.e < -1.0 && box.s > 52.55 && box.n < 52.7, JSON.stringify(box));
  } finally {
    ws.close();
  }
});

test('a shapefile without its .dbf is refused, naming the missing file', async () => {
  const ws = await fresh();
  try {
    const shp = Buffer.alloc(100);
    shp.writeInt32BE(9994, 0);
    await assert.rejects(
      importReference(ws.engine, { boundaries: [{ file: file('lonely.shp', shp.toString('latin1')), level: 'oa21' }] }),
      (e: unknown) => e instanceof ObservatoryError && /no \.dbf/.test(e.message) && /lonely\.dbf/.test(e.fix ?? ''),
    );
  } finally {
    ws.close();
  }
});

const ONSPD = `pcd,pcds,doterm,oslaua,osward,oa11,lsoa11,msoa11,oa21,lsoa21,lat,long,oac11,imd
"M15 4AB","M15 4AB",,"E08000003","E05011372","E00026547","E01005206","E02001068","E00172525","E01005206",53.46,-2.25,"7B2",1234
"M15 4AD","M15 4AD",,"E08000003","E05011372","E00026547","E01005206","E02001068","E00172525","E01005206",53.46,-2.25,"7B2",1234
"M15 4AE","M15 4AE",,"E08000003","E05011372","E00026548","E01005207","E02001068","E00172526","E01005207",53.46,-2.25,"4a1",32844
"GY1 1AA","GY1 1AA",,"L99999999","L99999999","L99999999","L99999999","L99999999","L99999999","L99999999",49.45,-2.53,"",
"IM1 1AA","IM1 1AA",,"M99999999","M99999999","M99999999","M99999999","M99999999","M99999999","M99999999",54.15,-4.48,"",
`;

test('ONSPD pseudo-codes are stored as empty and counted; its oac11 and imd columns become a classification and an index', async () => {
  const ws = await fresh();
  try {
    const r = await importReference(ws.engine, { postcodes: file('onspd.csv', ONSPD) });
    assert.deepEqual(r.postcodes!.pseudoCodes, {
      postcodes: 2,
      byLevel: { oa21: 2, lsoa21: 2, oa11: 2, lsoa11: 2, msoa11: 2, ward: 2, lad: 2 },
    });
    const gy = await ws.engine.one(`SELECT lad, ward, oa11 FROM postcode WHERE pc_key = 'GY11AA'`);
    assert.deepEqual(gy, { lad: null, ward: null, oa11: null });
    const areas = await ws.engine.one<{ n: number }>(
      `SELECT count(*)::BIGINT AS n FROM area WHERE code LIKE '%99999999'`,
    );
    assert.equal(areas!.n, 0);
    // oac11 on the 2011 OAs, written as the ONS lookup writes subgroups (7b2).
    assert.deepEqual(
      r.classifications.map((c) => [c.name, c.areaLevel, c.areas, c.segments]),
      [['oac2011', 'oa11', 2, { supergroup: 2, group: 2, subgroup: 2 }]],
    );
    const seg = await ws.engine.all(
      `SELECT area_code, code FROM area_segment WHERE classification = 'oac2011' AND tier = 'subgroup' ORDER BY 1`,
    );
    assert.deepEqual(
      seg.map((s) => [s.area_code, s.code]),
      [
        ['E00026547', '7b2'],
        ['E00026548', '4a1'],
      ],
    );
    // imd as ranks of the 2011 LSOAs, with IMD 2019's deciles for English LSOAs.
    const dep = await ws.engine.all(
      `SELECT area_code, area_level, rank, decile FROM deprivation WHERE index_name = 'onspd_imd' ORDER BY 1`,
    );
    assert.deepEqual(
      dep.map((d) => [d.area_code, d.area_level, d.rank, d.decile]),
      [
        ['E01005206', 'lsoa11', 1234, 1],
        ['E01005207', 'lsoa11', 32844, 10],
      ],
    );
  } finally {
    ws.close();
  }
  const cli = join(tmp.dir, 'onspd.civic');
  await civic('init', cli);
  const out = await civic('reference', 'import', cli, '--postcodes', file('onspd2.csv', ONSPD));
  assert.equal(out.code, 0, out.stderr);
  assert.match(
    out.stdout,
    /2 postcodes with ONSPD pseudo-codes \(such as L99999999: no area of that kind\), stored as empty: oa21 2/,
  );
  assert.match(out.stdout, /Classification oac2011 \(the postcode directory's oac11 column\) on 2 oa11 areas/);
  assert.match(out.stdout, /Deprivation onspd_imd on 2 lsoa11 areas: IMD/);
});
