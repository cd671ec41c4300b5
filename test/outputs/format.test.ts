import { test } from 'node:test';
import assert from 'node:assert/strict';
import { escapeHtml, disclosureNote, sumDisclosure } from '../../src/outputs/index.ts';

test('one HTML escaper for every export: all five characters, so no attribute quoted either way can be broken', () => {
  assert.equal(
    escapeHtml(`<a href="x" title='y'>&</a>`),
    '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
  );
  assert.equal(escapeHtml("O'Brien & Sons"), 'O&#39;Brien &amp; Sons');
  // already-escaped text is escaped again (the escaper is for raw text only)
  assert.equal(escapeHtml('&amp;'), '&amp;amp;');
  assert.equal(escapeHtml('plain text, 12%'), 'plain text, 12%');
});

test("one disclosure note for every export: what was hidden, and the noise when the data is another organisation's", () => {
  assert.equal(disclosureNote(null), 'Not suppressed: for the data owner only.');
  assert.equal(
    disclosureNote({ minCell: 10, primary: 0, secondary: 0 }),
    'No count is under 10, so nothing is suppressed.',
  );
  assert.equal(
    disclosureNote({ minCell: 10, primary: 2, secondary: 1 }, { scope: 'in each column', from: 'its total' }),
    'Counts under 10 are suppressed ([c]) in each column; 1 more count is hidden so that none can be worked out from its total.',
  );
  const perturbed = disclosureNote({ minCell: 10, primary: 1, secondary: 2, perturbed: true });
  assert.match(
    perturbed,
    /^Counts under 10 are suppressed \(\[c\]\); 2 more counts are hidden so that none can be worked out from the total\./,
  );
  assert.match(perturbed, /another organisation: each count shown carries a small fixed noise \(at most 4 either way/);
  // an SDF's or a RAG's columns together
  assert.deepEqual(
    sumDisclosure(10, [
      { minCell: 10, primary: 1, secondary: 1 },
      null,
      { minCell: 10, primary: 2, secondary: 0, perturbed: true },
    ]),
    { minCell: 10, primary: 3, secondary: 1, perturbed: true },
  );
});
