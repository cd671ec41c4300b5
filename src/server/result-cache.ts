/**
 * Analysis results kept in memory until the workspace changes. The portal is the only writer while
 * it runs (DuckDB lets one process hold the file), so "changes" means a write made through the
 * server: any successful POST, and any background job that finishes. Results are cached before
 * disclosure control, which is applied per viewer on every request, and frozen so no caller can
 * alter what the next one gets. Concurrent requests for the same result share one computation.
 */
import { LRUCache } from 'lru-cache';

export class ResultCache {
  private readonly entries: LRUCache<string, Promise<unknown>>;
  private generationNo = 0;

  /** `enabled: false` computes every result afresh (for measuring what the cache saves, or for debugging). */
  constructor(
    maxEntries = 500,
    readonly enabled = true,
  ) {
    this.entries = new LRUCache({ max: maxEntries });
  }

  /** How many times the workspace has changed since the server started. */
  get generation(): number {
    return this.generationNo;
  }

  /** The result for `kind` and `params`, computed at most once per workspace generation. */
  get<T>(kind: string, params: unknown, compute: () => Promise<T>, options: { freeze?: boolean } = {}): Promise<T> {
    if (!this.enabled) return compute();
    const key = `${kind}\u0000${stableJson(params)}`;
    const hit = this.entries.get(key);
    if (hit) return hit as Promise<T>;
    const generation = this.generationNo;
    // Indexes that fill themselves lazily (a tile index) cannot be frozen; callers only read them.
    const pending = compute().then(
      (value) => (options.freeze === false ? value : deepFreeze(value)),
      (error: unknown) => {
        // Failures are not remembered: the next request tries again.
        if (this.entries.get(key) === pending) this.entries.delete(key);
        throw error;
      },
    );
    if (generation === this.generationNo) this.entries.set(key, pending);
    return pending;
  }

  /** Forget everything: called after every write to the workspace. */
  invalidate(): void {
    this.generationNo++;
    this.entries.clear();
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
