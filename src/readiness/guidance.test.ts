// Pins that every layer has its DESIGN question and a distinct, non-empty anchor for each score 1..5.
import { describe, expect, it } from 'vitest';
import { describeLayer, LAYER_GUIDANCE, SCORE_VALUES } from './guidance.ts';
import { LAYERS } from './model.ts';

describe('readiness guidance', () => {
  it('asks the three DESIGN questions', () => {
    expect(LAYER_GUIDANCE.clarity.question).toBe(
      'Task clarity: is the task specific, bounded, with a clear definition of done?',
    );
    expect(LAYER_GUIDANCE.tolerance.question).toBe(
      'Failure tolerance: what happens when the agent is wrong?',
    );
    expect(LAYER_GUIDANCE.fallback.question).toBe(
      'Human fallback: is there a human who can take over quickly?',
    );
  });

  it.each(LAYERS.map((l) => [l]))('%s has a distinct anchor for every score', (layer) => {
    const g = LAYER_GUIDANCE[layer];
    expect(g.layer).toBe(layer);
    const texts = SCORE_VALUES.map((s) => g.scores[s]);
    for (const t of texts) expect(t.length).toBeGreaterThan(30);
    expect(new Set(texts).size).toBe(5);
  });

  it('describeLayer prints the question then scores 1..5 in order', () => {
    const lines = describeLayer('fallback');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(LAYER_GUIDANCE.fallback.question);
    expect(lines.slice(1).map((l) => l.trim()[0])).toEqual(['1', '2', '3', '4', '5']);
  });
});
