// Pins voice through Vapi end to end with the fake Vapi on real HTTP: assistant-request, turns through the custom
// LLM (streamed and not), tool calls under the runtime's policy and exactly once per tool call id, authentication,
// bad input, the end-of-call report, and transfers in and outside opening hours.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCall } from '../../../test/fakes/vapi.ts';
import {
  HMAC_SECRET,
  OPEN_AT,
  SECRET,
  startVoiceHarness,
  type VoiceHarness,
} from '../../../test/support/voice.ts';

let h: VoiceHarness;
beforeAll(async () => {
  h = await startVoiceHarness();
});
afterAll(async () => {
  await h?.dispose();
});

const HOURS = { timezone: 'Europe/London', days: [1, 2, 3, 4, 5], open: '09:00', close: '17:00' };

async function answeredCall(mode: 'production' | 'pilot' | 'shadow', config = {}, settings = {}) {
  const agent = await h.agent(mode, config, settings);
  const call = h.vapi.call({ phoneNumberId: agent.phoneNumberId, customer: '+447700900123' });
  const res = await call.assistantRequest();
  expect(res.status).toBe(200);
  return { agent, call };
}

const resultsOf = (body: unknown) =>
  (body as { results: { toolCallId: string; name: string; result?: string; error?: string }[] }).results;

describe('assistant-request', () => {
  it('answers with an assistant whose model is the custom LLM endpoint and whose tools are the agent’s', async () => {
    const { agent, call } = await answeredCall('production');
    const a = call.assistant as {
      firstMessage: string;
      model: {
        provider: string;
        url: string;
        headers: Record<string, string>;
        tools: { type: string; function?: { name: string } }[];
      };
      server: { url: string };
      metadata: { twelveAgentId: string };
    };
    expect(a.model.provider).toBe('custom-llm');
    expect(a.model.url).toBe(h.url.replace('/webhooks/vapi', '/vapi/llm'));
    expect(a.model.headers['X-Vapi-Secret']).toBe(SECRET);
    expect(a.server.url).toBe(h.url);
    expect(a.metadata.twelveAgentId).toBe(agent.id);
    expect(a.firstMessage).toContain('Northwind Cycles');
    const names = a.model.tools.map((t) => t.function?.name ?? t.type);
    expect(names).toEqual(
      expect.arrayContaining(['notes_search', 'notes_create', 'notes_delete', 'transferCall', 'endCall']),
    );
  });

  it('a number no agent answers gets a spoken error, and nothing is stored', async () => {
    const before = await h.count('SELECT 1 FROM voice_calls');
    const call = h.vapi.call({ phoneNumberId: 'pn-nobody', customer: '+15551230000' });
    const res = await call.assistantRequest();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ error: expect.stringContaining('not taking calls') });
    expect(await h.count('SELECT 1 FROM voice_calls')).toBe(before);
  });
});

