// Pins how WhatsApp payloads become channel messages: read as text, handed to a person, dropped, or rejected.
import { describe, expect, it } from 'vitest';
import { MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';
import { normalizeMessage, normalizeStatus, UNSUPPORTED_AUTO_REPLY } from './normalize.ts';
import {
  parseWebhook,
  type WhatsAppMessage,
  WhatsAppMessageSchema,
  WhatsAppStatusSchema,
} from './payload.ts';

const ctx = {
  agentId: 'agent-1',
  phoneNumberId: '106540352242922',
  contacts: [{ profile: { name: 'Ana' }, wa_id: '16315551181', user_id: 'US.1349' }],
};

function msg(extra: Record<string, unknown>): WhatsAppMessage {
  return WhatsAppMessageSchema.parse({
    from: '16315551181',
    id: 'wamid.A',
    timestamp: '1767225600',
    ...extra,
  });
}

describe('normalizeMessage', () => {
  it('reads text, button and list replies as text, with E.164 sender, wamid, context and contact name', () => {
    const n = normalizeMessage(
      msg({ type: 'text', text: { body: '  Where is my order? ' }, context: { id: 'wamid.prev' } }),
      ctx,
    );
    expect(n).toEqual({
      kind: 'message',
      message: {
        channel: 'whatsapp',
        agentId: 'agent-1',
        externalId: 'wamid.A',
        from: '+16315551181',
        text: 'Where is my order?',
        receivedAt: '2026-01-01T00:00:00.000Z',
        inReplyTo: ['wamid.prev'],
        meta: { phoneNumberId: '106540352242922', type: 'text', name: 'Ana', userId: 'US.1349' },
      },
    });
    const button = msg({
      type: 'interactive',
      interactive: { type: 'button_reply', button_reply: { id: 'b', title: 'Yes' } },
    });
    expect(normalizeMessage(button, ctx)).toMatchObject({ message: { text: 'Yes' } });
    expect(
      normalizeMessage(msg({ type: 'button', button: { text: 'Track', payload: 'T' } }), ctx),
    ).toMatchObject({
      message: { text: 'Track' },
    });
  });

  it('hands media, locations, contacts, flows and unknown types to a person with the polite reply', () => {
    const cases: [Record<string, unknown>, string, string][] = [
      [{ type: 'image', image: { id: '1', caption: 'broken spoke' } }, 'an image', '[image] broken spoke'],
      [{ type: 'audio', audio: { id: '2', voice: true } }, 'an audio message', '[audio]'],
      [
        { type: 'document', document: { id: '3', filename: 'receipt.pdf' } },
        'a document',
        '[document] receipt.pdf',
      ],
      [{ type: 'sticker', sticker: { id: '4' } }, 'a sticker', '[sticker]'],
      [{ type: 'video', video: { id: '5' } }, 'a video', '[video]'],
      [
        { type: 'location', location: { latitude: 50.8, longitude: -1.1, name: 'Shop' } },
        'a location',
        '[location] Shop (50.8, -1.1)',
      ],
      [{ type: 'contacts', contacts: [{ name: { formatted_name: 'B' } }] }, 'a contact card', '[contacts]'],
      [
        { type: 'interactive', interactive: { type: 'nfm_reply', nfm_reply: {} } },
        'an interactive reply',
        '[interactive]',
      ],
      [{ type: 'hologram<script>' }, 'a "hologramscript" message', '[hologram<script>]'],
    ];
    for (const [extra, label, text] of cases) {
      expect(normalizeMessage(msg(extra), ctx)).toMatchObject({
        kind: 'message',
        message: {
          text,
          needsHuman: { reason: `the customer sent ${label}`, autoReply: UNSUPPORTED_AUTO_REPLY },
        },
      });
    }
  });

  it('drops reactions, system notices and empty text; sends over-long text to a person without the notice', () => {
    for (const extra of [
      { type: 'reaction', reaction: { message_id: 'wamid.x', emoji: '👍' } },
      { type: 'system', system: { body: 'changed number' } },
      { type: 'text', text: { body: '   ' } },
    ]) {
      expect(normalizeMessage(msg(extra), ctx).kind).toBe('drop');
    }
    const long = normalizeMessage(
      msg({ type: 'text', text: { body: 'x'.repeat(MAX_MESSAGE_CHARS + 1) } }),
      ctx,
    );
    expect(long).toMatchObject({ message: { needsHuman: { reason: expect.stringMatching(/longer than/) } } });
    expect(long.kind === 'message' && long.message.needsHuman?.autoReply).toBeFalsy();
  });

  it('keys a username-only customer by business-scoped id', () => {
    const m = WhatsAppMessageSchema.parse({
      from_user_id: 'US.1349',
      id: 'wamid.B',
      timestamp: '1767225600',
      type: 'text',
      text: { body: 'hi' },
    });
    expect(normalizeMessage(m, ctx)).toMatchObject({ message: { from: 'US.1349' } });
  });
});

describe('normalizeStatus', () => {
  it('maps the four tracked statuses and explains failures', () => {
    for (const s of ['sent', 'delivered', 'read'])
      expect(normalizeStatus(WhatsAppStatusSchema.parse({ id: 'w', status: s }))).toEqual({ status: s });
    expect(normalizeStatus(WhatsAppStatusSchema.parse({ id: 'w', status: 'played' }))).toBeNull();
    const failed = WhatsAppStatusSchema.parse({
      id: 'w',
      status: 'failed',
      errors: [{ code: 131026, title: 'Message undeliverable', error_data: { details: 'not on WhatsApp' } }],
    });
    expect(normalizeStatus(failed)).toEqual({
      status: 'failed',
      error: 'WhatsApp reported (#131026) Message undeliverable: not on WhatsApp',
    });
  });
});

describe('parseWebhook', () => {
  const value = (extra: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '1',
        changes: [
          { field: 'message_template_status_update', value: 'anything' },
          {
            field: 'messages',
            value: { messaging_product: 'whatsapp', metadata: { phone_number_id: '1' }, ...extra },
          },
        ],
      },
    ],
  });

  it('accepts unknown fields and other change fields', () => {
    const r = parseWebhook({ ...value({ brand_new: { x: 1 } }), extra: true });
    expect(r).toMatchObject({ ok: true, ignoredFields: ['message_template_status_update'] });
  });

  it('rejects a body wrong anywhere, with paths', () => {
    const bad = value({ messages: [{ id: 'w', from: '+1631', timestamp: 'yesterday', type: 'text' }] });
    const r = parseWebhook(bad);
    expect(r.ok).toBe(false);
    const paths = r.ok ? [] : r.issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'entry.0.changes.1.value.messages.0.from',
        'entry.0.changes.1.value.messages.0.timestamp',
        'entry.0.changes.1.value.messages.0.text',
      ]),
    );
    for (const junk of [null, [], 'x', 1, { object: 'whatsapp_business_account' }, { entry: 'no' }]) {
      expect(parseWebhook(junk).ok).toBe(false);
    }
  });
});
