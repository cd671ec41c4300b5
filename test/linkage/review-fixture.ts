/**
 * Five records whose pairs' weights are whole numbers of bits (worked in review.int.test.ts), and
 * the model that scores them: for the review tests of the library, the CLI, the API and the portal.
 */
import type { LinkSpecInput } from '../../src/linkage/index.ts';

const level = (kind: 'exact' | 'else', m: number, u: number) => ({ kind, m, u });
const comparison = (name: string) => ({
  name,
  column: name,
  levels: [{ kind: 'null' as const }, level('exact', 0.8, 0.2), level('else', 0.2, 0.8)],
});
export const SPEC: LinkSpecInput = {
  version: 1,
  linkType: 'dedupe',
  comparisons: [comparison('name'), comparison('dob'), comparison('town')],
  blocking: { predict: [{ on: ['grp'] }] },
  prior: 0.4,
};

export const PEOPLE_CSV = [
  'id,name,dob,town,grp',
  'A,ann,1990,,x',
  'B,ann,1990,leeds,x',
  'C,bob,1990,leeds,x',
  'D,bob,1985,,x',
  'E,cat,1970,york,x',
].join('\n');
