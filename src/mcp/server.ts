// Twelve as an MCP server (PROTOCOLS §4), one per session: stdio (`twelve mcp`) or one Streamable HTTP request
// (`/mcp`, http.ts). The caller's role bounds what is listed and what may be called; an agent's tools run through
// the runtime (Runtime.runRequestedTool: the same policy, approvals and audit as a brain's call); every call is
// audited with the caller as actor. Unknown tools are protocol errors; refusals and failures are `isError` results.
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { App } from '../app.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { can } from '../server/permissions.ts';
import { MCP_SOURCES } from './sources.ts';
import { errorResult, type McpCaller, type McpScope, type McpTool, type McpToolSource } from './tools.ts';

export const MCP_SERVER_INFO = { name: 'twelve', version: '1.0.0' } as const;

async function allTools(scope: McpScope, sources: readonly McpToolSource[]): Promise<McpTool[]> {
  const lists = await Promise.all(sources.map((s) => s.tools(scope)));
  const seen = new Set<string>();
  // The first source to name a tool wins: a later source cannot shadow an agent's tool.
  return lists.flat().filter((t) => {
    if (seen.has(t.name)) return false;
    seen.add(t.name);
    return true;
  });
}

async function audited(
  scope: McpScope,
  tool: McpTool | null,
  name: string,
  outcome: string,
  result: CallToolResult | null,
) {
  const meta = result?._meta?.['twelve/error'] as { id?: string; runId?: string } | undefined;
  const structured = result?.structuredContent as { runId?: string; approvalId?: string } | undefined;
  await scope.app.audit.append({
    stream: tool?.agentId ? `agent:${tool.agentId}` : 'system',
    actor: scope.caller.actor,
    action: 'mcp.tool_called',
    subject: `mcp_tool:${name.slice(0, 200)}`,
    payload: {
      tool: name.slice(0, 200),
      role: scope.caller.role,
      outcome,
      ...(meta?.id ? { error: meta.id } : {}),
      ...((structured?.runId ?? meta?.runId) ? { runId: structured?.runId ?? meta?.runId } : {}),
      ...(structured?.approvalId ? { approvalId: structured.approvalId } : {}),
    },
  });
}

export async function buildMcpServer(
  app: App,
  caller: McpCaller,
  agent: AgentConfig | null,
  sources: readonly McpToolSource[] = MCP_SOURCES,
): Promise<Server> {
  // The SDK (a few MB of schemas) loads with the first MCP session, not with every start of Twelve.
  const [{ Server }, { CallToolRequestSchema, ErrorCode, ListToolsRequestSchema, McpError }] =
    await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
  const server = new Server(MCP_SERVER_INFO, {
    capabilities: { tools: { listChanged: false } },
    instructions:
      'Twelve: tools of focused AI agents. Write tools run under the agent’s readiness policy: a held call answers ' +
      '"awaiting_approval" with an approval id; a person decides it in the Twelve dashboard.',
  });
  const scope: McpScope = { app, caller, agent };
  server.setRequestHandler(ListToolsRequestSchema, async () => {
    const tools = (await allTools(scope, sources)).filter((t) => can(caller.role, t.permission));
    return {
      tools: tools.map((t) => ({
        name: t.name,
        ...(t.title ? { title: t.title } : {}),
        description: t.description,
        inputSchema: t.inputSchema,
        ...(t.outputSchema ? { outputSchema: t.outputSchema } : {}),
        annotations: t.annotations,
      })),
    };
  });
  server.setRequestHandler(CallToolRequestSchema, async (req) => {
    const name = req.params.name;
    const args = (req.params.arguments ?? {}) as Record<string, unknown>;
    const tool = (await allTools(scope, sources)).find((t) => t.name === name) ?? null;
    if (!tool) {
      await audited(scope, null, name, 'unknown_tool', null);
      throw new McpError(ErrorCode.InvalidParams, `unknown tool: ${name.slice(0, 200)}`);
    }
    if (!can(caller.role, tool.permission)) {
      const refused = errorResult(
        'forbidden',
        `the ${caller.role} role cannot call ${name} (it needs ${tool.permission})`,
      );
      await audited(scope, tool, name, 'refused', refused);
      return refused;
    }
    let result: CallToolResult;
    try {
      result = await tool.call(args, scope);
    } catch {
      // Not leaked: the caller learns that it failed, the audit trail records it.
      result = errorResult('internal_error', 'the tool failed on Twelve’s side');
    }
    const status = (result.structuredContent as { status?: string } | undefined)?.status;
    await audited(scope, tool, name, result.isError ? 'error' : (status ?? 'done'), result);
    return result;
  });
  return server;
}
