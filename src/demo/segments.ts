/**
 * The Sample Borough's local classification: 7 groups (A–G) and 20 types, each with a pen portrait
 * and the census-like profile it was generated from. Later segmentation and pen-portrait code is
 * checked against these, so every group states which variables it was made to be high or low on.
 */

/** Census-like variables written to area_variables.csv, with the count each is a share of. */
export const AREA_VARIABLES = [
  { name: 'age_0_15', per: 'population', label: 'Children aged 0–15' },
  { name: 'age_65_plus', per: 'population', label: 'People aged 65 and over' },
  { name: 'owner_occupied', per: 'households', label: 'Owner-occupied households' },
  { name: 'social_rented', per: 'households', label: 'Social-rented households' },
  { name: 'private_rented', per: 'households', label: 'Private-rented households' },
  { name: 'students', per: 'population', label: 'Full-time students' },
  { name: 'lone_parent', per: 'households', label: 'Lone-parent households' },
  { name: 'no_car', per: 'households', label: 'Households with no car' },
  { name: 'bad_health', per: 'population', label: 'People in bad or very bad health' },
  { name: 'degree_level', per: 'population', label: 'People with a degree-level qualification' },
] as const;

export type AreaVariable = (typeof AREA_VARIABLES)[number]['name'];
export type Profile = Record<AreaVariable, number>;

export const GROUP_CODES = ['A', 'B', 'C', 'D', 'E', 'F', 'G'] as const;
export type GroupCode = (typeof GROUP_CODES)[number];

export interface GroupDef {
  code: GroupCode;
  name: string;
  description: string;
  /** Share of the borough's households the classification is calibrated to. */
  share: number;
  /** People per household (population ≈ households × this). */
  householdSize: number;
  /** Typical national IMD percentile of its areas (0 = most deprived). */
  deprivation: number;
  /** Age range of the person named on the household's records. */
  leadAge: [number, number];
  profile: Profile;
  /** What the group was made to stand out on (index well above / below the borough). */
  high: AreaVariable[];
  low: AreaVariable[];
}

export interface TypeDef {
  code: string;
  group: GroupCode;
  name: string;
  description: string;
  /** Share within its group. */
  share: number;
  /** Multipliers on the group profile. */
  adjust: Partial<Profile>;
  /** Pull towards (negative) or away from (positive) the town centre. */
  radial: number;
  deprivation?: number;
  leadAge?: [number, number];
  /** Homes are mostly flats (addresses get "Flat n, ..."). */
  flats: boolean;
  /** Postcodes introduced recently (new-build estates). */
  newBuild?: boolean;
}

const p = (
  age_0_15: number,
  age_65_plus: number,
  owner_occupied: number,
  social_rented: number,
  private_rented: number,
  students: number,
  lone_parent: number,
  no_car: number,
  bad_health: number,
  degree_level: number,
): Profile => ({
  age_0_15,
  age_65_plus,
  owner_occupied,
  social_rented,
  private_rented,
  students,
  lone_parent,
  no_car,
  bad_health,
  degree_level,
});

