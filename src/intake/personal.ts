/**
 * Which columns of a service file look personal, guessed from both the column's name and a sample
 * of its values, each with a plain-English reason. These are pseudonymised by default (the CLI
 * and the portal's column mapping); keeping one readable is a deliberate, recorded choice.
 *
 * The reasons never quote a value from the file: they are shown and logged as they are.
 */

export type PersonalKind =
  | 'name'
  | 'ni number'
  | 'nhs number'
  | 'date of birth'
  | 'email'
  | 'phone'
  | 'address'
  | 'free text';

export interface PersonalColumn {
  column: string;
  kind: PersonalKind;
  /** Why the column was proposed, e.g. 'its name says it holds a person's name'. */
  reason: string;
}

/** A column kept readable whatever it holds, and why (shown beside it). */
export interface ClearColumn {
  column: string;
  reason: string;
}

/** How many values of each column the guess looks at. */
export const PERSONAL_SAMPLE_ROWS = 500;

// Names that are about places, services and things, not people.
const NOT_A_PERSON =
  /(street|road|ward|area|site|school|service|team|facilit|file|dataset|organi[sz]ation|org|company|business|practice|district|borough|town|village|place|building|venue|centre|center|branch|product|event|course|class|scheme|project|programme|file|sheet|column|field|band|type|category|segment|group|tier|ward|parish|authority|council|lsoa|msoa|oa)[\s_-]*name|^(user|host|file|domain|display)[\s_-]*name$/i;

const HEADER_RULES: { kind: PersonalKind; test: RegExp; reason: string }[] = [
  {
    kind: 'ni number',
    test: /\b(ni|nino)\b|national[\s_-]*insurance|(^|[\s_-])ni[\s_-]*(no|num|number)\b|^nino/i,
    reason: 'its name says it holds National Insurance numbers',
  },
  {
    kind: 'nhs number',
    test: /\bnhs[\s_-]*(no|num|number)\b|^nhs_?number$/i,
    reason: 'its name says it holds NHS numbers',
  },
  {
    kind: 'date of birth',
    test: /\bdob\b|(^|[\s_-])dob$|^dob|date[\s_-]*of[\s_-]*birth|birth[\s_-]*date|birthday|\bborn\b|d\.o\.b/i,
    reason: 'its name says it holds dates of birth',
  },
  { kind: 'email', test: /e[\s_-]?mail/i, reason: 'its name says it holds email addresses' },
  {
    kind: 'phone',
    test: /phone|mobile|\btel\b|^tel|telephone|contact[\s_-]*(no|number)|landline/i,
    reason: 'its name says it holds phone numbers',
  },
  {
    kind: 'address',
    test: /address|addr\b|^addr|street|house[\s_-]*(no|num|number|name)|line[\s_-]*1|^flat$|property[\s_-]*name|building[\s_-]*(no|number)/i,
    reason: "its name says it holds addresses (an address's first line names the household)",
  },
  {
    kind: 'free text',
    test: /notes?\b|comments?\b|remarks?\b|free[\s_-]*text|narrative|observations?|case[\s_-]*notes|additional[\s_-]*(info|information|details)|^details$|^description$/i,
    reason: 'its name says it holds free-text notes, which often name or describe people',
  },
  {
    kind: 'name',
    test: /(^|[\s_-])(full|first|last|sur|fore|given|middle|maiden|family|christian|preferred|known[\s_-]*as)[\s_-]*names?\b|surname|forename|given[\s_-]*name|^names?$|(^|[\s_-])names?$|^name[\s_-]|(client|customer|person|patient|resident|tenant|member|claimant|applicant|parent|child|carer|caller|contact|pupil|student|user|owner|occupier|visitor|guardian|spouse|partner)[\s_-]*names?\b|initials/i,
    reason: "its name says it holds people's names",
  },
];

// The columns kept readable because they are needed to place or link each record.
const PROPERTY_REF = /^(uprn|u\.p\.r\.n|unique[\s_-]*property[\s_-]*reference([\s_-]*number)?|property[\s_-]*uprn)$/i;

const NI_RE = /^[A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]$/i;
const EMAIL_RE = /^[^@\s,;]+@[^@\s,;]+\.[a-z]{2,}$/i;
const PHONE_CHARS = /^\+?[\d\s().-]{9,20}$/;
const DATE_RE = /^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][\d:.]+Z?)?$|^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/;
// Columns named for an event, whose dates are not birthdays however far back they go.
const EVENT_DATE =
  /start|end|joined|join|issued|issue|expir|visit|submit|appoint|referr|contact|creat|updat|modif|closed|open|award|paid|payment|renew|review|registered|logged|received|sent|due|from|until|since|effective|last|first/i;
