// WhatsApp messages and statuses → the channel-neutral shapes (channel.ts). Pure: no database, no clock.
// What the agent can read (text, button and list replies) becomes text; media, locations, contact cards and
// anything unknown go to a person with a polite automatic reply; reactions and system notices are not messages
// a customer expects an answer to, so they are dropped (PROTOCOLS §2.2 lists the types).
import { MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';
import type { InboundMessage } from '../channel.ts';
import type { MessagesValue, WhatsAppMessage, WhatsAppStatus } from './payload.ts';

export const UNSUPPORTED_AUTO_REPLY =
  'Thanks! I can only read text messages here, so I have passed this to a person on our team.';

/** Types that carry nothing to answer: an emoji reaction, "customer changed number", the first-open ping. */
const DROPPED_TYPES = new Set(['reaction', 'system', 'request_welcome', 'ephemeral']);

/** How a person reads each type in the inbox ("the customer sent an image"). */
const TYPE_LABELS: Record<string, string> = {
  image: 'an image',
  audio: 'an audio message',
  video: 'a video',
  document: 'a document',
  sticker: 'a sticker',
  location: 'a location',
  contacts: 'a contact card',
  order: 'an order',
  interactive: 'an interactive reply',
  unsupported: 'a message type WhatsApp could not deliver',
};

export type Normalized = { kind: 'message'; message: InboundMessage } | { kind: 'drop'; reason: string };

export interface NormalizeContext {
  agentId: string;
  phoneNumberId: string;
  contacts: MessagesValue['contacts'];
}

export function normalizeMessage(m: WhatsAppMessage, ctx: NormalizeContext): Normalized {
  if (DROPPED_TYPES.has(m.type)) return { kind: 'drop', reason: `a ${m.type} message needs no answer` };
  // Key customers by phone (a reply needs one); a username-only customer has only a business-scoped id
  // (PROTOCOLS §2.2), which is kept as the address so the conversation still threads.
  const from = m.from ? `+${m.from}` : m.from_user_id!;
  const contact = ctx.contacts?.find(
    (c) => (m.from && c.wa_id === m.from) || (m.from_user_id && c.user_id === m.from_user_id),
  );
  const base: InboundMessage = {
    channel: 'whatsapp',
    agentId: ctx.agentId,
    externalId: m.id,
    from,
    text: '',
    receivedAt: new Date(Number(m.timestamp) * 1000).toISOString(),
    ...(m.context?.id ? { inReplyTo: [m.context.id] } : {}),
    meta: compact({
      phoneNumberId: ctx.phoneNumberId,
      type: m.type,
      name: contact?.profile?.name,
      userId: m.from_user_id ?? contact?.user_id,
      mediaId: mediaIdOf(m),
    }),
  };
  const text = readableText(m);
  if (text !== null) {
    const body = text.trim();
    if (!body) return { kind: 'drop', reason: 'an empty text message' };
    if (body.length > MAX_MESSAGE_CHARS) {
      // The agent reads up to MAX_MESSAGE_CHARS; a person reads the rest (no "text only" auto-reply: it was text).
      return {
        kind: 'message',
        message: {
          ...base,
          text: body,
          needsHuman: { reason: `the customer sent a message longer than ${MAX_MESSAGE_CHARS} characters` },
        },
      };
    }
    return { kind: 'message', message: { ...base, text: body } };
  }
  const label = TYPE_LABELS[m.type] ?? `a "${m.type.replace(/[^a-z0-9_]/gi, '')}" message`;
  return {
    kind: 'message',
    message: {
      ...base,
      text: describe(m),
      needsHuman: { reason: `the customer sent ${label}`, autoReply: UNSUPPORTED_AUTO_REPLY },
    },
  };
}

/** The text of what the agent can read, or null when it cannot read this type. */
function readableText(m: WhatsAppMessage): string | null {
  if (m.type === 'text') return m.text?.body ?? '';
  if (m.type === 'button') return m.button?.text ?? '';
  if (m.type === 'interactive') {
    const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
    return reply ? reply.title : null; // flows (nfm_reply) and other kinds go to a person
  }
  return null;
}

/** What the person in the inbox sees for a message the agent cannot read: the type, and caption/name if any. */
function describe(m: WhatsAppMessage): string {
  const payload = (m as Record<string, unknown>)[m.type];
  const bits: string[] = [];
  if (payload && typeof payload === 'object') {
    const p = payload as Record<string, unknown>;
    for (const key of ['caption', 'filename', 'name', 'address']) {
      if (typeof p[key] === 'string' && p[key]) bits.push(String(p[key]).slice(0, 1000));
    }
    if (typeof p.latitude === 'number' && typeof p.longitude === 'number')
      bits.push(`(${p.latitude}, ${p.longitude})`);
  }
  return [`[${m.type.slice(0, 64)}]`, ...bits].join(' ');
}

function mediaIdOf(m: WhatsAppMessage): string | undefined {
  const payload = (m as Record<string, unknown>)[m.type];
  if (payload && typeof payload === 'object' && 'id' in payload) {
    const id = (payload as { id: unknown }).id;
    if (typeof id === 'string' && id.length <= 256) return id;
  }
  return undefined;
}

function compact(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed';
const KNOWN_STATUSES = new Set<string>(['sent', 'delivered', 'read', 'failed']);

/** The delivery state a status update moves to, with the error a person reads for `failed`; null: not ours to track. */
export function normalizeStatus(s: WhatsAppStatus): { status: DeliveryStatus; error?: string } | null {
  if (!KNOWN_STATUSES.has(s.status)) return null; // e.g. a voice "played" receipt (PROTOCOLS UNCONFIRMED 7)
  const status = s.status as DeliveryStatus;
  if (status !== 'failed') return { status };
  const e = s.errors?.[0];
  if (!e) return { status, error: 'WhatsApp reported the message failed' };
  const text = `WhatsApp reported ${graphErrorText(e.code, e.title ?? e.message, e.error_data?.details)}`;
  return { status, error: withWindowReason(e.code, text) };
}

/** Code 131047 is the 24-hour window (PROTOCOLS §2.4); the dashboard shows the delivery error as written here. */
export const WINDOW_CLOSED_CODE = 131047;
export const WINDOW_CLOSED_REASON = 'outside the 24-hour window';

/** `(#131026) Message undeliverable: details`, from Graph's error envelope or a failed status's `errors[0]`. */
export function graphErrorText(code: number, title?: string, details?: string): string {
  const what = [title, details].filter(Boolean).join(': ');
  return `(#${code})${what ? ` ${what}` : ''}`.slice(0, 1000);
}

/** Puts the window reason first when the code says so, so the dashboard can tell a closed window at a glance. */
export function withWindowReason(code: number | null, text: string): string {
  return code === WINDOW_CLOSED_CODE ? `${WINDOW_CLOSED_REASON}: ${text}` : text;
}
