// `/mcp`: Twelve's MCP server over Streamable HTTP (PROTOCOLS §4.4), stateless: each POST gets its own server and
// transport, bound to the caller its bearer token names (an API token; cookies are not accepted here, so a web page
// cannot call it with a visitor's session). `?agent=NAME` binds the session to one agent. GET and DELETE: 405.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { tokenLookup } from '../accounts/users.ts';
import type { App } from '../app.ts';
import { AppError } from '../errors.ts';
import { findAgent } from '../runtime/agents.ts';
import { authorize } from '../server/permissions.ts';
import { buildMcpServer } from './server.ts';

function jsonRpcError(
  reply: FastifyReply,
  status: number,
  message: string,
  headers: Record<string, string> = {},
) {
  for (const [k, v] of Object.entries(headers)) reply.header(k, v);
  return reply.code(status).send({ jsonrpc: '2.0', error: { code: -32000, message }, id: null });
}

/** A browser page of another origin is refused (DNS rebinding, cross-site calls): PROTOCOLS §4.4 security. */
function foreignOrigin(req: FastifyRequest): boolean {
  const origin = req.headers.origin;
  if (!origin) return false;
  try {
    return new URL(origin).host !== req.headers.host;
  } catch {
    return true;
  }
}

export function registerMcpRoutes(server: FastifyInstance, app: App): void {
  server.post('/mcp', async (req, reply) => {
    if (foreignOrigin(req)) return jsonRpcError(reply, 403, 'this origin may not call the MCP endpoint');
    const auth = req.headers.authorization;
    const token = auth?.startsWith('Bearer ') ? await tokenLookup(app, auth.slice(7).trim()) : null;
    if (!token)
      return jsonRpcError(reply, 401, 'send an API token as Authorization: Bearer <token>', {
        'www-authenticate': 'Bearer realm="twelve-mcp"',
      });
    try {
      authorize(token.role, 'mcp.read');
    } catch {
      return jsonRpcError(reply, 403, `the ${token.role} role cannot use MCP`);
    }
    const agentRef = (req.query as { agent?: unknown }).agent;
    let agent = null;
    if (agentRef !== undefined) {
      try {
        agent = await findAgent(app.db, String(agentRef));
      } catch (err) {
        if (err instanceof AppError) return jsonRpcError(reply, 404, err.message);
        throw err;
      }
    }
    const mcp = await buildMcpServer(app, { actor: `token:${token.name}`, role: token.role }, agent);
    const { StreamableHTTPServerTransport } = await import(
      '@modelcontextprotocol/sdk/server/streamableHttp.js'
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    reply.hijack();
    reply.raw.on('close', () => {
      void transport.close().catch(() => {});
      void mcp.close().catch(() => {});
    });
    try {
      await mcp.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, req.body);
    } catch (err) {
      // The reply is hijacked: the error handler cannot answer, so this does (not leaking the cause).
      req.log.error({ err }, 'MCP request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', error: { code: -32603, message: 'internal error' }, id: null }),
        );
      }
    }
  });
  const notAllowed = async (_req: FastifyRequest, reply: FastifyReply) =>
    jsonRpcError(reply, 405, 'this MCP endpoint is stateless: POST only', { allow: 'POST' });
  server.get('/mcp', notAllowed);
  server.delete('/mcp', notAllowed);
}
