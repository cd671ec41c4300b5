/**
 * A road network for travel costs: nodes and directed arcs in typed arrays (CSR), minutes per arc
 * for each travel mode, places snapped to the network with a k-d tree, and a CostSource that
 * fills a CostMatrix with one Dijkstra search per origin (or per destination).
 *
 * The graph comes from OpenStreetMap through `buildRoadGraph` / `loadRoadNetwork` in osm.ts; this
 * file does not care where the arcs came from.
 */
import KDBush from 'kdbush';
import { around } from 'geokdbush';
import { InputError } from '../core/index.ts';
import { metresBetween, TRAVEL_MODES, type CostMatrix, type CostSource, type Place, type TravelMode } from './costs.ts';
import { adjacencyFromArcs, reverseAdjacency, ShortestPaths, type Adjacency } from './dijkstra.ts';

/** What reading and building the graph found, so a report can say what was used and what was left out. */
export interface RoadGraphSummary {
  /** Every way in the file, routable or not. */
  waysRead: number;
  /** Ways carrying any `highway=*` tag. */
  highwayWays: number;
  /** Ways that at least one mode may use in at least one direction. */
  waysKept: number;
  nodes: number;
  /** Directed arcs (a two-way street segment is two arcs). */
  arcs: number;
  /** Arcs each mode may use. */
  arcsByMode: Record<TravelMode, number>;
  /** Way references to nodes missing from the file (ways clipped at the edge of an extract). */
  missingNodeRefs: number;
  /** Way segments left out because one end was missing. */
  segmentsSkipped: number;
}

/**
 * Nodes and directed arcs. Arcs out of node `i` are `offsets[i]` … `offsets[i + 1] - 1`; arc `a`
 * goes to `targets[a]`, is `metres[a]` long and takes `minutes[mode][a]` (Infinity where the mode
 * may not use it in that direction).
 */
export interface RoadGraph {
  nodeCount: number;
  lon: Float64Array;
  lat: Float64Array;
  /** The OpenStreetMap node id of each node (0 for a node made by hand without one). */
  osmId: Float64Array;
  offsets: Uint32Array;
  targets: Uint32Array;
  metres: Float32Array;
  minutes: Record<TravelMode, Float32Array>;
  summary: RoadGraphSummary;
}

/** Arcs in any order, as the graph builder collects them. */
export interface ArcLists {
  from: ArrayLike<number>;
  to: ArrayLike<number>;
  metres: ArrayLike<number>;
  minutes: Record<TravelMode, ArrayLike<number>>;
}

/** Puts arcs into CSR order (a counting sort by tail node, stable). */
export function createRoadGraph(
  nodes: { lon: ArrayLike<number>; lat: ArrayLike<number>; osmId?: ArrayLike<number> },
  arcs: ArcLists,
  summary: Omit<RoadGraphSummary, 'nodes' | 'arcs' | 'arcsByMode'>,
): RoadGraph {
  const n = nodes.lon.length;
  const m = arcs.from.length;
  const offsets = new Uint32Array(n + 1);
  for (let i = 0; i < m; i++) offsets[arcs.from[i] + 1]++;
  for (let i = 0; i < n; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, n);
  const targets = new Uint32Array(m);
  const metres = new Float32Array(m);
  const minutes = { car: new Float32Array(m), walk: new Float32Array(m), cycle: new Float32Array(m) };
  const arcsByMode = { car: 0, walk: 0, cycle: 0 };
  for (let i = 0; i < m; i++) {
    const k = fill[arcs.from[i]]++;
    targets[k] = arcs.to[i];
    metres[k] = arcs.metres[i];
    for (const mode of TRAVEL_MODES) {
      const t = arcs.minutes[mode][i];
      minutes[mode][k] = t;
      if (Number.isFinite(t)) arcsByMode[mode]++;
    }
  }
  return {
    nodeCount: n,
    lon: Float64Array.from(nodes.lon),
    lat: Float64Array.from(nodes.lat),
    osmId: nodes.osmId ? Float64Array.from(nodes.osmId) : new Float64Array(n),
    offsets,
    targets,
    metres,
    minutes,
    summary: { ...summary, nodes: n, arcs: m, arcsByMode },
  };
}

/**
 * Speed of the short leg between a place and the network node it is snapped to (km/h). Walking
 * and cycling go at their usual pace; a car is taken at service-road speed (a driveway or car
 * park), so a place far from any road is slow to reach rather than free.
 */
export const ACCESS_KMH: Readonly<Record<TravelMode, number>> = { car: 15, walk: 4.8, cycle: 15 };

/** A place farther than this from every usable node is off the network (unreachable). */
export const DEFAULT_MAX_SNAP_METRES = 2000;

