// Pins the WhatsApp sender against the fake Graph API: the 24-hour window, templates, and retried Graph errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  customerNumber,
  type Harness,
  PHONE_NUMBER_ID,
  startHarness,
} from '../../../test/support/whatsapp.ts';
import { escalationReplier } from '../../runtime/escalations.ts';
import { type OutboundDelivery, PermanentDeliveryError } from '../channel.ts';
import { outboxDeliverer } from '../outbox.ts';
import { buildWhatsAppSender, chunks, GraphPermanentError, MAX_TEXT_CHARS } from './sender.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ template: 'support_followup:en' });
});
afterAll(async () => {
  await h?.dispose();
});

const DAY = 24 * 3600_000;

/** A customer writes (a text, or an image that opens an escalation); the answer stays queued. */
async function customerWrites(from: string, kind: 'text' | 'image' = 'text') {
  const message =
    kind === 'image'
      ? { type: 'image', image: { id: '42', mime_type: 'image/jpeg', sha256: 'x' } }
      : undefined;
  const event = h.graph.messageEvent({
    phoneNumberId: PHONE_NUMBER_ID,
    from,
    text: 'When are you open?',
    message,
  });
  expect((await h.graph.deliver(h.url, event)).status).toBe(200);
  await h.settled();
}

async function outMessages(from: string) {
  return h.db.query<{ id: string; author: string; delivery: string; delivery_error: string | null }>(
    `SELECT m.id, m.author, m.delivery, m.delivery_error FROM messages m JOIN conversations c ON c.id = m.conversation_id
     WHERE c.address = $1 AND m.direction = 'out' ORDER BY m.created_at, m.id`,
    [`+${from}`],
  );
}

async function escalationOf(from: string): Promise<string> {
  const [row] = await h.db.query<{ id: string }>(
    `SELECT e.id FROM escalations e JOIN conversations c ON c.id = e.conversation_id WHERE c.address = $1`,
    [`+${from}`],
  );
  return row!.id;
}

describe('the 24-hour window', () => {
  it("fails an agent's reply after 24 hours with the reason, and sends nothing", async () => {
    const from = customerNumber();
    await customerWrites(from);
    h.clock.advance(DAY + 60_000);
    const before = h.graph.requests.length;
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ failed: 1, sent: 0 });
    const [reply] = await outMessages(from);
    expect(reply).toMatchObject({ author: 'agent', delivery: 'failed' });
    expect(reply?.delivery_error).toMatch(
      /^outside the 24-hour window: the customer last wrote 24 hours ago/,
    );
    expect(h.graph.requests.length).toBe(before);
  });

  it("sends a person's reply after 24 hours as the configured template", async () => {
    const from = customerNumber();
    await customerWrites(from, 'image');
    expect((await outboxDeliverer(h.app, h.senders)).sent).toBe(1); // the polite notice, inside the window
    h.clock.advance(2 * DAY);
    await escalationReplier(
      h.app,
      'user:agent@example.com',
      await escalationOf(from),
      'Your frame is covered.\n\nBring it in.',
    );
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ sent: 1, failed: 0 });
    const sent = h.graph.sent.filter((s) => s.to === from);
    expect(sent.map((s) => s.type)).toEqual(['text', 'template']);
    expect(sent[1]!.body).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: from,
      type: 'template',
      template: {
        name: 'support_followup',
        language: { code: 'en', policy: 'deterministic' },
        components: [
          { type: 'body', parameters: [{ type: 'text', text: 'Your frame is covered. Bring it in.' }] },
        ],
      },
    });
    const human = (await outMessages(from)).find((m) => m.author === 'human');
    expect(human).toMatchObject({ delivery: 'sent', delivery_error: null });
  });

  it('treats 131047 from Graph as authoritative: agent reply failed, person reply retried as the template', async () => {
    const from = customerNumber();
    await customerWrites(from, 'image');
    h.graph.customerWrote(from, h.clock.now().getTime() - 2 * DAY); // Meta's clock disagrees with ours
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ failed: 1 });
    const [notice] = await outMessages(from);
    expect(notice?.delivery_error).toMatch(/^outside the 24-hour window: WhatsApp answered 400: \(#131047\)/);
    await escalationReplier(h.app, 'user:agent@example.com', await escalationOf(from), 'We will call you.');
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ sent: 1 });
    expect(h.graph.sent.filter((s) => s.to === from).map((s) => s.type)).toEqual(['template']);
  });

  it("fails a person's late reply with a fix to apply when no template is configured", async () => {
    const noTemplate = buildWhatsAppSender({ ...h.config, template: null }, { clock: h.clock });
    const from = customerNumber();
    h.graph.customerWrote(from);
    const late = new Date(h.clock.now().getTime() - DAY - 1);
    const err = await noTemplate
      .send(delivery(from, { author: 'human', lastInboundAt: late }), h.db)
      .catch((e) => e);
    expect(err).toBeInstanceOf(PermanentDeliveryError);
    expect(err.message).toMatch(/^outside the 24-hour window: .*TWELVE_WHATSAPP_TEMPLATE/);
  });
});

