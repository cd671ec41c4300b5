import { test, describe, before } from 'node:test';
import assert from 'node:assert/strict';
import createGraph from 'ngraph.graph';
import ngraphPath from 'ngraph.path';
import {
  buildRoadGraph,
  loadRoadNetwork,
  readOsmPbf,
  parseMaxspeed,
  wayProfile,
  RoadNetwork,
  networkCosts,
  reachableWithin,
  ShortestPaths,
  adjacencyFromArcs,
  reverseAdjacency,
  shortestCostsFrom,
  metresBetween,
  costAt,
  MAXSPEED_FACTOR,
  type OsmNode,
  type OsmWay,
  type Place,
  type TravelMode,
  type Adjacency,
} from '../../src/location/index.ts';
import { sharedData } from '../helpers/shared-data.ts';

const close = (a: number, b: number, tol = 1e-4) => assert.ok(a === b || Math.abs(a - b) <= tol, `${a} ≉ ${b}`);

// ── A hand-made town ───────────────────────────────────────────────────────────────────────────
// On the equator, 0.009° is 1000.7557 m (R = 6,371,008.8 m), so each side below is one "unit".
//
//   A ──▶ B ──▶ C        A→B→C: residential, one-way eastbound (cars and bikes)
//   │     ┊     │        B┊E:   footway (walkers and pushed bikes only)
//   D ─── E ─── F        A–D, D–E–F, F–C: residential, two-way
//
// Cars go at 25 km/h on residential streets (no maxspeed): 2.4018137 min per unit. Walking 4.8 km/h: 12.5094465 min.
// An island road (nodes 7–8) lies 55 km east, and one of its refs (999) is missing, as at an extract's edge.
const UNIT_M = 1000.7557221;
const CAR_UNIT = 2.4018137;
const WALK_UNIT = 12.5094465;
const nodes: OsmNode[] = [
  { id: 1, lon: 0, lat: 0.009 },
  { id: 2, lon: 0.009, lat: 0.009 },
  { id: 3, lon: 0.018, lat: 0.009 },
  { id: 4, lon: 0, lat: 0 },
  { id: 5, lon: 0.009, lat: 0 },
  { id: 6, lon: 0.018, lat: 0 },
  { id: 7, lon: 0.5, lat: 0 },
  { id: 8, lon: 0.509, lat: 0 },
  { id: 50, lon: 0.3, lat: 0.3 }, // used by no way: must not become a graph node
];
const residential = { highway: 'residential' };
const ways: OsmWay[] = [
  { id: 101, refs: [1, 2, 3], tags: { highway: 'residential', oneway: 'yes' } },
  { id: 102, refs: [1, 4], tags: residential },
  { id: 103, refs: [4, 5, 6], tags: residential },
  { id: 104, refs: [6, 3], tags: residential },
  { id: 105, refs: [2, 5], tags: { highway: 'footway' } },
  { id: 106, refs: [999, 7, 8], tags: residential },
  { id: 107, refs: [1, 4], tags: { building: 'yes' } },
];
const at = (id: string, lon: number, lat: number): Place => ({ id, lon, lat });
const A = at('A', 0, 0.009),
  B = at('B', 0.009, 0.009),
  C = at('C', 0.018, 0.009),
  E = at('E', 0.009, 0);
const nearA = at('100 m north of A', 0, 0.0099); // 0.0009° = 100.0756 m
const farAway = at('at sea', 1, 1);
const island = at('by the island road', 0.5, 0.001);

