/**
 * The bench/contacts input: about ten years of a unitary council's contact centre, seeded, written
 * as a council's contact system exports it (one row a contact). Customers live at real postcodes
 * (Trafford's, read from ../shared/data, never copied); channels are written the many ways systems
 * write them; reasons have slips of case and stray spaces; a few dates, postcodes and flags are
 * blank or unreadable. Requests get follow-up contacts (progress chasing, clarification, the same
 * reason again) a few days later, so that NI14 and repeat contact have something to find.
 *
 * Nothing here knows the answers: the bench compares civic's figures with pandas' figures.
 */
import { createWriteStream, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createRandom, type Random } from '../../src/core/index.ts';

/** Bump when the generator changes, so that a file made by an older one is not reused. */
const GENERATOR_VERSION = 1;

export const POSTCODE_FILE = new URL('../../../shared/data/trafford/postcodes/trafford_postcodes.csv', import.meta.url)
  .pathname;

/** How each channel is written, with weights (what councils' systems export). */
const WRITTEN: Record<string, [string, number][]> = {
  phone: [
    ['Phone', 40],
    ['Telephone', 25],
    ['tel', 10],
    ['TEL', 5],
    ['Tel.', 5],
    ['Phone Call', 8],
    ['Contact Centre', 7],
  ],
  'face to face': [
    ['F2F', 40],
    ['Face to Face', 25],
    ['face-to-face', 10],
    ['In Person', 10],
    ['Reception', 8],
    ['One Stop Shop', 7],
  ],
  web: [
    ['Web form', 35],
    ['Webform', 15],
    ['Online', 20],
    ['Website', 10],
    ['E-Form', 10],
    ['My Account', 10],
  ],
  email: [
    ['email', 40],
    ['E-mail', 30],
    ['EMAIL', 15],
    ['E mail', 15],
  ],
  post: [
    ['Letter', 60],
    ['Post', 40],
  ],
  sms: [
    ['SMS', 60],
    ['Text', 40],
  ],
  'social media': [
    ['Social Media', 40],
    ['Twitter', 30],
    ['Facebook', 30],
  ],
  app: [['App', 100]],
};

/** Channel shares at the start and the end of the ten years (channel shift). */
const SHARE: [string, number, number][] = [
  ['phone', 55, 36],
  ['face to face', 17, 6],
  ['web', 10, 36],
  ['email', 10, 12],
  ['post', 4, 1],
  ['sms', 1, 2],
  ['social media', 1.5, 3],
  ['app', 0.5, 4],
];

/** Services, their reasons (tier 1, 2, 3 as Barking & Dagenham class them) and weights. */
const SERVICES: { service: string; reasons: [string, string, number][] }[] = [
  {
    service: 'Waste and recycling',
    reasons: [
      ['Missed bin', '1', 30],
      ['New bin request', '1', 12],
      ['Bulky waste collection', '1', 8],
      ['Garden waste subscription', '1', 10],
      ['Fly-tipping report', '2', 5],
    ],
  },
  {
    service: 'Council tax',
    reasons: [
      ['Council tax payment', '1', 20],
      ['Change of address', '1', 10],
      ['Single person discount', '2', 6],
      ['Council tax arrears', '2', 8],
      ['Council tax reduction', '2', 6],
    ],
  },
  {
    service: 'Benefits',
    reasons: [
      ['Housing benefit claim', '2', 8],
      ['Change of circumstances', '2', 7],
      ['Benefit appeal', '3', 2],
    ],
  },
  {
    service: 'Highways',
    reasons: [
      ['Pothole report', '1', 6],
      ['Street lighting fault', '1', 4],
      ['Dropped kerb application', '2', 2],
    ],
  },
  {
    service: 'Housing',
    reasons: [
      ['Housing repairs', '2', 6],
      ['Homelessness advice', '3', 3],
      ['Housing register', '2', 4],
    ],
  },
  {
    service: 'Parking',
    reasons: [
      ['Parking permit', '1', 5],
      ['Penalty charge notice', '2', 4],
    ],
  },
  {
    service: 'Registrars',
    reasons: [
      ['Birth registration', '1', 2],
      ['Death registration', '2', 2],
    ],
  },
  {
    service: 'Adult social care',
    reasons: [
      ['Care needs assessment', '3', 3],
      ['Blue badge', '2', 3],
    ],
  },
  {
    service: 'General',
    reasons: [
      ['General enquiry', '', 6],
      ['Wrong department', '1', 2],
    ],
  },
];

/** Reasons of follow-up contacts, with no service of their own. */
export const FOLLOW_UP_REASONS = { chasing: 'Progress chasing', clarification: 'Clarification' };
/** The reasons the bench counts as avoidable (both sides are told these). */
export const AVOIDABLE = ['Progress chasing', 'Clarification', 'Wrong department'];

const START = Date.UTC(2016, 3, 1); // 1 April 2016: ten financial years
const DAY = 86_400_000;

