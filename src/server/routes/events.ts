// Live updates for the dashboard: GET /api/events streams every bus event as Server-Sent Events. Events carry ids
// only; the dashboard re-reads what changed through the API, so a lost event costs freshness, never correctness.
// A `bus.resync` event (the node's LISTEN connection came back) tells it to re-read everything. A stream ends as soon
// as its credential is no longer good: on `credentials.changed` (a logout, a revoked token, a user's role changed,
// disabled or removed, on any node) the streams of that user or token look their credential up again.
import type { FastifyInstance } from 'fastify';
import { CREDENTIALS_CHANGED } from '../../accounts/users.ts';
import type { App } from '../../app.ts';
import { type EventBus, openEventBus, type TwelveEvent } from '../../events/bus.ts';
import { lookupPrincipal, route } from '../http.ts';

export interface EventRouteOptions {
  /** The node's bus. Without one, the route opens its own on first use and closes it with the server. */
  bus?: EventBus;
  heartbeatMs?: number;
  /** A client that lets this much output pile up unread is cut off; its browser reconnects and re-reads. */
  maxBufferedBytes?: number;
  /**
   * Streams end after this long and the browser reconnects (EventSource does so by itself). Reconnecting
   * authenticates again, so a revoked token or an expired session stops receiving events within this time.
   */
  maxStreamMs?: number;
}

const HEARTBEAT_MS = 15_000;
const MAX_BUFFERED_BYTES = 1_048_576;
const MAX_STREAM_MS = 15 * 60_000;

/** One SSE frame. The type goes on the `event:` line, so it must not be able to break the framing. */
export function sseFrame(event: TwelveEvent): string {
  const type = event.type.replace(/[^\w.-]/g, '_');
  return `event: ${type}\ndata: ${JSON.stringify(event)}\n\n`;
}

export function registerEventRoutes(
  server: FastifyInstance,
  app: App,
  options: EventRouteOptions = {},
): void {
  const heartbeatMs = options.heartbeatMs ?? HEARTBEAT_MS;
  const maxBuffered = options.maxBufferedBytes ?? MAX_BUFFERED_BYTES;
  const maxStreamMs = options.maxStreamMs ?? MAX_STREAM_MS;
  let ownBus: Promise<EventBus> | null = null;
  const busFor = (): Promise<EventBus> => {
    if (options.bus) return Promise.resolve(options.bus);
    ownBus ??= openEventBus(app.db, { log: server.log }).catch((err) => {
      ownBus = null; // the next request tries again instead of inheriting this failure
      throw err;
    });
    return ownBus;
  };
  const open = new Set<() => void>();

  // Streams never finish on their own, and server.close() waits for every open request: end them first.
  server.addHook('preClose', async () => {
    for (const end of [...open]) end();
  });
  server.addHook('onClose', async () => {
    if (ownBus) await (await ownBus.catch(() => null))?.close();
  });

  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/events',
      summary: 'Live events (Server-Sent Events): approvals, escalations, messages, spend caps',
      tags: ['events'],
      permission: 'events.read',
    },
    async ({ req, reply, principal }) => {
      const bus = await busFor();
      reply.hijack();
      const res = reply.raw;
      // The client may have gone while the bus was opening: its 'close' has fired already and would never come.
      if (res.destroyed || !res.socket || res.socket.destroyed) return;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // Reverse proxies (nginx) buffer responses by default, which would hold events back.
        'x-accel-buffering': 'no',
        'x-request-id': req.id,
      });
      let ended = false;
      const write = (chunk: string) => {
        if (ended) return;
        if (res.writableLength > maxBuffered) {
          req.log.warn({ buffered: res.writableLength }, 'SSE client is not reading; closing its stream');
          end();
          return;
        }
        res.write(chunk);
      };
      // Does a credentials.changed event concern this stream? A token's stream does not know its token's id, so it
      // checks on every revocation (rare).
      const concerns = (event: TwelveEvent) =>
        principal.user ? event.userId === principal.user.id : typeof event.tokenId === 'string';
      const recheck = async () => {
        const now = await lookupPrincipal(app, req).catch(() => null);
        if (!now || now.role !== principal.role || now.actor !== principal.actor) end();
      };
      const unsubscribe = bus.subscribe((event) => {
        if (event.type !== CREDENTIALS_CHANGED) write(sseFrame(event));
        else if (!ended && concerns(event)) void recheck();
      });
      const heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      const expiry = setTimeout(() => end(), maxStreamMs);
      const end = () => {
        if (ended) return;
        ended = true;
        clearInterval(heartbeat);
        clearTimeout(expiry);
        unsubscribe();
        open.delete(end);
        if (!res.writableEnded) res.end();
      };
      open.add(end);
      res.on('close', end);
      res.on('error', end);
      // The browser's reconnect delay, and a first byte so clients and proxies see the stream is live.
      write('retry: 3000\n: connected\n\n');
    },
  );
}
