/**
 * Writes examples/stop_smoking_clinic_extract.xlsx: a SYNTHETIC stop-smoking service extract at
 * Trafford's published postcodes (ONS Postcode Directory, OGL v3), shaped as a council's system
 * exports it — a title row above the table, a date column, mixed postcode typing and a few rows a
 * real extract has (no postcode, "NFA", a letter O for a zero, a postcode outside the borough).
 * No record is a real person. Run from the checkout: npx tsx scripts/make-example-extract.ts
 */
import { readFileSync } from 'node:fs';
import ExcelJS from 'exceljs';

const SOURCE = new URL('../../shared/data/trafford/postcodes/trafford_postcodes.csv', import.meta.url);
const OUT = new URL('../examples/stop_smoking_clinic_extract.xlsx', import.meta.url);

const postcodes = readFileSync(SOURCE, 'utf8')
  .split(/\r?\n/)
  .slice(1)
  .map((l) => l.split(',')[0])
  .filter((p) => /^[A-Z0-9 ]+$/.test(p ?? ''));
let seed = 2026;
const random = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)];

const wb = new ExcelJS.Workbook();
const ws = wb.addWorksheet('Referrals');
ws.addRow(['Stop Smoking Service: referrals April 2025 to March 2026 (SYNTHETIC: not real people)']);
ws.addRow([]);
ws.addRow(['Client ID', 'Postcode', 'Referral date', 'Age band', 'Referred by', 'Quit at 4 weeks']);
const typed = (pc: string) => {
  const r = random();
  return r < 0.1 ? pc.toLowerCase() : r < 0.2 ? pc.replace(' ', '') : pc;
};
let n = 0;
for (const pc of postcodes) {
  // More clients in the north of the borough (M16, M32, M41), so the profile has a pattern to find.
  const north = /^(M16|M32|M41) /.test(pc);
  if (random() > (north ? 0.05 : 0.015)) continue;
  const day = new Date(Date.UTC(2025, 3, 1) + Math.floor(random() * 365) * 86_400_000);
  ws.addRow([
    `SS${String(++n).padStart(5, '0')}`,
    typed(pc),
    day,
    pick(['16-24', '25-34', '35-44', '45-54', '55-64', '65+']),
    pick(['GP', 'GP', 'Pharmacy', 'Self-referral', 'Hospital']),
    random() < 0.45 ? 'Yes' : 'No',
  ]);
}
for (const [pc, note] of [
  ['', 'no postcode'],
  ['NFA', 'no fixed abode'],
  ['M41 OAB', 'a letter O typed for a zero'],
  ['M1 1AE', 'a postcode outside Trafford'],
]) {
  void note;
  ws.addRow([`SS${String(++n).padStart(5, '0')}`, pc, new Date(Date.UTC(2025, 9, 1)), '25-34', 'GP', 'No']);
}
ws.getColumn(3).numFmt = 'dd/mm/yyyy';
ws.columns.forEach((c) => (c.width = 16));
await wb.xlsx.writeFile(OUT.pathname);
console.log(`${n} referrals written to ${OUT.pathname}`);
