// Draft agreement is a token-set Jaccard over the engine's normalized, stemmed words: order and punctuation do not
// matter, added or missing words lower it, and it stays within 0..1.
import { describe, expect, it } from 'vitest';
import { draftAgreement } from './agreement.ts';

describe('draftAgreement', () => {
  it('ignores case, punctuation, contractions, order and number values', () => {
    expect(draftAgreement("We're open 9-5, Monday to Friday.", 'Monday to Friday we are open 10 to 6')).toBe(
      1,
    );
    expect(draftAgreement('Returns are free.', 'RETURNS ARE FREE!!')).toBe(1);
  });

  it('counts shared words over all words', () => {
    // {returns, are, free} vs {returns, are, free, within, num, days}: 3 of 6.
    expect(draftAgreement('Returns are free.', 'Returns are free within 30 days.')).toBeCloseTo(0.5, 5);
    expect(draftAgreement('Returns are free.', 'Call us tomorrow.')).toBe(0);
  });

  it('treats two wordless texts as agreeing and one wordless text as not', () => {
    expect(draftAgreement('!!!', '...')).toBe(1);
    expect(draftAgreement('Hello', '...')).toBe(0);
  });
});
