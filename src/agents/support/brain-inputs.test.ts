// The support kind's brain inputs, as the app wires them: the statement that starts a run reads the knowledge-base
// version and the conversation's last reply for the support brains (the same answers kbVersion and
// questionBeforeClarify give), and what the brains read back from BrainContext.inputs is checked, not trusted.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openTestDb, type TestDb } from '../../../test/support/db.ts';
import { type App, createApp } from '../../app.ts';
import { conversationOpener, customerMessageHandler } from '../../conversations/conversations.ts';
import { faqCreator, kbVersion } from '../../knowledge/kb.ts';
import { agentCreator } from '../../runtime/agents.ts';
import type { ActionInput, AgentConfig, BrainContext } from '../../runtime/types.ts';
import { CLARIFY_TEXT, clarifiedBefore, questionBeforeClarify } from './brain.ts';
import { kbVersionInput, lastReplyInput } from './brain-inputs.ts';

const ADMIN = 'user:admin@example.com';
let db: TestDb;
let app: App;
let agent: AgentConfig;
const seen: BrainContext[] = [];
/** The next replies the probe brain gives, one per run (then: done). */
const replies: ActionInput[] = [];

beforeAll(async () => {
  db = await openTestDb();
  app = createApp(db, {
    runtime: {
      brainFor: () => ({
        decide: async (ctx) => {
          seen.push(ctx);
          return replies.shift() ?? { type: 'done', outcome: 'probed' };
        },
      }),
      modeFor: async () => 'production',
    },
  });
  agent = await agentCreator(app, ADMIN, { kind: 'support', name: 'inputs-probe' });
  await faqCreator(app, ADMIN, agent.id, { title: 'Opening hours', answer: 'We open at nine.' });
});
afterAll(async () => {
  await app.runtime.settle();
  await db.dispose();
});

describe('support brain inputs', () => {
  it("reads the KB version and the conversation's last reply in the statement that starts the run", async () => {
    const { conversation } = await conversationOpener(app, { agentId: agent.id, channel: 'webchat' });
    seen.length = 0;
    replies.push({ type: 'reply', text: CLARIFY_TEXT, confidence: 1, intent: 'clarify', final: true });
    await customerMessageHandler(app, { conversation, text: 'where are you?' });
    await customerMessageHandler(app, { conversation, text: 'hm?' });
    expect(seen).toHaveLength(2);
    const [first, second] = seen as [BrainContext, BrainContext];
    expect(kbVersionInput(first)).toBe(await kbVersion(db, agent.id));
    expect(kbVersionInput(first)).toBeGreaterThan(0);
    expect(lastReplyInput(first)).toBeNull();
    expect(lastReplyInput(second)).toEqual({ meta: { intent: 'clarify' }, answered: 'where are you?' });
    // The same question the brain would otherwise read itself.
    expect(clarifiedBefore(lastReplyInput(second)!)).toBe(await questionBeforeClarify(db, conversation.id));
  });

  it('reads no last reply for a run without a conversation, and a KB version of 0 for an agent without a KB', async () => {
    const bare = await agentCreator(app, ADMIN, { kind: 'support', name: 'inputs-bare' });
    seen.length = 0;
    await app.runtime.startRun(bare.id, { type: 'test' });
    expect(kbVersionInput(seen[0]!)).toBe(0);
    expect(lastReplyInput(seen[0]!)).toBeNull();
  });

  it('leaves what was not read to the brain, and refuses what is not a version or a reply', () => {
    const ctx = (inputs: BrainContext['inputs']) => ({ ...seen[0]!, inputs });
    expect(kbVersionInput(ctx({}))).toBeUndefined();
    expect(lastReplyInput(ctx({ step: 3 }))).toBeUndefined();
    expect(kbVersionInput(ctx({ step: null }))).toBe(0);
    expect(kbVersionInput(ctx({ step: 7 }))).toBe(7);
    expect(lastReplyInput(ctx({ start: { meta: null, answered: null } }))).toEqual({
      meta: null,
      answered: null,
    });
    for (const step of ['7', -1, 1.5, {}]) expect(() => kbVersionInput(ctx({ step }))).toThrow(/version/);
    for (const start of [{ meta: 'clarify', answered: null }, { meta: null, answered: 5 }, [], 'x'])
      expect(() => lastReplyInput(ctx({ start }))).toThrow(/last reply/);
  });
});
