/**
 * Matching addresses to a gazetteer's UPRNs, the way uk_address_matcher works: an exact match on
 * the standardised address and postcode first; then, among the gazetteer's addresses in the same
 * postcode, a score from the words the two share, each weighted by how rare it is in the gazetteer
 * (a street name counts for more than ROAD), and from their identifiers (flat and building numbers
 * and letters), which must agree; then, when the postcode finds nothing good enough (a wrong or
 * missing postcode), the same scoring among the addresses on the same street in the postcode
 * district. The best candidate is taken only when it scores well enough and clearly better than
 * the next; otherwise the address is "ambiguous" (close candidates) or "no match", and the
 * candidates are kept either way.
 *
 * Done in TypeScript over an in-memory index rather than in SQL: each address is scored against a
 * few dozen candidates found by hash look-ups, so 100,000 addresses take seconds, and the rules
 * (identifiers compared as sets, near-miss spellings) read more plainly here than in SQL.
 */
import { addressIds, addressWords, isStreetWord, type StandardisedAddress } from './address-standardise.ts';

export type MatchStep = 'exact' | 'postcode' | 'street';
export type MatchStatus = 'matched' | 'ambiguous' | 'no_match' | 'unparsed';

export interface GazetteerAddress {
  uprn: string;
  /** the address as the gazetteer writes it */
  address: string;
  /** standardised words without the postcode */
  standardised: string;
  pcKey: string | null;
  street: string | null;
  buildingNumber: string | null;
  buildingName: string | null;
}

export interface MatchParameters {
  /** the lowest score a match may have */
  minScore: number;
  /** how far the best candidate must score above the next different UPRN */
  minMargin: number;
  /** a margin so wide that a lower score is still a match (a rural address whose gazetteer entry adds a long street description) */
  clearMargin: number;
  /** candidates kept for an address that is ambiguous or has no match */
  keepCandidates: number;
}

export const DEFAULT_MATCH_PARAMETERS: MatchParameters = {
  minScore: 3,
  minMargin: 2,
  clearMargin: 5,
  keepCandidates: 5,
};

export interface Candidate {
  uprn: string;
  score: number;
}

export interface AddressMatch {
  status: MatchStatus;
  uprn: string | null;
  score: number | null;
  /** the best score less the next candidate's (null with one candidate or none) */
  margin: number | null;
  step: MatchStep | null;
  candidates: Candidate[];
}

interface Entry extends GazetteerAddress {
  ids: Set<string>;
  words: string[];
  /** the words of its building's name: a candidate whose name the address does not have is not it */
  nameWords: Set<string>;
  /** the identifiers of its building number */
  numberIds: string[];
  /** whether it has a number at all */
  numbered: boolean;
  wordSet: Set<string>;
  /** each word's weight, filled once the gazetteer's word frequencies are known */
  weights: number[];
  district: string | null;
}

/** What of an address the scoring uses. */
interface Probe {
  ids: ReadonlySet<string>;
  /** its numbers (identifiers with a digit) */
  numericIds: readonly string[];
  words: readonly string[];
  wordSet: ReadonlySet<string>;
  weights: readonly number[];
  totalWeight: number;
  numberIds: readonly string[];
}

/** The street as it is looked for in an address: its last two words (OSWALDS ROAD, CHURCH STREET). */
const streetKey = (street: string) => street.split(' ').slice(-2).join(' ');

const district = (pcKey: string | null) => (pcKey && pcKey.length > 3 ? pcKey.slice(0, -3) : null);
const isNumeric = (id: string) => /\d/.test(id);

/** Whether two words are one edit apart (a typo: SPLOT/SPLOTT, BISHOPS/BISHOP), for words of 4+ letters. */
function oneEditApart(a: string, b: string): boolean {
  if (a.length < 4 || b.length < 4 || Math.abs(a.length - b.length) > 1) return false;
  let i = 0;
  let j = 0;
  let edits = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      i++;
      j++;
      continue;
    }
    if (++edits > 1) return false;
    if (a.length > b.length) i++;
    else if (b.length > a.length) j++;
    else if (a[i + 1] === b[j] && a[i] === b[j + 1]) {
      i += 2;
      j += 2;
    } else {
      i++;
      j++;
    }
  }
  return edits + (a.length - i) + (b.length - j) <= 1;
}

