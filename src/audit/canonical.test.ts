// The canonical form the audit chain hashes (what [audit:chain-verifies] rests on): keys sorted at every depth, undefined left out
// (null in arrays), non-finite numbers as null, dates as ISO strings; and eventHash, which writes the event's keys
// out in order instead of sorting them, gives exactly the hash of canonicalJson(event) for any event.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash, eventHashReference, GENESIS_HASH, normalizePayload } from './canonical.ts';

describe('canonical JSON', () => {
  it('sorts keys at every depth, leaves out undefined, writes non-finite numbers as null', () => {
    expect(
      canonicalJson({ b: 1, a: { d: [3, undefined, Number.NaN], c: 'x' }, u: undefined, Z: null, é: true }),
    ).toBe('{"Z":null,"a":{"c":"x","d":[3,null,null]},"b":1,"é":true}');
    expect(canonicalJson(new Date('2026-01-02T03:04:05.006Z'))).toBe('"2026-01-02T03:04:05.006Z"');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
  });

  it('hashes an event as canonicalJson writes it, whatever its payload', () => {
    fc.assert(
      fc.property(
        fc.record({
          stream: fc.string(),
          seq: fc.integer({ min: 1 }),
          at: fc.date({ min: new Date(0), max: new Date(4e12), noInvalidDate: true }),
          actor: fc.string(),
          action: fc.string(),
          subject: fc.string(),
          payload: fc.jsonValue(),
        }),
        fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 64, maxLength: 64 }),
        (e, prev) => {
          const event = { ...e, payload: normalizePayload(e.payload) };
          expect(eventHash(prev, event)).toBe(eventHashReference(prev, event));
        },
      ),
      { numRuns: 300 },
    );
    const at = new Date('2026-01-01T00:00:00Z');
    const e = { stream: 's', seq: 1, at, actor: 'a', action: 'x', subject: 's', payload: undefined };
    expect(eventHash(GENESIS_HASH, e)).toBe(eventHashReference(GENESIS_HASH, e));
  });
});
