// The WhatsApp webhook: GET /webhooks/whatsapp answers Meta's subscription handshake (PROTOCOLS §2.1), POST receives
// signed event notifications (PROTOCOLS §2.2). A POST is verified on its raw bytes, validated whole, and everything
// in it is recorded (messages deduplicated by wamid, statuses applied by wamid) before the 200; answering happens
// after the response. Anything Meta sends that is not for us (another product, an unknown number, a reaction) is
// acknowledged and dropped with a log line: Meta retries non-2xx responses for a long time (PROTOCOLS UNCONFIRMED 7).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { pgSafe } from '../../store/text.ts';
import type { InboundMessage } from '../channel.ts';
import { inboundRecorder } from '../inbound.ts';
import { deliveryStatusRecorder } from '../outbox.ts';
import { type AfterAckOptions, AfterAckProcessor } from './after-ack.ts';
import { type WhatsAppConfig, whatsAppConfigFromEnv } from './config.ts';
import { normalizeMessage, normalizeStatus } from './normalize.ts';
import { type MessagesValue, parseWebhook } from './payload.ts';
import { SIGNATURE_HEADER, signatureValid } from './signature.ts';

export const WEBHOOK_PATH = '/webhooks/whatsapp';

export interface WhatsAppRouteOptions {
  /** Defaults to the TWELVE_WHATSAPP_* environment (config.ts). */
  config?: WhatsAppConfig;
  /** Answer right after acknowledging (default). Off: messages wait for inboundSweeper (the bench measures acks). */
  processAfterAck?: boolean;
  afterAck?: AfterAckOptions;
}

const processors = new WeakMap<FastifyInstance, AfterAckProcessor>();

/** The server's after-acknowledgement processor, if WhatsApp is on (tests and the bench wait for it to be idle). */
export function whatsAppProcessing(server: FastifyInstance): AfterAckProcessor | undefined {
  return processors.get(server);
}

export function registerWhatsAppRoutes(
  server: FastifyInstance,
  app: App,
  options: WhatsAppRouteOptions = {},
): void {
  const config = options.config ?? whatsAppConfigFromEnv();
  const { verifyToken, appSecret } = config;
  if (!verifyToken || !appSecret) return; // the channel is off: no webhook to call
  const processor =
    options.processAfterAck === false ? null : new AfterAckProcessor(app, server.log, options.afterAck);
  if (processor) {
    processors.set(server, processor);
    server.addHook('onClose', () => processor.close());
  }

  // Encapsulated: this scope's JSON parser hands over the raw bytes (the signature covers them), and the rest of
  // the API keeps Fastify's. Other content types get 415; the server's bodyLimit (1 MiB) gives 413.
  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );

    scope.get(WEBHOOK_PATH, async (req, reply) => {
      const q = req.query as Record<string, unknown>;
      const challenge = q['hub.challenge'];
      if (
        q['hub.mode'] !== 'subscribe' ||
        typeof challenge !== 'string' ||
        challenge.length > 512 ||
        !sameSecret(q['hub.verify_token'], verifyToken)
      ) {
        throw new AppError('verify_token_invalid');
      }
      return reply.code(200).type('text/plain; charset=utf-8').send(challenge);
    });

    scope.post(WEBHOOK_PATH, async (req, reply) => receive(app, appSecret, processor, req, reply));
  });
}