describe('hand-made road graph', () => {
  const graph = buildRoadGraph(nodes, ways);
  const network = new RoadNetwork(graph);

  test('summary counts ways, nodes, arcs and the clipped reference', () => {
    assert.deepEqual(graph.summary, {
      waysRead: 7,
      highwayWays: 6,
      waysKept: 6,
      nodes: 8,
      missingNodeRefs: 1,
      segmentsSkipped: 1,
      // 5 two-way residential segments (10 arcs) + the one-way street's 2 segments, which walkers may
      // take either way (4 arcs, 2 for cars and bikes) + the footway both ways (2) = 16 arcs
      arcs: 16,
      arcsByMode: { car: 12, walk: 16, cycle: 14 },
    });
    // Each arc is as long as the haversine between its ends.
    for (let u = 0; u < graph.nodeCount; u++) {
      for (let a = graph.offsets[u]; a < graph.offsets[u + 1]; a++) {
        const v = graph.targets[a];
        close(
          graph.metres[a],
          metresBetween({ lon: graph.lon[u], lat: graph.lat[u] }, { lon: graph.lon[v], lat: graph.lat[v] }),
          1e-3,
        );
      }
    }
  });

  test('one-way street forces a detour for cars but not for walkers; origin→destination ≠ destination→origin', async () => {
    const car = await networkCosts(network).matrix([A, C], [A, C], 'car');
    assert.equal(costAt(car, 0, 0), 0);
    close(costAt(car, 0, 1), 2 * CAR_UNIT); // A→B→C
    close(costAt(car, 1, 0), 4 * CAR_UNIT); // C→F→E→D→A round the one-way
    const walk = await networkCosts(network).matrix([A, C], [A, C], 'walk');
    close(costAt(walk, 0, 1), 2 * WALK_UNIT);
    close(costAt(walk, 1, 0), 2 * WALK_UNIT);
    // Cycles keep to the one-way too.
    const cycle = await networkCosts(network).matrix([C], [A], 'cycle');
    close(costAt(cycle, 0, 0), (4 * UNIT_M) / 250);
  });

  test('walking uses the footway that cars cannot', async () => {
    const walk = await networkCosts(network).matrix([B], [E], 'walk');
    close(costAt(walk, 0, 0), WALK_UNIT); // B┊E
    const car = await networkCosts(network).matrix([B], [E], 'car');
    close(costAt(car, 0, 0), 3 * CAR_UNIT); // B→C→F→E
  });

  test('searching forward from origins and back from destinations give the same matrix', async () => {
    const places = [A, B, C, E, nearA, at('D', 0, 0), at('F', 0.018, 0)];
    for (const mode of ['car', 'walk', 'cycle'] as TravelMode[]) {
      const fwd = await networkCosts(network, { direction: 'forward' }).matrix(places, places, mode);
      const rev = await networkCosts(network, { direction: 'reverse' }).matrix(places, places, mode);
      assert.equal(fwd.direction, 'forward');
      assert.equal(rev.direction, 'reverse');
      assert.deepEqual(Array.from(rev.minutes), Array.from(fwd.minutes), mode);
    }
    // auto: one origin and many destinations searches forward once; the other way round, backwards once.
    const one = await networkCosts(network).matrix([C], places, 'car');
    const many = await networkCosts(network).matrix(places, [C], 'car');
    assert.equal(one.direction, 'forward');
    assert.equal(one.searches, 1);
    assert.equal(many.direction, 'reverse');
    assert.equal(many.searches, 1);
    close(costAt(one, 0, 0), 4 * CAR_UNIT); // C→A
    close(costAt(many, 0, 0), 2 * CAR_UNIT); // A→C
  });

  test('the access leg is timed at access speed; two places on one node go straight', async () => {
    const m = await networkCosts(network).matrix([nearA, A], [C, nearA], 'car');
    const leg = 100.0756 / 250; // 15 km/h = 250 m/min
    close(costAt(m, 0, 0), leg + 2 * CAR_UNIT);
    close(costAt(m, 0, 1), 0);
    close(costAt(m, 1, 1), leg);
    assert.equal(m.originSnap.offNetwork, 0);
    close(m.originSnap.maxSnapMetres, 100.0756, 1e-3);
    const walk = await networkCosts(network).matrix([nearA], [A], 'walk');
    close(costAt(walk, 0, 0), 100.0756 / 80); // 4.8 km/h = 80 m/min
  });

  test('places off the network (at sea, or only near a disconnected island) and journeys beyond the limit are Infinity', async () => {
    const m = await networkCosts(network).matrix([A, farAway], [C, island, A], 'car');
    assert.equal(costAt(m, 1, 0), Infinity);
    assert.equal(costAt(m, 1, 2), Infinity);
    assert.equal(costAt(m, 0, 1), Infinity);
    close(costAt(m, 0, 0), 2 * CAR_UNIT);
    assert.equal(m.originSnap.offNetwork, 1);
    assert.equal(m.destinationSnap.offNetwork, 1);
    // The island is its own little network, so the main component leaves it out.
    assert.equal(
      network.mainComponent('car').reduce((s, x) => s + x, 0),
      6,
    );
    // A wider snap limit still cannot reach the island from the main network.
    const wide = await networkCosts(network, { maxSnapMetres: 100_000 }).matrix([A], [island], 'car');
    assert.ok(Number.isFinite(costAt(wide, 0, 0)), 'snapped to the main network, with a long access leg');
    const capped = await networkCosts(network, { maxMinutes: 6 }).matrix([A, C], [A, C], 'car');
    close(costAt(capped, 0, 1), 2 * CAR_UNIT);
    assert.equal(costAt(capped, 1, 0), Infinity); // 9.6 min > 6
  });

  test('reachableWithin lists nodes within the time, nearest first', () => {
    const car = reachableWithin(network, A, 'car', 5);
    assert.equal(car.length, 5); // A, B, D at 0/2.4/2.4, C and E at 4.8; F (7.2) is too far
    assert.deepEqual(
      car.map((p) => Math.round(p.minutes / CAR_UNIT)),
      [0, 1, 1, 2, 2],
    );
    assert.ok(!car.some((p) => p.lon === 0.018 && p.lat === 0), 'F is beyond 5 minutes');
    const walk = reachableWithin(network, nearA, 'walk', 13);
    assert.deepEqual(
      walk.map((p) => [p.lon, p.lat]),
      [[0, 0.009]],
    ); // 1.25 min to reach A; B and D at 13.76 min
    close(walk[0].minutes, 100.0756 / 80);
    assert.deepEqual(reachableWithin(network, farAway, 'walk', 60), []);
  });
});