export interface SnapOptions {
  /** Default DEFAULT_MAX_SNAP_METRES (2 km). */
  maxSnapMetres?: number;
  /** Speed of the access leg per mode in km/h; defaults from ACCESS_KMH. */
  accessKmh?: Partial<Record<TravelMode, number>>;
}

/** Where each place joins the network: node index (-1 if off the network), the gap in metres and the minutes to cross it. */
export interface SnappedPlaces {
  node: Int32Array;
  metres: Float64Array;
  minutes: Float64Array;
  /** Places more than the limit from the network. */
  offNetwork: number;
}

/**
 * A road graph made ready for routing: per-mode adjacency both ways, the largest strongly connected
 * component of each mode (so that any two snapped places can reach each other) and a spatial index
 * of its nodes. Each is built on first use and kept.
 */
export class RoadNetwork {
  readonly graph: RoadGraph;
  private readonly adjacencies = new Map<string, Adjacency>();
  private readonly components = new Map<TravelMode, Uint8Array>();
  private readonly indexes = new Map<TravelMode, { index: KDBush; nodes: Uint32Array }>();
  private readonly topSpeeds = new Map<TravelMode, number>();

  constructor(graph: RoadGraph) {
    this.graph = graph;
  }

  get summary(): RoadGraphSummary {
    return this.graph.summary;
  }

  /** Arcs the mode may use, in CSR form, as they are (`forward`) or pointing backwards (`reverse`). */
  adjacency(mode: TravelMode, direction: 'forward' | 'reverse' = 'forward'): Adjacency {
    const key = `${mode}:${direction}`;
    let adj = this.adjacencies.get(key);
    if (!adj) {
      if (direction === 'reverse') adj = reverseAdjacency(this.adjacency(mode, 'forward'));
      else {
        const { nodeCount, offsets, targets } = this.graph;
        const minutes = this.graph.minutes[mode];
        const from: number[] = [],
          to: number[] = [],
          w: number[] = [];
        for (let u = 0; u < nodeCount; u++) {
          for (let a = offsets[u]; a < offsets[u + 1]; a++) {
            if (Number.isFinite(minutes[a])) {
              from.push(u);
              to.push(targets[a]);
              w.push(minutes[a]);
            }
          }
        }
        adj = adjacencyFromArcs(nodeCount, from, to, w);
      }
      this.adjacencies.set(key, adj);
    }
    return adj;
  }

  /** 1 for nodes in the mode's largest strongly connected component, else 0. */
  mainComponent(mode: TravelMode): Uint8Array {
    let c = this.components.get(mode);
    if (!c) {
      c = largestStrongComponent(this.adjacency(mode, 'forward'), this.adjacency(mode, 'reverse'));
      this.components.set(mode, c);
    }
    return c;
  }

  /** Fastest speed the mode reaches anywhere on the network or on an access leg (km/h): the bound behind every journey time. */
  topSpeedKmh(mode: TravelMode, accessKmh: number = ACCESS_KMH[mode]): number {
    let top = this.topSpeeds.get(mode);
    if (top === undefined) {
      top = 0;
      const { metres } = this.graph;
      const minutes = this.graph.minutes[mode];
      for (let a = 0; a < metres.length; a++) {
        if (Number.isFinite(minutes[a]) && minutes[a] > 0) top = Math.max(top, (metres[a] / minutes[a]) * 0.06);
      }
      this.topSpeeds.set(mode, top);
    }
    return Math.max(top, accessKmh);
  }

  /** Joins each place to the nearest node of the mode's main component within the limit. */
  snap(places: readonly Place[], mode: TravelMode, options: SnapOptions = {}): SnappedPlaces {
    const maxMetres = options.maxSnapMetres ?? DEFAULT_MAX_SNAP_METRES;
    const metresPerMinute = (accessSpeed(mode, options) * 1000) / 60;
    const { index, nodes } = this.spatialIndex(mode);
    const node = new Int32Array(places.length).fill(-1);
    const metres = new Float64Array(places.length).fill(Infinity);
    const minutes = new Float64Array(places.length).fill(Infinity);
    let offNetwork = 0;
    for (let i = 0; i < places.length; i++) {
      const p = places[i];
      if (!Number.isFinite(p.lon) || !Number.isFinite(p.lat)) {
        throw new InputError(`Place "${p.id}" has no usable longitude and latitude (${p.lon}, ${p.lat}).`, {
          code: 'place_coordinates_invalid',
          fix: 'Give every place a longitude and latitude in degrees (WGS84).',
        });
      }
      // geokdbush works in kilometres; a little slack so its own rounding never drops a node at the limit.
      const found = nodes.length ? around(index, p.lon, p.lat, 1, (maxMetres * 1.001) / 1000) : [];
      if (found.length) {
        const v = nodes[found[0]];
        const gap = metresBetween(p, { lon: this.graph.lon[v], lat: this.graph.lat[v] });
        if (gap <= maxMetres) {
          node[i] = v;
          metres[i] = gap;
          minutes[i] = gap / metresPerMinute;
          continue;
        }
      }
      offNetwork++;
    }
    return { node, metres, minutes, offNetwork };
  }

