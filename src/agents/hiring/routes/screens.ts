// The phone screen's HTTP surface. Dashboard (signed in, hiring.* permissions like the other hiring ops): the screen
// line's setup, inviting a candidate (the answer carries the private link once, for a recruiter without SMTP), and a
// candidate's screen. Public (the career page, no sign-in; the token is the credential, sent in a POST body so it
// never sits in a URL): the invitation's free times, booking one, asking for a person instead. And Vapi's server URL
// for screen calls, POST /webhooks/vapi/screens (PROTOCOLS §1): checked on its raw bytes with the voice channel's
// secret or HMAC (off without TWELVE_VAPI_SECRET, like the voice channel), then end-of-call-report (stored once:
// a redelivery changes nothing), tool-calls (request_person; always 200 with one result per call), and the rest
// acknowledged with 200. A report for a call Twelve did not place is 404 not_found; a bad payload 400.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { webhookAuthenticated } from '../../../channels/voice/auth.ts';
import { type VoiceConfig, voiceConfigFromEnv } from '../../../channels/voice/config.ts';
import {
  EndOfCallReportSchema,
  EnvelopeSchema,
  normalizeToolCall,
  ToolCallsSchema,
} from '../../../channels/voice/payload.ts';
import { AppError } from '../../../errors.ts';
import { AgentParam, route, UuidParam } from '../../../server/http.ts';
import { pgSafe } from '../../../store/text.ts';
import type { KindContext } from '../../kind.ts';
import type { HiringMailer } from '../email.ts';
import { getJob } from '../jobs.ts';
import type { ScreenAssessment, ScreenQuestion } from '../screen/assess.ts';
import { llmAssessor } from '../screen/llm.ts';
import {
  BookScreenSchema,
  callPersonRequester,
  invitationPage,
  ScreenSetupSchema,
  screenBooker,
  screenForCall,
  screenInviter,
  screenPersonRequester,
  screenReportRecorder,
  screenSetupOf,
  screenSetupSaver,
  screenView,
  TokenSchema,
} from '../screen/screens.ts';
import { REQUEST_PERSON_TOOL, SCREEN_WEBHOOK_PATH } from '../screen/vapi.ts';
import { hiringAgent } from './dashboard.ts';
import { PUBLIC_PREFIX, PublicLimiter } from './public.ts';

/** Where links and Vapi reach this server: TWELVE_PUBLIC_URL, else the request's own scheme and host. */
export function baseOf(req: FastifyRequest, publicUrl = process.env.TWELVE_PUBLIC_URL): string {
  if (publicUrl?.trim()) return publicUrl.trim().replace(/\/+$/, '');
  const proto = String(req.headers['x-forwarded-proto'] ?? req.protocol)
    .split(',')[0]!
    .trim();
  return `${proto}://${req.headers['x-forwarded-host'] ?? req.headers.host}`;
}

function setupView(s: Awaited<ReturnType<typeof screenSetupOf>>) {
  if (!s) return { setup: null };
  return {
    setup: {
      timezone: s.profile.timezone,
      hours: s.profile.hours,
      durationMin: s.service.durationMin,
      lines: s.service.resourceIds.length,
    },
  };
}

/** The assessor an agent's config names: the LLM one with `engine: 'llm'` (its quotes are checked all the same). */
export function assessorFor(
  app: KindContext,
  config: Record<string, unknown>,
): ((t: string, q: ScreenQuestion[]) => Promise<ScreenAssessment>) | undefined {
  if (config.engine !== 'llm') return undefined;
  return (transcript, questions) => llmAssessor(app.llm(), transcript, questions);
}