/** The gazetteer ready for matching: look-ups by standardised address, postcode and street, and word frequencies. */
export class AddressIndex {
  private readonly exact = new Map<string, Entry[]>();
  private readonly byPostcode = new Map<string, Entry[]>();
  /** street → district → entries */
  private readonly byStreet = new Map<string, Map<string, Entry[]>>();
  /** first word of a street's last two words → those two words and the whole streets ending with them */
  private readonly streetsByFirstWord = new Map<string, { key: string[]; streets: Map<string, string[]> }[]>();
  private readonly df = new Map<string, number>();
  readonly size: number;

  constructor(addresses: Iterable<GazetteerAddress>) {
    let n = 0;
    const entries: Entry[] = [];
    for (const a of addresses) {
      n++;
      const ids = new Set(addressIds(a.standardised));
      const words = addressWords(a.standardised);
      const e: Entry = {
        ...a,
        ids,
        words,
        nameWords: new Set(addressWords(a.buildingName ?? '').filter((w) => w !== 'THE')),
        numberIds: addressIds(a.buildingNumber ?? '').filter(isNumeric),
        numbered: [...ids].some(isNumeric),
        wordSet: new Set(words),
        weights: [],
        district: district(a.pcKey),
      };
      entries.push(e);
      for (const w of e.words) this.df.set(w, (this.df.get(w) ?? 0) + 1);
      if (a.pcKey) {
        push(this.exact, `${a.pcKey}|${a.standardised}`, e);
        push(this.byPostcode, a.pcKey, e);
      }
      if (a.street) {
        let d = this.byStreet.get(a.street);
        if (!d) {
          d = new Map();
          this.byStreet.set(a.street, d);
          const key = streetKey(a.street).split(' ');
          const list = this.streetsByFirstWord.get(key[0]) ?? [];
          let k = list.find((x) => x.key.join(' ') === key.join(' '));
          if (!k) {
            k = { key, streets: new Map() };
            list.push(k);
          }
          k.streets.set(a.street, a.street.split(' '));
          this.streetsByFirstWord.set(key[0], list);
        }
        push(d, e.district ?? '', e);
      }
    }
    this.size = n;
    for (const e of entries) e.weights = e.words.map((w) => this.weight(w));
  }

  /** How rare a word is in the gazetteer: ln(1 + N / addresses with it). */
  weight(word: string): number {
    return Math.log(1 + this.size / (this.df.get(word) ?? 0.5));
  }

  /** The score of a candidate for an address. */
  private score(probe: Probe, c: Entry): number {
    const { ids } = probe;
    let s = 0;
    for (const id of ids) {
      const num = isNumeric(id);
      if (c.ids.has(id)) s += num ? 4 : 2.5;
      else s -= num ? 3 : 2;
    }
    // A number the address leaves out costs less when it gives none at all (THE GABLES for THE GABLES 176A).
    const numbered = probe.numericIds.length > 0;
    for (const id of c.ids) if (!ids.has(id)) s -= !numbered ? 1 : isNumeric(id) ? 3 : 2.5;
    // Two building numbers with nothing in common are two buildings (2 is not FLAT 2 155).
    if (probe.numberIds.length && c.numberIds.length && !probe.numberIds.some((id) => c.numberIds.includes(id))) s -= 3;
    // A building name the address leaves out counts fully against a candidate, unless its number agrees.
    const numberAgrees = c.numberIds.some((id) => ids.has(id));
    // Shared words add their weight; the candidate's other words subtract some of theirs, unless one
    // is a near spelling of a word of the address. No allocation here: this runs for every candidate.
    let shared = 0;
    let near = 0;
    let used = 0;
    for (let k = 0; k < c.words.length; k++) {
      const w = c.words[k];
      if (probe.wordSet.has(w)) {
        shared += c.weights[k];
        continue;
      }
      let found = -1;
      for (let j = 0; j < probe.words.length && j < 31; j++)
        if (!(used & (1 << j)) && !c.wordSet.has(probe.words[j]) && oneEditApart(w, probe.words[j])) {
          found = j;
          break;
        }
      if (found >= 0) {
        used |= 1 << found;
        s += 0.7 * c.weights[k];
        near += probe.weights[found];
      } else s -= (c.nameWords.has(w) && !numberAgrees ? 1 : 0.3) * c.weights[k];
    }
    // The address's words the candidate lacks count a little against it.
    return s + shared - 0.1 * Math.max(0, probe.totalWeight - shared - near);
  }