  private spatialIndex(mode: TravelMode) {
    let entry = this.indexes.get(mode);
    if (!entry) {
      const inMain = this.mainComponent(mode);
      const list: number[] = [];
      for (let v = 0; v < inMain.length; v++) if (inMain[v]) list.push(v);
      const index = new KDBush(Math.max(1, list.length));
      for (const v of list) index.add(this.graph.lon[v], this.graph.lat[v]);
      if (!list.length) index.add(0, 0); // kdbush needs its declared count; `nodes` stays empty so nothing snaps
      index.finish();
      entry = { index, nodes: Uint32Array.from(list) };
      this.indexes.set(mode, entry);
    }
    return entry;
  }
}

function accessSpeed(mode: TravelMode, options: SnapOptions): number {
  const kmh = options.accessKmh?.[mode] ?? ACCESS_KMH[mode];
  if (!(kmh > 0))
    throw new InputError(`The ${mode} speed to and from the road network must be above 0 km/h (it was ${kmh}).`, {
      code: 'speed_invalid',
    });
  return kmh;
}

/** Kosaraju's algorithm with explicit stacks (road graphs are too deep for recursion). */
export function largestStrongComponent(forward: Adjacency, reverse: Adjacency): Uint8Array {
  const n = forward.nodeCount;
  const finished = new Uint32Array(n);
  let finishedCount = 0;
  const visited = new Uint8Array(n);
  const stackNode = new Uint32Array(n);
  const stackArc = new Uint32Array(n);
  for (let s = 0; s < n; s++) {
    if (visited[s]) continue;
    let top = 0;
    stackNode[0] = s;
    stackArc[0] = forward.offsets[s];
    visited[s] = 1;
    while (top >= 0) {
      const u = stackNode[top];
      if (stackArc[top] < forward.offsets[u + 1]) {
        const v = forward.targets[stackArc[top]++];
        if (!visited[v]) {
          visited[v] = 1;
          top++;
          stackNode[top] = v;
          stackArc[top] = forward.offsets[v];
        }
      } else {
        finished[finishedCount++] = u;
        top--;
      }
    }
  }
  const component = new Int32Array(n).fill(-1);
  let best = -1,
    bestSize = 0,
    c = 0;
  for (let i = n - 1; i >= 0; i--) {
    const s = finished[i];
    if (component[s] >= 0) continue;
    let size = 0,
      top = 0;
    stackNode[0] = s;
    component[s] = c;
    while (top >= 0) {
      const u = stackNode[top--];
      size++;
      for (let a = reverse.offsets[u]; a < reverse.offsets[u + 1]; a++) {
        const v = reverse.targets[a];
        if (component[v] < 0) {
          component[v] = c;
          stackNode[++top] = v;
        }
      }
    }
    // A lone node with no arcs is not a network.
    if (size > bestSize && (size > 1 || forward.offsets[s + 1] > forward.offsets[s])) {
      best = c;
      bestSize = size;
    }
    c++;
  }
  const out = new Uint8Array(n);
  if (best >= 0) for (let v = 0; v < n; v++) if (component[v] === best) out[v] = 1;
  return out;
}

export interface NetworkCostOptions extends SnapOptions {
  /** Journeys longer than this are reported as unreachable (Infinity); it keeps big matrices quick. */
  maxMinutes?: number;
  /**
   * Search from each origin (`forward`) or back from each destination over reversed arcs (`reverse`).
   * `auto` (the default) picks whichever needs fewer searches; the minutes are the same either way.
   */
  direction?: 'auto' | 'forward' | 'reverse';
  onProgress?: (done: number, total: number) => void;
}

/** How the places of one side of a matrix met the network. */
export interface SnapSummary {
  places: number;
  /** More than the snap limit from any usable node: their row or column is all Infinity. */
  offNetwork: number;
  meanSnapMetres: number;
  maxSnapMetres: number;
}

export interface NetworkCostMatrix extends CostMatrix {
  direction: 'forward' | 'reverse';
  searches: number;
  originSnap: SnapSummary;
  destinationSnap: SnapSummary;
}

function snapSummary(s: SnappedPlaces): SnapSummary {
  let sum = 0,
    max = 0,
    k = 0;
  for (let i = 0; i < s.node.length; i++)
    if (s.node[i] >= 0) {
      sum += s.metres[i];
      max = Math.max(max, s.metres[i]);
      k++;
    }
  return { places: s.node.length, offNetwork: s.offNetwork, meanSnapMetres: k ? sum / k : 0, maxSnapMetres: max };
}

function distinctNodes(s: SnappedPlaces): Uint32Array {
  return Uint32Array.from(new Set(Array.from(s.node).filter((v) => v >= 0)));
}