export interface ContactFiles {
  dir: string;
  contacts: string;
  tiers: string;
  rows: number;
  seed: number;
  firstDay: string;
  lastDay: string;
  customers: number;
  postcodes: number;
}

function weighted<T>(items: [T, number][]): (r: Random) => T {
  const total = items.reduce((a, [, w]) => a + w, 0);
  const cum: number[] = [];
  let s = 0;
  for (const [, w] of items) cum.push((s += w / total));
  return (r) => {
    const u = r.next();
    for (let i = 0; i < cum.length; i++) if (u < cum[i]) return items[i][0];
    return items[items.length - 1][0];
  };
}

const pad = (n: number, w: number) => String(n).padStart(w, '0');

function stamp(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)} ${pad(d.getUTCHours(), 2)}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)}`;
}

interface Pending {
  customer: number; // -1: no customer reference
  request: number; // -1: no request reference
  reason: string;
  service: string;
  tier: string;
  depth: number;
}

/**
 * Writes `rows` contacts (and the council's reason → tier table) into `dir`, or reuses the files a
 * previous run with the same rows, seed and generator wrote there.
 */
export async function generateContacts(dir: string, rows = 5_000_000, seed = 14): Promise<ContactFiles> {
  mkdirSync(dir, { recursive: true });
  const contacts = join(dir, `contacts_${rows}_seed${seed}.csv`);
  const tiers = join(dir, 'tiers.csv');
  const done = `${contacts}.done.json`;
  if (existsSync(done) && existsSync(contacts) && existsSync(tiers)) {
    const meta = JSON.parse(readFileSync(done, 'utf8')) as ContactFiles & { version: number };
    if (meta.version === GENERATOR_VERSION) return meta;
  }

  const postcodes = readFileSync(POSTCODE_FILE, 'utf8')
    .split(/\r?\n/)
    .slice(1)
    .filter(Boolean)
    .map((l) => l.slice(0, l.indexOf(',')));
  const rng = createRandom(seed);
  // About 420,000 customer references over ten years, each living at one postcode.
  const nCustomers = Math.max(100, Math.round(rows * 0.084));
  const home = new Uint32Array(nCustomers);
  for (let i = 0; i < nCustomers; i++) home[i] = rng.int(postcodes.length);

  const reasonPick = weighted<{ service: string; reason: string; tier: string }>(
    SERVICES.flatMap((s) =>
      s.reasons.map(([reason, tier, w]): [{ service: string; reason: string; tier: string }, number] => [
        { service: s.service, reason, tier },
        w,
      ]),
    ),
  );
  const writtenPick = Object.fromEntries(Object.entries(WRITTEN).map(([c, ways]) => [c, weighted(ways)]));
  const unknownPick = weighted<string>([
    ['Fax', 40],
    ['Other', 40],
    ['Councillor', 20],
  ]);
  /** The channel (for the handling time) and how it is written. */
  const channelAt = (r: Random, t: number): [string, string] => {
    const u = r.next();
    if (u < 0.002) return ['', ''];
    if (u < 0.005) return ['', unknownPick(r)];
    let total = 0;
    for (const [, a, b] of SHARE) total += a + (b - a) * t;
    let x = r.next() * total;
    for (const [c, a, b] of SHARE) {
      x -= a + (b - a) * t;
      if (x < 0) return [c, writtenPick[c](r)];
    }
    return ['phone', writtenPick.phone(r)];
  };
  const slip = (r: Random, reason: string): string => {
    const u = r.next();
    if (u < 0.05) return reason.toLowerCase();
    if (u < 0.06) return reason.toUpperCase();
    if (u < 0.08) return `${reason} `;
    if (u < 0.085) return ` ${reason}`;
    if (u < 0.088) return '';
    return reason;
  };
  const postcodeOf = (r: Random, customer: number): string => {
    const u = r.next();
    if (u < 0.004) return '';
    if (u < 0.005) return 'N/A';
    // A customer living outside the borough: a well-formed postcode the directory does not hold.
    if (u < 0.008)
      return `SK${1 + r.int(17)} ${r.int(10)}${'ABDEFGHJLNPQRSTUWXYZ'[r.int(20)]}${'ABDEFGHJLNPQRSTUWXYZ'[r.int(20)]}`;
    const pc = postcodes[customer >= 0 ? home[customer] : r.int(postcodes.length)];
    return u < 0.018 ? pc.toLowerCase().replace(' ', '') : pc;
  };
  const resolvedFlag = (r: Random, p: number): string => {
    const yes = r.next() < p;
    const u = r.next();
    if (u < 0.02) return '';
    if (u < 0.1) return yes ? 'Yes' : 'No';
    return yes ? 'Y' : 'N';
  };
  const MINUTES: Record<string, number> = { phone: 6, 'face to face': 12, web: 3, email: 4, post: 5 };

  // The rate of new contacts a day is set so that the rows last about ten years; follow-ups add to it.
  const followShare = 0.3 / (1 - 0.35); // further contacts per first contact
  const perWeekday = (rows / (3652 * (1 + followShare)) / (5 + 0.3 + 0.1)) * 7;
  const pending = new Map<number, Pending[]>();
  let nextRequest = 1;
  let written = 0;
  let day = 0;
  const tmp = `${contacts}.part`;
  const out = createWriteStream(tmp);
  out.write(
    'contact_id,customer_ref,request_ref,contact_datetime,channel,service,reason,handling_minutes,resolved,postcode\n',
  );
  const follow = (p: Pending, dayNow: number) => {
    if (p.depth >= 5 || rng.next() >= (p.depth === 0 ? 0.3 : 0.35)) return;
    // A few days later (from the next day), most within a week.
    const later = dayNow + 1 + Math.floor(-Math.log(1 - rng.next()) * 3.5);
    const u = rng.next();
    const reason = u < 0.45 ? p.reason : u < 0.85 ? FOLLOW_UP_REASONS.chasing : FOLLOW_UP_REASONS.clarification;
    const list = pending.get(later) ?? [];
    list.push({ ...p, reason, tier: reason === p.reason ? p.tier : '1', depth: p.depth + 1 });
    pending.set(later, list);
  };
  while (written < rows) {
    const when = START + day * DAY;
    const weekday = new Date(when).getUTCDay();
    const t = Math.min(1, day / 3652);
    const month = new Date(when).getUTCMonth();
    // Fewer on weekends; more in March and April (council tax bills) and fewer in December.
    const season = month === 2 || month === 3 ? 1.25 : month === 11 ? 0.8 : 1;
    const rate = perWeekday * season * (weekday === 0 ? 0.1 : weekday === 6 ? 0.3 : 1);
    const n = Math.max(0, Math.round(rate + rng.normal() * Math.sqrt(rate)));
    const today: Pending[] = pending.get(day) ?? [];
    pending.delete(day);
    for (let i = 0; i < n; i++) {
      const r = reasonPick(rng);
      today.push({
        customer: rng.next() < 0.07 ? -1 : Math.floor(nCustomers * rng.next() ** 1.6),
        request: r.reason === 'General enquiry' || rng.next() < 0.06 ? -1 : nextRequest++,
        reason: r.reason,
        service: r.service,
        tier: r.tier,
        depth: 0,
      });
    }
    // The day's contacts in time order: a time for each, then sorted.
    const times = today.map((p) => {
      const office = rng.next() < 0.8;
      return office ? 8 * 3600 + rng.int(10 * 3600) : rng.int(24 * 3600);
    });
    const order = times.map((_, i) => i).sort((a, b) => times[a] - times[b] || a - b);
    const lines: string[] = [];
    for (const i of order) {
      if (written >= rows) break;
      const p = today[i];
      const [channel, asWritten] = channelAt(rng, t);
      const u = rng.next();
      const dt = u < 0.001 ? '' : u < 0.0015 ? 'not recorded' : stamp(when + times[i] * 1000);
      const base = MINUTES[channel] ?? 5;
      const minutes = (base * Math.exp(rng.normal() * 0.5)).toFixed(1);
      const p1 = p.tier === '1' ? 0.86 : p.tier === '2' ? 0.66 : p.tier === '3' ? 0.42 : 0.75;
      lines.push(
        [
          `CT${pad(written + 1, 8)}`,
          p.customer < 0 ? '' : `C${pad(p.customer + 1, 7)}`,
          p.request < 0 ? '' : `SR${pad(p.request, 8)}`,
          dt,
          asWritten,
          p.service,
          slip(rng, p.reason),
          minutes,
          resolvedFlag(rng, p.depth ? p1 * 0.8 : p1),
          postcodeOf(rng, p.customer),
        ].join(','),
      );
      written++;
      follow(p, day);
    }
    if (lines.length && !out.write(`${lines.join('\n')}\n`))
      await new Promise<void>((r) => out.once('drain', () => r()));
    day++;
  }
  await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
  renameSync(tmp, contacts);
  // The council's reason → tier table; "General enquiry" has no tier (counted as untiered).
  const tierRows = [
    ...SERVICES.flatMap((s) => s.reasons.filter(([, tier]) => tier).map(([reason, tier]) => `${reason},${tier}`)),
    `${FOLLOW_UP_REASONS.chasing},1`,
    `${FOLLOW_UP_REASONS.clarification},1`,
  ];
  writeFileSync(tiers, `reason,tier\n${tierRows.join('\n')}\n`);
  const meta: ContactFiles & { version: number } = {
    version: GENERATOR_VERSION,
    dir,
    contacts,
    tiers,
    rows,
    seed,
    firstDay: stamp(START).slice(0, 10),
    lastDay: stamp(START + (day - 1) * DAY).slice(0, 10),
    customers: nCustomers,
    postcodes: postcodes.length,
  };
  writeFileSync(done, JSON.stringify(meta, null, 2));
  return meta;
}