describe('awkward inputs', () => {
  test('a mode with no usable ways leaves every journey unreachable', async () => {
    const paths = new RoadNetwork(buildRoadGraph(nodes, [{ id: 1, refs: [1, 2, 3], tags: { highway: 'footway' } }]));
    const car = await networkCosts(paths).matrix([A], [C], 'car');
    assert.equal(costAt(car, 0, 0), Infinity);
    assert.equal(car.originSnap.offNetwork, 1);
    const walk = await networkCosts(paths).matrix([A], [C], 'walk');
    close(costAt(walk, 0, 0), 2 * WALK_UNIT);
  });

  test('bad places and files give plain-English errors', async () => {
    const network = new RoadNetwork(buildRoadGraph(nodes, ways));
    await assert.rejects(networkCosts(network).matrix([{ id: 'x', lon: NaN, lat: 0 }], [A], 'walk'), {
      code: 'place_coordinates_invalid',
    });
    await assert.rejects(loadRoadNetwork('/no/such/file.osm.pbf'), { code: 'network_file_missing' });
    await assert.rejects(loadRoadNetwork(new URL('../fixtures/empty.csv', import.meta.url).pathname), {
      code: 'network_file_empty',
    });
    await assert.rejects(loadRoadNetwork(new URL('../fixtures/messy.csv', import.meta.url).pathname), {
      code: 'network_file_unreadable',
    });
  });
});

