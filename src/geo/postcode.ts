/**
 * UK postcodes: a compact key for joining, and validation/correction through the `postcode`
 * package (which fixes the common O/0 and I/1 slips and missing spaces).
 */
import { isValid, fix, toNormalised } from 'postcode';

/** Upper-case letters and digits only: the join key between records and the directory. */
export function postcodeKey(raw: string | null | undefined): string {
  return (raw ?? '').replace(/[^A-Za-z0-9]/g, '').toUpperCase();
}

export type PostcodeCheck =
  | { kind: 'blank' }
  | { kind: 'valid'; postcode: string; key: string }
  | { kind: 'corrected'; postcode: string; key: string; original: string }
  | { kind: 'invalid'; original: string };

/** Classifies a postcode as typed in a council file. */
export function checkPostcode(raw: string | null | undefined): PostcodeCheck {
  const original = (raw ?? '').trim();
  if (!original) return { kind: 'blank' };
  const compact = original.replace(/[^A-Za-z0-9]/g, '');
  if (isValid(compact)) {
    const postcode = toNormalised(compact)!;
    return { kind: 'valid', postcode, key: postcodeKey(postcode) };
  }
  const fixed = fix(original);
  if (fixed && isValid(fixed)) {
    const postcode = toNormalised(fixed)!;
    return { kind: 'corrected', postcode, key: postcodeKey(postcode), original };
  }
  return { kind: 'invalid', original };
}
