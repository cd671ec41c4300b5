/**
 * The customer access and channel insights sheets (Barking & Dagenham) as a printable handout, one
 * page per segment, and as text. The channel mix and the tiers pass the channel mix's boundary
 * first (discloseAccessSheets); the portraits' facts were protected when they were made.
 */
import type { AccessSheets, ChannelMixResult } from '../channels/index.ts';
import { discloseChannelMix, type MixAcrossServices } from './channel-mix.ts';
import { disclosureOf, type DisclosureRule } from './disclosure.ts';
import { escapeHtml as esc, fmtInt, SUPPRESSED_MARK, textTable } from './format.ts';

/**
 * `across`, for anyone but the owner when the owner has published services: the mixes by service
 * that could be asked besides, so that the sheets' mix hides what the channel mix hides.
 */
export function discloseAccessSheets(r: AccessSheets, rule: DisclosureRule, across?: MixAcrossServices): AccessSheets {
  // For anyone but the owner, channels written outside the vocabulary for a few contacts are pooled.
  const poolOdd = disclosureOf(rule).perturb;
  return {
    ...r,
    mix: discloseChannelMix(r.mix, rule, {
      poolOdd,
      across: across && { ...across, service: null },
      againstVolumes: poolOdd,
    }),
    tiers: r.tiers ? discloseChannelMix(r.tiers, rule) : null,
  };
}

const pct = (n: number | null) => (n === null ? SUPPRESSED_MARK : `${n.toFixed(0)}%`);
const count = (n: number | null) => (n === null ? SUPPRESSED_MARK : fmtInt(n));
const of = (m: ChannelMixResult, code: string) => m.cells.filter((c) => c.code === code);

/** What each segment's sheet says, in order: the same for the handout and the text. */
function sheetOf(r: AccessSheets, code: string) {
  const p = r.portraits.find((x) => x.code === code);
  const g = r.mix.groups.find((x) => x.code === code)!;
  return {
    code,
    name: p?.name ?? g.name ?? code,
    summary: p?.summary ?? '',
    indicators: (p?.facts.distinctive ?? []).slice(0, 5).map((v) => `${v.label} (index ${Math.round(v.index)})`),
    areas: (p?.facts.topWards ?? [])
      .slice(0, 3)
      .map((w) => `${w.name ?? w.code} (${w.shareOfSegment.toFixed(0)}% of its households)`),
    services: (p?.facts.takeUp ?? [])
      .filter((u) => u.band === 'High' || u.band === 'Above average')
      .slice(0, 5)
      .map((u) => `${u.title ?? u.dataset} (index ${u.index === null ? SUPPRESSED_MARK : Math.round(u.index)})`),
    contacts: g.contacts,
    channels: of(r.mix, code).map((c) => ({ channel: c.channel, pct: c.pct, band: c.band })),
    information: r.preferences.filter((x) => x.segment === code && x.kind === 'information'),
    // The tiers, then "untiered": the contacts whose reason has no tier.
    tiers: r.tiers
      ? of(r.tiers, code).map((c) => ({ tier: c.channel, contacts: c.contacts, pct: c.pct, band: c.band }))
      : [],
  };
}

export function accessSheetsToTable(r: AccessSheets): string {
  const out: string[] = [
    `Customer access and channel insights: ${r.classification ?? ''} ${r.level}s, from the contacts in ${r.dataset}`,
    '',
  ];
  for (const g of r.mix.groups) {
    const s = sheetOf(r, g.code);
    out.push(`${s.code} ${s.name}`, '-'.repeat(Math.min(80, s.code.length + s.name.length + 1)));
    if (s.summary) out.push(s.summary);
    if (s.indicators.length) out.push(`Main indicators: ${s.indicators.join('; ')}`);
    if (s.areas.length) out.push(`Main areas: ${s.areas.join('; ')}`);
    if (s.services.length) out.push(`Services used most: ${s.services.join('; ')}`);
    out.push(
      `Contacts: ${s.contacts === null ? SUPPRESSED_MARK : fmtInt(s.contacts)}`,
      textTable(
        ['Channel', 'Share of its contacts', 'Band'],
        s.channels.map((c) => [c.channel, pct(c.pct), c.band ?? '']),
        (i) => i === 1,
      ),
    );
    if (s.information.length)
      out.push(`Communication preferences: ${s.information.map((x) => `${x.channel} ${x.band}`).join('; ')}`);
    if (s.tiers.length)
      out.push(`Resolution tiers: ${s.tiers.map((t) => `${t.tier} ${count(t.contacts)} (${pct(t.pct)})`).join(', ')}`);
    out.push('');
  }
  out.push(
    r.mix.disclosure ? `Small numbers are hidden (${SUPPRESSED_MARK}).` : 'Not suppressed: for the data owner only.',
    '',
  );
  return out.join('\n');
}