/** Handles one Vapi message for screen calls (the webhook, and the demo through the same path). */
export async function screenWebhookMessage(app: KindContext, body: unknown): Promise<unknown> {
  const parsed = EnvelopeSchema.safeParse(body);
  if (!parsed.success) throw invalid('message', parsed.error.issues);
  const msg = parsed.data.message;
  if (msg.type !== 'end-of-call-report' && msg.type !== 'tool-calls') return { ok: true };
  if (!msg.call) throw new AppError('validation_failed', 'the Vapi message has no call');
  const hint = screenIdOf(msg);
  const screen = await screenForCall(app.db, msg.call.id, hint);
  if (!screen) throw new AppError('not_found', 'no phone screen has this call');
  if (msg.type === 'tool-calls') {
    const p = ToolCallsSchema.safeParse(msg);
    if (!p.success) throw invalid('tool-calls message', p.error.issues);
    const results = [];
    for (const call of p.data.toolCallList.map(normalizeToolCall)) {
      if (call.name === REQUEST_PERSON_TOOL) {
        await callPersonRequester(app, screen);
        results.push({
          toolCallId: call.id,
          name: call.name,
          result: 'Noted: a person from the company will contact the candidate. Thank them and end the call.',
        });
      } else results.push({ toolCallId: call.id, name: call.name, error: 'No such tool.' });
    }
    return { results };
  }
  const p = EndOfCallReportSchema.safeParse(msg);
  if (!p.success) throw invalid('end-of-call-report', p.error.issues);
  const r = p.data;
  const transcript = r.artifact?.transcript ?? r.transcript ?? transcriptOfMessages(r.artifact?.messages);
  const [row] = await app.db.query<{ job_id: string; config: Record<string, unknown> }>(
    `SELECT a.job_id, g.config FROM hiring_applications a JOIN agents g ON g.id = a.agent_id WHERE a.id = $1`,
    [screen.applicationId],
  );
  const job = row ? await getJob(app.db, row.job_id) : null;
  const out = await screenReportRecorder(
    app,
    screen,
    { callId: msg.call.id, endedReason: r.endedReason ?? null, transcript },
    job?.rubric.criteria ?? [],
    assessorFor(app, row?.config ?? {}),
  );
  return { ok: true, recorded: out.recorded };
}

function screenIdOf(msg: {
  assistant?: { metadata?: Record<string, unknown> } | null;
  call?: Record<string, unknown>;
}): string | null {
  const fromAssistant = msg.assistant?.metadata?.twelveScreenId;
  const overrides = (msg.call?.assistantOverrides as { metadata?: Record<string, unknown> } | undefined)
    ?.metadata;
  const id = fromAssistant ?? overrides?.twelveScreenId;
  return typeof id === 'string' && /^[0-9a-f-]{36}$/i.test(id) ? id : null;
}

/** A transcript from the artifact's messages when Vapi sent no transcript text (roles bot / user). */
function transcriptOfMessages(messages: unknown[] | undefined): string {
  if (!messages) return '';
  const lines: string[] = [];
  for (const m of messages) {
    const { role, message } = (m ?? {}) as { role?: unknown; message?: unknown };
    if (typeof message !== 'string' || !message.trim()) continue;
    if (role === 'user') lines.push(`User: ${message.trim()}`);
    else if (role === 'bot' || role === 'assistant') lines.push(`AI: ${message.trim()}`);
  }
  return lines.join('\n');
}

function invalid(what: string, issues: { path: PropertyKey[]; message: string }[]): AppError {
  return new AppError(
    'validation_failed',
    `the Vapi ${what} is not valid`,
    issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message })),
  );
}

function parseJson(raw: Buffer): unknown {
  try {
    return JSON.parse(raw.toString('utf8'), (_k, v) => (typeof v === 'string' ? pgSafe(v) : v));
  } catch {
    throw new AppError('invalid_json');
  }
}

const Token = TokenSchema.strict();

