// Pins the WhatsApp webhook end to end: verification, signatures, redelivery, statuses, unreadable messages.
import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  APP_SECRET,
  customerNumber,
  type Harness,
  PHONE_NUMBER_ID,
  startHarness,
  VERIFY_TOKEN,
} from '../../../test/support/whatsapp.ts';
import { inboundProcessor } from '../inbound.ts';
import { outboxDeliverer } from '../outbox.ts';
import { UNSUPPORTED_AUTO_REPLY } from './normalize.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.dispose();
});

async function counts() {
  return {
    inbound: await h.count('channel_inbound'),
    messages: await h.count('messages'),
    conversations: await h.count('conversations'),
  };
}

/** The customer's conversation messages, oldest first (the manual clock stands still: "in" sorts before "out"). */
async function conversationOf(from: string) {
  return h.db.query<{
    direction: string;
    author: string;
    body: string;
    delivery: string | null;
    external_id: string | null;
  }>(
    `SELECT m.direction, m.author, m.body, m.delivery, m.external_id FROM messages m
     JOIN conversations c ON c.id = m.conversation_id WHERE c.address = $1 ORDER BY m.created_at, m.direction, m.id`,
    [`+${from}`],
  );
}

/** Delivers a signed event, lets it settle, and checks the customer's message was answered by the agent. */
async function deliveredAndAnswered(event: Parameters<Harness['graph']['messageEvent']>[0]) {
  const res = await h.graph.deliver(h.url, h.graph.messageEvent(event));
  expect(res).toMatchObject({ status: 200 });
  await h.settled();
  const conv = await conversationOf(event.from);
  expect(conv.map((m) => [m.direction, m.author])).toEqual([
    ['in', 'customer'],
    ['out', 'agent'],
  ]);
  return conv;
}

describe('GET /webhooks/whatsapp (verification)', () => {
  it('echoes the challenge for the right token, as text', async () => {
    const res = await fetch(
      `${h.url}?hub.mode=subscribe&hub.challenge=1158201444&hub.verify_token=${encodeURIComponent(VERIFY_TOKEN)}`,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await res.text()).toBe('1158201444');
    expect(await h.graph.verify(h.url, VERIFY_TOKEN, 'abc')).toEqual({ status: 200, body: 'abc' });
  });

  it('refuses a wrong token, a missing token or another mode with 403 verify_token_invalid', async () => {
    for (const q of [
      'hub.mode=subscribe&hub.challenge=1&hub.verify_token=wrong',
      'hub.mode=subscribe&hub.challenge=1',
      `hub.mode=unsubscribe&hub.challenge=1&hub.verify_token=${VERIFY_TOKEN}`,
      `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`,
    ]) {
      const res = await fetch(`${h.url}?${q}`);
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: { id: string } }).error.id).toBe('verify_token_invalid');
    }
  });
});

