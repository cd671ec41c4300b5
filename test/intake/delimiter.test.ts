import { test } from 'node:test';
import assert from 'node:assert/strict';
import { guessDelimiter } from '../../src/intake/readers.ts';

test('the delimiter is guessed from lines that agree, respecting quotes', () => {
  assert.equal(guessDelimiter('id|postcode\n1|M15 4AB\n'), '|');
  assert.equal(guessDelimiter('a;b;c\n1;"x;y";3\n'), ';');
  assert.equal(guessDelimiter('a\tb\n1\t2\n'), '\t');
  assert.equal(guessDelimiter('name,notes\n"Jones, Bob",hello\n'), ',');
  assert.equal(guessDelimiter('postcode\nM1 1AE\n'), ',');
});

test('title lines above a table are skipped, but a wider data row is never taken for the header', async () => {
  const { firstTableRow } = await import('../../src/intake/readers.ts');
  assert.equal(firstTableRow([1, 0, 5, 5, 5]), 2);
  assert.equal(firstTableRow([0, 3, 3]), 1);
  assert.equal(firstTableRow([2, 5, 2]), 0);
  assert.equal(firstTableRow([1, 1, 1]), 0);
  assert.equal(firstTableRow([0, 0]), -1);
});
