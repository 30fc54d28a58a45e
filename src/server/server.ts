// The HTTP server: one Fastify instance serving health checks now, and the API, webhooks and dashboard as they
// land. Built by a factory so tests can inject requests without opening a port.
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app.ts';
import type { Config } from '../config.ts';

export interface ServerOptions {
  logLevel?: Config['logLevel'];
}

export async function buildServer(app: App, options: ServerOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    logger: { level: options.logLevel ?? 'info' },
    bodyLimit: 1_048_576,
    genReqId: () => crypto.randomUUID(),
  });

  // Liveness: the process answers. Readiness: it can reach its database.
  server.get('/health', async () => ({ status: 'ok' }));
  server.get('/ready', async (_req, reply) => {
    try {
      await app.db.query('SELECT 1');
      return { status: 'ready', database: app.db.driver };
    } catch {
      return reply.code(503).send({ status: 'unavailable', error: { id: 'database_unavailable' } });
    }
  });
  return server;
}
