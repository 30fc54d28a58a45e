// Pins the evidence rules: which facts a score of 4+ needs per layer, the cap at 3, and the effective mode.
import { describe, expect, it } from 'vitest';
import { checkEvidence, type EvidenceFacts } from './evidence.ts';
import { ReadinessInputError, type ReadinessScores } from './model.ts';

/** Facts that satisfy every check; each test breaks one thing. */
function goodFacts(overrides: Partial<EvidenceFacts> = {}): EvidenceFacts {
  return {
    humansWhoCanTakeEscalations: 2,
    escalationRouteConfigured: true,
    voiceChannel: false,
    transferNumber: null,
    tools: [
      { name: 'search_kb', risk: 'read', requiresApproval: false },
      { name: 'book_appointment', risk: 'write', requiresApproval: false },
      { name: 'cancel_appointment', risk: 'destructive', requiresApproval: true },
      { name: 'outbound_call', risk: 'spend', requiresApproval: true },
    ],
    spendCapSet: true,
    lastEvaluation: { passed: true, at: '2025-01-10T09:00:00Z' },
    ...overrides,
  };
}

const support: ReadinessScores = { clarity: 4, tolerance: 4, fallback: 5 }; // 13, ship

function check(result: ReturnType<typeof checkEvidence>, id: string) {
  const found = result.checks.find((c) => c.id === id);
  if (!found) throw new Error(`no check ${id}`);
  return found;
}

