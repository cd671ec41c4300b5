import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mapPostcodeColumns } from '../../src/reference/index.ts';

// Headers as ONS publishes them (ONSPD and NSPL, February 2025 releases).
const ONSPD =
  'pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,oseast1m,osnrth1m,osgrdind,oshlthau,nhser,ctry,rgn,streg,pcon,eer,teclec,ttwa,pct,itl,statsward,oa01,casward,npark,lsoa01,msoa01,ur01ind,oac01,oa11,lsoa11,msoa11,wz11,sicbl,bua24,ru11ind,oac11,lat,long,lep1,lep2,pfa,imd,calncv,icb,oa21,lsoa21,msoa21,ruc21ind,globalid'.split(
    ',',
  );
const NSPL =
  'pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,oa21cd,cty,ced,laua,ward,nhser,ctry,rgn,pcon,ttwa,itl,npark,lsoa21cd,msoa21cd,wz11cd,sicbl,bua24cd,ruc21ind,oac11,lat,long,lep1,lep2,pfa,imd,icb'.split(
    ',',
  );

test('ONSPD columns are recognised without any mapping', () => {
  assert.deepEqual(mapPostcodeColumns(ONSPD), {
    postcode: 'pcds',
    lat: 'lat',
    lon: 'long',
    doterm: 'doterm',
    oa21: 'oa21',
    lsoa21: 'lsoa21',
    msoa21: 'msoa21',
    oa11: 'oa11',
    lsoa11: 'lsoa11',
    msoa11: 'msoa11',
    ward: 'osward',
    lad: 'oslaua',
    // ONSPD's own classification and deprivation columns (used on 2011 OAs and LSOAs).
    oac11: 'oac11',
    imd: 'imd',
  });
});

test('NSPL columns are recognised without any mapping', () => {
  assert.deepEqual(mapPostcodeColumns(NSPL), {
    postcode: 'pcds',
    lat: 'lat',
    lon: 'long',
    doterm: 'doterm',
    oa21: 'oa21cd',
    lsoa21: 'lsoa21cd',
    msoa21: 'msoa21cd',
    ward: 'ward',
    lad: 'laua',
    oac11: 'oac11',
    imd: 'imd',
  });
});

test('a plain list with --map, and yearless LSOA columns taking the stated year', () => {
  const cols = mapPostcodeColumns(['Post Code', 'Latitude', 'Longitude', 'lsoa_code', 'Ward Code'], {
    map: { 'Post Code': 'postcode', 'Ward Code': 'ward' },
    areaYear: '11',
  });
  assert.deepEqual(cols, {
    postcode: 'Post Code',
    lat: 'Latitude',
    lon: 'Longitude',
    lsoa11: 'lsoa_code',
    ward: 'Ward Code',
  });
  assert.throws(() => mapPostcodeColumns(['a'], { map: { a: 'parish' } }), /unknown field "parish"/);
  assert.throws(() => mapPostcodeColumns(['a'], { map: { b: 'postcode' } }), /not in the file/);
});
