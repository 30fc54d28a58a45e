// Pins that hostile but correctly authenticated Vapi bodies get a 4xx, a 200 drop or a proper answer: never a 5xx,
// and a tool never runs for a message that was refused.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SECRET, startVoiceHarness, type VoiceHarness } from '../../../test/support/voice.ts';

let h: VoiceHarness;
let phoneNumberId = '';
beforeAll(async () => {
  h = await startVoiceHarness();
  phoneNumberId = (await h.agent('production')).phoneNumberId;
});
afterAll(async () => {
  await h?.dispose();
});

async function post(path: string, body: string) {
  const res = await h.server.inject({
    method: 'POST',
    url: path,
    headers: { 'content-type': 'application/json', 'x-vapi-secret': SECRET },
    payload: body,
  });
  return res.statusCode;
}

const junk = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.integer(), fc.constant(null));
const type = fc.constantFrom(
  'assistant-request',
  'tool-calls',
  'status-update',
  'end-of-call-report',
  'transfer-destination-request',
  'hang',
  'conversation-update',
  '',
);
const call = fc.oneof(
  fc.record({ id: fc.uuid(), phoneNumberId: fc.constantFrom('pn-nobody', 'PHONE') }),
  junk,
);
const toolCall = fc.oneof(
  fc.record({
    id: fc.oneof(fc.uuid(), fc.string()),
    type: fc.constant('function'),
    function: fc.record({
      name: fc.oneof(fc.constantFrom('notes_create', 'notes.search', 'payment_refund', 'nope'), fc.string()),
      arguments: fc.oneof(fc.string(), fc.dictionary(fc.string(), junk), fc.constant('{"body":"fuzz"}')),
    }),
  }),
  junk,
);
const message = fc.record(
  {
    type: fc.oneof(type, junk),
    call,
    toolCallList: fc.oneof(fc.array(toolCall, { maxLength: 3 }), junk),
    status: fc.oneof(fc.constantFrom('ringing', 'ended'), junk),
    endedReason: fc.oneof(fc.string(), junk),
    cost: fc.oneof(fc.double(), junk),
    artifact: fc.oneof(fc.record({ transcript: fc.string(), messages: fc.array(junk) }), junk),
    analysis: fc.oneof(fc.record({ summary: fc.string() }), junk),
  },
  { requiredKeys: [] },
);

const fix = (body: unknown) => JSON.stringify(body).replaceAll('PHONE', phoneNumberId);

describe('POST /webhooks/vapi under fuzzing', () => {
  it('answers 2xx or 4xx, never 5xx, for any envelope', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.record({ message }), junk), async (body) => {
        const status = await post('/webhooks/vapi', fix(body));
        expect(status === 200 || (status >= 400 && status < 500), `${status} for ${fix(body)}`).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('answers 2xx or 4xx, never 5xx, for any completion request', async () => {
    const request = fc.record(
      {
        messages: fc.oneof(
          fc.array(
            fc.record({
              role: fc.constantFrom('user', 'assistant', 'system', 'tool'),
              content: fc.oneof(fc.string(), junk),
            }),
            { maxLength: 4 },
          ),
          junk,
        ),
        stream: fc.oneof(fc.boolean(), junk),
        call,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(request, async (body) => {
        const status = await post('/vapi/llm/chat/completions', fix(body));
        expect(status === 200 || (status >= 400 && status < 500), `${status} for ${fix(body)}`).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('refuses raw bytes that are not JSON with 400 invalid_json', async () => {
    for (const raw of ['', '{', '\u0000', 'null', '"x"', '{"message":']) {
      const status = await post('/webhooks/vapi', raw);
      expect(status, JSON.stringify(raw)).toBeGreaterThanOrEqual(400);
      expect(status).toBeLessThan(500);
    }
  });
});
