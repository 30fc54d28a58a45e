// The web chat wire protocol: JSON text frames. Every client frame is size-checked and validated with zod before
// anything reads it; a bad frame yields an error frame with a stable id, never an exception that reaches the socket.
import { z } from 'zod';
import { MAX_MESSAGE_CHARS } from '../../conversations/conversations.ts';

/** Frames above this are refused with an error frame (ws itself cuts the connection at MAX_PAYLOAD_BYTES). */
export const MAX_FRAME_BYTES = 16 * 1024;
export const MAX_PAYLOAD_BYTES = 64 * 1024;
/** Agent names as the agents table allows them. */
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

const HelloFrame = z.object({
  type: z.literal('hello'),
  conversationId: z.string().min(1).max(100).optional(),
  resumeToken: z.string().min(1).max(200).optional(),
});
const MessageFrame = z.object({
  type: z.literal('message'),
  text: z.string().max(MAX_MESSAGE_CHARS, `messages are limited to ${MAX_MESSAGE_CHARS} characters`),
  clientId: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[\w-]+$/, 'letters, digits, - and _'),
});
const HumanFrame = z.object({ type: z.literal('human') });
/** "Was this helpful?" at the end of a chat: stored on the conversation; the same answer again changes nothing. */
const RateFrame = z.object({ type: z.literal('rate'), rating: z.enum(['up', 'down']) });

export const ClientFrameSchema = z.discriminatedUnion('type', [
  HelloFrame,
  MessageFrame,
  HumanFrame,
  RateFrame,
]);
export type ClientFrame = z.infer<typeof ClientFrameSchema>;

export type WireErrorId =
  | 'validation_failed'
  | 'rate_limited'
  | 'not_found'
  | 'agent_paused'
  | 'internal_error';

export interface WireSource {
  id: string;
  title: string;
}

export interface WireMessage {
  id: string;
  author: 'agent' | 'human' | 'customer';
  text: string;
  sources: WireSource[];
  at: string;
  /** The sender's idempotency key, on the customer's own messages, so the widget can match what it sent. */
  clientId?: string;
}

export type ServerFrame =
  | {
      type: 'welcome';
      conversationId: string;
      resumeToken?: string;
      agent: { name: string; displayName: string };
      messages: WireMessage[];
    }
  | ({ type: 'message' } & WireMessage)
  /** `at`: when the hand-off happened (a resumed chat places the announcement where it belongs). */
  | { type: 'handoff'; text: string; at: string }
  /** The customer's answer to "Was this helpful?", as stored. */
  | { type: 'rated'; rating: 'up' | 'down' }
  | { type: 'error'; id: WireErrorId; message: string; clientId?: string };

export type ParseResult =
  | { ok: true; frame: ClientFrame }
  | { ok: false; error: { id: WireErrorId; message: string; clientId?: string } };

/** Raw socket data → a validated frame or the error frame to answer with. */
export function parseClientFrame(data: unknown, isBinary: boolean): ParseResult {
  const fail = (message: string, clientId?: string): ParseResult => ({
    ok: false,
    error: { id: 'validation_failed', message, ...(clientId ? { clientId } : {}) },
  });
  if (isBinary) return fail('frames must be JSON text');
  const buf = Array.isArray(data)
    ? Buffer.concat(data as Buffer[])
    : Buffer.isBuffer(data)
      ? data
      : data instanceof ArrayBuffer
        ? Buffer.from(data)
        : Buffer.from(String(data));
  if (buf.length > MAX_FRAME_BYTES) return fail(`frames are limited to ${MAX_FRAME_BYTES} bytes`);
  let value: unknown;
  try {
    value = JSON.parse(buf.toString('utf8'));
  } catch {
    return fail('the frame is not valid JSON');
  }
  const parsed = ClientFrameSchema.safeParse(value);
  if (parsed.success) return { ok: true, frame: parsed.data };
  // Echo a well-formed clientId back so the widget can mark exactly that message as not sent.
  const rawClientId = (value as { clientId?: unknown } | null)?.clientId;
  const clientId =
    typeof rawClientId === 'string' && /^[\w-]{1,64}$/.test(rawClientId) ? rawClientId : undefined;
  const type = (value as { type?: unknown } | null)?.type;
  if (typeof type !== 'string' || !['hello', 'message', 'human', 'rate'].includes(type))
    return fail('unknown frame type', clientId);
  const issue = parsed.error.issues[0];
  return fail(
    issue ? `${issue.path.join('.') || 'frame'}: ${issue.message}` : 'the frame is not valid',
    clientId,
  );
}
