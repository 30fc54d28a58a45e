// `twelve demo receptionist` end to end on a PGlite data folder: the example salon is set up, its understanding
// measured on the held-out set (the evidence for production), a second run updates it in place; `eval receptionist
// --agent` reads its services from the profile.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../../../test/support/cli.ts';
import { createApp } from '../../../app.ts';
import { main } from '../../../cli/main.ts';
import { conversationOpener, customerMessageHandler } from '../../../conversations/conversations.ts';
import { findAgent } from '../../../runtime/agents.ts';
import { openDatabase } from '../../../store/open.ts';

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
    expect(out).toMatch(/knowledge base: 12 FAQ entries created, 0 updated/);
    expect(out).toMatch(/evaluation: intent .* on 169 held-out lines → passed/);
    expect(out).toMatch(/effective mode production/);
    expect(out).toMatch(/\/demo\?agent=willow/);
    const again = captureIo(env);
    expect(await main(['demo', 'receptionist'], again)).toBe(0);
    expect(again.stdout.join('\n')).toMatch(/business: 3 services/);
    expect(again.stdout.join('\n')).toMatch(/knowledge base: 0 FAQ entries created, 0 updated/);
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

  it("answers the salon's FAQ from its knowledge base in a chat, asked in words the KB does not hold", async () => {
    const db = await openDatabase({ dataDir: env.TWELVE_DATA_DIR });
    const app = createApp(db, { llm: null });
    try {
      const agent = await findAgent(db, 'willow');
      const asked: [string, string][] = [
        ['Is there parking near the salon?', 'Parking'],
        ['Do you accept credit cards?', 'Payment methods'],
        ['What is your policy on late cancellations?', 'Cancellation policy'],
        ['Do you do haircuts for kids?', 'Children'],
        ['Which hair products do you sell?', 'Products we sell'],
        ['Do you sell gift cards?', 'Gift vouchers'],
        ['Is the salon accessible for wheelchairs?', 'Accessibility'],
        ['Why do I need a patch test?', 'Patch test for colour'],
        ['Do you have free wifi?', 'Wi-Fi and refreshments'],
        ['Are dogs allowed in the salon?', 'Dogs'],
        ['Do you take walk-ins on Saturdays?', 'Walk-ins'],
      ];
      const titles = app.kinds.get('receptionist')!.sources!;
      const got: [string, string][] = [];
      for (const [question] of asked) {
        const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
        const r = await customerMessageHandler(app, { conversation, text: question });
        const [reply] = await db.query<{ sources: string[] }>(
          `SELECT sources FROM messages WHERE conversation_id = $1 AND direction = 'out' ORDER BY created_at LIMIT 1`,
          [conversation.id],
        );
        const named = await titles.titles(db, agent.id, reply?.sources ?? []);
        got.push([question, r.handledBy === 'agent' ? ([...named.values()][0] ?? 'no source') : 'a person']);
      }
      expect(got).toEqual(asked);
    } finally {
      await app.close();
    }
  }, 120_000);
});
