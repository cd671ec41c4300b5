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
