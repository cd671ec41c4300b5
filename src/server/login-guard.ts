/**
 * Protecting sign-in (issue 10, finding 7): password checks (argon2, 64 MB each) run a few at a
 * time with a short, bounded queue; failed attempts are limited per user name and address, per
 * address, and overall — so spraying many user names from one address is stopped, and nobody at
 * another address can lock a person out. Counts are kept in memory for the window only.
 */
import { isIP } from 'node:net';
import { ParameterError } from '../core/index.ts';

export interface LoginLimits {
  /** Failed sign-ins allowed for one user name from one address in the window. */
  perUserAndAddress: number;
  /** Failed sign-ins allowed from one address, whatever the user names, in the window. */
  perAddress: number;
  /** Failed sign-ins from all addresses together in the window; beyond it, an address that has failed at all waits. */
  overall: number;
  windowMs: number;
  /** Password checks that may run at once. */
  hashConcurrency: number;
  /** Sign-ins that may wait for a password check; beyond it the portal answers 503 with Retry-After. */
  hashQueue: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginLimits = {
  perUserAndAddress: 5,
  perAddress: 20,
  overall: 200,
  windowMs: 15 * 60_000,
  hashConcurrency: 2,
  hashQueue: 8,
};

/** How long a busy answer asks people to wait, in seconds. */
export const BUSY_RETRY_SECONDS = 5;

/** Failure times per key within a window; the number of keys kept is bounded. */
class FailureLog {
  private byKey = new Map<string, number[]>();
  constructor(
    private windowMs: number,
    private maxKeys = 20_000,
  ) {}

  recent(key: string, now = Date.now()): number[] {
    const all = this.byKey.get(key);
    if (!all) return [];
    const kept = all.filter((t) => t > now - this.windowMs);
    if (!kept.length) this.byKey.delete(key);
    else if (kept.length !== all.length) this.byKey.set(key, kept);
    return kept;
  }

  add(key: string, now = Date.now()): void {
    const kept = this.recent(key, now);
    this.byKey.delete(key); // re-inserted last, so the oldest keys are the first to go
    this.byKey.set(key, [...kept, now]);
    if (this.byKey.size > this.maxKeys) {
      for (const k of [...this.byKey.keys()]) if (!this.recent(k, now).length) this.byKey.delete(k);
      for (const k of this.byKey.keys()) {
        if (this.byKey.size <= this.maxKeys) break;
        this.byKey.delete(k);
      }
    }
  }

  clear(key: string): void {
    this.byKey.delete(key);
  }
}

export type LoginDecision = { ok: true } | { ok: false; retryAfter: number };

/** Runs work a few at a time; refuses (returns busy) when the queue is full instead of piling up. */
export class HashGate {
  private running = 0;
  private waiting: (() => void)[] = [];
  constructor(
    readonly concurrency: number,
    readonly queue: number,
  ) {}

  async run<T>(work: () => Promise<T>): Promise<{ busy: true } | { busy: false; value: T }> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.queue) return { busy: true };
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else this.running++;
    try {
      return { busy: false, value: await work() };
    } finally {
      const next = this.waiting.shift();
      if (next)
        next(); // the slot passes straight to the next in the queue
      else this.running--;
    }
  }
}

export class LoginGuard {
  readonly gate: HashGate;
  private failures: FailureLog;
  private inFlight = new Map<string, number>();
  constructor(readonly limits: LoginLimits) {
    this.gate = new HashGate(limits.hashConcurrency, limits.hashQueue);
    this.failures = new FailureLog(limits.windowMs);
  }

  private retryAfter(times: number[], now: number): number {
    return Math.max(1, Math.ceil((Math.min(...times) + this.limits.windowMs - now) / 1000));
  }

  /** Whether a sign-in for this user name from this address may be tried now. */
  check(username: string, ip: string, now = Date.now()): LoginDecision {
    const l = this.limits;
    const pair = this.failures.recent(`u:${username}|${ip}`, now);
    if (pair.length >= l.perUserAndAddress) return { ok: false, retryAfter: this.retryAfter(pair, now) };
    const address = this.failures.recent(`a:${ip}`, now);
    const pending = this.inFlight.get(ip) ?? 0;
    if (address.length + pending >= l.perAddress)
      return { ok: false, retryAfter: address.length ? this.retryAfter(address, now) : BUSY_RETRY_SECONDS };
    const overall = this.failures.recent('*', now);
    if (overall.length >= l.overall && address.length > 0)
      return { ok: false, retryAfter: this.retryAfter(overall, now) };
    return { ok: true };
  }

  /** Counts a sign-in being checked from an address, so that parallel attempts count against its limit. */
  begin(ip: string): () => void {
    this.inFlight.set(ip, (this.inFlight.get(ip) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const n = (this.inFlight.get(ip) ?? 1) - 1;
      if (n > 0) this.inFlight.set(ip, n);
      else this.inFlight.delete(ip);
    };
  }

  failed(username: string, ip: string, now = Date.now()): void {
    this.failures.add(`u:${username}|${ip}`, now);
    this.failures.add(`a:${ip}`, now);
    this.failures.add('*', now);
  }

  /** A correct password clears that user name's failures from that address (not the address's own count). */
  succeeded(username: string, ip: string): void {
    this.failures.clear(`u:${username}|${ip}`);
  }
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The proxies whose X-Forwarded-For and X-Forwarded-Proto headers are believed: addresses or CIDR
 * ranges (or loopback, linklocal, uniquelocal), comma-separated. Empty means none (the default).
 */
export function parseTrustProxy(spec: string | readonly string[] | undefined): string[] {
  const items = (typeof spec === 'string' ? spec.split(',') : [...(spec ?? [])]).map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (PROXY_NAMES.includes(item)) continue;
    const [addr, bits, extra] = item.split('/');
    const v = isIP(addr);
    const ok =
      v !== 0 &&
      extra === undefined &&
      (bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (v === 4 ? 32 : 128)));
    if (!ok)
      throw new ParameterError(
        `"${item}" is not an address or range of addresses for --trust-proxy.`,
        'Give the address of your reverse proxy, such as 127.0.0.1 or 10.0.0.0/8, or several separated by commas (loopback, linklocal and uniquelocal also work).',
      );
  }
  return items;
}
