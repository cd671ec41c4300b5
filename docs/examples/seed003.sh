#!/bin/sh
# Rebuilds seed 003's stop-smoking profile (Mosaic Public Sector groups A to K) as a tiny
# workspace, so that the Observatory's profile can be checked against the published table.
# Each group becomes one made-up output area with one made-up postcode (ZZ1 1AA to ZZ1 1AK).
# Households are the published "Comp." counts; records are the published file counts.
# Nothing here is real data.
#
# Usage, from the repository folder:  sh docs/examples/seed003.sh /tmp/seed003
set -e
out=${1:?give a folder to build in, for example /tmp/seed003}
groups="$(cd "$(dirname "$0")" && pwd)/seed003-groups.txt"
mkdir -p "$out"
awk -F'|' 'NR == 1 { print "postcode,oa21cd"; next } { printf "ZZ1 1A%s,E000000%02d\n", $1, NR - 1 }' "$groups" > "$out/postcodes.csv"
awk -F'|' 'NR == 1 { print "area_code,households"; next } { printf "E000000%02d,%s\n", NR - 1, $4 }' "$groups" > "$out/base.csv"
awk -F'|' 'NR == 1 { print "area_code,group"; next } { printf "E000000%02d,%s\n", NR - 1, $1 }' "$groups" > "$out/mosaic.csv"
awk -F'|' 'NR == 1 { print "tier,code,name"; next } { printf "group,%s,\"%s\"\n", $1, $2 }' "$groups" > "$out/mosaic_names.csv"
awk -F'|' 'NR == 1 { print "client_id,postcode"; next } { for (i = 0; i < $3; i++) printf "S%05d,ZZ1 1A%s\n", ++n, $1 }' "$groups" > "$out/stop_smoking.csv"
npx civic init "$out/seed003.civic"
npx civic reference import "$out/seed003.civic" --postcodes "$out/postcodes.csv" --base "$out/base.csv" \
  --classification "$out/mosaic.csv" --classification-name mosaic --segments "$out/mosaic_names.csv"
npx civic dataset import "$out/seed003.civic" stop_smoking "$out/stop_smoking.csv"