export function registerScreenRoutes(
  server: FastifyInstance,
  app: KindContext,
  mailer: () => HiringMailer | null,
  options: { voice?: VoiceConfig } = {},
): void {
  const tags = ['hiring'];

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/hiring/screen-setup',
      summary:
        "The phone screen line: time zone, hours, the screen's length and how many run at once (or null)",
      tags,
      permission: 'hiring.read',
      params: AgentParam,
    },
    async ({ params }) => {
      const agent = await hiringAgent(app, params.agent);
      return setupView(await screenSetupOf(app.db, agent.id));
    },
  );

  route(
    server,
    app,
    {
      method: 'PUT',
      url: '/api/agents/:agent/hiring/screen-setup',
      summary:
        'Sets up the phone screen line (a business profile, lines and a "Phone screen" service, audited)',
      tags,
      permission: 'hiring.write',
      params: AgentParam,
      body: ScreenSetupSchema,
    },
    async ({ params, body, principal }) => {
      const agent = await hiringAgent(app, params.agent);
      return setupView(await screenSetupSaver(app, principal.actor, agent.id, body));
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/applications/:id/screen/invite',
      summary:
        'Invites the candidate to the AI phone screen: an email with a private link to pick a time (shown once here)',
      tags,
      permission: 'hiring.write',
      params: UuidParam,
      status: 201,
    },
    async ({ params, principal, req }) => {
      const invited = await screenInviter(app, principal.actor, params.id, {
        base: baseOf(req),
        mailer: mailer(),
      });
      return { ...invited, expiresAt: invited.expiresAt.toISOString() };
    },
  );

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/applications/:id/screen',
      summary:
        "A candidate's phone screen: invitation, time, per-question assessment with quotes, transcript",
      tags,
      permission: 'hiring.read',
      params: UuidParam,
    },
    async ({ params }) => ({ screen: await screenView(app.db, params.id) }),
  );

  // Public: the token holder (the candidate).
  const ptags = ['hiring', 'public'];
  const limiter = new PublicLimiter({ max: 30, windowMs: 60_000 });
  const CareerParam = z.object({ agent: z.string().min(1).max(100) }).strict();
  const limit = (req: FastifyRequest, agent: string) => {
    if (!limiter.take(`${req.ip} ${agent}`))
      throw new AppError('rate_limited', 'too many requests from this address; try again in a minute');
  };

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/screen`,
      summary:
        "An invitation's page: the job, the free times of the next few days, or the time already booked",
      tags: ptags,
      permission: null,
      params: CareerParam,
      body: Token,
    },
    async ({ params, body, req }) => {
      limit(req, params.agent);
      return invitationPage(app, params.agent, body.token);
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/screen/book`,
      summary: 'Books the phone screen at a free time (no double booking; the same request twice books once)',
      tags: ptags,
      permission: null,
      params: CareerParam,
      body: BookScreenSchema,
      status: 201,
    },
    async ({ params, body, req }) => {
      limit(req, params.agent);
      return screenBooker(app, params.agent, body);
    },
  );

  route(
    server,
    app,
    {
      method: 'POST',
      url: `${PUBLIC_PREFIX}/:agent/screen/person`,
      summary: 'The candidate asks for a person instead of the AI screen (a booked screen is cancelled)',
      tags: ptags,
      permission: null,
      params: CareerParam,
      body: Token,
      status: 204,
    },
    async ({ params, body, req, reply }) => {
      limit(req, params.agent);
      await screenPersonRequester(app, params.agent, body.token);
      reply.code(204).send();
      return reply;
    },
  );

  // Vapi's server URL for screen calls.
  const voice = options.voice ?? voiceConfigFromEnv();
  if (!voice.secret) return;
  server.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('application/json', { parseAs: 'buffer' }, (_req, body, done) =>
      done(null, body),
    );
    scope.post(SCREEN_WEBHOOK_PATH, async (req, reply) => {
      const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      if (!webhookAuthenticated(req.headers, raw, voice, app.clock.now().getTime()))
        throw new AppError('webhook_unauthorized');
      return reply.code(200).send(await screenWebhookMessage(app, parseJson(raw)));
    });
  });
}
