/**
 * bench/location/network: Dijkstra on the OpenStreetMap road graph of Monaco (osrm-backend's test
 * extract), against peers in the same run on the same arcs:
 *  - one-to-all: civic's ShortestPaths (CSR typed arrays, flatqueue, reused buffers) against a
 *    plain-array textbook Dijkstra (arrays of {to, w} objects, an object binary heap);
 *  - one-to-one: civic (search stopped at the target) against ngraph.path's A* with no heuristic
 *    (i.e. Dijkstra) and with a straight-line heuristic;
 *  - a whole networkCosts matrix, and the time to read and build each extract.
 * Every peer's answers are checked against civic's before timing counts.
 * Run: npx tsx bench/location/network.ts   (SOURCES=n to change the number of searches, default 50)
 */
import { loadavg, availableParallelism } from 'node:os';
import createGraph from 'ngraph.graph';
import ngraphPath from 'ngraph.path';
import {
  loadRoadNetwork,
  networkCosts,
  metresBetween,
  ShortestPaths,
  type Adjacency,
  type RoadNetwork,
  type TravelMode,
  type Place,
} from '../../src/location/index.ts';

const DATA = new URL('../../../shared/data/osm/', import.meta.url).pathname;
const SOURCES = Number(process.env.SOURCES ?? 50);
const LOAD_BEFORE = loadavg()
  .map((x) => x.toFixed(2))
  .join(' ');

function time<T>(fn: () => T): { value: T; ms: number } {
  const s = performance.now();
  const value = fn();
  return { value, ms: performance.now() - s };
}

/** The peer: Dijkstra as it is usually written in JavaScript. */
function plainDijkstra(adj: { to: number; w: number }[][], source: number): number[] {
  const dist: number[] = new Array(adj.length).fill(Infinity);
  const heap: [number, number][] = [];
  const push = (item: [number, number]) => {
    heap.push(item);
    let i = heap.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (heap[p][0] <= heap[i][0]) break;
      [heap[p], heap[i]] = [heap[i], heap[p]];
      i = p;
    }
  };
  const pop = (): [number, number] => {
    const top = heap[0],
      last = heap.pop()!;
    if (heap.length) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1,
          r = l + 1;
        let m = i;
        if (l < heap.length && heap[l][0] < heap[m][0]) m = l;
        if (r < heap.length && heap[r][0] < heap[m][0]) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  };
  dist[source] = 0;
  push([0, source]);
  while (heap.length) {
    const [d, u] = pop();
    if (d > dist[u]) continue;
    for (const { to, w } of adj[u])
      if (d + w < dist[to]) {
        dist[to] = d + w;
        push([d + w, to]);
      }
  }
  return dist;
}

function mainNodes(network: RoadNetwork, mode: TravelMode): number[] {
  const main = network.mainComponent(mode),
    out: number[] = [];
  for (let v = 0; v < main.length; v++) if (main[v]) out.push(v);
  return out;
}

const fmt = (ms: number) => ms.toFixed(2);
const rows: string[] = [];
const loads: string[] = [];

