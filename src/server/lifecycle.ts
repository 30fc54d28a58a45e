// Starting and stopping a node. Start: database (migrated), app, event bus, HTTP server, jobs, then listen. Stop:
// stop accepting and drain in-flight requests while running jobs finish, then close the bus and the database last,
// because both drains still need it. Nothing here is kept in memory that another node would miss, so any number of
// nodes can run this against one PostgreSQL.
import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { type App, createApp } from '../app.ts';
import { anchorKey } from '../audit/anchor.ts';
import { type RunningChannels, startChannels } from '../channels/start.ts';
import type { Config } from '../config.ts';
import { type EventBus, openEventBus } from '../events/bus.ts';
import type { Log } from '../events/log.ts';
import { JobRunner, type JobRunnerOptions } from '../jobs/runner.ts';
import type { Db } from '../store/db.ts';
import { openDatabase } from '../store/open.ts';
import { buildServer } from './server.ts';

export interface StartOptions {
  /** An open, migrated database to use instead of the configured one; the caller keeps it (stop() leaves it open). */
  db?: Db;
  nodeId?: string;
  /** Job runner settings, or false for a node that serves HTTP only. */
  jobs?: JobRunnerOptions | false;
  /** How long stop() lets in-flight requests finish before cutting their connections. */
  drainMs?: number;
  /** How long stop() lets running jobs finish before failing them back to the queue. */
  jobsDrainMs?: number;
  /** Where log lines go instead of stdout's JSON (a terminal's readable lines: server/pretty-log.ts). */
  logStream?: NodeJS.WritableStream;
  /** Where channel settings come from (email, WhatsApp); defaults to process.env. */
  env?: NodeJS.ProcessEnv;
}

export interface RunningTwelve {
  address: string;
  app: App;
  server: FastifyInstance;
  bus: EventBus;
  jobs: JobRunner | null;
  channels: RunningChannels;
  /** Idempotent: every call returns the same shutdown. */
  stop(): Promise<void>;
}

export async function startTwelve(config: Config, options: StartOptions = {}): Promise<RunningTwelve> {
  const ownsDb = !options.db;
  const db = options.db ?? (await openDatabase(config));
  const undo: (() => Promise<unknown>)[] = ownsDb ? [() => db.close()] : [];
  try {
    // The app and the bus start before the server (the server needs them) but log through the server's logger.
    let server: FastifyInstance | undefined;
    const app = createApp(db, {
      ...(options.nodeId ? { nodeId: options.nodeId } : {}),
      // The provider `twelve start` checked before serving (config.ts), not whatever process.env holds later.
      ...(config.llm !== undefined ? { llm: config.llm } : {}),
      log: forwardLog(() => server?.log.child({ component: 'runtime' })),
    });
    undo.unshift(() => app.runtime.settle());
    const bus = await openEventBus(db, { log: forwardLog(() => server?.log.child({ component: 'events' })) });
    undo.unshift(() => bus.close());
    // Each kind's start hook (the support kind trains its engines ahead of questions).
    const stopKinds = app.startKinds({
      bus,
      log: forwardLog(() => server?.log.child({ component: 'kinds' })),
    });
    undo.unshift(stopKinds);
    server = await buildServer(app, {
      logLevel: config.logLevel,
      ...(options.logStream ? { logStream: options.logStream } : {}),
      publicUrl: config.publicUrl,
      events: bus,
      anchorKey: () => anchorKey(options.env ?? process.env, config.dataDir, { create: true }),
    });
    const built = server;
    trackSockets(built);
    undo.unshift(() => built.close());
    const jobs =
      options.jobs === false
        ? null
        : new JobRunner(app, { log: built.log.child({ component: 'jobs' }), ...options.jobs });
    if (jobs) {
      await jobs.start();
      undo.unshift(() => jobs.stop({ graceful: false }));
    }
    const channels = await startChannels(
      app,
      bus,
      options.env ?? process.env,
      built.log.child({ component: 'channels' }),
    );
    undo.unshift(() => channels.stop());
    const address = await built.listen({ port: config.port, host: config.host });
    let stopping: Promise<void> | null = null;
    const stop = () => {
      stopping ??= (async () => {
        built.log.info({ nodeId: app.nodeId }, 'stopping: draining requests and jobs');
        // Both drains wait on work in progress; running them side by side keeps shutdown within one grace period.
        const drained = await Promise.allSettled([
          closeServer(built, options.drainMs ?? 25_000),
          jobs?.stop({ graceful: true, timeoutMs: options.jobsDrainMs ?? 20_000 }),
          channels.stop(),
        ]);
        for (const r of drained)
          if (r.status === 'rejected') built.log.error({ err: r.reason }, 'stopping: a drain failed');
        await stopKinds();
        await bus.close().catch((err) => built.log.error({ err }, 'stopping: the event bus did not close'));
        await app.runtime.settle();
        if (ownsDb) await db.close();
        built.log.info({ nodeId: app.nodeId }, 'stopped');
      })();
      return stopping;
    };
    return { address, app, server: built, bus, jobs, channels, stop };
  } catch (err) {
    for (const step of undo) await step().catch(() => {});
    throw err;
  }
}

