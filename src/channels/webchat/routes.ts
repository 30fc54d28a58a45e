// Web chat over HTTP: the public socket GET /api/webchat/:agent/socket, the widget script GET /widget.js and the
// demo page GET /demo. Public by design (a shop's visitors have no account): each socket can only read and write
// the one conversation it opened or holds the resume token of, and floods are cut off per connection and per IP.
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import websocket from '@fastify/websocket';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App } from '../../app.ts';
import { type EventBus, openEventBus } from '../../events/bus.ts';
import { findAgent } from '../../runtime/agents.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { widgetBundle } from './bundle.ts';
import { demoPage } from './demo.ts';
import { ChatHub } from './hub.ts';
import { AGENT_NAME, MAX_PAYLOAD_BYTES, type ServerFrame } from './protocol.ts';
import {
  ConnectionCounter,
  type Limiter,
  SharedWindowLimiter,
  type WindowLimit,
  WindowLimiter,
} from './rate-limit.ts';
import { ChatSession, type ChatSocket, CLOSE_NOT_AVAILABLE, CLOSE_RATE_LIMITED } from './session.ts';

export interface WebchatLimits {
  /** Customer messages per connection. */
  messages: WindowLimit;
  /** Customer messages and new conversations per IP: across all nodes on a PostgreSQL server (see rate-limit.ts). */
  perIp: WindowLimit;
  /** Frames of any kind per connection. */
  frames: WindowLimit;
  /** Open sockets per IP, per node. */
  connectionsPerIp: number;
}

export const DEFAULT_LIMITS: WebchatLimits = {
  messages: { max: 10, windowMs: 10_000 },
  perIp: { max: 30, windowMs: 10_000 },
  frames: { max: 30, windowMs: 10_000 },
  connectionsPerIp: 20,
};

export interface WebchatOptions {
  /** The node's event bus; without one the chat opens its own on first socket and closes it with the server. */
  bus?: EventBus;
  limits?: Partial<WebchatLimits>;
}

const AgentParam = z.object({ agent: z.string().regex(AGENT_NAME) });
/** Frames that arrive while the agent is being looked up are held, up to this many. */
const MAX_EARLY_FRAMES = 8;

export const DEMO_HTML = fileURLToPath(new URL('../../../examples/demo.html', import.meta.url));

