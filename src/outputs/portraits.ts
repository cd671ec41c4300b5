/**
 * Pen portraits as a handout: one section per segment (HTML page or PDF), or plain text. The
 * facts were disclosure-controlled when they were computed; nothing here adds a small count.
 */
import { existsSync, readFileSync } from 'node:fs';
import { extname } from 'node:path';
import type { Portrait } from '../segmentation/index.ts';
import { escapeHtml as esc, fmtInt, SUPPRESSED_MARK } from './format.ts';
const idx = (x: number | null) => (x === null ? SUPPRESSED_MARK : String(Math.round(x)));
const MIME: Record<string, string> = {
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.svg': 'image/svg+xml',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
};

/** A local picture is embedded so the handout travels as one file; a web address is linked. */
function imageSrc(src: string): string {
  if (/^(https?:|data:)/.test(src)) return src;
  const mime = MIME[extname(src).toLowerCase()];
  return mime && existsSync(src) ? `data:${mime};base64,${readFileSync(src).toString('base64')}` : src;
}

function sizeLine(p: Portrait): string {
  const f = p.facts;
  return f.households !== null
    ? `${fmtInt(f.households)} households (${f.share.toFixed(1)}%) in ${fmtInt(f.areas)} areas`
    : `${fmtInt(f.areas)} areas (${f.share.toFixed(1)}% of areas)`;
}

export function portraitsToHtml(portraits: Portrait[], opts: { title?: string } = {}): string {
  const first = portraits[0];
  const title = opts.title ?? (first ? `Pen portraits: ${first.classification} ${first.tier}s` : 'Pen portraits');
  const section = (p: Portrait) => {
    const f = p.facts;
    const rows = (vs: typeof f.distinctive) =>
      vs
        .map(
          (v) =>
            `<tr><td>${esc(v.label)}</td><td class="num">${v.mean.toFixed(1)}</td><td class="num">${v.overall.toFixed(1)}</td><td class="num">${idx(v.index)}</td></tr>`,
        )
        .join('');
    return `<section class="portrait" id="segment-${esc(p.code)}" aria-labelledby="h-${esc(p.code)}">
<h2 id="h-${esc(p.code)}"><span class="code">${esc(p.code)}</span> ${esc(p.name)}</h2>
<p class="size">${esc(sizeLine(p))}</p>
${p.images.map((i) => `<img src="${esc(imageSrc(i.src))}" alt="${esc(i.alt)}">`).join('\n')}
<p class="summary">${esc(p.summary)}</p>
${p.keyFeatures.length ? `<h3>Key features</h3><ul>${p.keyFeatures.map((k) => `<li>${esc(k)}</li>`).join('')}</ul>` : ''}
${
  f.distinctive.length
    ? `<h3>What sets it apart</h3><table><caption>Mean of its areas against all areas; index 100 is average</caption>
<thead><tr><th scope="col">Variable</th><th scope="col" class="num">This segment</th><th scope="col" class="num">All areas</th><th scope="col" class="num">Index</th></tr></thead>
<tbody>${rows(f.distinctive)}${f.lowest.length ? `<tr><th colspan="4" scope="rowgroup">Lowest</th></tr>${rows(f.lowest)}` : ''}</tbody></table>`
    : ''
}
${f.topWards.length ? `<h3>Where it lives</h3><ul>${f.topWards.map((w) => `<li>${esc(w.name ?? w.code)}: ${w.shareOfSegment.toFixed(0)}% of this segment's households; ${w.shareOfWard.toFixed(0)}% of the ward's</li>`).join('')}</ul>` : ''}
${
  f.takeUp.length
    ? `<h3>Services it uses</h3><table><caption>Take-up against the whole area; index 100 is average, ${SUPPRESSED_MARK} hides a small number</caption>
<thead><tr><th scope="col">Service</th><th scope="col" class="num">Per 100 households</th><th scope="col" class="num">Index</th><th scope="col">Band</th></tr></thead>
<tbody>${f.takeUp.map((u) => `<tr><td>${esc(u.title ?? u.dataset)}</td><td class="num">${u.penetration === null ? SUPPRESSED_MARK : u.penetration.toFixed(1)}</td><td class="num">${idx(u.index)}</td><td>${esc(u.band ?? '')}</td></tr>`).join('')}</tbody></table>`
    : ''
}
${f.channels.length ? `<h3>How it gets in touch</h3>${f.channels.map((c) => `<p>${esc(c.dataset)}: ${c.values.map((v) => `${esc(v.value)} ${v.share.toFixed(0)}%${v.index !== null ? ` (index ${Math.round(v.index)})` : ''}`).join(', ')}</p>`).join('')}` : ''}
<p class="meta">Version ${p.revision}, ${p.editedBy === 'generated' ? 'drafted from the data' : `edited by ${esc(p.editedBy)}`} on ${esc(p.editedAt.slice(0, 10))}.</p>
</section>`;
  };
  return `<!DOCTYPE html>
<html lang="en-GB"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title)}</title>
<style>
body{font-family:Arial,Helvetica,sans-serif;color:#0b0c0c;max-width:960px;margin:0 auto;padding:20px;line-height:1.4}
h1{font-size:2rem}h2{font-size:1.5rem;border-top:4px solid #1d70b8;padding-top:10px;margin-top:40px}h3{font-size:1.1rem;margin-bottom:4px}
.code{display:inline-block;background:#0b0c0c;color:#fff;padding:0 8px;margin-right:6px}
.size{font-weight:bold;color:#505a5f}.summary{font-size:1.15rem}
table{border-collapse:collapse;width:100%;margin-bottom:10px}caption{text-align:left;color:#505a5f;font-size:.9rem;padding-bottom:4px}
th,td{border-bottom:1px solid #b1b4b6;padding:4px 8px;text-align:left}.num{text-align:right}
img{max-width:100%;height:auto}.meta{color:#505a5f;font-size:.85rem}
@media print{section.portrait{break-before:page}h2{margin-top:0}}
</style></head><body>
<main><h1>${esc(title)}</h1>
<p>${portraits.length} segments. Indexes compare each segment with the whole area: 100 is average, 150 is half as much again, 50 is half. Small numbers are hidden (${SUPPRESSED_MARK}).</p>
<nav aria-label="Segments"><ul>${portraits.map((p) => `<li><a href="#segment-${esc(p.code)}">${esc(p.code)} ${esc(p.name)}</a></li>`).join('')}</ul></nav>
${portraits.map(section).join('\n')}
</main></body></html>
`;
}

