/**
 * Analysis results kept in memory until what they are made from changes. The portal is the only
 * writer while it runs (DuckDB lets one process hold the file), so "changes" means a write made
 * through the server: a POST that succeeds, and any background job that finishes. Each write says
 * what it changed (a route's `config.changes`; a POST that says nothing is taken to change
 * everything), and each kind of result says what it is made from (`RESULT_SOURCES`; a kind not
 * listed is made from everything), so that importing a dataset keeps the facilities and the
 * areas' extents, and adding a person, uploading a file or enriching postcodes keeps everything
 * (issue 11, point 7).
 *
 * Results are cached before disclosure control, which is applied per viewer on every request, and
 * frozen so no caller can alter what the next one gets. Concurrent requests for the same result
 * share one computation; a result whose sources changed while it was being computed is handed to
 * its callers but not kept.
 */
import { LRUCache } from 'lru-cache';

/** What a result can be made from, and what a write can change. */
export const SOURCES = ['datasets', 'reference', 'segmentations', 'facilities'] as const;
export type Source = (typeof SOURCES)[number];

/**
 * What each kind of cached result is made from. Datasets' results also depend on reference data
 * (areas, base) and the segmentations they are profiled by.
 */
export const RESULT_SOURCES: Readonly<Record<string, readonly Source[]>> = {
  facilities: ['facilities'],
  'facilities geojson': ['facilities'],
  'facility kinds': ['facilities'],
  'level bbox': ['reference'],
  'reference status': ['reference'],
  'catalogue classifications': ['reference', 'segmentations'],
  'catalogue area levels': ['reference'],
  'catalogue segments': ['reference', 'segmentations'],
  'catalogue segment counts': ['reference', 'segmentations'],
  // A contact log's measures read the log alone.
  contacts: ['datasets'],
  'contacts detail': ['datasets'],
};

export class ResultCache {
  private readonly entries: LRUCache<string, { value: Promise<unknown>; sources: readonly Source[] }>;
  private readonly generations = new Map<Source, number>(SOURCES.map((s) => [s, 0]));
  private changes = 0;

  /** `enabled: false` computes every result afresh (for measuring what the cache saves, or for debugging). */
  constructor(
    maxEntries = 500,
    readonly enabled = true,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** How many times the workspace has changed since the server started. */
  get generation(): number {
    return this.changes;
  }

  /** What a kind of result is made from: everything, unless `RESULT_SOURCES` says otherwise. */
  static sourcesOf(kind: string): readonly Source[] {
    return RESULT_SOURCES[kind] ?? SOURCES;
  }

  /** The result for `kind` and `params`, computed at most once until one of its sources changes. */
  get<T>(kind: string, params: unknown, compute: () => Promise<T>, options: { freeze?: boolean } = {}): Promise<T> {
    if (!this.enabled) return compute();
    const key = `${kind}\u0000${stableJson(params)}`;
    const hit = this.entries.get(key);
    if (hit) return hit.value as Promise<T>;
    const sources = ResultCache.sourcesOf(kind);
    const before = sources.map((s) => this.generations.get(s)!);
    const unchanged = () => sources.every((s, i) => this.generations.get(s) === before[i]);
    // Indexes that fill themselves lazily (a tile index) cannot be frozen; callers only read them.
    const pending = compute().then(
      (value) => (options.freeze === false ? value : deepFreeze(value)),
      (error: unknown) => {
        // Failures are not remembered: the next request tries again.
        if (this.entries.get(key)?.value === pending) this.entries.delete(key);
        throw error;
      },
    );
    this.entries.set(key, { value: pending, sources });
    // A result computed across a change is not kept for later callers.
    void pending.then(
      () => {
        if (!unchanged() && this.entries.get(key)?.value === pending) this.entries.delete(key);
      },
      () => {},
    );
    return pending;
  }

  /**
   * Forget the results made from what changed: called after every write to the workspace. With no
   * argument everything is forgotten; with an empty list, nothing.
   */
  invalidate(changed: readonly Source[] = SOURCES): void {
    if (!changed.length) return;
    this.changes++;
    for (const s of changed) this.generations.set(s, this.generations.get(s)! + 1);
    for (const [key, entry] of this.entries.entries())
      if (entry.sources.some((s) => changed.includes(s))) this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}

/** JSON with object keys sorted, so {a,b} and {b,a} are the same key; undefined members are dropped. */
export function stableJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map(stableJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${stableJson(obj[k])}`)
    .join(',')}}`;
}

function deepFreeze<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  // Typed arrays and buffers cannot be frozen; they are not handed to renderers that write.
  if (ArrayBuffer.isView(value)) return value;
  Object.freeze(value);
  for (const v of Object.values(value as Record<string, unknown>)) deepFreeze(v);
  return value;
}