export function accessSheetsToHtml(r: AccessSheets): string {
  const title = `Customer access and channel insights: ${r.classification ?? ''} ${r.level}s`;
  const list = (h: string, xs: string[]) =>
    xs.length ? `<h3>${esc(h)}</h3><ul>${xs.map((x) => `<li>${esc(x)}</li>`).join('')}</ul>` : '';
  const section = (code: string) => {
    const s = sheetOf(r, code);
    return `<section class="sheet" id="segment-${esc(s.code)}" aria-labelledby="h-${esc(s.code)}">
<h2 id="h-${esc(s.code)}"><span class="code">${esc(s.code)}</span> ${esc(s.name)}</h2>
${s.summary ? `<h3>Summary</h3><p class="summary">${esc(s.summary)}</p>` : ''}
${list('Main indicators', s.indicators)}
${list('Main areas', s.areas)}
${list('Services used most', s.services)}
<h3>Channel preferences</h3>
<table><caption>Share of the segment's ${s.contacts === null ? '' : `${fmtInt(s.contacts)} `}contacts by each channel, banded against the borough; ${SUPPRESSED_MARK} hides a small number</caption>
<thead><tr><th scope="col">Channel</th><th scope="col" class="num">Share</th><th scope="col">Band</th></tr></thead>
<tbody>${s.channels.map((c) => `<tr><td>${esc(c.channel)}</td><td class="num">${pct(c.pct)}</td><td>${esc(c.band ?? '')}</td></tr>`).join('')}</tbody></table>
${s.information.length ? `<h3>Communication preferences</h3><ul>${s.information.map((x) => `<li>${esc(x.channel)}: ${esc(x.band)}</li>`).join('')}</ul>` : ''}
${
  s.tiers.length
    ? `<h3>Resolution tiers</h3><table><caption>The segment's contacts by the tier of their reason: 1 simple, 2 needing service knowledge, 3 needing professional expertise; untiered, a reason with no tier</caption>
<thead><tr><th scope="col">Tier</th><th scope="col" class="num">Contacts</th><th scope="col" class="num">Share</th><th scope="col">Band</th></tr></thead>
<tbody>${s.tiers.map((t) => `<tr><td>${esc(t.tier)}</td><td class="num">${count(t.contacts)}</td><td class="num">${pct(t.pct)}</td><td>${esc(t.band ?? '')}</td></tr>`).join('')}</tbody></table>`
    : ''
}
</section>`;
  };
  return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:960px;margin:0 auto;padding:20px;line-height:1.4}
h1{font-size:2rem}h2{font-size:1.5rem;border-top:4px solid #1d70b8;padding-top:10px;margin-top:40px}h3{font-size:1.1rem;margin-bottom:4px}
.code{display:inline-block;background:#0b0c0c;color:#fff;padding:0 8px;margin-right:6px}.summary{font-size:1.15rem}
table{border-collapse:collapse;width:100%;margin-bottom:10px}caption{text-align:left;color:#505a5f;font-size:.9rem;padding-bottom:4px}
th,td{border-bottom:1px solid #b1b4b6;padding:4px 8px;text-align:left}.num{text-align:right}
@media print{section.sheet{break-before:page}h2{margin-top:0}}
</style></head><body>
<main><h1>${esc(title)}</h1>
<p>One sheet per segment, from the contacts in ${esc(r.dataset)}. Bands compare each segment with the whole borough. Small numbers are hidden (${SUPPRESSED_MARK}).</p>
<nav aria-label="Segments"><ul>${r.mix.groups.map((g) => `<li><a href="#segment-${esc(g.code)}">${esc(g.code)} ${esc(sheetOf(r, g.code).name)}</a></li>`).join('')}</ul></nav>
${r.mix.groups.map((g) => section(g.code)).join('\n')}
</main></body></html>
`;
}
