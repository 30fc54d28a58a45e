// A local fake of the Anthropic Messages API (PROTOCOLS §5.1; https://docs.anthropic.com/en/api/messages,
// https://docs.anthropic.com/en/api/errors). It checks requests the way the real API does (path, auth headers,
// anthropic-version, body shape), answers with scripted replies in the real response and error formats, and
// records every request so tests can see exactly what was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';
import type { LlmSettings } from '../../src/engines/llm/settings.ts';

/** A scripted answer: a text completion, an API error, or raw bytes (for malformed responses). */
export type FakeAnthropicReply =
  | {
      text: string;
      /** A tool_use block after the text (a model asking to run a tool, offered or not); stop_reason tool_use. */
      toolUse?: { name: string; input: Record<string, unknown> };
      usage?: { input_tokens: number; output_tokens: number };
      stopReason?: 'end_turn' | 'max_tokens' | 'stop_sequence' | 'refusal' | 'tool_use';
      delayMs?: number;
    }
  | { status: number; errorType: AnthropicErrorType; message: string; delayMs?: number }
  | { status: number; rawBody: string; contentType?: string; delayMs?: number };

export type AnthropicErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'overloaded_error'
  | 'timeout_error'
  | 'billing_error';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
}

/** Versions the fake accepts: the documented one and the one SDK 1.x sends (PROTOCOLS §5.1). */
export const ANTHROPIC_VERSIONS = ['2023-06-01', '2026-10-21'] as const;

const TextBlock = z.object({ type: z.literal('text'), text: z.string() }).loose();
const ContentBlock = z.object({ type: z.string().min(1) }).loose();
const MessageParam = z.object({
  role: z.enum(['user', 'assistant', 'system']),
  content: z.union([z.string(), z.array(ContentBlock).min(1)]),
});
export const AnthropicRequestSchema = z
  .object({
    model: z.string().min(1),
    max_tokens: z.number().int().min(1),
    messages: z.array(MessageParam).min(1),
    system: z.union([z.string(), z.array(TextBlock)]).optional(),
    stream: z.boolean().optional(),
  })
  .loose();
export type AnthropicRequest = z.infer<typeof AnthropicRequestSchema>;

export interface FakeAnthropic {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What a client uses as its base URL (the API is under /v1). */
  baseURL: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queues replies, answered in order; with none left the fake answers 500 api_error. */
  script(...replies: FakeAnthropicReply[]): void;
  /** Replies not used yet. */
  pending(): number;
  /** Drops the replies not used yet. */
  clear(): void;
  close(): Promise<void>;
}

/** Settings that point Twelve's LLM client at the fake (no retries, so a scripted error is the answer). */
export function fakeAnthropicSettings(
  fake: FakeAnthropic,
  model: string,
  prices: LlmSettings['prices'] = {},
): LlmSettings {
  return {
    provider: 'anthropic',
    model,
    apiKey: fake.apiKey,
    baseURL: fake.baseURL,
    timeoutMs: 10_000,
    maxRetries: 0,
    prices,
  };
}