const STREET_WORDS =
  /\b(road|rd|street|st|avenue|ave|lane|ln|close|drive|dr|way|court|ct|crescent|grove|place|pl|gardens|terrace|hill|park|view|walk|mews|row|square|sq|parade|rise|vale|green|fold|croft|brow|bank|meadows?|wharf|quay)\b\.?/i;

function isUkPhone(v: string): boolean {
  if (!PHONE_CHARS.test(v)) return false;
  const digits = v.replace(/\D/g, '');
  if (v.trim().startsWith('+')) return /^44[1-37-9]\d{8,9}$/.test(digits);
  return /^0[1-37-9]\d{8,9}$/.test(digits);
}

function yearOf(v: string): number | null {
  const m = DATE_RE.exec(v.trim());
  if (!m) return null;
  const [y, mo, d] = m[1] ? [Number(m[1]), Number(m[2]), Number(m[3])] : [Number(m[6]), Number(m[5]), Number(m[4])];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || y < 1890 || y > 2100) return null;
  return y + (mo - 1) / 12;
}

/** The share of non-empty values passing a test, or 0 when there are too few values to judge. */
function share(values: string[], test: (v: string) => boolean): number {
  if (values.length < 3) return 0;
  return values.filter(test).length / values.length;
}

function fromValues(header: string, values: string[], now: number): Omit<PersonalColumn, 'column'> | null {
  if (share(values, (v) => NI_RE.test(v.trim())) >= 0.5)
    return { kind: 'ni number', reason: 'its values look like National Insurance numbers' };
  if (share(values, (v) => EMAIL_RE.test(v.trim())) >= 0.5)
    return { kind: 'email', reason: 'its values look like email addresses' };
  if (share(values, isUkPhone) >= 0.5) return { kind: 'phone', reason: 'its values look like phone numbers' };
  if (!EVENT_DATE.test(header)) {
    const years = values.map(yearOf).filter((y): y is number => y !== null);
    if (years.length >= 3 && years.length >= values.length * 0.6) {
      years.sort((a, b) => a - b);
      const median = years[Math.floor(years.length / 2)];
      // Dates of birth: spread over decades, and mostly long ago (visit and start dates are recent).
      if (years[years.length - 1] - years[0] >= 25 && now - median >= 18)
        return { kind: 'date of birth', reason: 'its values look like dates of birth (dates spread over decades)' };
    }
  }
  if (share(values, (v) => /^\d+[a-z]?,?\s+\S/i.test(v.trim()) && STREET_WORDS.test(v)) >= 0.5)
    return { kind: 'address', reason: "its values look like addresses (an address's first line names the household)" };
  const words = values.map((v) => v.trim().split(/\s+/).length);
  if (
    values.length >= 3 &&
    words.reduce((a, b) => a + b, 0) / values.length >= 6 &&
    share(values, (v) => v.length >= 30) >= 0.3
  ) {
    return { kind: 'free text', reason: 'its values look like free text, which often names or describes people' };
  }
  return null;
}

/**
 * The columns that look personal, in file order. `rows` are a sample of records (values in header
 * order); `exclude` names columns never proposed (the postcode). Name patterns win over values.
 */
export function detectPersonalColumns(
  header: string[],
  rows: readonly (readonly (string | null | undefined)[])[],
  opts: { exclude?: string[]; now?: Date } = {},
): PersonalColumn[] {
  const exclude = new Set((opts.exclude ?? []).map((c) => c.toLowerCase()));
  const now = (opts.now ?? new Date()).getUTCFullYear();
  const out: PersonalColumn[] = [];
  header.forEach((h, i) => {
    if (exclude.has(h.toLowerCase()) || PROPERTY_REF.test(h.trim())) return;
    const name = h.trim();
    const byName = NOT_A_PERSON.test(name) ? HEADER_RULES.filter((r) => r.kind !== 'name') : HEADER_RULES;
    const rule = byName.find((r) => r.test.test(name));
    if (rule) {
      out.push({ column: h, kind: rule.kind, reason: rule.reason });
      return;
    }
    const values = rows
      .slice(0, PERSONAL_SAMPLE_ROWS)
      .map((r) => r[i])
      .filter((v): v is string => typeof v === 'string' && v.trim() !== '');
    const guess = fromValues(name, values, now);
    if (guess) out.push({ column: h, ...guess });
  });
  return out;
}

/** Columns kept readable because the product needs them: the postcode, and a property reference. */
export function clearForMatching(header: string[], postcodeColumn: string): ClearColumn[] {
  const out: ClearColumn[] = [
    { column: postcodeColumn, reason: 'kept readable: the postcode is needed to place each record on the map' },
  ];
  for (const h of header) {
    if (h !== postcodeColumn && PROPERTY_REF.test(h.trim()))
      out.push({
        column: h,
        reason:
          'kept readable: a property reference (UPRN) is public and needed to link records to a property; it does not name anyone by itself',
      });
  }
  return out;
}
