// The WhatsApp ChannelSender: POST {base}/{phone-number-id}/messages with a Bearer token (PROTOCOLS §2.3), called by
// the outbox with retries. It enforces the 24-hour customer-service window itself (PROTOCOLS §2.4): outside it,
// free text is refused by WhatsApp (131047), so an agent's reply is failed at once with a reason the dashboard
// shows, and a person's reply goes out as the configured template. 131047 from Graph stays authoritative (clocks
// drift): it fails an agent's reply the same way and turns a person's reply into the template.
import { type Clock, systemClock } from '../../clock.ts';
import type { Queryable } from '../../store/db.ts';
import type { ChannelSender, OutboundDelivery } from '../channel.ts';
import { PermanentDeliveryError } from '../channel.ts';
import type { WhatsAppConfig } from './config.ts';
import { graphErrorText, WINDOW_CLOSED_CODE, WINDOW_CLOSED_REASON, withWindowReason } from './normalize.ts';

export const WINDOW_MS = 24 * 3600_000;
/** WhatsApp's text body limit (PROTOCOLS §2.3); longer replies go out as several messages. */
export const MAX_TEXT_CHARS = 4096;
/** Template parameters may not hold newlines, tabs or long runs of spaces, and templates are short. */
const MAX_TEMPLATE_PARAM_CHARS = 1000;

/**
 * Graph error codes worth retrying (https://developers.facebook.com/docs/whatsapp/cloud-api/support/error-codes):
 * throttling (4, 80007, 130429, 131048, 131056), transient failures (1, 2, 131000, 131016, 133004), and an
 * expired or revoked token (0, 190), which an operator can fix while the outbox backs off. Any other 4xx
 * (131026 undeliverable, 131047 window, 131051 unsupported type, 132000/132001 template, 100 bad parameter…)
 * will not get better by retrying.
 */
const RETRYABLE_CODES = new Set([0, 1, 2, 4, 190, 80007, 130429, 131000, 131016, 131048, 131056, 133004]);

/** Graph refused the message and retrying cannot help. */
export class GraphPermanentError extends PermanentDeliveryError {
  constructor(
    message: string,
    readonly status: number,
    readonly code: number | null,
  ) {
    super(message);
  }
}

export interface WhatsAppSenderOptions {
  /** The app's clock: the window is measured against the same time that stamped `last_inbound_at`. */
  clock?: Clock;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

type SendConfig = Pick<WhatsAppConfig, 'accessToken' | 'graphBaseUrl' | 'template'>;

export function buildWhatsAppSender(config: SendConfig, options: WhatsAppSenderOptions = {}): ChannelSender {
  const clock = options.clock ?? systemClock;
  const doFetch = options.fetch ?? fetch;
  const timeoutMs = options.timeoutMs ?? 15_000;
  const token = config.accessToken;

  async function post(phoneNumberId: string, body: Record<string, unknown>): Promise<string> {
    if (!token) throw new PermanentDeliveryError('WhatsApp is not configured (TWELVE_WHATSAPP_ACCESS_TOKEN)');
    let res: Response;
    try {
      res = await doFetch(`${config.graphBaseUrl}/${phoneNumberId}/messages`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new Error(`WhatsApp request failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    const text = await res.text().catch(() => '');
    const json = safeJson(text);
    if (res.ok) {
      const id = (json as { messages?: { id?: unknown }[] } | null)?.messages?.[0]?.id;
      if (typeof id === 'string' && id) return id;
      // Possibly sent: retrying risks a duplicate, dropping risks a loss; the outbox is at-least-once.
      throw new Error(`WhatsApp answered ${res.status} without a message id`);
    }
    const err = (
      json as { error?: { code?: unknown; message?: unknown; error_data?: { details?: unknown } } }
    )?.error;
    const code = typeof err?.code === 'number' ? err.code : null;
    const message = `WhatsApp answered ${res.status}: ${
      code === null
        ? text.slice(0, 200) || res.statusText
        : graphErrorText(code, str(err?.message), str(err?.error_data?.details))
    }`;
    const retryable =
      res.status === 429 ||
      res.status >= 500 ||
      res.status === 401 ||
      (code !== null && RETRYABLE_CODES.has(code));
    if (retryable) throw new Error(message);
    throw new GraphPermanentError(withWindowReason(code, message), res.status, code);
  }

  async function sendTemplate(phoneNumberId: string, to: string, text: string): Promise<string> {
    if (!config.template) {
      throw new PermanentDeliveryError(
        `${WINDOW_CLOSED_REASON}: WhatsApp accepts only a template message now; set TWELVE_WHATSAPP_TEMPLATE to send a person's reply as one`,
      );
    }
    return post(phoneNumberId, {
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to,
      type: 'template',
      template: {
        name: config.template.name,
        language: { code: config.template.language, policy: 'deterministic' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: templateParam(text) }] }],
      },
    });
  }

  return {
    channel: 'whatsapp',
    async send(delivery: OutboundDelivery, q: Queryable): Promise<{ externalId: string }> {
      const phoneNumberId = await phoneNumberIdOf(q, delivery.agentId);
      const to = recipientOf(delivery.to);
      const human = delivery.author === 'human';
      if (!windowOpen(delivery.lastInboundAt, clock.now())) {
        if (!human) {
          throw new PermanentDeliveryError(
            `${WINDOW_CLOSED_REASON}: the customer last wrote ${since(delivery.lastInboundAt, clock.now())}, and WhatsApp accepts only template messages after 24 hours; a person can still reply from the inbox`,
          );
        }
        return { externalId: await sendTemplate(phoneNumberId, to, delivery.text) };
      }
      try {
        let last = '';
        for (const chunk of chunks(delivery.text, MAX_TEXT_CHARS)) {
          last = await post(phoneNumberId, {
            messaging_product: 'whatsapp',
            recipient_type: 'individual',
            to,
            type: 'text',
            text: { body: chunk, preview_url: false },
          });
        }
        return { externalId: last };
      } catch (err) {
        if (human && err instanceof GraphPermanentError && err.code === WINDOW_CLOSED_CODE) {
          return { externalId: await sendTemplate(phoneNumberId, to, delivery.text) };
        }
        throw err;
      }
    },
  };
}

