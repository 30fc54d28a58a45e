// A fake Vapi that speaks the real wire formats (PROTOCOLS §1): it POSTs server-URL messages ({"message": {...}})
// with the configured authentication (X-Vapi-Secret, Authorization: Bearer, or the HMAC credential's x-signature and
// x-timestamp over `{timestamp}.{body}`), and drives the custom LLM as Vapi does: POST {model.url}/chat/completions
// with the assistant's headers, `stream: true`, the call's messages in OpenAI format and the call attached
// (metadataSendMode "variable"), reading the SSE chunks back until `data: [DONE]`. Redelivery is sending the same
// bytes again.
import { createHmac, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export type VapiAuth =
  | { type: 'secret'; secret: string }
  | { type: 'bearer'; secret: string }
  | { type: 'hmac'; secret: string; now: () => number }
  | { type: 'none' };

export interface Delivery {
  status: number;
  body: unknown;
  /** The exact bytes sent, for redelivery. */
  sent: string;
}

export interface SpokenTurn {
  status: number;
  text: string;
  toolCalls: { id: string; function: { name: string; arguments: string } }[];
  finishReason: string | null;
  /** Every chunk as parsed, [DONE] excluded; `done` says whether the stream ended with it. */
  chunks: Record<string, unknown>[];
  /** For each chunk, which read of the response body it came in (0-based): chunks flushed apart come in apart. */
  reads: number[];
  done: boolean;
  contentType: string | null;
}

/** Called with each streamed chunk as soon as it has been read, while the response may still be coming. */
export type ChunkListener = (chunk: Record<string, unknown>) => void;

export interface FakeVapi {
  /** POSTs a raw body to the server URL with the configured auth. */
  post(body: string, auth?: VapiAuth): Promise<Delivery>;
  /** POSTs {"message": message}. */
  send(message: Record<string, unknown>, auth?: VapiAuth): Promise<Delivery>;
  /** A new inbound phone call from `customer` to the phone number `phoneNumberId`. */
  call(input: { phoneNumberId: string; customer: string; id?: string; type?: string }): FakeCall;
}

export interface FakeCall {
  id: string;
  /** The assistant the server answered assistant-request with. */
  assistant: Record<string, unknown> | null;
  /** The call's messages in OpenAI format (system, assistant, user …), as Vapi keeps them. */
  messages: { role: string; content: string }[];
  assistantRequest(): Promise<Delivery>;
  statusUpdate(status: string, endedReason?: string): Promise<Delivery>;
  toolCalls(
    calls: { name: string; args: Record<string, unknown>; id?: string }[],
    options?: { argsAsString?: boolean },
  ): Promise<Delivery>;
  transferDestinationRequest(): Promise<Delivery>;
  endOfCallReport(report?: { endedReason?: string; cost?: number; summary?: string }): Promise<Delivery>;
  /** The caller says `text`: one custom-LLM turn, streamed; the reply joins the call's messages. */
  say(text: string, options?: { stream?: boolean; onChunk?: ChunkListener }): Promise<SpokenTurn>;
  /** Vapi asks for the same turn again (same messages). */
  repeatTurn(options?: { stream?: boolean; onChunk?: ChunkListener }): Promise<SpokenTurn>;
}

export function authHeaders(auth: VapiAuth, body: string): Record<string, string> {
  switch (auth.type) {
    case 'secret':
      return { 'x-vapi-secret': auth.secret };
    case 'bearer':
      return { authorization: `Bearer ${auth.secret}` };
    case 'hmac': {
      const ts = String(auth.now());
      const sig = createHmac('sha256', auth.secret).update(`${ts}.${body}`).digest('hex');
      return { 'x-signature': sig, 'x-timestamp': ts };
    }
    case 'none':
      return {};
  }
}

export function startFakeVapi(options: { serverUrl: string; auth: VapiAuth; now?: () => number }): FakeVapi {
  const now = options.now ?? Date.now;
  const post = async (body: string, auth = options.auth): Promise<Delivery> => {
    const res = await fetch(options.serverUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...authHeaders(auth, body) },
      body,
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, sent: body };
  };
  const send = (message: Record<string, unknown>, auth?: VapiAuth) =>
    post(JSON.stringify({ message: { timestamp: now(), ...message } }), auth);

  function call(input: { phoneNumberId: string; customer: string; id?: string; type?: string }): FakeCall {
    const id = input.id ?? randomUUID();
    const callObject = () => ({
      id,
      orgId: 'org-fake',
      type: input.type ?? 'inboundPhoneCall',
      status: 'in-progress',
      phoneNumberId: input.phoneNumberId,
      customer: { number: input.customer },
      phoneCallProvider: 'twilio',
      phoneCallProviderId: `CA${id.replaceAll('-', '').slice(0, 32)}`,
    });
    const envelope = (type: string, extra: Record<string, unknown> = {}) => ({
      type,
      call: callObject(),
      phoneNumber: { id: input.phoneNumberId, number: '+15550001111' },
      customer: { number: input.customer },
      ...extra,
    });
    const fc: FakeCall = {
      id,
      assistant: null,
      messages: [],
      async assistantRequest() {
        const d = await send(envelope('assistant-request'));
        const assistant = (d.body as { assistant?: Record<string, unknown> })?.assistant ?? null;
        fc.assistant = assistant;
        if (assistant) {
          const model = assistant.model as { messages?: { role: string; content: string }[] };
          fc.messages = [...(model.messages ?? [])];
          if (typeof assistant.firstMessage === 'string')
            fc.messages.push({ role: 'assistant', content: assistant.firstMessage });
        }
        return d;
      },
      statusUpdate(status, endedReason) {
        return send(envelope('status-update', { status, ...(endedReason ? { endedReason } : {}) }));
      },
      toolCalls(calls, opts = {}) {
        const list = calls.map((c) => ({
          id: c.id ?? `call_${randomUUID().replaceAll('-', '').slice(0, 24)}`,
          type: 'function',
          function: { name: c.name, arguments: opts.argsAsString ? JSON.stringify(c.args) : c.args },
        }));
        return send(
          envelope('tool-calls', {
            toolCallList: list,
            toolWithToolCallList: list.map((tc) => ({
              type: 'function',
              function: { name: tc.function.name, parameters: { type: 'object', properties: {} } },
              toolCall: tc,
            })),
            artifact: { messages: [] },
          }),
        );
      },
      transferDestinationRequest() {
        return send(envelope('transfer-destination-request'));
      },
      endOfCallReport(report = {}) {
        const transcript = fc.messages
          .filter((m) => m.role !== 'system')
          .map((m) => `${m.role === 'user' ? 'User' : 'AI'}: ${m.content}`)
          .join('\n');
        return send(
          envelope('end-of-call-report', {
            endedReason: report.endedReason ?? 'customer-ended-call',
            startedAt: new Date(now() - 60_000).toISOString(),
            endedAt: new Date(now()).toISOString(),
            cost: report.cost ?? 0.12,
            costs: [],
            analysis: {
              summary: report.summary ?? 'The caller asked a question.',
              successEvaluation: 'true',
            },
            artifact: {
              transcript,
              messages: fc.messages
                .filter((m) => m.role !== 'system')
                .map((m, i) => ({
                  role: m.role === 'user' ? 'user' : 'bot',
                  message: m.content,
                  time: now(),
                  secondsFromStart: i,
                })),
              messagesOpenAIFormatted: fc.messages,
            },
          }),
        );
      },
      async say(text, opts = {}) {
        fc.messages.push({ role: 'user', content: text });
        return fc.repeatTurn(opts);
      },
      async repeatTurn(opts = {}) {
        const model = (fc.assistant?.model ?? {}) as {
          url?: string;
          headers?: Record<string, string>;
          model?: string;
        };
        if (!model.url) throw new Error('no assistant: send assistant-request first');
        const stream = opts.stream ?? true;
        const history =
          fc.messages.at(-1)?.role === 'assistant' && fc.messages.at(-2)?.role === 'user'
            ? fc.messages.slice(0, -1)
            : fc.messages;
        const res = await fetch(`${model.url}/chat/completions`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            accept: 'text/event-stream',
            ...(model.headers ?? {}),
          },
          body: JSON.stringify({
            model: model.model,
            messages: history,
            temperature: 0,
            max_tokens: 250,
            stream,
            call: callObject(),
            phoneNumber: { id: input.phoneNumberId },
            customer: { number: input.customer },
            metadata: {},
          }),
        });
        const turn = await readTurn(res, stream, opts.onChunk);
        if (turn.status === 200) {
          if (history !== fc.messages) fc.messages.pop();
          fc.messages.push({ role: 'assistant', content: turn.text });
        }
        return turn;
      },
    };
    return fc;
  }

  return { post, send, call };
}

