/**
 * The portal's roles.
 * The folder's light face: plain values and types that command definitions (src/cli) show in their
 * --help, importable without loading the folder. It imports nothing (checked by check:layers);
 * the folder's own files re-export what they define here.
 */

export const ROLES = ['admin', 'analyst', 'partner', 'agent'] as const;
export type Role = (typeof ROLES)[number];
