// `twelve demo receptionist` end to end on a PGlite data folder: the example salon is set up, its understanding
// measured on the held-out set (the evidence for production), a second run updates it in place; `eval receptionist
// --agent` reads its services from the profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/support/cli.ts';
import { main } from '../../../cli/main.ts';

const dir = mkdtempSync(join(tmpdir(), 'twelve-desk-demo-'));
const env = { TWELVE_DATA_DIR: join(dir, 'data') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('twelve demo receptionist', () => {
  it('sets up the example salon ready to book in production, and again in place', async () => {
    const io = captureIo(env);
    expect(await main(['demo', 'receptionist'], io)).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(
      /business: 3 services \(Haircut, Colour, Beard trim\), 2 staff, time zone Europe\/London/,
    );
    expect(out).toMatch(/evaluation: intent .* on 169 held-out lines → passed/);
    expect(out).toMatch(/effective mode production/);
    expect(out).toMatch(/\/demo\?agent=willow/);
    const again = captureIo(env);
    expect(await main(['demo', 'receptionist'], again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/business: 3 services/);
  }, 120_000);

  it('lets eval receptionist read the agent with --agent', async () => {
    const io = captureIo(env);
    const file = join(dir, 'one.jsonl');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      `${JSON.stringify({ now: '2026-03-02T10:00:00', tz: 'UTC', services: ['Nothing'], text: 'Can I book a beard trim on Saturday at 11?', expect: { intent: 'book', service: 'Beard trim', date: '2026-03-07', time: '11:00' } })}\n`,
    );
    expect(await main(['eval', 'receptionist', '--test', file, '--agent', 'willow', '--json'], io)).toBe(0);
    const report = JSON.parse(io.stdout.join('\n')) as { mistakes: unknown[] };
    expect(report.mistakes).toEqual([]);
    const none = captureIo(env);
    expect(await main(['eval', 'receptionist', '--test', file, '--agent', 'nobody'], none)).toBe(2);
  }, 120_000);
});
