/**
 * Pseudonymisation at intake: personal identifiers are replaced by a keyed hash (HMAC-SHA-256
 * with the workspace's own secret) before they reach the workspace. The same value gives the same
 * pseudonym within a workspace, so records still link, but the value cannot be recovered and the
 * pseudonyms mean nothing in another council's workspace.
 */
import { createHmac } from 'node:crypto';

export function pseudonymise(value: string | null, key: string): string | null {
  if (value === null) return null;
  const normal = value.trim().toLowerCase().replace(/\s+/g, ' ');
  if (!normal) return null;
  return 'p_' + createHmac('sha256', key).update(normal).digest('hex').slice(0, 24);
}
