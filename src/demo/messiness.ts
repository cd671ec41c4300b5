/**
 * The postcode mistakes real council extracts contain, injected at low rates so that intake code
 * has to cope with them: formatting slips, O/0 and I/1 typos that the `postcode` package's `fix`
 * can undo, postcodes from outside the borough, blanks and nonsense, and terminated postcodes
 * kept from old records. Every change is counted so tests can check each file's accounting.
 */
import type { Random } from '../core/index.ts';
import { metresBetween } from './geography.ts';
import { UNIT_LETTERS, type Postcode } from './postcodes.ts';

export type MessKind = 'format' | 'slip' | 'foreign' | 'blank' | 'terminated';
export type MessCounts = Record<MessKind, number>;

/** Target rate of each kind of mistake, per record. */
export const MESS_RATES: Readonly<MessCounts> = {
  format: 0.01,
  slip: 0.003,
  foreign: 0.003,
  blank: 0.002,
  terminated: 0.001,
};

/** Neighbouring real-world districts a household might give after moving or by mistake. */
const FOREIGN_DISTRICTS = [
  'NG1',
  'NG2',
  'NG3',
  'NG5',
  'NG7',
  'NG8',
  'NG9',
  'NG10',
  'NG11',
  'NG12',
  'NG15',
  'NG16',
  'DE7',
  'DE72',
  'LE12',
];
const NONSENSE = ['', '', '', '', 'N/A', 'NFA', 'UNKNOWN', 'TBC', 'SB', '-', '0'];

/**
 * The postcode with one fixable typo: the sector digit 0 or 1 typed as the letter O or I, or the
 * 1 of a two-digit district (SB1x) typed as I. Null if the postcode has no such digit.
 */
export function slipOf(pcds: string): string | null {
  const [out, inward] = pcds.split(' ');
  const swap: Record<string, string> = { '0': 'O', '1': 'I' };
  if (swap[inward[0]]) return `${out} ${swap[inward[0]]}${inward.slice(1)}`;
  if (out.length === 4 && out[2] === '1') return `${out.slice(0, 2)}I${out[3]} ${inward}`;
  return null;
}

export class Messer {
  private readonly slipShare: number;
  private readonly nearestTerminated: Int32Array;

  constructor(private readonly postcodes: readonly Postcode[]) {
    // The slip can only be made on some postcodes, so it is made more often on those.
    let eligible = 0,
      total = 0;
    for (const p of postcodes) {
      total += p.households;
      if (slipOf(p.pcds)) eligible += p.households;
    }
    this.slipShare = eligible / Math.max(1, total);
    const terminated = postcodes.map((_, i) => i).filter((i) => postcodes[i].doterm);
    this.nearestTerminated = new Int32Array(postcodes.length).fill(-1);
    if (terminated.length) {
      postcodes.forEach((p, i) => {
        let best = -1,
          bestD = Infinity;
        for (const t of terminated) {
          const d = metresBetween(p.lon, p.lat, postcodes[t].lon, postcodes[t].lat);
          if (d < bestD) {
            bestD = d;
            best = t;
          }
        }
        this.nearestTerminated[i] = best;
      });
    }
  }

  /** Possibly spoils the postcode (given by directory index) as a clerk might have typed it. */
  spoil(rng: Random, postcode: number, counts: MessCounts): string {
    const pcds = this.postcodes[postcode].pcds;
    const r = rng.next();
    let edge = MESS_RATES.blank;
    if (r < edge) {
      counts.blank++;
      return rng.pick(NONSENSE);
    }
    if (r < (edge += MESS_RATES.foreign)) {
      counts.foreign++;
      return `${rng.pick(FOREIGN_DISTRICTS)} ${rng.int(10)}${rng.pick([...UNIT_LETTERS])}${rng.pick([...UNIT_LETTERS])}`;
    }
    if (r < (edge += MESS_RATES.terminated) && this.nearestTerminated[postcode] >= 0) {
      counts.terminated++;
      return this.postcodes[this.nearestTerminated[postcode]].pcds;
    }
    if (r < (edge += MESS_RATES.format)) {
      counts.format++;
      const s = rng.next();
      return s < 0.45 ? pcds.toLowerCase() : s < 0.9 ? pcds.replace(' ', '') : pcds.replace(' ', '').toLowerCase();
    }
    const slip = slipOf(pcds);
    if (slip && rng.next() < MESS_RATES.slip / this.slipShare) {
      counts.slip++;
      return slip;
    }
    return pcds;
  }
}

export const noMess = (): MessCounts => ({ format: 0, slip: 0, foreign: 0, blank: 0, terminated: 0 });