describe('checkEvidence', () => {
  it('keeps the declared scores and mode when every fact is there', () => {
    const r = checkEvidence(support, goodFacts());
    expect(r.checks.map((c) => [c.id, c.layer, c.requiredFor, c.passed])).toEqual([
      ['evidence:clarity-passing-eval', 'clarity', 4, true],
      ['evidence:tolerance-approval-and-cap', 'tolerance', 4, true],
      ['evidence:fallback-human-route', 'fallback', 4, true],
    ]);
    expect(r.evidenceScores).toEqual(support);
    expect(r).toMatchObject({
      evidenceBand: 'ship',
      evidenceMode: 'production',
      effectiveMode: 'production',
    });
    expect(r.reasons[0]).toContain('declared 13 (ship)');
    expect(r.reasons.at(-1)).toContain('effective mode production');
  });

  it('caps clarity at 3 without a recorded evaluation and explains it', () => {
    const r = checkEvidence(support, goodFacts({ lastEvaluation: null }));
    expect(check(r, 'evidence:clarity-passing-eval').passed).toBe(false);
    expect(r.evidenceScores).toEqual({ clarity: 3, tolerance: 4, fallback: 5 });
    // 12 is still ship, so the declared mode stands.
    expect(r.evidenceBand).toBe('ship');
    expect(r.effectiveMode).toBe('production');
    expect(r.reasons[0]).toBe(
      'declared 13 (ship) but clarity 4 needs a passing evaluation: none recorded → evidence 12 (ship)',
    );
    expect(r.reasons[1]).toContain('declared mode stands');
  });

  it('caps clarity when the last evaluation failed', () => {
    const r = checkEvidence(support, goodFacts({ lastEvaluation: { passed: false, at: '2025-02-01' } }));
    expect(r.evidenceScores.clarity).toBe(3);
    expect(check(r, 'evidence:clarity-passing-eval').message).toContain(
      'the last evaluation (2025-02-01) failed',
    );
  });

  it.each([
    ['no route', { escalationRouteConfigured: false }, 'no escalation route is configured'],
    ['no humans', { humansWhoCanTakeEscalations: 0 }, 'nobody can take escalations'],
    ['NaN humans', { humansWhoCanTakeEscalations: Number.NaN }, 'nobody can take escalations'],
    ['voice without transfer', { voiceChannel: true, transferNumber: null }, 'no transfer number'],
    ['voice with blank transfer', { voiceChannel: true, transferNumber: '  ' }, 'no transfer number'],
  ] as const)('caps fallback at 3: %s', (_, overrides, text) => {
    const r = checkEvidence(support, goodFacts(overrides));
    const c = check(r, 'evidence:fallback-human-route');
    expect(c.passed).toBe(false);
    expect(c.message).toContain(text);
    expect(r.evidenceScores.fallback).toBe(3);
  });

  it('accepts voice with a transfer number', () => {
    const r = checkEvidence(support, goodFacts({ voiceChannel: true, transferNumber: '+15551234567' }));
    const c = check(r, 'evidence:fallback-human-route');
    expect(c.passed).toBe(true);
    expect(c.message).toContain('+15551234567');
    expect(r.evidenceScores.fallback).toBe(5);
  });

  it.each([
    [
      'destructive tool without approval',
      {
        tools: [{ name: 'delete_booking', risk: 'destructive', requiresApproval: false }],
      } as Partial<EvidenceFacts>,
      'tools without approval: delete_booking',
    ],
    [
      'spend tool without approval',
      { tools: [{ name: 'paid_sms', risk: 'spend', requiresApproval: false }] } as Partial<EvidenceFacts>,
      'tools without approval: paid_sms',
    ],
    ['no spend cap', { spendCapSet: false } as Partial<EvidenceFacts>, 'no spend cap is set'],
  ])('caps tolerance at 3: %s', (_, overrides, text) => {
    const r = checkEvidence(support, goodFacts(overrides));
    const c = check(r, 'evidence:tolerance-approval-and-cap');
    expect(c.passed).toBe(false);
    expect(c.message).toContain(text);
    expect(r.evidenceScores.tolerance).toBe(3);
  });

  it('does not require approval for read or write tools', () => {
    const r = checkEvidence(
      support,
      goodFacts({
        tools: [
          { name: 'search', risk: 'read', requiresApproval: false },
          { name: 'book', risk: 'write', requiresApproval: false },
        ],
      }),
    );
    expect(check(r, 'evidence:tolerance-approval-and-cap').passed).toBe(true);
  });

  it('lowers the effective mode when the caps cross a band', () => {
    // Resume screening 4/3/5 = 12 ship: without an evaluation clarity is 3, total 11, pilot.
    const r = checkEvidence({ clarity: 4, tolerance: 3, fallback: 5 }, goodFacts({ lastEvaluation: null }));
    expect(r.evidenceScores).toEqual({ clarity: 3, tolerance: 3, fallback: 5 });
    expect(r).toMatchObject({ evidenceBand: 'pilot', evidenceMode: 'pilot', effectiveMode: 'pilot' });
    expect(r.reasons[0]).toBe(
      'declared 12 (ship) but clarity 4 needs a passing evaluation: none recorded → evidence 11 (pilot)',
    );
    expect(r.reasons[1]).toBe(
      'effective mode pilot: the evidence supports only pilot, lower than the declared ship',
    );
  });

  it('applies every failing cap together', () => {
    const r = checkEvidence(
      { clarity: 5, tolerance: 5, fallback: 5 },
      goodFacts({ lastEvaluation: null, spendCapSet: false, escalationRouteConfigured: false }),
    );
    expect(r.evidenceScores).toEqual({ clarity: 3, tolerance: 3, fallback: 3 });
    expect(r.evidenceBand).toBe('pilot');
    expect(r.effectiveMode).toBe('pilot');
    expect(r.reasons[0]).toContain('clarity 5 needs');
    expect(r.reasons[0]).toContain('; and tolerance 5 needs');
    expect(r.reasons[0]).toContain('; and fallback 5 needs');
    expect(r.reasons[0]).toContain('→ evidence 9 (pilot)');
  });

  it('does not cap a layer declared at 3 or less, but still reports what 4 would need', () => {
    const declared: ReadinessScores = { clarity: 3, tolerance: 2, fallback: 2 }; // SDR, 7
    const r = checkEvidence(
      declared,
      goodFacts({ lastEvaluation: null, spendCapSet: false, humansWhoCanTakeEscalations: 0 }),
    );
    expect(r.evidenceScores).toEqual(declared);
    expect(r.checks.every((c) => !c.passed)).toBe(true);
    expect(check(r, 'evidence:clarity-passing-eval').message).toContain('not needed for the declared 3');
    expect(r).toMatchObject({ evidenceBand: 'research', evidenceMode: 'shadow', effectiveMode: 'shadow' });
    expect(r.reasons[0]).toBe('declared 7 (research); the evidence supports every declared score');
  });

  it('rejects invalid declared scores', () => {
    expect(() =>
      checkEvidence({ clarity: 7, tolerance: 3, fallback: 3 } as unknown as ReadinessScores, goodFacts()),
    ).toThrow(ReadinessInputError);
  });
});
