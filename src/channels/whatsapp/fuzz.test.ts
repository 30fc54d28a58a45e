// Pins that hostile but correctly signed webhook bodies get 4xx or a safe drop: never a 5xx or half-written state.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_SECRET, type Harness, PHONE_NUMBER_ID, startHarness } from '../../../test/support/whatsapp.ts';
import { whatsAppSignature } from './signature.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.dispose();
});

async function post(body: Buffer | string, contentType = 'application/json') {
  const res = await h.server.inject({
    method: 'POST',
    url: '/webhooks/whatsapp',
    headers: { 'content-type': contentType, 'x-hub-signature-256': whatsAppSignature(body, APP_SECRET) },
    payload: body,
  });
  return { status: res.statusCode, id: res.statusCode === 200 ? null : (res.json().error?.id as string) };
}

async function snapshot() {
  await h.settled();
  return Promise.all(
    (['channel_inbound', 'messages', 'conversations', 'escalations'] as const).map((t) => h.count(t)),
  );
}

const junk = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string(), fc.integer(), fc.constant(null));

/** A message the webhook accepts, of any type we handle (or do not). */
const message = fc.record({
  from: fc.constantFrom('447700900001', '447700900002', '16315551181'),
  id: fc.uuid().map((u) => `wamid.${u}`),
  timestamp: fc.constantFrom('1767225600', '0', '99999999999'),
  payload: fc.constantFrom<Record<string, unknown>>(
    { type: 'text', text: { body: 'When are you open?' } },
    { type: 'text', text: { body: ' \n ' } },
    { type: 'image', image: { id: '123', caption: 'look' } },
    { type: 'interactive', interactive: { type: 'button_reply', button_reply: { id: 'b', title: 'Hi' } } },
    { type: 'button', button: { text: 'Track', payload: 'T' } },
    { type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } },
    { type: 'location', location: { latitude: 1, longitude: 2 } },
    { type: 'zzz' },
  ),
});

const VALUE = ['entry', 0, 'changes', 0, 'value'];
const MESSAGE = [...VALUE, 'messages', 0];
const PATHS: (string | number)[][] = [
  ['object'],
  ['entry'],
  ['entry', 0, 'changes'],
  ['entry', 0, 'changes', 0, 'field'],
  VALUE,
  [...VALUE, 'messaging_product'],
  [...VALUE, 'metadata', 'phone_number_id'],
  [...VALUE, 'messages'],
  [...VALUE, 'statuses'],
  [...VALUE, 'contacts'],
  MESSAGE,
  [...MESSAGE, 'from'],
  [...MESSAGE, 'id'],
  [...MESSAGE, 'timestamp'],
  [...MESSAGE, 'type'],
  [...MESSAGE, 'text'],
  [...MESSAGE, 'text', 'body'],
  [...MESSAGE, 'context'],
  [...MESSAGE, 'interactive'],
];
/** undefined deletes the key. */
const mutation = fc.record({ path: fc.constantFrom(...PATHS), value: fc.option(junk, { nil: undefined }) });

function setPath(root: Record<string, unknown>, path: (string | number)[], value: unknown): void {
  let node: unknown = root;
  for (const key of path.slice(0, -1)) {
    if (!node || typeof node !== 'object') return;
    node = (node as Record<string | number, unknown>)[key];
  }
  if (!node || typeof node !== 'object') return;
  const last = path.at(-1)!;
  if (value === undefined) delete (node as Record<string | number, unknown>)[last];
  else (node as Record<string | number, unknown>)[last] = value;
}

/** Valid notifications with zero to two parts replaced by junk or removed. */
const nearlyValid = fc.tuple(message, fc.array(mutation, { maxLength: 2 })).map(([m, mutations]) => {
  const { payload, ...rest } = m;
  const event: Record<string, unknown> = {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { phone_number_id: PHONE_NUMBER_ID },
              contacts: [{ wa_id: rest.from, profile: { name: 'F' } }],
              messages: [{ ...rest, ...payload }],
            },
          },
        ],
      },
    ],
  };
  for (const mu of mutations) setPath(event, mu.path, mu.value);
  return JSON.stringify(event);
});

const nested = fc.integer({ min: 100, max: 200_000 }).map((n) => {
  const deep = `${'{"a":['.repeat(n)}1${']}'.repeat(n)}`;
  return `{"object":"whatsapp_business_account","entry":[{"changes":[{"field":"messages","value":{"messaging_product":"whatsapp","metadata":{"phone_number_id":${deep}}}}]}]}`.slice(
    0,
    1_000_000,
  );
});

const bodies = fc.oneof(
  { weight: 4, arbitrary: nearlyValid },
  { weight: 2, arbitrary: fc.jsonValue().map((v) => JSON.stringify(v)) },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 4096 }).map((a) => Buffer.from(a)) },
  { weight: 1, arbitrary: nearlyValid.chain((s) => fc.nat(s.length).map((n) => s.slice(0, n))) }, // truncated
  { weight: 1, arbitrary: nested },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 512 }) },
);

describe('webhook fuzz', () => {
  it('answers every signed body with 200 or a 4xx, storing nothing for a 4xx', async () => {
    await fc.assert(
      fc.asyncProperty(bodies, async (body) => {
        const before = await snapshot();
        const res = await post(body);
        expect([200, 400]).toContain(res.status);
        if (res.status !== 200) {
          expect(['invalid_json', 'validation_failed']).toContain(res.id);
          expect(await snapshot()).toEqual(before);
        }
      }),
      { numRuns: 300 },
    );
    await h.settled();
    // Everything accepted was processed completely: no stuck or failed message, no conversation without its message.
    const stuck = await h.db.query(
      `SELECT external_id, status, error FROM channel_inbound WHERE status <> 'processed'`,
    );
    expect(stuck).toEqual([]);
    const hollow = await h.db.query(
      `SELECT c.id FROM conversations c WHERE c.address IS NULL
          OR NOT EXISTS (SELECT 1 FROM messages m WHERE m.conversation_id = c.id AND m.direction = 'in')`,
    );
    expect(hollow).toEqual([]);
    expect((await h.server.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
  }, 240_000);

  it('refuses bodies over 1 MiB with 413 and other content types with 415, storing nothing', async () => {
    const before = await snapshot();
    const huge = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [],
      pad: 'x'.repeat(1_100_000),
    });
    expect(await post(huge)).toEqual({ status: 413, id: 'payload_too_large' });
    expect(await post('{"object":"x","entry":[]}', 'text/plain')).toMatchObject({ status: 415 });
    expect(await post('object=x', 'application/x-www-form-urlencoded')).toMatchObject({ status: 415 });
    expect(await post('')).toMatchObject({ status: 400 });
    expect(await snapshot()).toEqual(before);
  });

  it('accepts a charset parameter and a large but legal batch', async () => {
    const messages = Array.from({ length: 200 }, (_, i) => ({
      from: '447700900003',
      id: `wamid.batch.${i}`,
      timestamp: '1767225600',
      type: 'reaction',
      reaction: { message_id: 'wamid.x', emoji: '👍' },
    }));
    const body = JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            {
              field: 'messages',
              value: {
                messaging_product: 'whatsapp',
                metadata: { phone_number_id: PHONE_NUMBER_ID },
                messages,
              },
            },
          ],
        },
      ],
    });
    expect(await post(body, 'application/json; charset=utf-8')).toEqual({ status: 200, id: null });
  });
});