/** The same handout as a PDF, one segment per page (pdfkit is loaded when the first PDF is made). */
export async function portraitsToPdf(portraits: Portrait[], opts: { title?: string } = {}): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit');
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: opts.title ?? 'Pen portraits', Creator: 'Civic Insight Observatory' },
  });
  const chunks: Buffer[] = [];
  doc.on('data', (c: Buffer) => chunks.push(c));
  const done = new Promise<Buffer>((resolve) => doc.on('end', () => resolve(Buffer.concat(chunks))));
  portraits.forEach((p, i) => {
    if (i > 0) doc.addPage();
    const f = p.facts;
    doc.font('Helvetica-Bold').fontSize(20).fillColor('#0b0c0c').text(`${p.code}  ${p.name}`);
    doc.moveDown(0.3).font('Helvetica-Bold').fontSize(11).fillColor('#505a5f').text(sizeLine(p));
    doc.moveDown(0.5).font('Helvetica').fontSize(12).fillColor('#0b0c0c').text(p.summary);
    for (const img of p.images) {
      if (/^https?:/.test(img.src) || !existsSync(img.src) || !/\.(png|jpe?g)$/i.test(img.src)) continue;
      doc.moveDown(0.5).image(img.src, { fit: [300, 180] });
    }
    const heading = (t: string) =>
      doc.moveDown(0.8).font('Helvetica-Bold').fontSize(13).text(t).font('Helvetica').fontSize(10);
    if (p.keyFeatures.length) {
      heading('Key features');
      doc.list(p.keyFeatures, { bulletRadius: 2 });
    }
    if (f.distinctive.length) {
      heading('What sets it apart (index 100 is average)');
      for (const v of [...f.distinctive, ...f.lowest])
        doc.text(`${v.label}: ${v.mean.toFixed(1)} against ${v.overall.toFixed(1)}, index ${idx(v.index)}`);
    }
    if (f.topWards.length) {
      heading('Where it lives');
      for (const w of f.topWards)
        doc.text(
          `${w.name ?? w.code}: ${w.shareOfSegment.toFixed(0)}% of this segment's households; ${w.shareOfWard.toFixed(0)}% of the ward's`,
        );
    }
    if (f.takeUp.length) {
      heading('Services it uses (index against the whole area)');
      for (const u of f.takeUp)
        doc.text(
          `${u.title ?? u.dataset}: ${u.penetration === null ? SUPPRESSED_MARK : `${u.penetration.toFixed(1)} per 100 households`}, index ${idx(u.index)}${u.band ? ` (${u.band})` : ''}`,
        );
    }
    if (f.channels.length) {
      heading('How it gets in touch');
      for (const c of f.channels)
        doc.text(`${c.dataset}: ${c.values.map((v) => `${v.value} ${v.share.toFixed(0)}%`).join(', ')}`);
    }
    doc
      .moveDown(1)
      .fontSize(8)
      .fillColor('#505a5f')
      .text(
        `Version ${p.revision}, ${p.editedBy === 'generated' ? 'drafted from the data' : `edited by ${p.editedBy}`} on ${p.editedAt.slice(0, 10)}. Small numbers are hidden (${SUPPRESSED_MARK}).`,
      );
  });
  doc.end();
  return done;
}

export function portraitsToTable(portraits: Portrait[]): string {
  return (
    portraits
      .map((p) => {
        const f = p.facts;
        const lines = [`${p.code}  ${p.name}  —  ${sizeLine(p)}`, `  ${p.summary}`];
        for (const k of p.keyFeatures) lines.push(`  • ${k}`);
        if (f.distinctive.length)
          lines.push(`  Highest: ${f.distinctive.map((v) => `${v.variable} ${idx(v.index)}`).join(', ')}`);
        if (f.lowest.length)
          lines.push(`  Lowest:  ${f.lowest.map((v) => `${v.variable} ${idx(v.index)}`).join(', ')}`);
        return lines.join('\n');
      })
      .join('\n\n') + '\n'
  );
}

export function portraitHistoryToTable(history: Portrait[]): string {
  return (
    history
      .map(
        (p) =>
          `version ${p.revision}  ${p.editedAt.slice(0, 19).replace('T', ' ')}  ${p.editedBy.padEnd(12)} ${p.name}${p.note ? `  (${p.note})` : ''}`,
      )
      .join('\n') + '\n'
  );
}