async function readTurn(res: Response, stream: boolean, onChunk?: ChunkListener): Promise<SpokenTurn> {
  const contentType = res.headers.get('content-type');
  const turn: SpokenTurn = {
    status: res.status,
    text: '',
    toolCalls: [],
    finishReason: null,
    chunks: [],
    reads: [],
    done: false,
    contentType,
  };
  if (res.status !== 200) {
    await res.text();
    return turn;
  }
  if (!stream) {
    const raw = await res.text();
    const body = JSON.parse(raw) as {
      choices: {
        message: { content: string | null; tool_calls?: SpokenTurn['toolCalls'] };
        finish_reason: string;
      }[];
    };
    const choice = body.choices[0]!;
    return {
      ...turn,
      text: choice.message.content ?? '',
      toolCalls: choice.message.tool_calls ?? [],
      finishReason: choice.finish_reason,
      done: true,
    };
  }
  // SSE events are read as they arrive (a chunk listener sees each one while the server is still producing).
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (let read = 0; ; read++) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    const events = buffer.split('\n\n');
    buffer = events.pop() ?? '';
    for (const event of events) handleEvent(event, read);
  }
  if (buffer.trim()) handleEvent(buffer, -1);
  function handleEvent(event: string, read: number) {
    const line = event.trim();
    if (!line) return;
    if (!line.startsWith('data: ')) throw new Error(`not an SSE data line: ${line}`);
    const data = line.slice(6);
    if (data === '[DONE]') {
      turn.done = true;
      return;
    }
    const chunk = JSON.parse(data) as {
      object: string;
      choices: {
        delta: { content?: string; tool_calls?: (SpokenTurn['toolCalls'][number] & { index: number })[] };
        finish_reason: string | null;
      }[];
    };
    turn.chunks.push(chunk as unknown as Record<string, unknown>);
    turn.reads.push(read);
    onChunk?.(chunk as unknown as Record<string, unknown>);
    const choice = chunk.choices[0]!;
    if (choice.delta.content) turn.text += choice.delta.content;
    for (const tc of choice.delta.tool_calls ?? []) turn.toolCalls.push({ id: tc.id, function: tc.function });
    if (choice.finish_reason) turn.finishReason = choice.finish_reason;
  }
  return turn;
}

