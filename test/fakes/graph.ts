// A local fake of the WhatsApp Cloud API (Meta Graph API), following the PROTOCOLS §2.5 checklist: it plays Meta on
// both sides. As the API: POST /{version}/{phone-number-id}/messages checks `Authorization: Bearer`,
// `messaging_product`, the message shape, and the 24-hour window (400 + 131047 unless `type: "template"`), answers
// with a `wamid.*` in the real success/error envelopes (PROTOCOLS §2.3), and records every request. As the webhook
// caller: it builds message and status notifications in the real format (PROTOCOLS §2.2), signs the exact bytes it
// sends (`sha256=` + hex HMAC-SHA256 with the app secret, computed here independently of the code under test), and
// performs the GET verification handshake (PROTOCOLS §2.1).
import { createHmac, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const WINDOW_MS = 24 * 3600_000;

export interface GraphRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  /** Parsed JSON body, or the raw text when it was not JSON. */
  body: unknown;
  status: number;
}

export interface GraphSent {
  phoneNumberId: string;
  to: string;
  type: string;
  wamid: string;
  body: Record<string, unknown>;
}

/** A scripted failure for the next send: a Graph error envelope, or raw bytes. */
export type GraphFailure =
  | { status: number; code: number; message?: string; details?: string }
  | { status: number; rawBody: string };

export interface FakeGraphOptions {
  accessToken: string;
  appSecret: string;
  version?: string;
  /** The fake's idea of "now", for the window (tests pass their ManualClock). */
  now?: () => number;
  enforceWindow?: boolean;
}

export interface InboundSpec {
  phoneNumberId: string;
  from: string;
  id?: string;
  /** Seconds since the epoch; defaults to the fake's now. */
  timestamp?: number;
  text?: string;
  /** A message object for another type (`{type: 'image', image: {...}}`); replaces `text`. */
  message?: Record<string, unknown>;
  name?: string;
}

