// The Vapi server URL (POST /webhooks/vapi, PROTOCOLS §1) and the custom LLM endpoint (POST /vapi/llm/chat/completions,
// also POST /vapi/llm: §1.11 says some setups put the suffix in the url). Off unless TWELVE_VAPI_SECRET is set.
//
// The webhook is checked on its raw bytes (the HMAC covers them) before parsing: a wrong or missing secret is 401
// webhook_unauthorized; a body that is not JSON is 400 invalid_json; an envelope without message.type, or a handled
// type whose fields are wrong, is 400 validation_failed; a call Twelve cannot place (no agent has its number, and it
// is not a call Twelve answered) is 404 not_found. Types Twelve does not handle (conversation-update, speech-update,
// transcript, …) are acknowledged with 200 and dropped, as §1.3 asks: Vapi sends them to every server URL.
// Informational messages (status-update, end-of-call-report, hang) are recorded once per type and call, so a
// redelivery changes nothing. tool-calls always answer 200 with one result per call (§1.5).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { App } from '../../app.ts';
import { AppError } from '../../errors.ts';
import { pgSafe } from '../../store/text.ts';
import { assistantFor } from './assistant.ts';
import { secretValid, webhookAuthenticated } from './auth.ts';
import {
  callFor,
  callReportOf,
  firstDelivery,
  reportRecorder,
  statusRecorder,
  transferDestination,
  type VoiceCall,
} from './calls.ts';
import { type VoiceConfig, voiceConfigFromEnv } from './config.ts';
import { completionSender, turnAnswerer, turnStreamer } from './llm.ts';
import {
  CompletionRequestSchema,
  EndOfCallReportSchema,
  EnvelopeSchema,
  normalizeToolCall,
  StatusUpdateSchema,
  ToolCallsSchema,
  type VapiMessage,
} from './payload.ts';
import { toolCallsRunner } from './tools.ts';

export const WEBHOOK_PATH = '/webhooks/vapi';
export const LLM_PATH = '/vapi/llm';

function parseJson(raw: unknown): unknown {
  if (!Buffer.isBuffer(raw)) throw new AppError('invalid_json', 'send the message as application/json');
  try {
    // NUL and unpaired UTF-16 halves cannot be stored (store/text.ts): cleaned on the way in.
    return JSON.parse(raw.toString('utf8'), (_k, v) => (typeof v === 'string' ? pgSafe(v) : v));
  } catch {
    throw new AppError('invalid_json');
  }
}

function invalid(what: string, issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError(
    'validation_failed',
    `the Vapi ${what} is not valid`,
    issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

/** Where Vapi reaches this server: TWELVE_PUBLIC_URL, else the request's own scheme and host. */
function baseUrl(config: VoiceConfig, req: FastifyRequest): string {
  if (config.publicUrl) return config.publicUrl;
  const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol)
    .split(',')[0]!
    .trim();
  return `${proto}://${req.headers['x-forwarded-host'] ?? req.headers.host}`;
}

export function registerVoiceRoutes(
  server: FastifyInstance,
  app: App,
  options: { config?: VoiceConfig } = {},
) {
  const config = options.config ?? voiceConfigFromEnv();
  const secret = config.secret;
  if (!secret) return;

  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );

    scope.post(WEBHOOK_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!webhookAuthenticated(req.headers, raw, config, app.clock.now().getTime()))
        throw new AppError('webhook_unauthorized');
      const parsed = EnvelopeSchema.safeParse(parseJson(req.body));
      if (!parsed.success) throw invalid('message', parsed.error.issues);
      const msg = parsed.data.message;
      const handled = [
        'assistant-request',
        'tool-calls',
        'status-update',
        'end-of-call-report',
        'transfer-destination-request',
        'hang',
      ];
      if (!handled.includes(msg.type)) {
        req.log.debug({ type: msg.type }, 'vapi: message type not handled; acknowledged');
        return reply.code(200).send({ ok: true });
      }
      if (!msg.call) throw new AppError('validation_failed', 'the Vapi message has no call');
      const call = await callFor(app, msg);
      if (!call) {
        if (msg.type === 'assistant-request') {
          // Spoken to the caller, and the call ends (§1.4): better than silence on a number no agent answers.
          req.log.warn({ phoneNumberId: msg.call.phoneNumberId }, 'vapi: no agent answers this number');
          return reply.code(200).send({ error: 'Sorry, this number is not taking calls right now.' });
        }
        throw new AppError('not_found', 'no agent answers this call');
      }
      return reply.code(200).send(await handle(app, config, secret, req, msg, call));
    });
  });

  server.register(async (scope) => {
    const handler = async (req: FastifyRequest, reply: import('fastify').FastifyReply) => {
      if (!secretValid(req.headers, config)) throw new AppError('webhook_unauthorized');
      const parsed = CompletionRequestSchema.safeParse(req.body);
      if (!parsed.success) throw invalid('completion request', parsed.error.issues);
      const body = parsed.data;
      if (!body.call)
        throw new AppError('validation_failed', 'the request has no call (metadataSendMode must not be off)');
      const call = await callFor(app, body);
      if (!call) throw new AppError('not_found', 'no agent answers this call');
      if (body.stream) return turnStreamer(app, call, body, reply, app.clock.now().getTime());
      const turn = await turnAnswerer(app, call, body);
      return completionSender(reply, body, turn, app.clock.now().getTime());
    };
    scope.post(`${LLM_PATH}/chat/completions`, handler);
    scope.post(LLM_PATH, handler);
  });
}

async function handle(
  app: App,
  config: VoiceConfig,
  secret: string,
  req: FastifyRequest,
  msg: VapiMessage,
  call: VoiceCall,
): Promise<unknown> {
  switch (msg.type) {
    case 'assistant-request':
      return { assistant: assistantFor(app, call.agent, baseUrl(config, req), secret) };
    case 'tool-calls': {
      const p = ToolCallsSchema.safeParse(msg);
      if (!p.success) throw invalid('tool-calls message', p.error.issues);
      return { results: await toolCallsRunner(app, call, p.data.toolCallList.map(normalizeToolCall)) };
    }
    case 'status-update': {
      const p = StatusUpdateSchema.safeParse(msg);
      if (!p.success) throw invalid('status-update', p.error.issues);
      await statusRecorder(app, call, p.data.status, p.data.endedReason);
      return { ok: true };
    }
    case 'end-of-call-report': {
      const p = EndOfCallReportSchema.safeParse(msg);
      if (!p.success) throw invalid('end-of-call-report', p.error.issues);
      await reportRecorder(app, call, callReportOf(p.data));
      return { ok: true };
    }
    case 'transfer-destination-request':
      return transferDestination(app, call);
    default: {
      // hang: the assistant stalled; noted once per call.
      await firstDelivery(app.db, app, call, `${msg.type}:${call.callId}`);
      return { ok: true };
    }
  }
}
