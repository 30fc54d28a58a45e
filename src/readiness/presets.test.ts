// Pins the DESIGN §1 reference cases as test vectors: each preset's scores give its published total and band.
import { describe, expect, it } from 'vitest';
import { scoreReadiness } from './model.ts';
import { findPreset, READINESS_PRESETS } from './presets.ts';

describe('readiness presets', () => {
  it.each(READINESS_PRESETS.map((p) => [p.id, p] as const))(
    '%s scores to its published total and band',
    (_, p) => {
      const result = scoreReadiness(p.scores);
      expect(result.total).toBe(p.total);
      expect(result.band).toBe(p.band);
    },
  );

  it('holds exactly the reference cases, with the source numbers [readiness:bands-and-presets]', () => {
    const table = Object.fromEntries(
      READINESS_PRESETS.map((p) => [
        p.id,
        `${p.scores.clarity}/${p.scores.tolerance}/${p.scores.fallback}=${p.total}`,
      ]),
    );
    expect(table).toEqual({
      'appointment-booking-voice': '5/4/5=14',
      'customer-support-tier1': '4/4/5=13',
      'resume-screening': '4/3/5=12',
      'ai-voice-interview': '4/3/4=11',
      'autonomous-sdr': '3/2/2=7',
      'autonomous-code-deployment': '3/1/2=6',
      'full-cs-replacement': '3/2/3=8',
      'hybrid-cs': '4/4/5=13',
    });
  });

  it('marks the approximate cases and says the split is ours', () => {
    const approx = READINESS_PRESETS.filter((p) => p.approximate).map((p) => p.id);
    expect(approx).toEqual(['full-cs-replacement', 'hybrid-cs']);
    for (const id of approx) expect(findPreset(id)!.note).toMatch(/split .* is ours/);
  });

  it('has unique ids and finds by id', () => {
    const ids = READINESS_PRESETS.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(findPreset('resume-screening')?.name).toBe('Resume screening');
    expect(findPreset('nope')).toBeUndefined();
  });
});
