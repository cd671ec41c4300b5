/**
 * Names encoded for linkage without the names: a Bloom filter of each value's letter pairs
 * (Schnell, Bachteler and Reiher 2009, "Privacy-preserving record linkage using Bloom filters").
 * Two spellings of one name share most of their letter pairs, so their filters share most of their
 * bits, and the Dice coefficient of the two filters approximates the Dice coefficient of the
 * names' bigrams: "SMITH" and "SMYTH" still look alike, but neither can be read back.
 *
 * Each letter pair sets BLOOM_HASHES bits, chosen by one keyed hash (HMAC-SHA-256 under a key
 * derived from the pseudonymisation key) of the pair: 2 bytes of the digest per bit, so every bit
 * is equally likely and no bit depends on another (not double hashing, whose structure the
 * published attacks use). Two partners who encode with the same key can compare their filters;
 * without the key, a filter cannot be recomputed from a guessed name. A filter is still a
 * pseudonym: frequent names set frequent patterns, so filters are for the owners of the records,
 * never shown to anyone else (decision 0022).
 */
import { createHmac } from 'node:crypto';

/** Bits in a filter: a multiple of 8, and a power of two so two digest bytes choose one evenly. */
export const BLOOM_BITS = 1024;
/** Bits set per letter pair. */
export const BLOOM_HASHES = 15;
/** How an encoded value starts, with the version of the encoding. */
export const BLOOM_PREFIX = 'bf1_';

/** The letter pairs of a value: upper case, accents and punctuation gone, padded at both ends ("_S", "SM" … "H_"). */
export function letterPairs(value: string): string[] {
  const letters = value
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toUpperCase()
    .replace(/[^A-Z0-9]+/g, ' ')
    .trim();
  if (!letters) return [];
  const out: string[] = [];
  // Each word is padded, so "MARY ANN" and "MARYANN" differ only near the join.
  for (const word of letters.split(' ')) {
    const w = `_${word}_`;
    for (let i = 0; i + 1 < w.length; i++) out.push(w.slice(i, i + 2));
  }
  return [...new Set(out)];
}

/** The key the filters are made with: derived from the pseudonymisation secret, never the secret itself. */
export function bloomKey(secret: string): Buffer {
  return createHmac('sha256', secret.toLowerCase()).update('civic insight observatory: bloom filter key v1').digest();
}

/** The filter's bits for a value, as bytes (null when the value has no letters or digits). */
export function bloomBits(value: string | null, key: Buffer): Uint8Array | null {
  if (value === null) return null;
  const pairs = letterPairs(value);
  if (!pairs.length) return null;
  const bits = new Uint8Array(BLOOM_BITS / 8);
  for (const pair of pairs) {
    const d = createHmac('sha256', key).update(pair).digest();
    for (let h = 0; h < BLOOM_HASHES; h++) {
      const pos = ((d[2 * h] << 8) | d[2 * h + 1]) % BLOOM_BITS;
      bits[pos >> 3] |= 0x80 >> (pos & 7);
    }
  }
  return bits;
}

/** A value encoded for storage: "bf1_" and the filter in base64; null for a blank. */
let lastKey: { secret: string; key: Buffer } | null = null;

export function bloomEncode(value: string | null, secret: string): string | null {
  // The derived key is kept for the next value: an import encodes many with one secret.
  if (lastKey?.secret !== secret) lastKey = { secret, key: bloomKey(secret) };
  const bits = bloomBits(value, lastKey.key);
  return bits === null ? null : BLOOM_PREFIX + Buffer.from(bits).toString('base64');
}

/** The bytes of an encoded value; null when it is not one. */
export function bloomDecode(encoded: string | null): Uint8Array | null {
  if (encoded === null || !encoded.startsWith(BLOOM_PREFIX)) return null;
  const bytes = Buffer.from(encoded.slice(BLOOM_PREFIX.length), 'base64');
  return bytes.length === BLOOM_BITS / 8 ? new Uint8Array(bytes) : null;
}

function popcount(b: number): number {
  let n = 0;
  for (let x = b; x; x &= x - 1) n++;
  return n;
}

/** The Dice coefficient of two filters: 2 × shared bits ÷ (bits of one + bits of the other). */
export function bloomDice(a: Uint8Array, b: Uint8Array): number {
  let both = 0,
    na = 0,
    nb = 0;
  for (let i = 0; i < a.length; i++) {
    both += popcount(a[i] & b[i]);
    na += popcount(a[i]);
    nb += popcount(b[i]);
  }
  return na + nb === 0 ? 0 : (2 * both) / (na + nb);
}