function delivery(from: string, over: Partial<OutboundDelivery> = {}): OutboundDelivery {
  return {
    messageId: 'm',
    agentId: h.agent.id,
    conversationId: 'w_x',
    channel: 'whatsapp',
    to: `+${from}`,
    text: 'Your order ships today.',
    subject: null,
    thread: [],
    lastInboundAt: h.clock.now(),
    author: 'agent',
    ...over,
  };
}

describe('Graph errors', () => {
  it('fails permanently on errors retrying cannot fix', async () => {
    for (const [status, code] of [
      [400, 131026], // undeliverable
      [400, 131051], // unsupported type
      [400, 100], // invalid parameter
      [404, 132001], // template missing
    ] as const) {
      const from = customerNumber();
      h.graph.customerWrote(from);
      h.graph.failNext({ status, code, message: 'Nope' });
      const err = await h.sender.send(delivery(from), h.db).catch((e) => e);
      expect(err, `${code}`).toBeInstanceOf(GraphPermanentError);
      expect(err).toMatchObject({ status, code });
    }
  });

  it('leaves throttling, outages, token problems and odd answers to the outbox to retry', async () => {
    const failures = [
      { status: 429, code: 130429 },
      { status: 400, code: 131056 }, // pair rate limit
      { status: 500, code: 131000 },
      { status: 503, rawBody: '<html>upstream</html>' },
      { status: 401, code: 190 },
      { status: 200, rawBody: '{"messaging_product":"whatsapp"}' }, // 200 without a message id
    ];
    for (const f of failures) {
      const from = customerNumber();
      h.graph.customerWrote(from);
      h.graph.failNext(f);
      const err = await h.sender.send(delivery(from), h.db).catch((e) => e);
      expect(err, JSON.stringify(f)).toBeInstanceOf(Error);
      expect(err, JSON.stringify(f)).not.toBeInstanceOf(PermanentDeliveryError);
    }
    const down = buildWhatsAppSender(
      { ...h.config, graphBaseUrl: 'http://127.0.0.1:9/v25.0' },
      { clock: h.clock },
    );
    const err = await down.send(delivery(customerNumber()), h.db).catch((e) => e);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(err.message).toMatch(/^WhatsApp request failed/);
  });

  it('retries a throttled reply through the outbox and sends it once', async () => {
    const from = customerNumber();
    await customerWrites(from);
    h.graph.failNext({ status: 429, code: 130429, message: 'Rate limit hit' });
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ retried: 1 });
    h.clock.advance(6_000);
    expect(await outboxDeliverer(h.app, h.senders)).toMatchObject({ sent: 1 });
    expect(h.graph.sent.filter((s) => s.to === from)).toHaveLength(1);
  });

  it('fails at once for an agent without a WhatsApp number or a customer without a phone number', async () => {
    const noNumber = await h.sender
      .send(delivery(customerNumber(), { agentId: '00000000-0000-0000-0000-000000000000' }), h.db)
      .catch((e) => e);
    expect(noNumber).toBeInstanceOf(PermanentDeliveryError);
    const bsuid = await h.sender.send(delivery('x', { to: 'US.13491208655302741918' }), h.db).catch((e) => e);
    expect(bsuid).toBeInstanceOf(PermanentDeliveryError);
  });

  it('splits a reply longer than 4096 characters into several messages', async () => {
    const from = customerNumber();
    h.graph.customerWrote(from);
    const text = `${'word '.repeat(700)}\n\n${'more '.repeat(700)}`; // 7002 characters
    await h.sender.send(delivery(from, { text, author: 'human' }), h.db);
    const sent = h.graph.sent.filter((s) => s.to === from).map((s) => (s.body.text as { body: string }).body);
    expect(sent.length).toBe(2);
    expect(sent.every((b) => b.length <= MAX_TEXT_CHARS)).toBe(true);
    expect(sent[0]).toMatch(/^(word )*word$/); // cut at the paragraph break
    expect(sent.join(' ').replace(/\s+/g, ' ').trim()).toBe(text.trim().replace(/\s+/g, ' '));
    expect(chunks('short', MAX_TEXT_CHARS)).toEqual(['short']);
  });
});
