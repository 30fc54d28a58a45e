// The MCP server's tool sources, in listing order. A platform module or a branch adds its tools by appending a
// source here (list candidates, an agent's metrics …); the server iterates this list and never names a source.
import { randomUUID } from 'node:crypto';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { HUMAN_ONLY_TOOLS } from '../app.ts';
import { AppError } from '../errors.ts';
import { listAgents } from '../runtime/agents.ts';
import { listEscalations } from '../runtime/escalations.ts';
import type { RequestedToolOutcome } from '../runtime/runtime.ts';
import type { AnyTool } from '../runtime/tools.ts';
import type { AgentConfig } from '../runtime/types.ts';
import {
  annotationsFor,
  errorResult,
  type JsonSchemaObject,
  jsonSchemaOf,
  type McpScope,
  type McpTool,
  type McpToolSource,
  text,
} from './tools.ts';

/** The structured result of every agent tool called over MCP: done (with the tool's result), held, or recorded. */
function envelopeSchema(tool: Readonly<AnyTool>): JsonSchemaObject {
  const statuses = tool.risk === 'read' ? ['done'] : ['done', 'awaiting_approval', 'recorded'];
  return {
    type: 'object',
    properties: {
      status: { type: 'string', enum: statuses },
      runId: { type: 'string' },
      ...(tool.risk === 'read' ? {} : { approvalId: { type: 'string' } }),
      result: tool.output ? jsonSchemaOf(tool.output) : {},
    },
    required: ['status', 'runId'],
  };
}

/** What became of a call through the runtime, as an MCP tool result. */
async function outcomeResult(
  scope: McpScope,
  name: string,
  o: RequestedToolOutcome,
): Promise<CallToolResult> {
  const runId = o.run.id;
  const call = o.call;
  if (!call) {
    const err = (o.step?.result as { error?: { id?: string; issues?: unknown } } | null)?.error;
    if (err?.id === 'invalid_arguments')
      return errorResult(
        'invalid_arguments',
        `the arguments of ${name} are not valid: ${JSON.stringify(err.issues)}`,
        { runId },
      );
    return errorResult('not_run', `${name} did not run (the run ended ${o.run.status})`, { runId });
  }
  switch (call.status) {
    case 'succeeded': {
      const r = call.result as Record<string, unknown> | null;
      if (r && typeof r === 'object' && 'error' in r) {
        const e = r.error as { id?: string; message?: string };
        return errorResult(String(e?.id ?? 'tool_failed'), String(e?.message ?? `${name} failed`), { runId });
      }
      const structured = { status: 'done', runId, result: call.result ?? null };
      return { content: [text(call.result ?? null)], structuredContent: structured };
    }
    case 'pending': {
      const [approval] = await scope.app.db.query<{ id: string }>(
        `SELECT id FROM approvals WHERE run_id = $1 AND status = 'pending' ORDER BY created_at LIMIT 1`,
        [runId],
      );
      const approvalId = approval?.id ?? '';
      return {
        content: [
          text(`${name} awaits a person's approval (approval ${approvalId}); it runs once approved.`),
        ],
        structuredContent: { status: 'awaiting_approval', runId, approvalId },
      };
    }
    case 'recorded':
      return {
        content: [text(`${name} was recorded, not run: the agent is in shadow mode.`)],
        structuredContent: { status: 'recorded', runId },
      };
    case 'denied':
      return errorResult('human_only', `${name} is a human-only action`, { runId });
    default:
      return errorResult('tool_failed', `${name} ended ${call.status}`, { runId });
  }
}

function agentTool(scope: McpScope, agent: AgentConfig, tool: Readonly<AnyTool>): McpTool {
  const name = scope.agent ? tool.name : `${agent.name}.${tool.name}`;
  const outside = tool.name.startsWith('mcp.');
  return {
    name,
    title: `${tool.name} (${agent.displayName || agent.name})`,
    description: `${tool.description} [agent ${agent.name}; risk ${tool.risk}${tool.risk === 'read' ? '' : '; runs under the agent’s readiness policy and may wait for approval'}]`,
    inputSchema: jsonSchemaOf(tool.input),
    outputSchema: envelopeSchema(tool),
    annotations: annotationsFor(tool.risk, outside),
    permission: tool.risk === 'read' ? 'mcp.read' : 'mcp.act',
    agentId: agent.id,
    async call(args, s) {
      try {
        const outcome = await s.app.runtime.runRequestedTool(
          agent.id,
          { requestId: `mcp:${randomUUID()}`, tool: tool.name, args },
          s.caller.actor,
        );
        return await outcomeResult(s, name, outcome);
      } catch (err) {
        if (err instanceof AppError) return errorResult(err.id, err.message);
        throw err;
      }
    },
  };
}

/** Every agent's tools (its kind's and its accepted outside ones), human-only actions never among them. */
export const agentToolsSource: McpToolSource = {
  name: 'agents',
  async tools(scope) {
    const agents = scope.agent ? [scope.agent] : await listAgents(scope.app.db);
    return agents.flatMap((agent) =>
      scope.app
        .toolsFor(agent)
        .list()
        .filter((t) => !HUMAN_ONLY_TOOLS.has(t.name))
        .map((t) => agentTool(scope, agent, t)),
    );
  },
};

const EscalationsInput = z.object({ limit: z.number().int().min(1).max(100).default(20) }).strict();
const EscalationsOutput = z.object({
  escalations: z.array(
    z.object({
      id: z.string(),
      agent: z.string(),
      kind: z.string(),
      reason: z.string(),
      summary: z.string(),
      createdAt: z.string(),
    }),
  ),
});

/** The platform's own safe operations. */
export const platformSource: McpToolSource = {
  name: 'platform',
  async tools(scope) {
    return [
      {
        name: 'escalations.list_open',
        title: 'Open escalations',
        description: scope.agent
          ? `The open escalations (hand-offs, reviews, checkpoints) of agent ${scope.agent.name}, newest first`
          : 'The open escalations (hand-offs, reviews, checkpoints) of every agent, newest first',
        inputSchema: jsonSchemaOf(EscalationsInput),
        outputSchema: jsonSchemaOf(EscalationsOutput),
        annotations: annotationsFor('read'),
        permission: 'escalations.read',
        agentId: scope.agent?.id ?? null,
        async call(args, s) {
          const parsed = EscalationsInput.safeParse(args);
          if (!parsed.success)
            return errorResult(
              'invalid_arguments',
              `the arguments are not valid: ${parsed.error.issues.map((i) => i.message).join('; ')}`,
            );
          const [rows, agents] = await Promise.all([
            listEscalations(s.app.db, {
              state: 'open',
              limit: parsed.data.limit,
              ...(s.agent ? { agentId: s.agent.id } : {}),
            }),
            listAgents(s.app.db),
          ]);
          const names = new Map(agents.map((a) => [a.id, a.name]));
          const out = {
            escalations: rows.map((e) => ({
              id: e.id,
              agent: names.get(e.agentId) ?? e.agentId,
              kind: e.kind,
              reason: e.reason,
              summary: e.summary,
              createdAt: e.createdAt.toISOString(),
            })),
          };
          return { content: [text(out)], structuredContent: out };
        },
      },
    ];
  },
};

export const MCP_SOURCES: McpToolSource[] = [agentToolsSource, platformSource];
