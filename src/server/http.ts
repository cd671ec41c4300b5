/**
 * What the server's parts share, below app.ts and the routes, so that routes never import app.ts
 * (which imports them): who may use a route, the session cookie's name, the token check, the
 * server's settings, and the error a route throws for an HTTP answer.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ObservatoryError } from '../core/index.ts';
import type { PseudonymKey, ReadLimits } from '../intake/index.ts';
import type { ViewerRole } from './users.ts';

export const EVERYONE: readonly ViewerRole[] = ['public', 'admin', 'analyst', 'partner', 'agent'];
export const STAFF: readonly ViewerRole[] = ['admin', 'analyst'];
export const ANALYSTS_AND_PARTNERS: readonly ViewerRole[] = ['admin', 'analyst', 'partner'];
export const SIGNED_IN: readonly ViewerRole[] = ['admin', 'analyst', 'partner', 'agent'];

export const SESSION_COOKIE = 'civic_session';

/** A request for the API (problem+json) rather than a page (HTML). */
export const isApi = (request: FastifyRequest) => request.url.startsWith('/api/');

/** Whether a token sent with a request is the expected one (compared in constant time). */
export function sameToken(sent: unknown, expected: string | null | undefined): boolean {
  if (typeof sent !== 'string' || !expected) return false;
  const a = Buffer.from(sent),
    b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * An answer other than 200 that only the server gives (sign in, not allowed, a form expired, a
 * request too large): an ObservatoryError like every other, with its code (the last part of the
 * problem's `type`), its status, and the page's title.
 */
export class HttpProblem extends ObservatoryError {
  constructor(
    status: number,
    code: string,
    readonly title: string,
    message: string,
    fix?: string,
  ) {
    super(code, message, { status, fix });
  }
}

/** An upload route's refusal of anything but its form (multipart/form-data), in one set of words. */
export function requireMultipart(request: FastifyRequest): void {
  if (!request.isMultipart())
    throw new HttpProblem(
      415,
      'cannot_do_that',
      'Cannot do that',
      'Send the upload form (multipart/form-data) with the file.',
      'Use the upload page.',
    );
}

export interface ServerSettings {
  /** Secure cookies (HTTPS only); on by default, off for plain-HTTP local use and tests. */
  secureCookies: boolean;
  maxUploadBytes: number;
  /** Failed sign-ins allowed per user name and address in 15 minutes. */
  loginAttempts: number;
  /** Failed sign-ins allowed from one address (any user names) in 15 minutes. */
  loginAddressAttempts: number;
  /** Failed sign-ins from all addresses in 15 minutes before any address that has failed must wait. */
  loginOverallAttempts: number;
  /** Password checks run at once, and sign-ins that may wait for one (more are told to come back). */
  loginConcurrency: number;
  loginQueue: number;
  /** Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For/-Proto are believed; empty: none. */
  trustProxy: string[];
  uploadDir: string;
  /** Rows, cells and unpacked bytes an uploaded file may hold (defaults: intake/limits.ts, or CIVIC_MAX_*). */
  readLimits: ReadLimits;
  /** Memory (MB) and time (ms) the worker reading one upload may use before it is stopped. */
  uploadWorkerMemoryMb: number;
  uploadWorkerTimeoutMs: number;
  /** Hours an upload may wait for its column mapping before it is removed. */
  uploadTtlHours: number;
  /** The pseudonymisation key for uploads (kept outside the workspace); null: personal columns cannot be pseudonymised. */
  pseudonymKey: PseudonymKey | null;
}