describe('way tags', () => {
  test('maxspeed in km/h, mph, knots and implicit UK limits', () => {
    const mph = 1.609344;
    const cases: [string | undefined, number | undefined][] = [
      ['30', 30],
      ['50 km/h', 50],
      ['50kmh', 50],
      ['20 mph', 20 * mph],
      ['20mph', 20 * mph],
      ['10 knots', 18.52],
      ['GB:nsl_single', 60 * mph],
      ['GB:nsl_dual', 70 * mph],
      ['UK:nsl_single', 60 * mph],
      ['GB:motorway', 70 * mph],
      ['FR:urban', 50],
      ['DE:rural', 100],
      ['DE:zone30', 30],
      ['zone:20', 20],
      ['50;30', 50],
      ['walk', 6],
      ['none', undefined],
      ['signals', undefined],
      ['', undefined],
      [undefined, undefined],
      ['0', undefined],
      ['fast', undefined],
    ];
    for (const [raw, want] of cases) {
      const got = parseMaxspeed(raw);
      if (want === undefined) assert.equal(got, undefined, String(raw));
      else close(got!, want, 1e-9);
    }
  });

  test('car speed is maxspeed × factor, else the road-class default', () => {
    close(
      wayProfile({ highway: 'residential', maxspeed: '20 mph' })!.forwardKmh.car,
      20 * 1.609344 * MAXSPEED_FACTOR,
      1e-9,
    );
    assert.equal(wayProfile({ highway: 'primary' })!.forwardKmh.car, 65);
    close(
      wayProfile({ highway: 'primary', maxspeed: '40', 'maxspeed:backward': '30 mph' })!.backwardKmh.car,
      30 * 1.609344 * 0.8,
      1e-9,
    );
  });

  test('oneway, roundabouts and motorways', () => {
    const back = wayProfile({ highway: 'residential', oneway: '-1' })!;
    assert.deepEqual(
      [back.forwardKmh.car, back.backwardKmh.car > 0, back.forwardKmh.walk > 0, back.backwardKmh.walk > 0],
      [0, true, true, true],
    );
    for (const v of ['yes', '1', 'true'])
      assert.equal(wayProfile({ highway: 'tertiary', oneway: v })!.backwardKmh.car, 0);
    const round = wayProfile({ highway: 'primary', junction: 'roundabout' })!;
    assert.deepEqual([round.forwardKmh.car, round.backwardKmh.car, round.backwardKmh.cycle], [65, 0, 0]);
    const motorway = wayProfile({ highway: 'motorway' })!;
    assert.deepEqual(
      [motorway.forwardKmh.car, motorway.backwardKmh.car, motorway.forwardKmh.walk, motorway.forwardKmh.cycle],
      [90, 0, 0, 0],
    );
    const contraflow = wayProfile({ highway: 'residential', oneway: 'yes', 'oneway:bicycle': 'no' })!;
    assert.deepEqual([contraflow.backwardKmh.car, contraflow.backwardKmh.cycle], [0, 15]);
    assert.equal(
      wayProfile({ highway: 'residential', oneway: 'yes', cycleway: 'opposite_lane' })!.backwardKmh.cycle,
      15,
    );
    assert.equal(wayProfile({ highway: 'residential', oneway: 'reversible' })!.forwardKmh.car, 0);
  });

  test('access tags, and which classes each mode may use', () => {
    assert.equal(wayProfile({ highway: 'service', access: 'private' }), undefined);
    const footOnly = wayProfile({ highway: 'service', access: 'no', foot: 'yes' })!;
    assert.deepEqual([footOnly.forwardKmh.car, footOnly.forwardKmh.walk, footOnly.forwardKmh.cycle], [0, 4.8, 0]);
    assert.equal(wayProfile({ highway: 'residential', motor_vehicle: 'no' })!.forwardKmh.car, 0);
    assert.equal(wayProfile({ highway: 'residential', motor_vehicle: 'no', motorcar: 'yes' })!.forwardKmh.car, 25);
    assert.equal(wayProfile({ highway: 'trunk', foot: 'no' })!.forwardKmh.walk, 0);
    assert.equal(wayProfile({ highway: 'primary', bicycle: 'no' })!.forwardKmh.cycle, 0);
    for (const hw of ['footway', 'path', 'pedestrian', 'steps', 'cycleway', 'bridleway', 'track'])
      assert.equal(wayProfile({ highway: hw })!.forwardKmh.car, 0, hw);
    assert.equal(wayProfile({ highway: 'footway' })!.forwardKmh.cycle, 4.8); // pushed
    assert.equal(wayProfile({ highway: 'footway', bicycle: 'designated' })!.forwardKmh.cycle, 15);
    assert.equal(wayProfile({ highway: 'steps' })!.forwardKmh.cycle, 2);
    assert.equal(wayProfile({ highway: 'track' })!.forwardKmh.cycle, 10);
    assert.equal(wayProfile({ highway: 'cycleway', foot: 'no' })!.forwardKmh.walk, 0);
    assert.equal(wayProfile({ highway: 'primary', motorroad: 'yes' })!.forwardKmh.walk, 0);
    for (const hw of ['construction', 'proposed', 'platform', 'bus_stop'])
      assert.equal(wayProfile({ highway: hw }), undefined, hw);
  });
});