export async function startFakeAnthropic(options: { apiKey?: string } = {}): Promise<FakeAnthropic> {
  const apiKey = options.apiKey ?? 'sk-ant-fake-key';
  const queue: FakeAnthropicReply[] = [];
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = raw.length ? JSON.parse(raw) : undefined;
    } catch {
      body = undefined;
    }
    const record: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body,
      status: 0,
    };
    requests.push(record);
    const id = `req_fake_${++seq}`;
    const fail = (status: number, type: AnthropicErrorType, message: string) => {
      record.status = status;
      sendJson(res, status, { type: 'error', error: { type, message }, request_id: id }, id);
    };

    const path = (req.url ?? '').split('?')[0];
    if (path !== '/v1/messages') return fail(404, 'not_found_error', `Not found: ${path}`);
    if (req.method !== 'POST') return fail(405, 'invalid_request_error', `Method ${req.method} not allowed`);
    // Auth: x-api-key is documented; SDK 1.x sends Authorization: Bearer. Both are accepted (PROTOCOLS §5.1).
    const bearer = /^Bearer (.+)$/.exec(String(req.headers.authorization ?? ''))?.[1];
    const key = req.headers['x-api-key'] ?? bearer;
    if (!key) return fail(401, 'authentication_error', 'x-api-key header is required');
    if (key !== apiKey) return fail(401, 'authentication_error', 'invalid x-api-key');
    const version = req.headers['anthropic-version'];
    if (!version) return fail(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!(ANTHROPIC_VERSIONS as readonly string[]).includes(String(version)))
      return fail(400, 'invalid_request_error', `anthropic-version: invalid version ${String(version)}`);
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json'))
      return fail(400, 'invalid_request_error', 'content-type must be application/json');
    if (body === undefined)
      return fail(400, 'invalid_request_error', 'There was an issue with your request body');
    const parsed = AnthropicRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return fail(400, 'invalid_request_error', `${issue.path.join('.') || 'body'}: ${issue.message}`);
    }
    const request = parsed.data;
    if (version === '2026-10-21') {
      for (const p of ['temperature', 'top_p', 'top_k'])
        if (p in request) return fail(400, 'invalid_request_error', `${p}: Extra inputs are not permitted`);
    } else if (request.messages.some((m) => m.role === 'system')) {
      return fail(
        400,
        'invalid_request_error',
        'messages: Unexpected role "system". The Messages API accepts a top-level `system` parameter, not "system" as an input message role.',
      );
    }
    if (request.messages[0]?.role === 'assistant')
      return fail(400, 'invalid_request_error', 'messages: first message must use the "user" role');
    if (request.stream) return fail(400, 'invalid_request_error', 'stream: this fake does not stream');

    const reply = queue.shift();
    if (!reply) return fail(500, 'api_error', 'fake: no scripted reply left');
    const answer = () => {
      if (res.destroyed) return;
      if ('errorType' in reply) return fail(reply.status, reply.errorType, reply.message);
      if ('rawBody' in reply) {
        record.status = reply.status;
        res.writeHead(reply.status, {
          'content-type': reply.contentType ?? 'application/json',
          'request-id': id,
        });
        res.end(reply.rawBody);
        return;
      }
      record.status = 200;
      sendJson(
        res,
        200,
        {
          id: `msg_fake_${seq}`,
          type: 'message',
          role: 'assistant',
          model: request.model,
          // No "citations" key: documented responses omit it when citations are off, and @ai-sdk/anthropic
          // rejects `"citations": null` (its schema is array-or-absent), unlike PROTOCOLS §5.1's example.
          content: [
            ...(reply.text || !reply.toolUse ? [{ type: 'text', text: reply.text }] : []),
            ...(reply.toolUse
              ? [
                  {
                    type: 'tool_use',
                    id: `toolu_fake_${seq}`,
                    name: reply.toolUse.name,
                    input: reply.toolUse.input,
                  },
                ]
              : []),
          ],
          stop_reason: reply.stopReason ?? (reply.toolUse ? 'tool_use' : 'end_turn'),
          stop_sequence: null,
          usage: reply.usage ?? {
            input_tokens: Math.ceil(JSON.stringify([request.system, request.messages]).length / 4),
            output_tokens: Math.ceil(reply.text.length / 4),
          },
        },
        id,
      );
    };
    if (reply.delayMs) {
      const t = setTimeout(() => {
        timers.delete(t);
        answer();
      }, reply.delayMs);
      timers.add(t);
    } else answer();
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent)
        sendJson(
          res,
          500,
          { type: 'error', error: { type: 'api_error', message: String(err) } },
          'req_fake_err',
        );
    });
  });
  const url = await listen(server);
  return {
    url,
    baseURL: `${url}/v1`,
    apiKey,
    requests,
    script: (...replies) => {
      queue.push(...replies);
    },
    pending: () => queue.length,
    clear: () => {
      queue.length = 0;
    },
    close: async () => {
      for (const t of timers) clearTimeout(t);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The system prompt of an Anthropic request, as one string (it may be a string or text blocks). */
export function anthropicSystemText(body: unknown): string {
  const system = (body as AnthropicRequest | undefined)?.system;
  if (typeof system === 'string') return system;
  return (system ?? []).map((b) => b.text).join('\n');
}

/** Every message of the request, in order, as its role and its text blocks joined. */
export function anthropicTurns(body: unknown): { role: string; text: string }[] {
  const messages = (body as AnthropicRequest | undefined)?.messages ?? [];
  return messages.map((m) => ({
    role: m.role,
    text:
      typeof m.content === 'string'
        ? m.content
        : m.content
            .filter((b) => b.type === 'text')
            .map((b) => String(b.text))
            .join('\n'),
  }));
}

/** The text of each message of a role, in order. */
export function anthropicMessageTexts(body: unknown, role: 'user' | 'assistant'): string[] {
  return anthropicTurns(body)
    .filter((m) => m.role === role)
    .map((m) => m.text);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, requestId: string): void {
  if (res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json', 'request-id': requestId });
  res.end(JSON.stringify(body));
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      resolve(`http://127.0.0.1:${port}`);
    });
  });
}
