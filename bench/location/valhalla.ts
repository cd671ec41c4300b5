/**
 * bench/location — our road network against Valhalla on the same extract: the same origin ×
 * destination car and walking matrices from both, their agreement (ratio of times, pair by pair)
 * and their speed. Valhalla is optional: install @valhallajs/valhallajs and build its tiles first:
 *
 *   npx valhalla build_config --mjolnir-tile-dir /tmp/vh/tiles --mjolnir-tile-extract /tmp/vh/tiles.tar > /tmp/vh/config.json
 *   npx valhalla build_tiles -c /tmp/vh/config.json ../shared/data/osm/monaco.osm.pbf
 *   npx tsx bench/location/valhalla.ts /tmp/vh/config.json [--pbf ../shared/data/osm/monaco.osm.pbf] [--points 60]
 */
import {
  loadRoadNetwork,
  loadValhalla,
  networkCosts,
  valhallaCosts,
  type Place,
  type TravelMode,
} from '../../src/location/index.ts';
import { createRandom } from '../../src/core/index.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const config = process.argv[2];
if (!config || config.startsWith('--')) {
  console.error('Give the Valhalla config file: npx tsx bench/location/valhalla.ts CONFIG.json');
  process.exit(2);
}
const pbf = arg('pbf', new URL('../../../shared/data/osm/monaco.osm.pbf', import.meta.url).pathname);
const n = Number(arg('points', '60'));

const network = await loadRoadNetwork(pbf);
const actor = await loadValhalla(config);
// Points spread over the network's own nodes (car-reachable), so both engines can snap them.
const rng = createRandom(1);
const { lon, lat } = network.graph;
const main = network.mainComponent('car');
const points: Place[] = [];
while (points.length < 2 * n) {
  const v = rng.int(lon.length);
  if (main[v]) points.push({ id: `p${points.length}`, lon: lon[v], lat: lat[v] });
}
const origins = points.slice(0, n),
  destinations = points.slice(n);

console.log(`${pbf.split('/').pop()}: ${n} × ${n} places\n`);
console.log(
  '| mode | ours (s) | Valhalla (s) | Valhalla ÷ ours (time) | pairs both reach | median ours ÷ Valhalla | 10th–90th percentile |',
);
console.log('|---|---:|---:|---:|---:|---:|---|');
for (const mode of ['car', 'walk'] as TravelMode[]) {
  let t = performance.now();
  const ours = await networkCosts(network).matrix(origins, destinations, mode);
  const oursS = (performance.now() - t) / 1000;
  t = performance.now();
  const theirs = await valhallaCosts(actor).matrix(origins, destinations, mode);
  const theirsS = (performance.now() - t) / 1000;
  const ratios: number[] = [];
  for (let i = 0; i < ours.minutes.length; i++) {
    const a = ours.minutes[i],
      b = theirs.minutes[i];
    if (Number.isFinite(a) && Number.isFinite(b) && b > 0.5) ratios.push(a / b);
  }
  ratios.sort((x, y) => x - y);
  const q = (p: number) => ratios[Math.floor(p * (ratios.length - 1))].toFixed(2);
  console.log(
    `| ${mode} | ${oursS.toFixed(2)} | ${theirsS.toFixed(2)} | ${(theirsS / oursS).toFixed(1)} | ${ratios.length} of ${ours.minutes.length} | ${q(0.5)} | ${q(0.1)}–${q(0.9)} |`,
  );
}
