/**
 * Dijkstra's shortest paths on a graph held as compressed sparse rows (CSR), with a binary heap
 * (`flatqueue`). One `ShortestPaths` object keeps its distance and heap buffers between runs and
 * resets them lazily (a run stamp per node), so a whole cost matrix costs one allocation, not one
 * per origin.
 */
import FlatQueue from 'flatqueue';

/** Arcs out of node `i` are `offsets[i]` … `offsets[i + 1] - 1`; each has a head node and a non-negative weight. */
export interface Adjacency {
  nodeCount: number;
  offsets: Uint32Array;
  targets: Uint32Array;
  /** Minutes (or any additive non-negative cost) per arc. */
  weights: Float32Array;
}

export interface DijkstraOptions {
  /** Stop once the next node is farther than this (same unit as the weights); nodes beyond stay unreached. */
  cutoff?: number;
  /** Stop as soon as every one of these nodes is settled: enough for a one-to-many query. */
  targets?: ArrayLike<number>;
}

export class ShortestPaths {
  readonly adjacency: Adjacency;
  private readonly dist: Float64Array;
  private readonly stamp: Uint32Array;
  private readonly settledStamp: Uint32Array;
  private readonly targetStamp: Uint32Array;
  private readonly order: Uint32Array;
  private readonly heap = new FlatQueue<number>();
  private run = 0;
  private settledCount = 0;

  constructor(adjacency: Adjacency) {
    this.adjacency = adjacency;
    const n = adjacency.nodeCount;
    this.dist = new Float64Array(n);
    this.stamp = new Uint32Array(n);
    this.settledStamp = new Uint32Array(n);
    this.targetStamp = new Uint32Array(n);
    this.order = new Uint32Array(n);
  }

  /**
   * Grows a shortest-path tree from one or more sources. `startCosts[i]` is the cost already spent
   * reaching `sources[i]` (e.g. the walk from a house to the road); it defaults to 0.
   */
  search(sources: ArrayLike<number>, startCosts?: ArrayLike<number>, options: DijkstraOptions = {}): this {
    const { offsets, targets: heads, weights, nodeCount } = this.adjacency;
    const dist = this.dist,
      stamp = this.stamp,
      settled = this.settledStamp,
      order = this.order,
      heap = this.heap;
    const cutoff = options.cutoff ?? Infinity;
    if (++this.run === 0xffffffff) this.resetStamps();
    const run = this.run;
    heap.clear();
    this.settledCount = 0;

    let targetsLeft = 0;
    if (options.targets) {
      for (let i = 0; i < options.targets.length; i++) {
        const t = options.targets[i];
        if (this.targetStamp[t] !== run) {
          this.targetStamp[t] = run;
          targetsLeft++;
        }
      }
      if (targetsLeft === 0) return this;
    }

    for (let i = 0; i < sources.length; i++) {
      const s = sources[i];
      if (!(s >= 0 && s < nodeCount))
        throw new RangeError(`Source node ${s} is not in the graph (it has ${nodeCount} nodes).`);
      const c = startCosts ? startCosts[i] : 0;
      if (!(c <= cutoff)) continue;
      if (stamp[s] !== run || c < dist[s]) {
        stamp[s] = run;
        dist[s] = c;
        heap.push(s, c);
      }
    }

    while (heap.length > 0) {
      const d = heap.peekValue()!;
      const u = heap.pop()!;
      if (settled[u] === run || d > dist[u]) continue; // a stale heap entry
      if (d > cutoff) break;
      settled[u] = run;
      order[this.settledCount++] = u;
      if (targetsLeft > 0 && this.targetStamp[u] === run && --targetsLeft === 0) break;
      for (let a = offsets[u], end = offsets[u + 1]; a < end; a++) {
        const v = heads[a];
        const nd = d + weights[a];
        if (nd > cutoff) continue;
        if (stamp[v] !== run || nd < dist[v]) {
          stamp[v] = run;
          dist[v] = nd;
          heap.push(v, nd);
        }
      }
    }
    return this;
  }

  /** Cost of the shortest path to `node` found by the last search; Infinity if it was not settled. */
  distance(node: number): number {
    return this.settledStamp[node] === this.run ? this.dist[node] : Infinity;
  }

  /** Nodes settled by the last search, nearest first. A view on a reused buffer: copy it to keep it. */
  settled(): Uint32Array {
    return this.order.subarray(0, this.settledCount);
  }

  /** All distances from the last search as a fresh array (Infinity where unreached). */
  distances(): Float64Array {
    const out = new Float64Array(this.adjacency.nodeCount).fill(Infinity);
    for (const u of this.settled()) out[u] = this.dist[u];
    return out;
  }

  private resetStamps() {
    this.stamp.fill(0);
    this.settledStamp.fill(0);
    this.targetStamp.fill(0);
    this.run = 0;
  }
}

/** One-to-all shortest costs from a single node (Infinity where unreachable). */
export function shortestCostsFrom(adjacency: Adjacency, source: number, options: DijkstraOptions = {}): Float64Array {
  return new ShortestPaths(adjacency).search([source], undefined, options).distances();
}

/** Builds a CSR adjacency from arc lists (counting sort by tail node; arc order within a node is kept). */
export function adjacencyFromArcs(
  nodeCount: number,
  from: ArrayLike<number>,
  to: ArrayLike<number>,
  weights: ArrayLike<number>,
): Adjacency {
  const m = from.length;
  const offsets = new Uint32Array(nodeCount + 1);
  for (let i = 0; i < m; i++) offsets[from[i] + 1]++;
  for (let i = 0; i < nodeCount; i++) offsets[i + 1] += offsets[i];
  const fill = offsets.slice(0, nodeCount);
  const targets = new Uint32Array(m);
  const w = new Float32Array(m);
  for (let i = 0; i < m; i++) {
    const k = fill[from[i]]++;
    targets[k] = to[i];
    w[k] = weights[i];
  }
  return { nodeCount, offsets, targets, weights: w };
}

/** The same arcs pointing the other way: searching it from a destination gives costs *to* that destination. */
export function reverseAdjacency(adjacency: Adjacency): Adjacency {
  const { nodeCount, offsets, targets, weights } = adjacency;
  const from = new Uint32Array(targets.length);
  for (let u = 0; u < nodeCount; u++) for (let a = offsets[u]; a < offsets[u + 1]; a++) from[a] = u;
  return adjacencyFromArcs(nodeCount, targets, from, weights);
}