export function windowOpen(lastInboundAt: Date | null, now: Date): boolean {
  return lastInboundAt !== null && now.getTime() - new Date(lastInboundAt).getTime() < WINDOW_MS;
}

async function phoneNumberIdOf(q: Queryable, agentId: string): Promise<string> {
  const [row] = await q.query<{ pnid: unknown }>(
    `SELECT config->'whatsapp'->>'phoneNumberId' AS pnid FROM agents WHERE id = $1`,
    [agentId],
  );
  const pnid = row?.pnid;
  if (typeof pnid !== 'string' || !/^[0-9]{1,32}$/.test(pnid)) {
    throw new PermanentDeliveryError('the agent has no WhatsApp number (set config.whatsapp.phoneNumberId)');
  }
  return pnid;
}

/** Graph takes the number in digits (PROTOCOLS §2.3); a business-scoped id cannot be sent to yet (UNCONFIRMED 8). */
function recipientOf(address: string): string {
  const digits = address.replace(/^\+/, '');
  if (!/^[0-9]{5,20}$/.test(digits)) {
    throw new PermanentDeliveryError(
      'the customer has no phone number on WhatsApp (username only); reply from WhatsApp directly',
    );
  }
  return digits;
}

function templateParam(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length <= MAX_TEMPLATE_PARAM_CHARS ? flat : `${flat.slice(0, MAX_TEMPLATE_PARAM_CHARS - 1)}…`;
}

/** Splits at a paragraph break, else a line break, else a space, in the second half of the chunk; else hard. */
export function chunks(text: string, max: number): string[] {
  const out: string[] = [];
  let rest = text;
  while (rest.length > max) {
    const window = rest.slice(0, max);
    const at = ['\n\n', '\n', ' '].map((sep) => window.lastIndexOf(sep)).find((i) => i > max / 2) ?? max;
    out.push(rest.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest || !out.length) out.push(rest);
  return out;
}

function since(at: Date | null, now: Date): string {
  if (!at) return 'never on this conversation';
  const hours = Math.floor((now.getTime() - new Date(at).getTime()) / 3600_000);
  return hours >= 48 ? `${Math.floor(hours / 24)} days ago` : `${hours} hours ago`;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v.slice(0, 500) : undefined;
}