describe('the custom LLM endpoint', () => {
  it('drives each turn through the runtime and streams the spoken reply in OpenAI chunks', async () => {
    const { call } = await answeredCall('production');
    const first = await call.say('Do you fix brakes?');
    expect(first.status).toBe(200);
    expect(first.contentType).toMatch(/^text\/event-stream/);
    expect(first.done).toBe(true);
    expect(first.chunks.every((c) => c.object === 'chat.completion.chunk')).toBe(true);
    expect(first.finishReason).toBe('stop');
    // Markdown and the URL gone, 09:00 said as people say it.
    expect(first.text).toBe('Yes: you said "Do you fix brakes?". We open at 9 am, see the link we sent.');
    h.clock.advance(5_000); // the manual clock stands still otherwise: turns would share one time
    const second = await call.say('And tyres?', { stream: false });
    expect(second.text).toContain('you said "And tyres?"');
    const rows = await h.db.query<{ direction: string; body: string; channel: string }>(
      `SELECT m.direction, m.body, c.channel FROM messages m JOIN conversations c ON c.id = m.conversation_id
       WHERE c.id = $1 ORDER BY m.created_at, m.direction`,
      [`v_${call.id}`],
    );
    expect(rows.map((r) => [r.direction, r.channel])).toEqual([
      ['in', 'voice'],
      ['out', 'voice'],
      ['in', 'voice'],
      ['out', 'voice'],
    ]);
    expect(await h.count('SELECT 1 FROM runs WHERE conversation_id = $1', [`v_${call.id}`])).toBe(2);
  });

  it('a turn Vapi asks for again is answered from what was stored, not run twice', async () => {
    const { call } = await answeredCall('production');
    const once = await call.say('Are you open on Saturday?');
    const again = await call.repeatTurn();
    expect(again.text).toBe(once.text);
    expect(await h.count('SELECT 1 FROM runs WHERE conversation_id = $1', [`v_${call.id}`])).toBe(1);
  });

  it('a request for a person hands the call over: the reply says so and calls transferCall', async () => {
    const { call } = await answeredCall('production');
    const turn = await call.say('I want to speak to a human please');
    expect(turn.text).toContain('colleague');
    expect(turn.finishReason).toBe('tool_calls');
    expect(turn.toolCalls.map((t) => t.function.name)).toEqual(['transferCall']);
    expect(await h.count(`SELECT 1 FROM escalations WHERE conversation_id = $1`, [`v_${call.id}`])).toBe(1);
  });

  it('refuses a request without the secret (401) and one without a call (400)', async () => {
    const { call } = await answeredCall('production');
    const url = `${h.url.replace('/webhooks/vapi', '/vapi/llm')}/chat/completions`;
    const body = JSON.stringify({
      messages: [{ role: 'user', content: 'hi' }],
      stream: true,
      call: { id: call.id },
    });
    const noAuth = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(noAuth.status).toBe(401);
    expect(((await noAuth.json()) as { error: { id: string } }).error.id).toBe('webhook_unauthorized');
    const noCall = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] }),
    });
    expect(noCall.status).toBe(400);
    const unknownCall = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${SECRET}` },
      body: JSON.stringify({ messages: [{ role: 'user', content: 'hi' }], call: { id: 'never-seen' } }),
    });
    expect(unknownCall.status).toBe(404);
  });
});

describe('tool-calls', () => {
  it('production: a read runs and its result comes back in one line; a write runs', async () => {
    const { agent, call } = await answeredCall('production');
    const res = await call.toolCalls([
      { name: 'notes_create', args: { body: 'Call back about brakes' } },
      { name: 'notes.search', args: { query: 'brakes' } },
    ]);
    expect(res.status).toBe(200);
    const [create, search] = resultsOf(res.body);
    expect(create!.result).toMatch(/^\{"id":"/);
    expect(search!.result).toContain('Call back about brakes');
    expect(search!.result).not.toContain('\n');
    expect(await h.count('SELECT 1 FROM demo_notes WHERE agent_id = $1', [agent.id])).toBe(1);
  });

  it('pilot: a write waits for a person’s approval, and the caller is told a person will confirm', async () => {
    const { agent, call } = await answeredCall('pilot');
    const res = await call.toolCalls([{ name: 'notes_create', args: { body: 'Book a service' } }]);
    const [r] = resultsOf(res.body);
    expect(r!.result).toMatch(/person will confirm/);
    expect(
      await h.count(`SELECT 1 FROM approvals WHERE agent_id = $1 AND status = 'pending'`, [agent.id]),
    ).toBe(1);
    expect(await h.count('SELECT 1 FROM demo_notes WHERE agent_id = $1', [agent.id])).toBe(0);
  });

  it('shadow: a write is only recorded', async () => {
    const { agent, call } = await answeredCall('shadow');
    const [r] = resultsOf((await call.toolCalls([{ name: 'notes_create', args: { body: 'x' } }])).body);
    expect(r!.result).toMatch(/noted/);
    expect(
      await h.count(
        `SELECT 1 FROM tool_calls t JOIN runs r ON r.id = t.run_id WHERE r.agent_id = $1 AND t.status = 'recorded'`,
        [agent.id],
      ),
    ).toBe(1);
    expect(await h.count('SELECT 1 FROM demo_notes WHERE agent_id = $1', [agent.id])).toBe(0);
  });

  it('a human-only tool is denied, an unknown tool and unreadable arguments are error results', async () => {
    const { call } = await answeredCall('production');
    const res = await call.toolCalls([
      { name: 'payment_refund', args: { amount: 10 } },
      { name: 'launch_rocket', args: {} },
      { name: 'notes_create', args: { wrong: true } },
    ]);
    expect(res.status).toBe(200);
    const [refund, unknown, bad] = resultsOf(res.body);
    expect(refund!.error).toMatch(/only a person/);
    expect(unknown!.error).toMatch(/cannot do that/);
    expect(bad!.error).toMatch(/details/);
  });

  it('a redelivered tool-calls message runs each tool once and answers the same', async () => {
    const { agent, call } = await answeredCall('production');
    const first = await call.toolCalls([{ name: 'notes_create', args: { body: 'once' } }], {
      argsAsString: true,
    });
    const again = await h.vapi.post(first.sent);
    const third = await h.vapi.post(first.sent);
    expect(again.body).toEqual(first.body);
    expect(third.body).toEqual(first.body);
    expect(await h.count('SELECT 1 FROM demo_notes WHERE agent_id = $1', [agent.id])).toBe(1);
    expect(
      await h.count(`SELECT 1 FROM runs WHERE agent_id = $1 AND trigger->>'type' = 'tool_request'`, [
        agent.id,
      ]),
    ).toBe(1);
  });

  it('concurrent deliveries of one tool call run it once', async () => {
    const { agent, call } = await answeredCall('production');
    const first = await call.toolCalls([{ name: 'notes_create', args: { body: 'race' } }]);
    await Promise.all([1, 2, 3, 4].map(() => h.vapi.post(first.sent.replace('"race"', '"race"'))));
    const other = JSON.parse(first.sent);
    other.message.toolCallList[0].id = 'call_concurrent_1';
    const body = JSON.stringify(other);
    const all = await Promise.all([1, 2, 3, 4].map(() => h.vapi.post(body)));
    expect(all.every((d) => d.status === 200)).toBe(true);
    expect(await h.count('SELECT 1 FROM demo_notes WHERE agent_id = $1', [agent.id])).toBe(2);
  });
});

describe('authentication and bad input', () => {
  const envelope = (callId: string, phoneNumberId: string) =>
    JSON.stringify({
      message: { type: 'status-update', status: 'ringing', call: { id: callId, phoneNumberId } },
    });

  it('refuses a missing or wrong secret, a wrong bearer, a bad or stale signature with 401 webhook_unauthorized', async () => {
    const agent = await h.agent('production');
    const body = envelope('auth-call', agent.phoneNumberId);
    const now = () => h.clock.now().getTime();
    for (const auth of [
      { type: 'none' as const },
      { type: 'secret' as const, secret: 'wrong' },
      { type: 'bearer' as const, secret: `${SECRET}x` },
      { type: 'hmac' as const, secret: 'not-the-hmac-secret', now },
      { type: 'hmac' as const, secret: HMAC_SECRET, now: () => now() - 10 * 60_000 },
    ]) {
      const res = await h.vapi.post(body, auth);
      expect(res.status, JSON.stringify(auth)).toBe(401);
      expect((res.body as { error: { id: string } }).error.id).toBe('webhook_unauthorized');
    }
    expect(await h.count(`SELECT 1 FROM voice_calls WHERE call_id = 'auth-call'`)).toBe(0);
    for (const auth of [
      { type: 'bearer' as const, secret: SECRET },
      { type: 'hmac' as const, secret: HMAC_SECRET, now },
      { type: 'hmac' as const, secret: HMAC_SECRET, now: () => Math.floor(now() / 1000) },
    ]) {
      expect((await h.vapi.post(body, auth)).status, JSON.stringify(auth)).toBe(200);
    }
  });

  it('malformed JSON → 400 invalid_json; no type or a bad handled message → 400 validation_failed', async () => {
    const bad = await h.vapi.post('{"message": {');
    expect(bad.status).toBe(400);
    expect((bad.body as { error: { id: string } }).error.id).toBe('invalid_json');
    for (const body of [
      '{}',
      '{"message": {"call": {"id": "x"}}}',
      '{"message": {"type": "tool-calls"}}',
      '[]',
    ]) {
      const res = await h.vapi.post(body);
      expect(res.status, body).toBe(400);
      expect((res.body as { error: { id: string } }).error.id).toBe('validation_failed');
    }
    const { call } = await answeredCall('production');
    const noList = await h.vapi.send({ type: 'tool-calls', call: { id: call.id } });
    expect(noList.status).toBe(400);
  });

  it('types Twelve does not handle are acknowledged with 200; a call no agent has is 404', async () => {
    const ok = await h.vapi.send({ type: 'speech-update', status: 'started', call: { id: 'whatever' } });
    expect(ok.status).toBe(200);
    const unknown = await h.vapi.send({
      type: 'tool-calls',
      call: { id: 'unknown-call', phoneNumberId: 'pn-nobody' },
      toolCallList: [{ id: 'c1', type: 'function', function: { name: 'notes_search', arguments: {} } }],
    });
    expect(unknown.status).toBe(404);
    expect((unknown.body as { error: { id: string } }).error.id).toBe('not_found');
  });
});

describe('status-update and end-of-call-report', () => {
  it('stores the report on the call once and audits it once', async () => {
    const { agent, call } = await answeredCall('production');
    await call.say('Do you sell helmets?');
    expect((await call.statusUpdate('in-progress')).status).toBe(200);
    expect((await call.statusUpdate('ended', 'customer-ended-call')).status).toBe(200);
    const report = await call.endOfCallReport({ cost: 0.37, summary: 'Asked about helmets.' });
    expect(report.status).toBe(200);
    expect((await h.vapi.post(report.sent)).status).toBe(200);
    const [row] = await h.db.query<Record<string, unknown>>('SELECT * FROM voice_calls WHERE call_id = $1', [
      call.id,
    ]);
    expect(row).toMatchObject({
      status: 'ended',
      ended_reason: 'customer-ended-call',
      summary: 'Asked about helmets.',
      conversation_id: `v_${call.id}`,
    });
    expect(Number(row!.cost)).toBeCloseTo(0.37);
    expect(String(row!.transcript)).toContain('User: Do you sell helmets?');
    const audits = await h.db.query<{ payload: Record<string, unknown> }>(
      `SELECT payload FROM audit_events WHERE stream = $1 AND action = 'voice.call_ended'`,
      [`agent:${agent.id}`],
    );
    expect(audits).toHaveLength(1);
    expect(audits[0]!.payload).toMatchObject({
      callId: call.id,
      endedReason: 'customer-ended-call',
      cost: 0.37,
    });
    expect(JSON.stringify(audits[0]!.payload)).not.toContain('helmets');
  });
});

describe('transfer-destination-request', () => {
  async function transfer(call: FakeCall) {
    const res = await call.transferDestinationRequest();
    expect(res.status).toBe(200);
    return res.body as { destination?: { type: string; number: string }; error?: string };
  }

  it('in opening hours: the agent’s transfer number', async () => {
    h.clock.set(OPEN_AT);
    const { call } = await answeredCall(
      'production',
      { businessHours: HOURS },
      { transferNumber: '+442071234567' },
    );
    const body = await transfer(call);
    expect(body.destination).toMatchObject({ type: 'number', number: '+442071234567' });
    expect(await h.count('SELECT 1 FROM escalations WHERE conversation_id = $1', [`v_${call.id}`])).toBe(0);
  });

  it('outside opening hours: a call back is promised and one escalation holds the caller’s number', async () => {
    h.clock.set('2026-01-05T20:00:00.000Z');
    try {
      const { call } = await answeredCall(
        'production',
        { businessHours: HOURS },
        { transferNumber: '+442071234567' },
      );
      const body = await transfer(call);
      expect(body.destination).toBeUndefined();
      expect(body.error).toMatch(
        /call you back on 4 4 7 7 0 0 9 0 0 1 2 3 tomorrow after 09:00|call you back on .* tomorrow after 9 am/,
      );
      await transfer(call);
      const esc = await h.db.query<{ summary: string }>(
        'SELECT summary FROM escalations WHERE conversation_id = $1',
        [`v_${call.id}`],
      );
      expect(esc).toHaveLength(1);
      expect(esc[0]!.summary).toContain('+447700900123');
    } finally {
      h.clock.set(OPEN_AT);
    }
  });
});
