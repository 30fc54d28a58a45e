import { describe, expect, it } from 'vitest';
import { fitNaiveBayes, scoreNaiveBayes, typicalMissing, worstExplained } from './bayes.ts';
import { Vectorizer } from './features.ts';

// Two labels: card delivery and card that does not work. "work" belongs to the second only.
const phrasings: [string, number][] = [
  ['when will my card arrive', 0],
  ['how long does card delivery take', 0],
  ['my card has not arrived yet', 0],
  ['where is my card delivery', 0],
  ['my card does not work', 1],
  ['the card is not working in shops', 1],
  ['why will my card not work', 1],
  ['card declined and not working', 1],
];

function fitted() {
  const vec = Vectorizer.fit(phrasings.map((p) => p[0]));
  const xs = phrasings.map((p) => vec.transform(p[0]));
  const ys = Int32Array.from(phrasings.map((p) => p[1]));
  return { vec, nb: fitNaiveBayes(xs, ys, vec.block, 2) };
}

describe('naive Bayes signals', () => {
  it('scores a question highest for the label whose phrasings use its words', () => {
    const { vec, nb } = fitted();
    const out = new Float64Array(2);
    expect(scoreNaiveBayes(nb, vec.block, vec.transform('my card will not work'), out)).toBeGreaterThan(0);
    expect(out[1]).toBeGreaterThan(out[0]!);
    expect(scoreNaiveBayes(nb, vec.block, vec.transform('when does delivery arrive'), out)).toBeGreaterThan(
      0,
    );
    expect(out[0]).toBeGreaterThan(out[1]!);
  });

  it('counts nothing for a question of unknown words, and leaves character n-grams out', () => {
    const { vec, nb } = fitted();
    const out = new Float64Array(2).fill(7);
    expect(scoreNaiveBayes(nb, vec.block, vec.transform('zebra xylophone'), out)).toBe(0);
    expect([...out]).toEqual([0, 0]);
  });

  it('finds the word a label explains worst: another label’s word is unexplained, its own words are not', () => {
    const { vec, nb } = fitted();
    // "work" is the working label's word: the delivery label explains it badly.
    const mixed = vec.transform('card delivery not work');
    expect(worstExplained(nb, vec.block, mixed, 0)).toBeLessThan(worstExplained(nb, vec.block, mixed, 1));
    const own = vec.transform('how long does card delivery take');
    expect(worstExplained(nb, vec.block, own, 0)).toBeGreaterThan(worstExplained(nb, vec.block, own, 1));
  });

  it('measures the share of a label’s typical words a question leaves out', () => {
    const { vec, nb } = fitted();
    // "card" is in every phrasing of both labels; "not" in all of label 1 and one of label 0.
    expect(typicalMissing(nb, vec.transform('card not'), 1)).toBeLessThan(
      typicalMissing(nb, vec.transform('card'), 1),
    );
    expect(typicalMissing(nb, vec.transform('zebra'), 1)).toBe(1);
  });
});
