// What Twelve's MCP server offers: tools from pluggable sources (sources.ts). A source gives the tools a caller may
// see in a scope (the caller's role, an optional agent); each tool names the permission it needs, its JSON schemas,
// its annotations and its call. The server (server.ts) lists, checks, calls and audits; it never names a source.
import type { CallToolResult, ToolAnnotations } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Role } from '../accounts/users.ts';
import type { App } from '../app.ts';
import type { AgentConfig, RiskClass } from '../runtime/types.ts';
import type { Permission } from '../server/permissions.ts';

export interface McpCaller {
  /** `token:<name>` over HTTP or with --token; `cli` otherwise. */
  actor: string;
  role: Role;
}

export interface McpScope {
  app: App;
  caller: McpCaller;
  /** The agent the session is bound to (`twelve mcp --agent`, `/mcp?agent=`): its tools keep their own names. */
  agent: AgentConfig | null;
}

export type JsonSchemaObject = { type: 'object'; [key: string]: unknown };

export interface McpTool {
  name: string;
  title?: string;
  description: string;
  inputSchema: JsonSchemaObject;
  outputSchema?: JsonSchemaObject;
  annotations: ToolAnnotations;
  /** The permission a caller's role needs to see and call it (server/permissions.ts). */
  permission: Permission;
  /** The agent it acts for (audited on that agent's stream), or null for a platform tool (the system stream). */
  agentId: string | null;
  /** Validated arguments in, a tool result out; a failure the caller should read is an `isError` result. */
  call(args: Record<string, unknown>, scope: McpScope): Promise<CallToolResult>;
}

export interface McpToolSource {
  /** For people and the audit trail: where these tools come from. */
  name: string;
  tools(scope: McpScope): Promise<McpTool[]>;
}

/** The hints an MCP client reads, from the risk class fixed where the tool is defined. */
export function annotationsFor(risk: RiskClass, openWorld = false): ToolAnnotations {
  switch (risk) {
    case 'read':
      return { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: openWorld };
    case 'write':
      return { readOnlyHint: false, destructiveHint: false, idempotentHint: false, openWorldHint: openWorld };
    case 'destructive':
      return { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: openWorld };
    case 'spend':
      // Money spent cannot be taken back: destructive in the protocol's sense, and it reaches outside.
      return { readOnlyHint: false, destructiveHint: true, idempotentHint: false, openWorldHint: true };
  }
}

/** A zod schema as JSON Schema (the input side: defaults optional), with an object at the root as MCP requires. */
export function jsonSchemaOf(schema: z.ZodType): JsonSchemaObject {
  let json: Record<string, unknown>;
  try {
    json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  } catch {
    json = { type: 'object' };
  }
  const { $schema: _ignored, ...rest } = json;
  return rest.type === 'object'
    ? (rest as JsonSchemaObject)
    : { type: 'object', properties: { value: rest } };
}

export const text = (value: unknown): { type: 'text'; text: string } => ({
  type: 'text',
  text: typeof value === 'string' ? value : JSON.stringify(value),
});

/**
 * A tool result the caller reads as a failure (the protocol's `isError`), its stable id in the text and in _meta
 * (no structuredContent: a client checks that against the output schema even on an error).
 */
export function errorResult(
  id: string,
  message: string,
  extra: Record<string, unknown> = {},
): CallToolResult {
  return {
    isError: true,
    content: [text(`${message} (${id})`)],
    _meta: { 'twelve/error': { id, ...extra } },
  };
}
