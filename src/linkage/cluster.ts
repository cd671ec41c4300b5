/**
 * Clusters: the connected components of the pairs at or above a match probability, so that
 * A–B and B–C put A, B and C together. Every record is in exactly one cluster (alone, if nothing
 * links to it). Union–find with path halving and union by size, over the saved pairs, with the
 * clerical review's decisions applied (review.ts): accepted pairs link, rejected ones do not.
 */
import { z } from 'zod';
import { WorkspaceStateError } from '../core/index.ts';
import { type Engine, ident } from '../store/index.ts';
import type { SavedModel } from './model.ts';
import { hasPairs } from './predict.ts';
import { linkSources, type LinkSource } from './records.ts';
import { decisionCounts, linkedPairsSql } from './review.ts';

export const ClusterResultSchema = z.object({
  version: z.literal(2),
  model: z.string(),
  threshold: z.number(),
  records: z.number(),
  clusters: z.number(),
  /** clusters of one record */
  singletons: z.number(),
  largest: z.number(),
  /** how many clusters have each size */
  sizes: z.array(z.object({ size: z.number(), clusters: z.number() })),
  members: z.array(z.object({ dataset: z.string(), id: z.string(), cluster: z.string() })),
  /**
   * The clerical review's decisions this clustering followed: accepted pairs link whatever their
   * probability (joined: those below the threshold), rejected pairs never link directly (split:
   * those at or above it, whose records may still meet through other pairs).
   */
  decisions: z.object({ accepted: z.number(), rejected: z.number(), joined: z.number(), split: z.number() }),
});
export type ClusterResult = z.infer<typeof ClusterResultSchema>;

/** Connected components of `n` nodes joined by `edges` (pairs of node indexes): each node's root. */
export function connectedComponents(n: number, edges: Iterable<readonly [number, number]>): Int32Array {
  const parent = new Int32Array(n);
  const size = new Int32Array(n).fill(1);
  for (let i = 0; i < n; i++) parent[i] = i;
  const find = (x: number) => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]];
      x = parent[x];
    }
    return x;
  };
  for (const [a, b] of edges) {
    let ra = find(a);
    let rb = find(b);
    if (ra === rb) continue;
    if (size[ra] < size[rb]) [ra, rb] = [rb, ra];
    parent[rb] = ra;
    size[ra] += size[rb];
  }
  for (let i = 0; i < n; i++) parent[i] = find(i);
  return parent;
}

/** Every record a model links (not rejected at import), in record order, by dataset and identifier. */
export async function modelRecordIds(
  engine: Engine,
  sources: readonly LinkSource[],
): Promise<{ src: number; id: string }[]> {
  const out: { src: number; id: string }[] = [];
  for (const [src, s] of sources.entries()) {
    const id = s.idColumn ? `CAST(${ident(s.idColumn)} AS VARCHAR)` : 'CAST(_row AS VARCHAR)';
    const rows = await engine.all<{ id: string }>(
      `SELECT ${id} AS id FROM ${ident(s.table)} WHERE _status IS DISTINCT FROM 'rejected' ORDER BY _row`,
    );
    for (const r of rows) out.push({ src, id: r.id });
  }
  return out;
}

export async function clusterModel(
  engine: Engine,
  model: SavedModel,
  opts: { threshold?: number } = {},
): Promise<ClusterResult> {
  if (!(await hasPairs(engine, model.name)))
    throw new WorkspaceStateError(
      `The model "${model.name}" has no scored pairs yet.`,
      `Score them first: civic link predict WORKSPACE --model ${model.name}`,
    );
  const threshold = opts.threshold ?? model.spec.threshold;
  const sources = await linkSources(engine, model.datasets);
  const ids = await modelRecordIds(engine, sources);
  const index = new Map<string, number>();
  ids.forEach((r, i) => index.set(`${r.src}\u0000${r.id}`, i));
  const srcR = model.spec.linkType === 'link' ? 1 : 0;
  // The pairs at or above the threshold, less those an analyst rejected, with those accepted.
  const pairs = await engine.all<{ id_l: string; id_r: string }>(linkedPairsSql(), [model.name, threshold]);
  const decisions = await decisionCounts(engine, model.name, threshold);
  const edges: [number, number][] = [];
  for (const p of pairs) {
    const a = index.get(`0\u0000${p.id_l}`);
    const b = index.get(`${srcR}\u0000${p.id_r}`);
    if (a !== undefined && b !== undefined) edges.push([a, b]);
  }
  const root = connectedComponents(ids.length, edges);
  const count = new Map<number, number>();
  for (const r of root) count.set(r, (count.get(r) ?? 0) + 1);
  const bySize = new Map<number, number>();
  for (const s of count.values()) bySize.set(s, (bySize.get(s) ?? 0) + 1);
  const label = (i: number) => (sources.length > 1 ? `${sources[ids[i].src].dataset}:${ids[i].id}` : ids[i].id);
  return {
    version: 2,
    model: model.name,
    threshold,
    records: ids.length,
    clusters: count.size,
    singletons: bySize.get(1) ?? 0,
    largest: Math.max(0, ...count.values()),
    sizes: [...bySize].sort((a, b) => a[0] - b[0]).map(([size, clusters]) => ({ size, clusters })),
    members: ids.map((r, i) => ({ dataset: sources[r.src].dataset, id: r.id, cluster: label(root[i]) })),
    decisions,
  };
}