/** One request Vapi's REST API received. */
export interface RestRequest {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export interface FakeVapiRest {
  /** The base URL (VAPI_BASE_URL). */
  url: string;
  /** Every request received, in order. */
  requests: RestRequest[];
  /** The status the next POST /call answers (default 201 with a queued Call object). */
  failNext(status: number): void;
  close(): Promise<void>;
}

/**
 * Vapi's REST API for outbound calls (PROTOCOLS §1.12): POST /call with `Authorization: Bearer <key>` answers 201 and
 * a Call object (`id`, `status: "queued"`, `type: "outboundPhoneCall"`, `monitor`); a missing key is 401, a body
 * without `customer.number` or without an assistant is 400. It records each request, so tests read what was sent.
 */
export async function startFakeVapiRest(options: { apiKey: string }): Promise<FakeVapiRest> {
  const requests: RestRequest[] = [];
  let fail: number | null = null;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: unknown = raw;
      try {
        body = raw ? JSON.parse(raw) : null;
      } catch {}
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body });
      const send = (status: number, payload: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(payload));
      };
      if (req.headers.authorization !== `Bearer ${options.apiKey}`)
        return send(401, {
          message:
            'Invalid Key. Hot tip, you may be using the private key instead of the public key, or vice versa.',
        });
      if (req.method !== 'POST' || req.url !== '/call') return send(404, { message: 'Cannot find route' });
      if (fail !== null) {
        const status = fail;
        fail = null;
        return send(status, { message: 'fake failure', statusCode: status });
      }
      const b = body as { customer?: { number?: string }; assistant?: unknown; assistantId?: string } | null;
      if (!b?.customer?.number || !(b.assistant || b.assistantId))
        return send(400, {
          message: ['customer.number must be set', 'assistant or assistantId must be set'],
        });
      const id = randomUUID();
      send(201, {
        id,
        orgId: 'org-fake',
        type: 'outboundPhoneCall',
        status: 'queued',
        customer: b.customer,
        createdAt: new Date().toISOString(),
        monitor: {
          listenUrl: `wss://fake.vapi/${id}/listen`,
          controlUrl: `https://fake.vapi/${id}/control`,
        },
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    failNext(status) {
      fail = status;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