  /** The gazetteer's addresses on a street named within the address, in its postcode district (or anywhere, without a postcode). */
  private streetCandidates(a: StandardisedAddress, words: ReadonlySet<string>): Entry[] {
    const tokens = a.text.split(' ');
    const found = new Set<Entry>();
    const d = district(a.pcKey);
    for (let i = 0; i < tokens.length; i++) {
      for (const { key, streets } of this.streetsByFirstWord.get(tokens[i]) ?? []) {
        if (key.some((w, k) => tokens[i + k] !== w)) continue;
        // The street's name must be in the address (ASH ROAD is not MILL ASH ROAD), back to a word
        // that ends another name (OSWALDS COURT OSWALDS ROAD is a building on OSWALDS ROAD).
        for (const [street, streetWords] of streets) {
          let ok = true;
          for (let k = streetWords.length - 3; k >= 0 && !isStreetWord(streetWords[k]); k--)
            if (!words.has(streetWords[k]) && !tokens.includes(streetWords[k])) {
              ok = false;
              break;
            }
          if (!ok) continue;
          const byDistrict = this.byStreet.get(street)!;
          const lists = d ? [byDistrict.get(d) ?? []] : [...byDistrict.values()];
          for (const list of lists) for (const e of list) found.add(e);
        }
      }
    }
    return [...found];
  }

  /** Matches one standardised address. */
  match(a: StandardisedAddress, p: MatchParameters = DEFAULT_MATCH_PARAMETERS): AddressMatch {
    const ids = new Set(addressIds(a.text));
    const words = addressWords(a.text);
    const probe: Probe = {
      ids,
      numericIds: [...ids].filter(isNumeric),
      words,
      wordSet: new Set(words),
      weights: words.map((w) => this.weight(w)),
      totalWeight: 0,
      numberIds: addressIds(a.parts.buildingNumber ?? '').filter(isNumeric),
    };
    probe.totalWeight = probe.weights.reduce((x, y) => x + y, 0);
    const hasNumber = probe.numericIds.length > 0;
    const rank = (entries: Iterable<Entry>): Candidate[] => {
      const scored: { uprn: string; score: number }[] = [];
      for (const e of entries) {
        const s = this.score(probe, e);
        // With a number in the address, a numbered candidate sharing none of its numbers cannot be it.
        const agrees = !hasNumber || !e.numbered || probe.numericIds.some((id) => e.ids.has(id));
        scored.push({ uprn: e.uprn, score: agrees ? s : Math.min(s, p.minScore - 1) });
      }
      // Highest first, one per UPRN (its best), scores to two decimals.
      scored.sort((x, y) => y.score - x.score || (x.uprn < y.uprn ? -1 : 1));
      const seen = new Set<string>();
      const out: Candidate[] = [];
      for (const c of scored) {
        if (seen.has(c.uprn)) continue;
        seen.add(c.uprn);
        out.push({ uprn: c.uprn, score: Math.round(c.score * 100) / 100 });
      }
      return out;
    };
    const decide = (ranked: Candidate[], step: MatchStep): AddressMatch | null => {
      if (!ranked.length) return null;
      const [top, next] = ranked;
      const margin = next ? Math.round((top.score - next.score) * 100) / 100 : null;
      const clear = margin === null || margin >= p.clearMargin;
      if ((top.score >= p.minScore && (margin === null || margin >= p.minMargin)) || (clear && ranked.length > 1))
        return { status: 'matched', uprn: top.uprn, score: top.score, margin, step, candidates: ranked.slice(0, 1) };
      return null;
    };
    if (a.pcKey) {
      const exact = this.exact.get(`${a.pcKey}|${a.text}`);
      if (exact) {
        const ranked = rank(exact);
        // One UPRN has exactly this address: no other candidate is scored, so there is no margin.
        if (ranked.length === 1)
          return {
            status: 'matched',
            uprn: ranked[0].uprn,
            score: ranked[0].score,
            margin: null,
            step: 'exact',
            candidates: ranked,
          };
      }
    }
    const inPostcode = a.pcKey ? rank(this.byPostcode.get(a.pcKey) ?? []) : [];
    const byPostcode = decide(inPostcode, 'postcode');
    if (byPostcode) return byPostcode;
    const onStreet = rank(
      new Set([...this.streetCandidates(a, probe.wordSet), ...(a.pcKey ? (this.byPostcode.get(a.pcKey) ?? []) : [])]),
    );
    const byStreet = decide(onStreet, 'street');
    if (byStreet) return byStreet;
    const ranked = onStreet.length ? onStreet : inPostcode;
    const top = ranked[0];
    const ambiguous = top && top.score >= p.minScore;
    return {
      status: ambiguous ? 'ambiguous' : 'no_match',
      uprn: null,
      score: top ? top.score : null,
      margin: ranked[1] ? Math.round((top.score - ranked[1].score) * 100) / 100 : null,
      step: null,
      candidates: ranked.slice(0, p.keepCandidates),
    };
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V) {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