export interface FakeGraph {
  /** e.g. http://127.0.0.1:43123/v25.0 — what TWELVE_GRAPH_BASE_URL would be. */
  baseUrl: string;
  requests: GraphRequest[];
  sent: GraphSent[];
  failNext(...failures: GraphFailure[]): void;
  /** Opens (or moves) the customer's window as Meta sees it. */
  customerWrote(waId: string, atMs?: number): void;
  /** A signed-ready inbound message notification; also opens the customer's window. */
  messageEvent(spec: InboundSpec): Record<string, unknown>;
  statusEvent(
    phoneNumberId: string,
    wamid: string,
    status: string,
    extra?: Record<string, unknown>,
  ): Record<string, unknown>;
  sign(body: Buffer | string): string;
  /** POSTs a notification to a webhook the way Meta does; `signature: null` omits the header. */
  deliver(
    url: string,
    payload: unknown,
    opts?: { signature?: string | null; raw?: Buffer | string },
  ): Promise<{ status: number; body: string }>;
  /** The subscription handshake (GET with hub.mode, hub.verify_token, hub.challenge). */
  verify(url: string, token: string, challenge: string): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

export async function startFakeGraph(options: FakeGraphOptions): Promise<FakeGraph> {
  const version = options.version ?? 'v25.0';
  const now = options.now ?? Date.now;
  const enforceWindow = options.enforceWindow ?? true;
  const requests: GraphRequest[] = [];
  const sent: GraphSent[] = [];
  const failures: GraphFailure[] = [];
  const lastInbound = new Map<string, number>();

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = JSON.parse(text);
      } catch {}
      const answer = (status: number, json: unknown, raw?: string) => {
        requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, status });
        res.writeHead(status, { 'content-type': 'application/json' }).end(raw ?? JSON.stringify(json));
      };
      handle(req, body, answer);
    });
  });

  function graphError(status: number, code: number, message: string, details?: string) {
    return [
      status,
      {
        error: {
          message: `(#${code}) ${message}`,
          type: 'OAuthException',
          code,
          ...(details ? { error_data: { messaging_product: 'whatsapp', details } } : {}),
          fbtrace_id: randomBytes(6).toString('base64url'),
        },
      },
    ] as const;
  }

  function handle(
    req: IncomingMessage,
    body: unknown,
    answer: (s: number, j: unknown, raw?: string) => void,
  ) {
    const m = /^\/([^/]+)\/([0-9]+)\/messages$/.exec(req.url ?? '');
    if (req.method !== 'POST' || !m || m[1] !== version)
      return answer(...graphError(400, 100, 'Unsupported request', `no route ${req.method} ${req.url}`));
    if (req.headers.authorization !== `Bearer ${options.accessToken}`)
      return answer(...graphError(401, 190, 'Invalid OAuth access token'));
    const failure = failures.shift();
    if (failure) {
      if ('rawBody' in failure) return answer(failure.status, null, failure.rawBody);
      return answer(...graphError(failure.status, failure.code, failure.message ?? 'Error', failure.details));
    }
    const b = (body && typeof body === 'object' ? body : {}) as Record<string, unknown>;
    if (b.messaging_product !== 'whatsapp')
      return answer(...graphError(400, 100, 'Invalid parameter', 'messaging_product must be "whatsapp"'));
    if (b.status === 'read') return answer(200, { success: true });
    const to = typeof b.to === 'string' ? b.to.replace(/^\+/, '') : '';
    if (!/^[0-9]{5,20}$/.test(to))
      return answer(...graphError(400, 131009, 'Parameter value is not valid', 'to'));
    const type = String(b.type ?? 'text');
    if (type === 'text') {
      const t = b.text as { body?: unknown } | undefined;
      if (typeof t?.body !== 'string' || !t.body || t.body.length > 4096)
        return answer(...graphError(400, 100, 'Invalid parameter', 'text.body'));
    } else if (type === 'template') {
      const t = b.template as { name?: unknown; language?: { code?: unknown } } | undefined;
      if (typeof t?.name !== 'string' || typeof t.language?.code !== 'string')
        return answer(...graphError(404, 132001, 'Template name does not exist in the translation'));
    } else {
      return answer(...graphError(400, 131051, 'Unsupported message type'));
    }
    const last = lastInbound.get(to);
    if (enforceWindow && type !== 'template' && (last === undefined || now() - last >= WINDOW_MS)) {
      return answer(
        ...graphError(
          400,
          131047,
          'Re-engagement message',
          'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
        ),
      );
    }
    const wamid = `wamid.${randomBytes(24).toString('base64url')}`;
    sent.push({ phoneNumberId: m[2]!, to, type, wamid, body: b });
    answer(200, {
      messaging_product: 'whatsapp',
      contacts: [{ input: b.to, wa_id: to }],
      messages: [{ id: wamid, ...(type === 'template' ? { message_status: 'accepted' } : {}) }],
    });
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const envelope = (phoneNumberId: string, value: Record<string, unknown>) => ({
    object: 'whatsapp_business_account',
    entry: [
      {
        id: '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId },
              ...value,
            },
          },
        ],
      },
    ],
  });
  const sign = (body: Buffer | string) =>
    `sha256=${createHmac('sha256', options.appSecret).update(body).digest('hex')}`;

  return {
    baseUrl: `http://127.0.0.1:${port}/${version}`,
    requests,
    sent,
    failNext: (...f) => failures.push(...f),
    customerWrote: (waId, atMs) => lastInbound.set(waId.replace(/^\+/, ''), atMs ?? now()),
    messageEvent(spec) {
      const ts = spec.timestamp ?? Math.floor(now() / 1000);
      lastInbound.set(spec.from, ts * 1000);
      const message = spec.message ?? { type: 'text', text: { body: spec.text ?? 'Hello' } };
      return envelope(spec.phoneNumberId, {
        contacts: [{ profile: { name: spec.name ?? 'Ana' }, wa_id: spec.from }],
        messages: [
          {
            from: spec.from,
            id: spec.id ?? `wamid.${randomBytes(24).toString('base64url')}`,
            timestamp: String(ts),
            ...message,
          },
        ],
      });
    },
    statusEvent(phoneNumberId, wamid, status, extra = {}) {
      return envelope(phoneNumberId, {
        statuses: [
          {
            id: wamid,
            status,
            timestamp: String(Math.floor(now() / 1000)),
            recipient_id: sent.find((s) => s.wamid === wamid)?.to ?? '16315551181',
            ...(status === 'sent'
              ? { pricing: { billable: true, pricing_model: 'CBP', category: 'service' } }
              : {}),
            ...extra,
          },
        ],
      });
    },
    sign,
    async deliver(url, payload, opts = {}) {
      const raw = opts.raw ?? JSON.stringify(payload);
      const signature = opts.signature === undefined ? sign(raw) : opts.signature;
      const res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'facebookexternalua',
          ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
        },
        body: typeof raw === 'string' ? raw : new Uint8Array(raw),
      });
      return { status: res.status, body: await res.text() };
    },
    async verify(url, token, challenge) {
      const q = new URLSearchParams({
        'hub.mode': 'subscribe',
        'hub.challenge': challenge,
        'hub.verify_token': token,
      });
      const res = await fetch(`${url}?${q}`);
      return { status: res.status, body: await res.text() };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
