// The HTTP server: one Fastify instance serving the API, webhooks and dashboard. Built by a factory so tests can
// inject requests without opening a port.

import cookie from '@fastify/cookie';
import Fastify, { type FastifyInstance } from 'fastify';
import type { App } from '../app.ts';
import type { AnchorKey } from '../audit/anchor.ts';
import { registerVoiceRoutes } from '../channels/voice/routes.ts';
import { registerWebchat } from '../channels/webchat/routes.ts';
import { registerWhatsAppRoutes } from '../channels/whatsapp/routes.ts';
import type { Config } from '../config.ts';
import type { EventBus } from '../events/bus.ts';
import { registerKbRoutes } from '../knowledge/routes/kb.ts';
import { registerMcpRoutes } from '../mcp/http.ts';
import { registerMcpGatewayRoutes } from '../mcp/routes.ts';
import { registerApiDocs } from './docs.ts';
import { frameworkErrorHandler, installErrorHandling } from './http.ts';
import { buildOpenApi } from './openapi.ts';
import { registerAdminRoutes } from './routes/admin.ts';
import { registerAgentRoutes } from './routes/agents.ts';
import { registerApprovalRoutes } from './routes/approvals.ts';
import { registerAuditRoutes } from './routes/audit.ts';
import { registerAuthRoutes } from './routes/auth.ts';
import { registerCallRoutes } from './routes/calls.ts';
import { registerConversationRoutes } from './routes/conversations.ts';
import { registerEscalationRoutes } from './routes/escalations.ts';
import { registerEventRoutes } from './routes/events.ts';
import { registerInboxRoutes } from './routes/inbox.ts';
import { registerMetricsRoutes } from './routes/metrics.ts';
import { registerPeopleRoutes } from './routes/people.ts';
import { registerReadinessRoutes } from './routes/readiness.ts';
import { registerRunRoutes } from './routes/runs.ts';
import { registerDashboard } from './static.ts';

export interface ServerOptions {
  logLevel?: Config['logLevel'];
  /** Where log lines go instead of stdout's JSON (server/pretty-log.ts for a terminal). */
  logStream?: NodeJS.WritableStream;
  /** Secure cookies (HTTPS deployments). Defaults to true when publicUrl is https. */
  publicUrl?: string;
  bodyLimit?: number;
  /** The node's event bus for GET /api/events; without one the route opens its own on first use. */
  events?: EventBus;
  /** The key that signs and checks audit anchors (audit/anchor.ts); without one those routes answer 409. */
  anchorKey?: () => AnchorKey | null;
}

export const VERSION = '0.1.0';

export async function buildServer(app: App, options: ServerOptions = {}): Promise<FastifyInstance> {
  const server = Fastify({
    logger: {
      level: options.logLevel ?? 'info',
      ...(options.logStream ? { stream: options.logStream } : {}),
    },
    bodyLimit: options.bodyLimit ?? 1_048_576,
    genReqId: () => crypto.randomUUID(),
    requestIdHeader: false,
    // Errors Fastify raises before routing (bad percent-encoding, over-long parameters) get our error shape too.
    frameworkErrors: frameworkErrorHandler,
  });
  server.addHook('onSend', async (req, reply) => {
    reply.header('x-request-id', req.id);
  });
  installErrorHandling(server);
  await server.register(cookie);

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

  registerAuthRoutes(server, app, { secureCookies: options.publicUrl?.startsWith('https://') ?? false });
  registerAgentRoutes(server, app);
  registerEventRoutes(server, app, { bus: options.events });
  registerReadinessRoutes(server, app);
  registerRunRoutes(server, app);
  registerApprovalRoutes(server, app);
  registerEscalationRoutes(server, app);
  registerConversationRoutes(server, app);
  registerInboxRoutes(server, app);
  registerCallRoutes(server, app);
  registerMetricsRoutes(server, app);
  // The knowledge base of any agent whose kind has one (src/knowledge), then each kind's own routes.
  registerKbRoutes(server, app);
  for (const kind of app.kinds.values()) kind.routes?.(server);
  registerAuditRoutes(server, app, options.anchorKey);
  registerAdminRoutes(server, app);
  registerPeopleRoutes(server, app, { secureCookies: options.publicUrl?.startsWith('https://') ?? false });
  registerWhatsAppRoutes(server, app);
  registerVoiceRoutes(server, app);
  registerMcpRoutes(server, app);
  registerMcpGatewayRoutes(server, app);
  await app.mcp.load();
  await registerWebchat(server, app, { bus: options.events });

  server.get('/api/openapi.json', async () => buildOpenApi(server, VERSION));
  registerApiDocs(server, VERSION);
  await registerDashboard(server);
  return server;
}
