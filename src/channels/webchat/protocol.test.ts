// Pins frame validation (size, JSON, type, fields, clientId echo) and the sliding-window limiter.
import { describe, expect, it } from 'vitest';
import { MAX_FRAME_BYTES, parseClientFrame } from './protocol.ts';
import { ConnectionCounter, WindowLimiter } from './rate-limit.ts';

describe('parseClientFrame', () => {
  it('accepts the three client frames and strips unknown keys', () => {
    expect(parseClientFrame(Buffer.from('{"type":"hello","extra":1}'), false)).toEqual({
      ok: true,
      frame: { type: 'hello' },
    });
    expect(parseClientFrame('{"type":"message","text":"hi","clientId":"a-1"}', false)).toMatchObject({
      ok: true,
      frame: { type: 'message', text: 'hi', clientId: 'a-1' },
    });
    expect(parseClientFrame([Buffer.from('{"type":'), Buffer.from('"human"}')], false)).toMatchObject({
      ok: true,
    });
  });

  it('refuses binary, oversized, non-JSON and unknown frames with validation_failed', () => {
    for (const [data, binary] of [
      [Buffer.from('{}'), true],
      [Buffer.alloc(MAX_FRAME_BYTES + 1, 32), false],
      ['nope', false],
      ['"hello"', false],
      ['{"type":"HELLO"}', false],
      ['{"type":"hello","resumeToken":""}', false],
    ] as const) {
      const r = parseClientFrame(data, binary);
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.error.id).toBe('validation_failed');
    }
  });

  it('echoes a well-formed clientId so the widget can mark that message', () => {
    const r = parseClientFrame(
      JSON.stringify({ type: 'message', text: 'x'.repeat(4001), clientId: 'c-9' }),
      false,
    );
    expect(r).toMatchObject({ ok: false, error: { clientId: 'c-9' } });
    const hostile = parseClientFrame(JSON.stringify({ type: 'message', clientId: '<b>' }), false);
    expect(hostile.ok || hostile.error.clientId).toBeUndefined();
  });
});

describe('WindowLimiter', () => {
  it('allows max hits per window, does not count refusals, and forgets idle keys', () => {
    let now = 0;
    const limiter = new WindowLimiter({ max: 2, windowMs: 1000 }, () => now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a'), limiter.take('b')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    now = 1001;
    expect(limiter.take('a')).toBe(true);
    now = 5000;
    limiter.sweep();
    expect(limiter.size).toBe(0);
  });

  it('caps concurrent connections per key', () => {
    const c = new ConnectionCounter(1);
    expect(c.acquire('ip')).toBe(true);
    expect(c.acquire('ip')).toBe(false);
    c.release('ip');
    expect(c.acquire('ip')).toBe(true);
  });
});