describe('POST /webhooks/whatsapp', () => {
  it('answers a signed text message through the agent and sends the answer once', async () => {
    const from = customerNumber();
    const conv = await deliveredAndAnswered({
      phoneNumberId: PHONE_NUMBER_ID,
      from,
      text: 'When are you open?',
    });
    expect(conv[1]).toMatchObject({ delivery: 'queued' });

    expect((await outboxDeliverer(h.app, h.senders)).sent).toBe(1);
    const send = h.graph.sent.filter((s) => s.to === from);
    expect(send).toHaveLength(1);
    expect(send[0]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: from,
      type: 'text',
      text: { body: conv[1]!.body, preview_url: false },
    });
    expect(send[0]!.body.text).toMatchObject({ body: expect.stringMatching(/Monday to Friday/) });
    const req = h.graph.requests.at(-1)!;
    expect(req.path).toBe(`/v25.0/${PHONE_NUMBER_ID}/messages`);
    expect(req.headers.authorization).toMatch(/^Bearer /);
    expect((await conversationOf(from))[1]).toMatchObject({ delivery: 'sent', external_id: send[0]!.wamid });
  });

  it('takes a message with NUL or an unpaired surrogate (text, contact name, id) instead of failing it forever', async () => {
    const from = customerNumber();
    const conv = await deliveredAndAnswered({
      phoneNumberId: PHONE_NUMBER_ID,
      from,
      id: `wamid.nul\u0000${from}`,
      name: 'Eve\u0000\ud800',
      text: 'When are\u0000 you open?\udc00',
    });
    expect(conv[0]!.body).toBe('When are you open?\ufffd');
    expect(conv[1]!.body).toMatch(/Monday to Friday/);
  });

  it('refuses forged, missing or stale signatures with 401 and stores nothing [channel:signature-verified]', async () => {
    const event = h.graph.messageEvent({
      phoneNumberId: PHONE_NUMBER_ID,
      from: customerNumber(),
      text: 'Hi',
    });
    const body = JSON.stringify(event);
    const before = await counts();
    const forged = [
      null, // missing
      `sha256=${'0'.repeat(64)}`,
      'sha256=abc', // wrong length
      `sha1=${'a'.repeat(40)}`,
      h.graph.sign(`${body} `), // the signature of other bytes
      h.graph.sign(body).toUpperCase().replace('SHA256=', 'sha256=').slice(0, -1), // truncated
      `sha256=${'zz'.repeat(32)}`,
    ];
    for (const signature of forged) {
      const res = await h.graph.deliver(h.url, null, { raw: body, signature });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.body).error.id).toBe('signature_invalid');
    }
    // Signed with another app's secret.
    const other = `sha256=${createHmac('sha256', `${APP_SECRET}x`).update(body).digest('hex')}`;
    expect((await h.graph.deliver(h.url, null, { raw: body, signature: other })).status).toBe(401);
    await h.settled();
    expect(await counts()).toEqual(before);
  });

  it('records an event delivered five times (in turn and at once) once, answers once and sends once [channel:webhook-idempotent]', async () => {
    for (const mode of ['sequential', 'concurrent'] as const) {
      const from = customerNumber();
      const event = h.graph.messageEvent({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        text: 'How much is delivery?',
      });
      const wamid = (event as { entry: { changes: { value: { messages: { id: string }[] } }[] }[] }).entry[0]!
        .changes[0]!.value.messages[0]!.id;
      const statuses =
        mode === 'sequential'
          ? await (async () => {
              const out: number[] = [];
              for (let i = 0; i < 5; i++) out.push((await h.graph.deliver(h.url, event)).status);
              return out;
            })()
          : (await Promise.all(Array.from({ length: 5 }, () => h.graph.deliver(h.url, event)))).map(
              (r) => r.status,
            );
      expect(statuses).toEqual([200, 200, 200, 200, 200]);
      await h.settled();
      // The processor already claimed it: more attempts are no-ops.
      const again = await Promise.all(
        Array.from({ length: 5 }, () => inboundProcessor(h.app, 'whatsapp', wamid)),
      );
      expect(again.every((o) => o === 'skipped')).toBe(true);
      const rows = await h.db.query('SELECT 1 FROM channel_inbound WHERE external_id = $1', [wamid]);
      expect(rows).toHaveLength(1);
      const conv = await conversationOf(from);
      expect(conv.filter((m) => m.direction === 'in')).toHaveLength(1);
      expect(conv.filter((m) => m.direction === 'out')).toHaveLength(1);
      await outboxDeliverer(h.app, h.senders);
      await outboxDeliverer(h.app, h.senders);
      expect(
        h.graph.sent.filter((s) => s.to === from),
        mode,
      ).toHaveLength(1);
    }
  });

  it('moves delivery forward on statuses (sent → delivered → read) and never back', async () => {
    const from = customerNumber();
    await h.graph.deliver(
      h.url,
      h.graph.messageEvent({ phoneNumberId: PHONE_NUMBER_ID, from, text: 'When are you open?' }),
    );
    await h.settled();
    await outboxDeliverer(h.app, h.senders);
    const wamid = h.graph.sent.find((s) => s.to === from)!.wamid;
    const delivery = async () => (await conversationOf(from)).find((m) => m.direction === 'out')!.delivery;
    for (const [status, expected] of [
      ['sent', 'sent'],
      ['delivered', 'delivered'],
      ['read', 'read'],
      ['delivered', 'read'], // late and out of order
      ['sent', 'read'],
      ['played', 'read'], // a status we do not track
    ] as const) {
      const res = await h.graph.deliver(h.url, h.graph.statusEvent(PHONE_NUMBER_ID, wamid, status));
      expect(res.status).toBe(200);
      expect(await delivery(), `${status}`).toBe(expected);
    }
  });

  it('marks a message failed from a failed status, naming the 24-hour window', async () => {
    const from = customerNumber();
    await h.graph.deliver(
      h.url,
      h.graph.messageEvent({ phoneNumberId: PHONE_NUMBER_ID, from, text: 'Do you sell gift cards?' }),
    );
    await h.settled();
    await outboxDeliverer(h.app, h.senders);
    const wamid = h.graph.sent.find((s) => s.to === from)!.wamid;
    const failed = h.graph.statusEvent(PHONE_NUMBER_ID, wamid, 'failed', {
      errors: [
        { code: 131047, title: 'Re-engagement message', error_data: { details: 'more than 24 hours' } },
      ],
    });
    expect((await h.graph.deliver(h.url, failed)).status).toBe(200);
    const [row] = await h.db.query<{ delivery: string; delivery_error: string }>(
      'SELECT delivery, delivery_error FROM messages WHERE external_id = $1',
      [wamid],
    );
    expect(row?.delivery).toBe('failed');
    expect(row?.delivery_error).toMatch(
      /^outside the 24-hour window: WhatsApp reported \(#131047\) Re-engagement/,
    );
  });

  it('hands an image to a person, with the polite text reply sent to the customer', async () => {
    const from = customerNumber();
    const event = h.graph.messageEvent({
      phoneNumberId: PHONE_NUMBER_ID,
      from,
      message: {
        type: 'image',
        image: { id: '1234567890', mime_type: 'image/jpeg', sha256: 'x', caption: 'my bike' },
      },
    });
    expect((await h.graph.deliver(h.url, event)).status).toBe(200);
    await h.settled();
    const conv = await conversationOf(from);
    expect(conv.map((m) => [m.direction, m.body])).toEqual([
      ['in', '[image] my bike'],
      ['out', UNSUPPORTED_AUTO_REPLY],
    ]);
    const [esc] = await h.db.query<{ reason: string; state: string }>(
      `SELECT e.reason, e.state FROM escalations e JOIN conversations c ON c.id = e.conversation_id WHERE c.address = $1`,
      [`+${from}`],
    );
    expect(esc).toEqual({ reason: 'the customer sent an image', state: 'open' });
    await outboxDeliverer(h.app, h.senders);
    const sent = h.graph.sent.filter((s) => s.to === from);
    expect(sent.map((s) => (s.body.text as { body: string }).body)).toEqual([UNSUPPORTED_AUTO_REPLY]);
  });

  it('tells the customer once that a person has the conversation, as the web chat does', async () => {
    const from = customerNumber();
    const say = (id: string, body: string) =>
      h.graph.deliver(
        h.url,
        h.graph.messageEvent({
          phoneNumberId: PHONE_NUMBER_ID,
          from,
          message: { id, type: 'text', text: { body } },
        }),
      );
    expect((await say(`wamid.person.${from}`, 'I want to talk to a person please')).status).toBe(200);
    await h.settled();
    // Redelivered by Meta, then more words while the person has it: neither adds a second notice.
    await say(`wamid.person.${from}`, 'I want to talk to a person please');
    await say(`wamid.more.${from}`, 'It is about my order');
    await h.settled();
    // (The manual clock stands still, so the order within one instant is not the point here.)
    const conv = await conversationOf(from);
    expect(conv.map((m) => [m.direction, m.author, m.body]).sort()).toEqual([
      ['in', 'customer', 'I want to talk to a person please'],
      ['in', 'customer', 'It is about my order'],
      ['out', 'agent', 'Connecting you to a person. They will reply here as soon as they can.'],
    ]);
    await outboxDeliverer(h.app, h.senders);
    const sent = h.graph.sent.filter((s) => s.to === from);
    expect(sent.map((s) => (s.body.text as { body: string }).body)).toEqual([
      'Connecting you to a person. They will reply here as soon as they can.',
    ]);
  });

  it('reads button and list replies as their titles', async () => {
    const from = customerNumber();
    const event = h.graph.messageEvent({
      phoneNumberId: PHONE_NUMBER_ID,
      from,
      message: {
        type: 'interactive',
        interactive: {
          type: 'list_reply',
          list_reply: { id: 'hours', title: 'When are you open?', description: 'x' },
        },
      },
    });
    await h.graph.deliver(h.url, event);
    await h.settled();
    const conv = await conversationOf(from);
    expect(conv[0]).toMatchObject({ direction: 'in', body: 'When are you open?' });
    expect(conv[1]?.body).toMatch(/Monday to Friday/);
  });

  it('acknowledges and drops events for unknown numbers, other products and reactions', async () => {
    const before = await counts();
    const from = customerNumber();
    const drops = [
      h.graph.messageEvent({ phoneNumberId: '999999999', from, text: 'Hello?' }),
      { object: 'page', entry: [{ id: '1', changes: [{ field: 'feed', value: { anything: true } }] }] },
      {
        object: 'whatsapp_business_account',
        entry: [
          { id: '1', changes: [{ field: 'message_template_status_update', value: { event: 'APPROVED' } }] },
        ],
      },
      h.graph.messageEvent({
        phoneNumberId: PHONE_NUMBER_ID,
        from,
        message: { type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } },
      }),
      h.graph.statusEvent(PHONE_NUMBER_ID, 'wamid.never-sent-by-us', 'delivered'),
    ];
    for (const event of drops) expect((await h.graph.deliver(h.url, event)).status).toBe(200);
    await h.settled();
    expect(await counts()).toEqual(before);
  });
});
