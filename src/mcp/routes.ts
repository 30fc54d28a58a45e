// The gateway's API: an agent's outside MCP servers and their tools (quarantine with diffs, accept, detach).
// Reading needs agents.read; changing needs mcp.manage (admins). Secrets (env values, header values) never leave.
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { App } from '../app.ts';
import { findAgent } from '../runtime/agents.ts';
import { RISK_CLASSES } from '../runtime/types.ts';
import { AgentParam, route } from '../server/http.ts';
import {
  AttachSchema,
  listGatewayTools,
  listServers,
  redactServer,
  SERVER_NAME,
  serverAttacher,
  serverDetacher,
  serverRefresher,
  toolAccepter,
} from './gateway/gateway.ts';

const ServerParam = AgentParam.extend({ server: z.string().regex(SERVER_NAME) }).strict();
const AcceptBody = z
  .object({
    server: z.string().regex(SERVER_NAME),
    tool: z.string().min(1).max(128),
    fingerprint: z.string().regex(/^[0-9a-f]{64}$/),
    risk: z
      .enum(RISK_CLASSES as unknown as [string, ...string[]])
      .nullable()
      .optional(),
  })
  .strict();

/** How often a serving node reads the accepted gateway tools again (another node's acceptance or detach). */
const RELOAD_MS = 30_000;

export function registerMcpGatewayRoutes(server: FastifyInstance, app: App): void {
  const timer = setInterval(() => void app.mcp.load().catch(() => {}), RELOAD_MS);
  timer.unref();
  server.addHook('onClose', async () => clearInterval(timer));
  const view = async (agentId: string) => ({
    servers: (await listServers(app.db, agentId)).map(redactServer),
    tools: await listGatewayTools(app.db, agentId),
  });
  route(
    server,
    app,
    {
      method: 'GET',
      url: '/api/agents/:agent/mcp',
      summary: 'The outside MCP servers attached to an agent and their tools (quarantine with diffs)',
      tags: ['mcp'],
      permission: 'agents.read',
      params: AgentParam,
    },
    async ({ params }) => view((await findAgent(app.db, params.agent)).id),
  );
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/mcp/servers',
      summary: 'Attach an outside MCP server (stdio command or HTTP URL); its tools start quarantined',
      tags: ['mcp'],
      permission: 'mcp.manage',
      params: AgentParam,
      body: AttachSchema,
      status: 201,
    },
    async ({ params, body, principal }) => {
      const report = await serverAttacher(app, principal.actor, params.agent, body);
      await app.mcp.load();
      return { server: redactServer(report.server), tools: report.tools, error: report.error };
    },
  );
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/mcp/servers/:server/refresh',
      summary: 'List the server’s tools again (new or changed definitions are quarantined)',
      tags: ['mcp'],
      permission: 'mcp.manage',
      params: ServerParam,
    },
    async ({ params, principal }) => {
      const report = await serverRefresher(app, principal.actor, params.agent, params.server);
      await app.mcp.load();
      return report;
    },
  );
  route(
    server,
    app,
    {
      method: 'DELETE',
      url: '/api/agents/:agent/mcp/servers/:server',
      summary: 'Detach an outside MCP server',
      tags: ['mcp'],
      permission: 'mcp.manage',
      params: ServerParam,
    },
    async ({ params, principal }) => {
      await serverDetacher(app, principal.actor, params.agent, params.server);
      await app.mcp.load();
      return { ok: true };
    },
  );
  route(
    server,
    app,
    {
      method: 'POST',
      url: '/api/agents/:agent/mcp/accept',
      summary: 'Accept the tool definition shown (its fingerprint); optionally override its risk class',
      tags: ['mcp'],
      permission: 'mcp.manage',
      params: AgentParam,
      body: AcceptBody,
    },
    async ({ params, body, principal }) => {
      const tool = await toolAccepter(app, principal.actor, params.agent, {
        server: body.server,
        tool: body.tool,
        fingerprint: body.fingerprint,
        ...(body.risk !== undefined ? { risk: body.risk as (typeof RISK_CLASSES)[number] | null } : {}),
      });
      await app.mcp.load();
      return { tool };
    },
  );
}