for (const file of ['monaco', 'liechtenstein']) {
  const started = performance.now();
  const network = await loadRoadNetwork(DATA + file + '.osm.pbf');
  const ms = performance.now() - started;
  const s = network.summary;
  loads.push(
    `| ${file} | ${(ms / 1000).toFixed(2)} | ${s.waysRead.toLocaleString('en-GB')} | ${s.waysKept.toLocaleString('en-GB')} | ${s.nodes.toLocaleString('en-GB')} | ${s.arcs.toLocaleString('en-GB')} | ${s.missingNodeRefs} |`,
  );
  if (file !== 'monaco') continue;

  for (const mode of ['car', 'walk'] as TravelMode[]) {
    const adj: Adjacency = network.adjacency(mode);
    const nodes = mainNodes(network, mode);
    const step = Math.floor(nodes.length / SOURCES);
    const sources = Array.from({ length: SOURCES }, (_, i) => nodes[i * step]);

    // One-to-all.
    const sp = new ShortestPaths(adj);
    const plainAdj: { to: number; w: number }[][] = Array.from({ length: adj.nodeCount }, (_, u) => {
      const out: { to: number; w: number }[] = [];
      for (let a = adj.offsets[u]; a < adj.offsets[u + 1]; a++) out.push({ to: adj.targets[a], w: adj.weights[a] });
      return out;
    });
    for (const s0 of sources.slice(0, 5)) {
      sp.search([s0]);
      plainDijkstra(plainAdj, s0);
    } // warm up both
    let checkOurs = 0,
      checkPlain = 0;
    const ours = time(() => {
      for (const s0 of sources) {
        sp.search([s0]);
        for (const v of sp.settled()) checkOurs += sp.distance(v);
      }
    });
    const plain = time(() => {
      for (const s0 of sources) for (const d of plainDijkstra(plainAdj, s0)) if (d < Infinity) checkPlain += d;
    });
    if (Math.abs(checkOurs - checkPlain) > 1e-6 * checkOurs)
      throw new Error(`one-to-all results differ: ${checkOurs} vs ${checkPlain}`);
    rows.push(
      `| ${mode} | one-to-all × ${SOURCES} (${nodes.length.toLocaleString('en-GB')} nodes in main network) | ${fmt(ours.ms / SOURCES)} | plain-array Dijkstra ${fmt(plain.ms / SOURCES)} | ${(plain.ms / ours.ms).toFixed(2)} |`,
    );

    // One-to-one against ngraph.path.
    const g = createGraph<{ lon: number; lat: number }, number>();
    for (let v = 0; v < adj.nodeCount; v++) g.addNode(v, { lon: network.graph.lon[v], lat: network.graph.lat[v] });
    const best = new Map<number, number>();
    for (let u = 0; u < adj.nodeCount; u++)
      for (let a = adj.offsets[u]; a < adj.offsets[u + 1]; a++) {
        const key = u * adj.nodeCount + adj.targets[a];
        best.set(key, Math.min(best.get(key) ?? Infinity, adj.weights[a]));
      }
    for (const [key, w] of best) g.addLink(Math.floor(key / adj.nodeCount), key % adj.nodeCount, w);
    const metresPerMinute = (network.topSpeedKmh(mode) * 1000) / 60;
    const dijkstraPeer = ngraphPath.aStar(g, { oriented: true, distance: (_a, _b, l) => l.data });
    const astarPeer = ngraphPath.aStar(g, {
      oriented: true,
      distance: (_a, _b, l) => l.data,
      heuristic: (a, b) => metresBetween(a.data, b.data) / metresPerMinute,
    });
    const pairs = sources.map((s0, i) => [s0, sources[(i + Math.floor(SOURCES / 2)) % SOURCES]] as const);
    const pathCost = (path: { id: number | string }[]) => {
      let c = 0;
      for (let i = path.length - 1; i > 0; i--)
        c += best.get((path[i].id as number) * adj.nodeCount + (path[i - 1].id as number))!;
      return c;
    };
    for (const [a, b] of pairs.slice(0, 3)) {
      sp.search([a], undefined, { targets: [b] });
      dijkstraPeer.find(a, b);
      astarPeer.find(a, b);
    }
    const ourCosts: number[] = [],
      peerCosts: number[] = [],
      astarCosts: number[] = [];
    const ours1 = time(() => {
      for (const [a, b] of pairs) ourCosts.push(sp.search([a], undefined, { targets: [b] }).distance(b));
    });
    const peer1 = time(() => {
      for (const [a, b] of pairs) peerCosts.push(pathCost(dijkstraPeer.find(a, b)));
    });
    const peer2 = time(() => {
      for (const [a, b] of pairs) astarCosts.push(pathCost(astarPeer.find(a, b)));
    });
    for (let i = 0; i < pairs.length; i++) {
      if (
        Math.abs(ourCosts[i] - peerCosts[i]) > 1e-6 * ourCosts[i] ||
        Math.abs(ourCosts[i] - astarCosts[i]) > 1e-6 * ourCosts[i]
      )
        throw new Error(`pair ${i}: ${ourCosts[i]} vs ngraph ${peerCosts[i]} / A* ${astarCosts[i]}`);
    }
    rows.push(
      `| ${mode} | one-to-one × ${SOURCES} | ${fmt(ours1.ms / SOURCES)} | ngraph.path aStar, no heuristic ${fmt(peer1.ms / SOURCES)} | ${(peer1.ms / ours1.ms).toFixed(2)} |`,
    );
    rows.push(
      `| ${mode} | one-to-one × ${SOURCES} | ${fmt(ours1.ms / SOURCES)} | ngraph.path aStar, straight-line heuristic ${fmt(peer2.ms / SOURCES)} | ${(peer2.ms / ours1.ms).toFixed(2)} |`,
    );

    // A whole matrix: 200 places × 200 places, each ~30 m off a node, searches stopped once all targets are settled.
    const places: Place[] = Array.from({ length: 200 }, (_, i) => {
      const v = nodes[Math.floor((i * nodes.length) / 200)];
      return { id: String(v), lon: network.graph.lon[v], lat: network.graph.lat[v] + 0.0003 };
    });
    const costs = networkCosts(network);
    await costs.matrix(places.slice(0, 5), places, mode);
    const s = performance.now();
    const m = await costs.matrix(places, places, mode);
    const matrixMs = performance.now() - s;
    const finite = m.minutes.filter(Number.isFinite).length;
    rows.push(
      `| ${mode} | networkCosts matrix 200 × 200 (${m.searches} searches, ${finite} finite) | ${fmt(matrixMs)} (whole matrix) | – | – |`,
    );
  }
}

console.log('| extract | read + build (s) | ways read | ways kept | nodes | arcs | missing node refs |');
console.log('|---|---:|---:|---:|---:|---:|---:|');
for (const r of loads) console.log(r);
console.log('\n| mode | job (monaco) | civic (ms per search) | peer (ms per search) | peer ÷ civic |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) console.log(r);
console.log(
  `\n(load average before/after: ${LOAD_BEFORE} / ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}; ${availableParallelism()} cores; Node ${process.version})`,
);