export interface NetworkCostSource extends CostSource {
  matrix(origins: readonly Place[], destinations: readonly Place[], mode: TravelMode): Promise<NetworkCostMatrix>;
}

/**
 * Travel minutes over the road network. Each place is snapped to the nearest node of the mode's
 * largest strongly connected component (within `maxSnapMetres`); a journey is access leg + network
 * + access leg. Two places snapped to the same node are timed straight between them at access
 * speed. Places off the network, and pairs beyond `maxMinutes`, are Infinity.
 */
export function networkCosts(network: RoadNetwork | RoadGraph, options: NetworkCostOptions = {}): NetworkCostSource {
  const net = network instanceof RoadNetwork ? network : new RoadNetwork(network);
  const maxMinutes = options.maxMinutes ?? Infinity;
  if (!(maxMinutes > 0))
    throw new InputError(`The longest journey to price must be above 0 minutes (it was ${maxMinutes}).`, {
      code: 'max_minutes_invalid',
    });
  const description = `road network (OpenStreetMap, ${net.summary.nodes.toLocaleString('en-GB')} nodes)`;
  return {
    description,
    async reachable(from, mode, minutes) {
      return reachableWithin(net, from, mode, minutes, options).map((p) => [p.lon, p.lat] as [number, number]);
    },
    async matrix(origins, destinations, mode) {
      const so = net.snap(origins, mode, options);
      const sd = net.snap(destinations, mode, options);
      const metresPerMinute = (accessSpeed(mode, options) * 1000) / 60;
      const O = origins.length,
        D = destinations.length;
      const minutes = new Float32Array(O * D).fill(Infinity);
      const originNodes = distinctNodes(so),
        destinationNodes = distinctNodes(sd);
      const direction =
        options.direction === 'forward' || options.direction === 'reverse'
          ? options.direction
          : originNodes.length <= destinationNodes.length
            ? 'forward'
            : 'reverse';
      // Search from the side with fewer distinct nodes; `near` is that side, `far` the other.
      const [near, far, farNodes] = direction === 'forward' ? [so, sd, destinationNodes] : [sd, so, originNodes];
      const byNode = new Map<number, number[]>();
      for (let i = 0; i < near.node.length; i++) {
        const v = near.node[i];
        if (v < 0) continue;
        const list = byNode.get(v);
        if (list) list.push(i);
        else byNode.set(v, [i]);
      }
      const search = new ShortestPaths(net.adjacency(mode, direction));
      let done = 0;
      for (const [v, members] of byNode) {
        if (farNodes.length) search.search([v], undefined, { cutoff: maxMinutes, targets: farNodes });
        for (const i of members) {
          for (let j = 0; j < far.node.length; j++) {
            const w = far.node[j];
            if (w < 0) continue;
            const [o, d] = direction === 'forward' ? [i, j] : [j, i];
            const t =
              w === v
                ? metresBetween(origins[o], destinations[d]) / metresPerMinute
                : near.minutes[i] + search.distance(w) + far.minutes[j];
            if (t <= maxMinutes) minutes[o * D + d] = t;
          }
        }
        options.onProgress?.(++done, byNode.size);
      }
      const source = `road network from OpenStreetMap (${mode}; ${net.summary.nodes.toLocaleString('en-GB')} nodes; places snapped within ${options.maxSnapMetres ?? DEFAULT_MAX_SNAP_METRES} m at ${accessSpeed(mode, options)} km/h)`;
      return {
        origins,
        destinations,
        minutes,
        mode,
        source,
        direction,
        searches: byNode.size,
        originSnap: snapSummary(so),
        destinationSnap: snapSummary(sd),
      };
    },
  };
}

/** A network node reached from a place, for drawing isochrones. */
export interface ReachedPoint {
  lon: number;
  lat: number;
  minutes: number;
}

/**
 * Every node of the network reachable from `place` within `minutes` (access leg included), nearest
 * first. Empty when the place is off the network.
 */
export function reachableWithin(
  network: RoadNetwork,
  place: Place,
  mode: TravelMode,
  minutes: number,
  options: SnapOptions = {},
): ReachedPoint[] {
  if (!(minutes >= 0))
    throw new InputError(`The travel time must be 0 minutes or more (it was ${minutes}).`, { code: 'minutes_invalid' });
  const s = network.snap([place], mode, options);
  const start = s.node[0];
  if (start < 0 || s.minutes[0] > minutes) return [];
  const search = new ShortestPaths(network.adjacency(mode, 'forward')).search([start], [s.minutes[0]], {
    cutoff: minutes,
  });
  const out: ReachedPoint[] = [];
  for (const v of search.settled())
    out.push({ lon: network.graph.lon[v], lat: network.graph.lat[v], minutes: search.distance(v) });
  return out;
}