describe('Dijkstra', () => {
  // 0 →(1) 1 →(1) 2 ;  0 →(5) 2 ; 2 →(1) 3 ; 4 isolated
  const adj = adjacencyFromArcs(5, [0, 1, 0, 2], [1, 2, 2, 3], [1, 1, 5, 1]);
  test('one-to-all, cut-off, several sources with start costs, stop at targets', () => {
    assert.deepEqual(Array.from(shortestCostsFrom(adj, 0)), [0, 1, 2, 3, Infinity]);
    assert.deepEqual(Array.from(shortestCostsFrom(adj, 0, { cutoff: 2 })), [0, 1, 2, Infinity, Infinity]);
    const sp = new ShortestPaths(adj);
    sp.search([0, 2], [10, 0.5]);
    assert.deepEqual(
      [0, 1, 2, 3].map((v) => sp.distance(v)),
      [10, 11, 0.5, 1.5],
    );
    sp.search([0], undefined, { targets: [1] });
    assert.deepEqual(Array.from(sp.settled()), [0, 1]);
    assert.equal(sp.distance(2), Infinity); // not settled in this run, even though settled in the previous one
    assert.deepEqual(Array.from(shortestCostsFrom(reverseAdjacency(adj), 3)), [3, 2, 1, 0, Infinity]);
  });
});

// ── Real extracts ─────────────────────────────────────────────────────────────────────────────
const osm = sharedData('osm');

/** Shortest costs on the mode's arcs by ngraph.path (A* with no heuristic, i.e. Dijkstra), an independent implementation. */
function ngraphReference(adj: Adjacency) {
  const g = createGraph<undefined, number>();
  const best = new Map<number, number>();
  for (let u = 0; u < adj.nodeCount; u++) {
    for (let a = adj.offsets[u]; a < adj.offsets[u + 1]; a++) {
      const key = u * adj.nodeCount + adj.targets[a];
      best.set(key, Math.min(best.get(key) ?? Infinity, adj.weights[a]));
    }
  }
  for (const [key, w] of best) g.addLink(Math.floor(key / adj.nodeCount), key % adj.nodeCount, w);
  const finder = ngraphPath.aStar(g, { oriented: true, distance: (_a, _b, link) => link.data });
  return (from: number, to: number) => {
    if (from === to) return 0;
    const path = finder.find(from, to); // from `to` back to `from`
    if (!path.length) return Infinity;
    let sum = 0;
    for (let i = path.length - 1; i > 0; i--)
      sum += best.get((path[i].id as number) * adj.nodeCount + (path[i - 1].id as number))!;
    return sum;
  };
}

/** Places beside every k-th node of the mode's main network, nudged ~30 m north. */
function samplePlaces(network: RoadNetwork, mode: TravelMode, count: number, offset: number): Place[] {
  const main = network.mainComponent(mode);
  const nodes: number[] = [];
  for (let v = 0; v < main.length; v++) if (main[v]) nodes.push(v);
  const step = Math.max(1, Math.floor(nodes.length / count));
  return Array.from({ length: count }, (_, i) => {
    const v = nodes[(i * step + offset) % nodes.length];
    return { id: `n${v}`, lon: network.graph.lon[v], lat: network.graph.lat[v] + 0.0003 };
  });
}

