// A local fake of an OpenAI-compatible chat-completions server (PROTOCOLS §5.2; OpenAI API reference
// https://platform.openai.com/docs/api-reference/chat/create and error codes
// https://platform.openai.com/docs/guides/error-codes; Ollama/vLLM/llama.cpp serve the same /v1 shape). It checks
// path, Bearer auth and body shape, answers with scripted replies in the real response and error formats, and
// records every request so tests can see exactly what was sent.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { z } from 'zod';

/** A scripted answer: a completion, an API error, or raw bytes (for malformed responses). */
export type FakeOpenAiReply =
  | {
      text: string;
      /** tool_calls on the message (a model asking to run a tool, offered or not); finish_reason tool_calls. */
      toolCalls?: { name: string; arguments: string }[];
      usage?: { prompt_tokens: number; completion_tokens: number };
      finishReason?: 'stop' | 'length' | 'content_filter' | 'tool_calls';
      delayMs?: number;
    }
  | { status: number; errorType: string; message: string; code?: string | null; delayMs?: number }
  | { status: number; rawBody: string; contentType?: string; delayMs?: number };

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body (undefined when it was not JSON). */
  body: unknown;
  /** The status the fake answered with. */
  status: number;
}

const ContentPart = z.object({ type: z.string().min(1) }).loose();
const ChatMessage = z
  .object({
    role: z.enum(['system', 'developer', 'user', 'assistant', 'tool']),
    content: z.union([z.string(), z.array(ContentPart), z.null()]).optional(),
  })
  .loose();
export const ChatRequestSchema = z
  .object({
    model: z.string().min(1),
    messages: z.array(ChatMessage).min(1),
    max_tokens: z.number().int().min(1).optional(),
    max_completion_tokens: z.number().int().min(1).optional(),
    stream: z.boolean().optional(),
  })
  .loose();
export type ChatRequest = z.infer<typeof ChatRequestSchema>;

export interface FakeOpenAi {
  /** http://127.0.0.1:<port> */
  url: string;
  /** What a client uses as its base URL (`…/v1`, as with Ollama, vLLM and llama.cpp). */
  baseURL: string;
  apiKey: string;
  requests: RecordedRequest[];
  /** Queues replies, answered in order; with none left the fake answers 500 server_error. */
  script(...replies: FakeOpenAiReply[]): void;
  /** Replies not used yet. */
  pending(): number;
  /** Drops the replies not used yet. */
  clear(): void;
  close(): Promise<void>;
}

export async function startFakeOpenAi(options: { apiKey?: string } = {}): Promise<FakeOpenAi> {
  const apiKey = options.apiKey ?? 'sk-fake-openai-key';
  const queue: FakeOpenAiReply[] = [];
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
    const fail = (status: number, type: string, message: string, code: string | null = null) => {
      record.status = status;
      sendJson(res, status, { error: { message, type, param: null, code } }, id);
    };

    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'POST' || path !== '/v1/chat/completions')
      return fail(404, 'invalid_request_error', `Unknown request URL: ${req.method} ${path}.`, 'unknown_url');
    const auth = String(req.headers.authorization ?? '');
    if (!auth)
      return fail(
        401,
        'invalid_request_error',
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
      );
    if (auth !== `Bearer ${apiKey}`)
      return fail(401, 'invalid_request_error', 'Incorrect API key provided.', 'invalid_api_key');
    if (body === undefined)
      return fail(400, 'invalid_request_error', 'We could not parse the JSON body of your request.');
    const parsed = ChatRequestSchema.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      return fail(
        400,
        'invalid_request_error',
        `Invalid '${issue.path.join('.') || 'body'}': ${issue.message}`,
      );
    }
    const request = parsed.data;
    if (request.stream) return fail(400, 'invalid_request_error', 'This fake does not stream.');

    const reply = queue.shift();
    if (!reply) return fail(500, 'server_error', 'fake: no scripted reply left');
    const answer = () => {
      if (res.destroyed) return;
      if ('errorType' in reply) return fail(reply.status, reply.errorType, reply.message, reply.code ?? null);
      if ('rawBody' in reply) {
        record.status = reply.status;
        res.writeHead(reply.status, {
          'content-type': reply.contentType ?? 'application/json',
          'x-request-id': id,
        });
        res.end(reply.rawBody);
        return;
      }
      const usage = reply.usage ?? {
        prompt_tokens: Math.ceil(JSON.stringify(request.messages).length / 4),
        completion_tokens: Math.ceil(reply.text.length / 4),
      };
      record.status = 200;
      sendJson(
        res,
        200,
        {
          id: `chatcmpl-fake-${seq}`,
          object: 'chat.completion',
          created: Math.floor(Date.now() / 1000),
          model: request.model,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: reply.text || (reply.toolCalls?.length ? null : reply.text),
                refusal: null,
                ...(reply.toolCalls?.length
                  ? {
                      tool_calls: reply.toolCalls.map((c, i) => ({
                        id: `call_fake_${seq}_${i}`,
                        type: 'function',
                        function: { name: c.name, arguments: c.arguments },
                      })),
                    }
                  : {}),
              },
              logprobs: null,
              finish_reason: reply.finishReason ?? (reply.toolCalls?.length ? 'tool_calls' : 'stop'),
            },
          ],
          usage: { ...usage, total_tokens: usage.prompt_tokens + usage.completion_tokens },
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
          { error: { message: String(err), type: 'server_error', param: null, code: null } },
          'x',
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

/** Every message of the request, in order, as its role and its text (content may be a string or text parts). */
export function chatTurns(body: unknown): { role: string; text: string }[] {
  const messages = (body as ChatRequest | undefined)?.messages ?? [];
  return messages.map((m) => ({
    role: m.role,
    text:
      typeof m.content === 'string'
        ? m.content
        : (m.content ?? [])
            .filter((p) => p.type === 'text')
            .map((p) => String(p.text))
            .join('\n'),
  }));
}

/** The text of each message of a role, in order. */
export function chatMessageTexts(body: unknown, role: 'system' | 'user' | 'assistant'): string[] {
  return chatTurns(body)
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
  res.writeHead(status, { 'content-type': 'application/json', 'x-request-id': requestId });
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