async function receive(
  app: App,
  appSecret: string,
  processor: AfterAckProcessor | null,
  req: FastifyRequest,
  reply: FastifyReply,
): Promise<FastifyReply> {
  const raw = req.body;
  if (!Buffer.isBuffer(raw)) throw new AppError('invalid_json', 'send the notification as application/json');
  if (!signatureValid(raw, req.headers[SIGNATURE_HEADER], appSecret)) throw new AppError('signature_invalid');
  let json: unknown;
  try {
    // NUL and unpaired UTF-16 halves have no place in any field Twelve keeps, and PostgreSQL refuses them
    // (store/text.ts): cleaned, so a message holding one is taken (and a redelivery the same way), not failed with a
    // 500 that Meta would redeliver for days.
    json = JSON.parse(raw.toString('utf8'), (_key, v) => (typeof v === 'string' ? pgSafe(v) : v));
  } catch {
    throw new AppError('invalid_json');
  }
  const parsed = parseWebhook(json);
  if (!parsed.ok)
    throw new AppError('validation_failed', 'the WhatsApp notification is not valid', parsed.issues);
  if (parsed.object !== 'whatsapp_business_account') {
    req.log.info(
      { object: parsed.object },
      'whatsapp: notification for another product; acknowledged and dropped',
    );
    return reply.code(200).send({ ok: true });
  }
  if (parsed.ignoredFields.length)
    req.log.debug({ fields: parsed.ignoredFields }, 'whatsapp: fields not handled');

  const fresh: InboundMessage[] = [];
  for (const value of parsed.values) {
    const agentId = await agentForNumber(app, value.metadata.phone_number_id, req);
    if (!agentId) continue;
    fresh.push(...(await recordValue(app, agentId, value, req)));
  }
  // Only after everything is recorded: a crash before this line leaves nothing half-written (a redelivery finds
  // the recorded messages, records the rest and processes what is not done); a crash after it leaves messages for
  // the redelivery or the sweep.
  for (const msg of fresh) processor?.push(`${msg.agentId}:${msg.from}`, msg.externalId);
  return reply.code(200).send({ ok: true });
}

/** Records one number's messages (once per wamid) and applies its statuses; returns the messages to process. */
async function recordValue(
  app: App,
  agentId: string,
  value: MessagesValue,
  req: FastifyRequest,
): Promise<InboundMessage[]> {
  const ctx = { agentId, phoneNumberId: value.metadata.phone_number_id, contacts: value.contacts };
  const fresh: InboundMessage[] = [];
  for (const m of value.messages ?? []) {
    const n = normalizeMessage(m, ctx);
    if (n.kind === 'drop') {
      req.log.info({ wamid: m.id, type: m.type }, `whatsapp: dropped (${n.reason})`);
      continue;
    }
    // A redelivery is processed too: its first delivery may have been recorded by a process that died before
    // answering it. The processor's claim makes this a no-op for a message that is done or in hand.
    await inboundRecorder(app, n.message);
    fresh.push(n.message);
  }
  for (const s of value.statuses ?? []) {
    const st = normalizeStatus(s);
    if (!st) continue;
    // False for a wamid we never sent (another system on the number) or a state that would move backwards.
    await deliveryStatusRecorder(app, 'whatsapp', s.id, st.status, st.error);
  }
  return fresh;
}

/** The agent (of a kind WhatsApp serves) whose `config.whatsapp.phoneNumberId` is this number; null (logged) when none. */
async function agentForNumber(app: App, phoneNumberId: string, req: FastifyRequest): Promise<string | null> {
  const rows = await app.db.query<{ id: string }>(
    `SELECT id FROM agents WHERE kind = ANY($2::text[]) AND config->'whatsapp'->>'phoneNumberId' = $1
     ORDER BY created_at, id LIMIT 2`,
    [phoneNumberId, app.kindsServing('whatsapp')],
  );
  if (!rows[0]) {
    req.log.warn({ phoneNumberId }, 'whatsapp: no agent has this phone number id; acknowledged and dropped');
    return null;
  }
  if (rows.length > 1) {
    req.log.warn(
      { phoneNumberId, agentId: rows[0].id },
      'whatsapp: several agents have this number; using the oldest',
    );
  }
  return rows[0].id;
}

/** Constant-time comparison of a secret of any length (hashing first gives both sides 32 bytes). */
function sameSecret(given: unknown, expected: string): boolean {
  if (typeof given !== 'string') return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