export const GROUPS: readonly GroupDef[] = [
  {
    code: 'A',
    name: 'Established affluent families',
    share: 0.14,
    householdSize: 2.55,
    deprivation: 0.86,
    leadAge: [36, 62],
    description:
      'Well-off couples with children in large owner-occupied homes on the leafy western side of the borough. Most adults are graduates in professional jobs, with two cars and little need for council help.',
    profile: p(0.24, 0.12, 0.88, 0.03, 0.09, 0.04, 0.03, 0.05, 0.025, 0.48),
    high: ['degree_level', 'owner_occupied', 'age_0_15'],
    low: ['social_rented', 'no_car', 'lone_parent', 'bad_health'],
  },
  {
    code: 'B',
    name: 'Comfortable older owners',
    share: 0.14,
    householdSize: 2.2,
    deprivation: 0.74,
    leadAge: [60, 86],
    description:
      'Retired and nearly retired couples who own their homes outright on the outer edges of the borough. Financially secure and independent for now, they value bin collections, libraries and a well-kept neighbourhood.',
    profile: p(0.11, 0.38, 0.9, 0.04, 0.05, 0.02, 0.02, 0.12, 0.06, 0.3),
    high: ['age_65_plus', 'owner_occupied'],
    low: ['age_0_15', 'social_rented', 'private_rented', 'lone_parent', 'students'],
  },
  {
    code: 'C',
    name: 'Young renters in the town centre',
    share: 0.11,
    householdSize: 2.15,
    deprivation: 0.45,
    leadAge: [21, 39],
    description:
      'Single people and young couples renting flats and terraces close to the town centre. Busy, online and mobile, few own a car and many will have moved on within two years.',
    profile: p(0.08, 0.06, 0.22, 0.1, 0.66, 0.08, 0.04, 0.48, 0.03, 0.45),
    high: ['private_rented', 'no_car', 'degree_level'],
    low: ['age_0_15', 'age_65_plus', 'owner_occupied'],
  },
  {
    code: 'D',
    name: 'Suburban working families',
    share: 0.22,
    householdSize: 2.5,
    deprivation: 0.55,
    leadAge: [28, 52],
    description:
      'Working parents with school-age children in semi-detached and terraced homes they are buying. Budgets are stretched but steady; they use schools, leisure centres and the website.',
    profile: p(0.24, 0.11, 0.7, 0.12, 0.17, 0.03, 0.08, 0.14, 0.04, 0.22),
    high: ['age_0_15', 'owner_occupied'],
    low: ['age_65_plus', 'no_car', 'students'],
  },
  {
    code: 'E',
    name: 'Hard-pressed estate families',
    share: 0.15,
    householdSize: 2.45,
    deprivation: 0.08,
    leadAge: [19, 52],
    description:
      'Families on low incomes in social housing on the eastern estates, many of them lone parents or out of work. Ill health, smoking and debt are common, and they rely on benefits and face-to-face help.',
    profile: p(0.28, 0.09, 0.22, 0.6, 0.16, 0.03, 0.22, 0.5, 0.09, 0.1),
    high: ['social_rented', 'lone_parent', 'age_0_15', 'no_car', 'bad_health'],
    low: ['owner_occupied', 'degree_level'],
  },
  {
    code: 'F',
    name: 'Older people needing support',
    share: 0.13,
    householdSize: 2.15,
    deprivation: 0.22,
    leadAge: [67, 96],
    description:
      'Older people, often living alone, in council flats, sheltered schemes and small terraces. Many are in poor health with no car, and they depend on care services, the telephone and a familiar face.',
    profile: p(0.07, 0.42, 0.3, 0.55, 0.13, 0.01, 0.03, 0.6, 0.14, 0.1),
    high: ['age_65_plus', 'bad_health', 'social_rented', 'no_car'],
    low: ['age_0_15', 'students', 'degree_level', 'lone_parent'],
  },
  {
    code: 'G',
    name: 'Students and transient sharers',
    share: 0.11,
    householdSize: 2.55,
    deprivation: 0.35,
    leadAge: [18, 27],
    description:
      'Students and young sharers in halls, shared houses and bedsits around the university quarter. Almost all rent privately, move every year and deal with the council only online.',
    profile: p(0.03, 0.02, 0.08, 0.05, 0.85, 0.55, 0.01, 0.7, 0.02, 0.35),
    high: ['students', 'private_rented', 'no_car'],
    low: ['age_0_15', 'age_65_plus', 'owner_occupied', 'lone_parent'],
  },
];