// Monaco (25,000 road nodes) only for cars, the mode with one-way streets and varied speeds: it keeps this file quick.
for (const [file, modes] of [
  ['its-example', ['car', 'walk', 'cycle']],
  ['whitelion_bristol_uk', ['car', 'walk', 'cycle']],
  ['monaco', ['car']],
] as [string, TravelMode[]][]) {
  describe(`OpenStreetMap extract ${file}`, { skip: osm.skip }, () => {
    let network: RoadNetwork;
    before(async () => {
      network = await loadRoadNetwork(`${osm.path}/${file}.osm.pbf`);
    });

    test('summary adds up', () => {
      const s = network.summary;
      assert.ok(s.waysKept > 0 && s.waysKept <= s.highwayWays && s.highwayWays <= s.waysRead, JSON.stringify(s));
      assert.ok(s.arcsByMode.car > 0 && s.arcsByMode.walk >= s.arcsByMode.car);
      assert.equal(s.arcs, network.graph.targets.length);
    });

    for (const mode of modes) {
      test(`${mode}: every time ≥ straight line ÷ top speed; agrees with ngraph.path; same both directions`, async () => {
        const origins = samplePlaces(network, mode, 6, 0);
        const destinations = [...samplePlaces(network, mode, 10, 3), { id: 'at sea', lon: 0, lat: 0 }];
        const m = await networkCosts(network, { direction: 'forward' }).matrix(origins, destinations, mode);
        const top = network.topSpeedKmh(mode);
        let finite = 0;
        for (let o = 0; o < origins.length; o++) {
          for (let d = 0; d < destinations.length; d++) {
            const t = costAt(m, o, d);
            if (!Number.isFinite(t)) continue;
            finite++;
            const bound = metresBetween(origins[o], destinations[d]) / ((top * 1000) / 60);
            assert.ok(t * (1 + 1e-6) >= bound, `${mode} ${o}→${d}: ${t} min < straight-line bound ${bound}`);
          }
        }
        // Every sampled place is on the main network, so all but the point at sea are reachable.
        assert.equal(finite, origins.length * (destinations.length - 1));
        for (let o = 0; o < origins.length; o++) assert.equal(costAt(m, o, destinations.length - 1), Infinity);
        assert.equal(m.destinationSnap.offNetwork, 1);

        const ref = ngraphReference(network.adjacency(mode));
        const so = network.snap(origins, mode),
          sd = network.snap(destinations, mode);
        // A sample of pairs: ngraph.path answers one pair at a time, slowly.
        for (let o = 0; o < 3; o++) {
          for (let d = 0; d < 5; d++) {
            if (so.node[o] === sd.node[d]) continue;
            const want = so.minutes[o] + ref(so.node[o], sd.node[d]) + sd.minutes[d];
            close(costAt(m, o, d), want, 1e-4 * Math.max(1, want));
          }
        }
        const rev = await networkCosts(network, { direction: 'reverse' }).matrix(origins, destinations, mode);
        for (let i = 0; i < m.minutes.length; i++)
          close(rev.minutes[i], m.minutes[i], 1e-4 * Math.max(1, m.minutes[i]));
      });
    }
  });
}

describe('walking and driving on the Leeds extract', { skip: osm.skip }, () => {
  test('footways carry walkers but not cars, and make some walks shorter than any drive', async () => {
    const { nodes, ways, waysRead } = await readOsmPbf(`${osm.path}/its-example.osm.pbf`);
    const footways = ways.filter((w) => w.tags.highway === 'footway' && wayProfile(w.tags));
    assert.ok(footways.length > 0);
    for (const w of footways) assert.equal(wayProfile(w.tags)!.forwardKmh.car, 0);
    const network = new RoadNetwork(buildRoadGraph(nodes, ways, { waysRead }));
    const g = network.graph;
    // Metres instead of minutes on each mode's arcs.
    const byMetres = (mode: TravelMode) => {
      const from: number[] = [],
        to: number[] = [],
        w: number[] = [];
      for (let u = 0; u < g.nodeCount; u++)
        for (let a = g.offsets[u]; a < g.offsets[u + 1]; a++)
          if (Number.isFinite(g.minutes[mode][a])) {
            from.push(u);
            to.push(g.targets[a]);
            w.push(g.metres[a]);
          }
      return adjacencyFromArcs(g.nodeCount, from, to, w);
    };
    const walk = byMetres('walk'),
      car = byMetres('car');
    const carMain = network.mainComponent('car');
    let shorter = 0,
      pairs = 0;
    for (let s = 0; s < g.nodeCount; s += 7) {
      if (!carMain[s]) continue;
      const dw = shortestCostsFrom(walk, s),
        dc = shortestCostsFrom(car, s);
      for (let t = 0; t < g.nodeCount; t++) {
        if (!carMain[t] || t === s) continue;
        pairs++;
        assert.ok(dw[t] <= dc[t] + 1e-3, `walking ${dw[t]} m > driving ${dc[t]} m`);
        if (dw[t] < 0.8 * dc[t]) shorter++;
      }
    }
    assert.ok(pairs > 100 && shorter > pairs / 10, `${shorter} of ${pairs} walks are a fifth shorter than the drive`);
  });
});