export async function registerWebchat(
  server: FastifyInstance,
  app: App,
  options: WebchatOptions = {},
): Promise<void> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  let ownBus: Promise<EventBus> | null = null;
  const busFor = (): Promise<EventBus> => {
    if (options.bus) return Promise.resolve(options.bus);
    ownBus ??= openEventBus(app.db, { log: server.log }).catch((err: unknown) => {
      ownBus = null; // a failed LISTEN connection is retried by the next socket
      throw err;
    });
    return ownBus;
  };
  // PGlite is one process, so one node: its memory is the whole count.
  const shared =
    app.db.driver === 'pg'
      ? // Nodes share counts only under the same limit: counts of another window length do not compare.
        new SharedWindowLimiter(
          app.db,
          `webchat:ip:${limits.perIp.max}/${limits.perIp.windowMs}`,
          limits.perIp,
          {
            onError: (err) => server.log.warn({ err }, 'webchat: could not share rate-limit counts'),
          },
        ).start()
      : null;
  const ipLimiter: Limiter = shared ?? new WindowLimiter(limits.perIp);
  const connections = new ConnectionCounter(limits.connectionsPerIp);
  const inFlight = new Map<string, Promise<void>>();
  const hub = new ChatHub(app, busFor, server.log, () => ipLimiter.sweep());
  server.addHook('onClose', async () => {
    await hub.close();
    await shared?.close();
    if (ownBus) await (await ownBus.catch(() => null))?.close();
  });

  // Encapsulated: the plugin's decorators and upgrade handling stay with the chat routes.
  await server.register(async (scope) => {
    await scope.register(websocket, { options: { maxPayload: MAX_PAYLOAD_BYTES } });
    scope.get('/api/webchat/:agent/socket', { websocket: true }, (raw, req) => {
      const socket = raw as ChatSocket;
      // Listeners go on before the first await, or frames sent right after the upgrade would be lost.
      const early: Array<[unknown, boolean]> = [];
      let session: ChatSession | null = null;
      socket.on('message', (data, isBinary) => {
        if (session) session.onFrame(data, isBinary);
        else if (early.length < MAX_EARLY_FRAMES) early.push([data, isBinary]);
      });
      socket.on('error', (err) => req.log.debug({ err: err.message }, 'webchat: socket error'));
      const ip = req.ip;
      const counted = connections.acquire(ip);
      let gone = false;
      socket.on('close', () => {
        gone = true;
        if (counted) connections.release(ip);
        if (session) {
          session.markClosed();
          hub.remove(session);
        }
      });
      const refuse = (frame: ServerFrame, code: number, reason: string) => {
        if (socket.readyState !== 1) return;
        socket.send(JSON.stringify(frame));
        socket.close(code, reason);
      };
      if (!counted) {
        const message = 'too many open chats from this address';
        return refuse({ type: 'error', id: 'rate_limited', message }, CLOSE_RATE_LIMITED, 'too many sockets');
      }
      void (async () => {
        const agent = await chatAgent(app, req);
        if (!agent) {
          const message = 'this chat is not available';
          return refuse({ type: 'error', id: 'not_found', message }, CLOSE_NOT_AVAILABLE, 'unknown agent');
        }
        await hub.ready();
        if (gone) return;
        const s = new ChatSession({
          app,
          agent,
          socket,
          ip,
          log: req.log,
          frameLimiter: new WindowLimiter(limits.frames),
          messageLimiter: new WindowLimiter(limits.messages),
          ipLimiter,
          inFlight,
          join: (conversationId, joined) => hub.join(conversationId, joined),
        });
        socket.on('pong', () => {
          s.alive = true;
        });
        hub.add(s, socket);
        session = s;
        for (const [data, isBinary] of early.splice(0)) s.onFrame(data, isBinary);
      })().catch((err: unknown) => {
        req.log.error({ err }, 'webchat: could not open the chat');
        refuse(
          { type: 'error', id: 'internal_error', message: 'Something went wrong on our side.' },
          1011,
          '',
        );
      });
    });
  });

  server.get('/widget.js', async (req, reply) => {
    const bundle = await widgetBundle();
    reply
      .type('application/javascript; charset=utf-8')
      // A fixed URL in every embedding page: short freshness, cheap revalidation by ETag.
      .header('cache-control', 'public, max-age=300, stale-while-revalidate=86400')
      .header('etag', bundle.etag)
      .header('vary', 'accept-encoding')
      .header('x-content-type-options', 'nosniff')
      // Embedding pages live on other origins, some with Cross-Origin-Embedder-Policy.
      .header('cross-origin-resource-policy', 'cross-origin');
    if (req.headers['if-none-match'] === bundle.etag) return reply.code(304).send();
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')))
      return reply.header('content-encoding', 'gzip').send(bundle.gzip);
    return reply.send(bundle.js);
  });

  let template: Promise<string> | null = null;
  server.get('/demo', async (req, reply) => {
    template ??= readFile(DEMO_HTML, 'utf8');
    const page = await demoPage(app.db, await template, req, app.kindsServing('webchat'));
    return reply.code(page.status).headers(page.headers).type('text/html; charset=utf-8').send(page.html);
  });
}

/** The agent a socket talks to, by name, when its kind serves the web chat; anything else is "not available", without detail. */
async function chatAgent(app: App, req: FastifyRequest): Promise<AgentConfig | null> {
  const params = AgentParam.safeParse(req.params);
  if (!params.success) return null;
  try {
    const agent = await findAgent(app.db, params.data.agent);
    return app.kindsServing('webchat').includes(agent.kind) ? agent : null;
  } catch (err) {
    if ((err as { id?: string }).id === 'not_found') return null;
    throw err;
  }
}