/**
 * Resolves once the node has stopped after SIGINT or SIGTERM. A second signal while stopping exits at once, for
 * the operator whose shutdown is stuck behind a request that will never finish.
 */
export function stopOnSignals(
  twelve: RunningTwelve,
  onSignal: (signal: string) => void = () => {},
): Promise<void> {
  return new Promise((resolve, reject) => {
    let received = false;
    const handle = (signal: NodeJS.Signals) => {
      if (received) {
        onSignal(`${signal} again`);
        process.exit(130);
      }
      received = true;
      onSignal(signal);
      twelve.stop().then(() => {
        process.off('SIGINT', handle);
        process.off('SIGTERM', handle);
        resolve();
      }, reject);
    };
    process.on('SIGINT', handle);
    process.on('SIGTERM', handle);
  });
}

const connectedAt = new WeakMap<FastifyInstance, Map<Socket, number>>();

/** Remembers open sockets, so closeServer can tell an idle preconnect from a connection carrying a request. */
export function trackSockets(server: FastifyInstance): void {
  const sockets = new Map<Socket, number>();
  connectedAt.set(server, sockets);
  server.server.on('connection', (socket: Socket) => {
    sockets.set(socket, Date.now());
    socket.once('close', () => sockets.delete(socket));
  });
}

/**
 * Fastify's close() stops accepting, ends SSE streams (their preClose hook), and waits for in-flight requests. Until
 * it is done, connections are closed as soon as they have no request left, including sockets that never sent one
 * (browsers and fetch open spare ones, which Node does not count as idle and would wait out for headersTimeout).
 * After drainMs, whatever is left is cut.
 */
export async function closeServer(server: FastifyInstance, drainMs: number): Promise<void> {
  const closing = server.close();
  const sockets = connectedAt.get(server);
  const sweep = () => {
    // Connections whose last request finished after close() began (a drained request, an ended SSE stream) are
    // idle now; close() only closed the ones idle when it started.
    server.server.closeIdleConnections();
    const now = Date.now();
    for (const [socket, at] of sockets ?? []) {
      // A real request's first bytes arrive right after connect; give them a moment before calling it a spare.
      if (socket.bytesRead === 0 && now - at > 250) socket.destroy();
    }
  };
  const sweeper = setInterval(sweep, 100);
  const cutoff = setTimeout(() => {
    server.log.warn(
      { drainMs },
      'stopping: requests still running after the drain time; closing their connections',
    );
    server.server.closeAllConnections();
  }, drainMs);
  try {
    sweep();
    await closing;
  } finally {
    clearInterval(sweeper);
    clearTimeout(cutoff);
  }
}

function forwardLog(target: () => Log | undefined): Log {
  return {
    debug: (obj, msg) => target()?.debug(obj, msg),
    info: (obj, msg) => target()?.info(obj, msg),
    warn: (obj, msg) => target()?.warn(obj, msg),
    error: (obj, msg) => target()?.error(obj, msg),
  };
}