export const TYPES: readonly TypeDef[] = [
  {
    code: 'A1',
    group: 'A',
    name: 'Executive families in detached homes',
    share: 0.45,
    radial: 0.4,
    flats: false,
    description: 'High-earning parents with children at local schools, in large detached houses with big gardens.',
    adjust: { degree_level: 1.15, owner_occupied: 1.05, private_rented: 0.6 },
  },
  {
    code: 'A2',
    group: 'A',
    name: 'Professional couples with older children',
    share: 0.3,
    radial: 0.2,
    flats: false,
    leadAge: [45, 64],
    description:
      'Established professionals whose children are teenagers or at university, in mature suburbs near good schools.',
    adjust: { age_0_15: 0.8, age_65_plus: 1.3, degree_level: 1.1, students: 1.4 },
  },
  {
    code: 'A3',
    group: 'A',
    name: 'Commuter families on new estates',
    share: 0.25,
    radial: 0.9,
    flats: false,
    newBuild: true,
    leadAge: [30, 45],
    description: 'Younger two-income families on new-build estates at the edge of the borough, commuting by car.',
    adjust: { age_0_15: 1.15, degree_level: 0.85, private_rented: 1.4, age_65_plus: 0.6 },
  },
  {
    code: 'B1',
    group: 'B',
    name: 'Retired couples in bungalows',
    share: 0.35,
    radial: 0.6,
    flats: false,
    leadAge: [68, 90],
    description:
      'Long-retired couples in bungalows and quiet closes, starting to need a little help with gardens and bins.',
    adjust: { age_65_plus: 1.15, age_0_15: 0.8, bad_health: 1.25, degree_level: 0.8 },
  },
  {
    code: 'B2',
    group: 'B',
    name: 'Empty nesters in large family homes',
    share: 0.35,
    radial: 0.3,
    flats: false,
    leadAge: [55, 72],
    description: 'Couples in their late fifties and sixties whose children have left, still in the large family home.',
    adjust: { age_65_plus: 0.85, degree_level: 1.2, age_0_15: 1.2, bad_health: 0.8 },
  },
  {
    code: 'B3',
    group: 'B',
    name: 'Village-edge retirees',
    share: 0.3,
    radial: 1.0,
    flats: false,
    description: 'Active retired owners in the older village cores absorbed into the borough, reliant on the car.',
    adjust: { no_car: 0.7, age_65_plus: 1.05 },
  },
  {
    code: 'C1',
    group: 'C',
    name: 'Young professionals in town-centre flats',
    share: 0.4,
    radial: -1.2,
    flats: true,
    description: 'Graduates in their twenties and thirties renting modern flats in and around the town centre.',
    adjust: { degree_level: 1.25, age_0_15: 0.6, no_car: 0.9 },
  },
  {
    code: 'C2',
    group: 'C',
    name: 'Private renters in older terraces',
    share: 0.35,
    radial: -0.2,
    flats: false,
    deprivation: 0.3,
    description: 'Young couples and small families renting Victorian terraces from private landlords, on modest wages.',
    adjust: { degree_level: 0.7, age_0_15: 1.7, lone_parent: 1.6, no_car: 0.9 },
  },
  {
    code: 'C3',
    group: 'C',
    name: 'New arrivals in shared lets',
    share: 0.25,
    radial: -0.6,
    flats: true,
    deprivation: 0.35,
    description: 'Recent arrivals to the country and the town, sharing rented flats and houses while they settle.',
    adjust: { degree_level: 0.95, no_car: 1.2, private_rented: 1.1, students: 1.3 },
  },
  {
    code: 'D1',
    group: 'D',
    name: 'Settled working families in semi-detached homes',
    share: 0.4,
    radial: 0.3,
    flats: false,
    deprivation: 0.62,
    description: 'Parents in steady skilled jobs buying 1930s semis, with two children and one or two cars.',
    adjust: { owner_occupied: 1.1, social_rented: 0.6, no_car: 0.8 },
  },
  {
    code: 'D2',
    group: 'D',
    name: 'Young families stretching to buy',
    share: 0.35,
    radial: 0.6,
    flats: false,
    newBuild: true,
    leadAge: [25, 40],
    description: 'Young parents in their first home on smaller new estates, juggling childcare, work and a mortgage.',
    adjust: { age_0_15: 1.15, age_65_plus: 0.7, private_rented: 1.3, degree_level: 1.1 },
  },
  {
    code: 'D3',
    group: 'D',
    name: 'Mixed households in older terraces',
    share: 0.25,
    radial: -0.2,
    flats: false,
    deprivation: 0.45,
    description: 'A mix of families, couples and older residents in older terraced streets on the edge of the centre.',
    adjust: { age_65_plus: 1.4, private_rented: 1.2, owner_occupied: 0.9, no_car: 1.4, age_0_15: 0.9 },
  },
  {
    code: 'E1',
    group: 'E',
    name: 'Long-standing estate families',
    share: 0.35,
    radial: 0.2,
    flats: false,
    deprivation: 0.12,
    description: 'Families who have lived on the estates for generations, some now owning their right-to-buy homes.',
    adjust: { age_65_plus: 1.5, age_0_15: 0.9, owner_occupied: 1.3 },
  },
  {
    code: 'E2',
    group: 'E',
    name: 'Young parents on low incomes in social housing',
    share: 0.4,
    radial: 0.1,
    flats: false,
    deprivation: 0.06,
    leadAge: [18, 36],
    description:
      'Young mothers and fathers, many bringing up children alone, in council and housing-association homes.',
    adjust: { age_0_15: 1.2, lone_parent: 1.35, age_65_plus: 0.55 },
  },
  {
    code: 'E3',
    group: 'E',
    name: 'Out-of-work households in high-rise flats',
    share: 0.25,
    radial: -0.3,
    flats: true,
    deprivation: 0.04,
    leadAge: [25, 60],
    description: 'Single adults and small households in tower-block flats, often out of work and in poor health.',
    adjust: { no_car: 1.25, bad_health: 1.35, age_0_15: 0.75, social_rented: 1.15 },
  },
  {
    code: 'F1',
    group: 'F',
    name: 'Older people living alone in social housing',
    share: 0.4,
    radial: 0,
    flats: true,
    description: 'Widowed pensioners living alone in council flats and bungalows, on state pension and benefits.',
    adjust: { social_rented: 1.1 },
  },
  {
    code: 'F2',
    group: 'F',
    name: 'Frail elderly in sheltered housing',
    share: 0.3,
    radial: -0.2,
    flats: true,
    deprivation: 0.18,
    leadAge: [75, 98],
    description:
      'Very elderly people in sheltered schemes and care settings, many with long-term illness or disability.',
    adjust: { bad_health: 1.35, age_65_plus: 1.15, social_rented: 1.15, no_car: 1.1 },
  },
  {
    code: 'F3',
    group: 'F',
    name: 'Pensioners on low incomes in older terraces',
    share: 0.3,
    radial: -0.1,
    flats: false,
    deprivation: 0.3,
    description: 'Older owners in small terraced houses that need repairs, asset-rich in name only and short of cash.',
    adjust: { owner_occupied: 1.7, social_rented: 0.55, private_rented: 1.1 },
  },
  {
    code: 'G1',
    group: 'G',
    name: 'Students in halls and shared houses',
    share: 0.55,
    radial: -0.4,
    flats: true,
    leadAge: [18, 23],
    description: 'Full-time undergraduates in halls of residence and student houses near the campus.',
    adjust: { students: 1.25, no_car: 1.1 },
  },
  {
    code: 'G2',
    group: 'G',
    name: 'Young sharers in houses in multiple occupation',
    share: 0.45,
    radial: -0.2,
    flats: false,
    leadAge: [20, 32],
    description: 'Young workers and postgraduates sharing rented houses and bedsits, moving on every year or two.',
    adjust: { students: 0.65, degree_level: 1.1 },
  },
];

export const groupOf = (code: GroupCode): GroupDef => GROUPS.find((g) => g.code === code)!;

/** A type's expected profile: its group's rates times the type's multipliers. */
export function typeProfile(t: TypeDef): Profile {
  const base = groupOf(t.group).profile;
  const out = { ...base };
  for (const v of AREA_VARIABLES) out[v.name] = base[v.name] * (t.adjust[v.name] ?? 1);
  return out;
}
