// The reply policy's confidence gate: an answer below the threshold waits for a person; a request to rephrase
// (intent 'clarify', no facts) is sent with its real, low confidence; shadow and pilot rules hold for both.
import { describe, expect, it } from 'vitest';
import { decideReply } from './policy.ts';

describe('decideReply', () => {
  const base = { mode: 'production' as const, threshold: 0.6, inCohort: true };
  it('holds a low-confidence answer for review and sends a confident one [runtime:escalate-low-confidence]', () => {
    expect(decideReply({ ...base, confidence: 0.3 })).toBe('review');
    expect(decideReply({ ...base, confidence: 0.3, intent: 'answer' })).toBe('review');
    expect(decideReply({ ...base, confidence: 0.7, intent: 'answer' })).toBe('send');
  });
  it('sends a clarification whatever its confidence, but drafts it in shadow and reviews it outside the pilot', () => {
    expect(decideReply({ ...base, confidence: 0.05, intent: 'clarify' })).toBe('send');
    expect(decideReply({ ...base, mode: 'shadow', confidence: 0.05, intent: 'clarify' })).toBe('draft');
    expect(
      decideReply({ ...base, mode: 'pilot', inCohort: false, confidence: 0.05, intent: 'clarify' }),
    ).toBe('review');
  });
});
