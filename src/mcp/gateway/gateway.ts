// The MCP gateway: outside MCP servers attached to an agent, their tools offered to the agent as `mcp.<server>.<tool>`
// under the runtime's policy (risk from the annotations, an admin may override). Every listed definition is
// fingerprinted; a new or changed one is quarantined until a person accepts it, and a call checks the fingerprint
// again just before it runs (a server that swaps a definition after acceptance gets the call refused and the tool
// quarantined). Commands are audited on the agent's stream.
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { z } from 'zod';
import type { Actor, Services } from '../../context.ts';
import { AppError } from '../../errors.ts';
import { findAgent } from '../../runtime/agents.ts';
import { type AnyTool, defineTool } from '../../runtime/tools.ts';
import { RISK_CLASSES, type RiskClass } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { GatewayError, type ServerEndpoint, withServer } from './connect.ts';
import {
  type DefinitionChange,
  definitionDiff,
  definitionOf,
  fingerprint,
  type InjectionFlag,
  injectionFlags,
  MCP_TOOL_NAME,
  riskOf,
  type ToolDefinitionView,
} from './definitions.ts';

export const SERVER_NAME = /^[a-z0-9][a-z0-9-]{0,39}$/;
const HEADER_NAME = /^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,100}$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,100}$/;

export const AttachSchema = z
  .object({
    name: z.string().regex(SERVER_NAME, 'lowercase letters, digits and dashes (at most 40)'),
    command: z.string().min(1).max(1000).optional(),
    args: z.array(z.string().max(4000)).max(100).default([]),
    env: z
      .record(z.string().regex(ENV_NAME, 'an environment variable name'), z.string().max(10_000))
      .default({}),
    url: z
      .string()
      .url()
      .max(2000)
      .refine((u) => /^https?:\/\//i.test(u), 'an http(s) URL')
      .optional(),
    headers: z.record(z.string().regex(HEADER_NAME, 'a header name'), z.string().max(10_000)).default({}),
    timeoutMs: z.number().int().min(100).max(300_000).default(15_000),
    maxOutputBytes: z
      .number()
      .int()
      .min(1024)
      .max(10 * 1024 * 1024)
      .default(64 * 1024),
  })
  .strict()
  .refine((a) => (a.command === undefined) !== (a.url === undefined), {
    message: 'give either command (stdio) or url (Streamable HTTP)',
  });
export type AttachInput = z.input<typeof AttachSchema>;

export type ToolStatus = 'quarantined' | 'accepted' | 'removed';

export interface GatewayServer extends ServerEndpoint {
  id: string;
  agentId: string;
  name: string;
  lastListedAt: Date | null;
  lastError: string | null;
  createdBy: string;
  createdAt: Date;
}

export interface GatewayTool {
  serverId: string;
  server: string;
  name: string;
  /** The name the agent knows it by. */
  agentToolName: string;
  status: ToolStatus;
  risk: RiskClass;
  riskOverride: RiskClass | null;
  fingerprint: string;
  acceptedFingerprint: string | null;
  definition: ToolDefinitionView;
  acceptedDefinition: ToolDefinitionView | null;
  /** What changed since the accepted definition (all fields for a new tool); empty when accepted. */
  changes: DefinitionChange[];
  flags: InjectionFlag[];
  acceptedBy: string | null;
  acceptedAt: Date | null;
}

export const agentToolName = (server: string, tool: string) => `mcp.${server}.${tool}`;

function presentServer(r: Record<string, unknown>): GatewayServer {
  return {
    id: String(r.id),
    agentId: String(r.agent_id),
    name: String(r.name),
    transport: r.transport as 'stdio' | 'http',
    command: (r.command as string | null) ?? null,
    args: (r.args as string[]) ?? [],
    env: (r.env as Record<string, string>) ?? {},
    url: (r.url as string | null) ?? null,
    headers: (r.headers as Record<string, string>) ?? {},
    timeoutMs: Number(r.timeout_ms),
    maxOutputBytes: Number(r.max_output_bytes),
    lastListedAt: (r.last_listed_at as Date | null) ?? null,
    lastError: (r.last_error as string | null) ?? null,
    createdBy: String(r.created_by),
    createdAt: r.created_at as Date,
  };
}

function presentTool(r: Record<string, unknown>): GatewayTool {
  const definition = r.definition as ToolDefinitionView;
  const accepted = (r.accepted_definition as ToolDefinitionView | null) ?? null;
  const status = r.status as ToolStatus;
  const override = (r.risk_override as RiskClass | null) ?? null;
  return {
    serverId: String(r.server_id),
    server: String(r.server_name),
    name: String(r.name),
    agentToolName: agentToolName(String(r.server_name), String(r.name)),
    status,
    // What applies once accepted: the listed definition's claim (the accepted one's, for a tool no longer listed).
    risk: riskOf((status === 'removed' ? (accepted ?? definition) : definition).annotations, override),
    riskOverride: override,
    fingerprint: String(r.fingerprint),
    acceptedFingerprint: (r.accepted_fingerprint as string | null) ?? null,
    definition,
    acceptedDefinition: accepted,
    changes: status === 'quarantined' ? definitionDiff(accepted, definition) : [],
    flags: (r.flags as InjectionFlag[]) ?? [],
    acceptedBy: (r.accepted_by as string | null) ?? null,
    acceptedAt: (r.accepted_at as Date | null) ?? null,
  };
}

/** A server as shown to people: environment and header values are secrets, so only their names are shown. */
export function redactServer(s: GatewayServer) {
  const { env, headers, ...rest } = s;
  return { ...rest, envKeys: Object.keys(env), headerKeys: Object.keys(headers) };
}

const TOOLS_SQL = `SELECT t.*, s.name AS server_name FROM mcp_tools t JOIN mcp_servers s ON s.id = t.server_id`;

export async function listServers(q: Queryable, agentId: string): Promise<GatewayServer[]> {
  return (await q.query('SELECT * FROM mcp_servers WHERE agent_id = $1 ORDER BY name', [agentId])).map(
    presentServer,
  );
}

export async function listGatewayTools(q: Queryable, agentId: string): Promise<GatewayTool[]> {
  return (await q.query(`${TOOLS_SQL} WHERE s.agent_id = $1 ORDER BY s.name, t.name`, [agentId])).map(
    presentTool,
  );
}

async function serverOf(q: Queryable, agentId: string, name: string): Promise<GatewayServer> {
  const [row] = await q.query('SELECT * FROM mcp_servers WHERE agent_id = $1 AND name = $2', [agentId, name]);
  if (!row) throw new AppError('not_found', `no MCP server "${name.slice(0, 60)}" on this agent`);
  return presentServer(row);
}

/** Lists every tool of a server (following the cursor), under the server's deadline. */
function listedTools(endpoint: ServerEndpoint): Promise<ToolDefinitionView[]> {
  return withServer(endpoint, listedToolsOn);
}

export interface SyncReport {
  tools: GatewayTool[];
  error: string | null;
}

/**
 * Records what a server lists now: a tool whose fingerprint is not the accepted one is quarantined (new or changed),
 * one no longer listed is removed; the accepted fingerprint never moves here. Returns the server's tools.
 */
export async function recordListing(
  svc: Services,
  server: GatewayServer,
  listed: ToolDefinitionView[],
  actor: Actor,
): Promise<GatewayTool[]> {
  const now = svc.clock.now();
  await svc.db.transaction(async (tx) => {
    const existing = new Map(
      (
        await tx.query<{
          name: string;
          accepted_fingerprint: string | null;
          status: string;
          fingerprint: string;
        }>(
          'SELECT name, accepted_fingerprint, status, fingerprint FROM mcp_tools WHERE server_id = $1 FOR UPDATE',
          [server.id],
        )
      ).map((r) => [r.name, r]),
    );
    const seen = new Set<string>();
    const quarantined: string[] = [];
    for (const tool of listed) {
      if (typeof tool.name !== 'string' || !MCP_TOOL_NAME.test(tool.name) || seen.has(tool.name)) continue;
      seen.add(tool.name);
      const def = definitionOf(tool);
      const fp = fingerprint(def);
      const prior = existing.get(tool.name);
      const status: ToolStatus = prior?.accepted_fingerprint === fp ? 'accepted' : 'quarantined';
      if (status === 'quarantined' && (prior?.fingerprint !== fp || prior.status !== 'quarantined'))
        quarantined.push(tool.name);
      await tx.query(
        `INSERT INTO mcp_tools (server_id, name, definition, fingerprint, status, flags, seen_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (server_id, name) DO UPDATE SET definition = EXCLUDED.definition, fingerprint = EXCLUDED.fingerprint,
           status = EXCLUDED.status, flags = EXCLUDED.flags, seen_at = EXCLUDED.seen_at`,
        [server.id, tool.name, JSON.stringify(def), fp, status, JSON.stringify(injectionFlags(def)), now],
      );
    }
    const gone = [...existing.keys()].filter((n) => !seen.has(n));
    if (gone.length > 0)
      await tx.query(
        `UPDATE mcp_tools SET status = 'removed' WHERE server_id = $1 AND name = ANY($2::text[])`,
        [server.id, gone],
      );
    await tx.query('UPDATE mcp_servers SET last_listed_at = $2, last_error = NULL WHERE id = $1', [
      server.id,
      now,
    ]);
    if (quarantined.length > 0 || gone.length > 0)
      await svc.audit.append(
        {
          stream: `agent:${server.agentId}`,
          actor,
          action: 'mcp.tools_quarantined',
          subject: `mcp_server:${server.id}`,
          payload: { server: server.name, quarantined, removed: gone },
        },
        tx,
      );
  });
  return (await svc.db.query(`${TOOLS_SQL} WHERE t.server_id = $1 ORDER BY t.name`, [server.id])).map(
    presentTool,
  );
}

/** Lists the server's tools now and records them (quarantining what is new or changed). */
export async function syncServer(svc: Services, server: GatewayServer, actor: Actor): Promise<SyncReport> {
  try {
    return { tools: await recordListing(svc, server, await listedTools(server), actor), error: null };
  } catch (err) {
    if (!(err instanceof GatewayError)) throw err;
    await svc.db.query('UPDATE mcp_servers SET last_error = $2 WHERE id = $1', [server.id, err.message]);
    return {
      tools: await listGatewayTools(svc.db, server.agentId).then((t) =>
        t.filter((x) => x.serverId === server.id),
      ),
      error: err.message,
    };
  }
}

/** Attaches an outside server to an agent and lists its tools: every one of them starts quarantined. */
export async function serverAttacher(
  svc: Services,
  actor: Actor,
  agentRef: string,
  input: AttachInput,
): Promise<{ server: GatewayServer } & SyncReport> {
  const parsed = AttachSchema.safeParse(input);
  if (!parsed.success) {
    const details = parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    throw new AppError(
      'validation_failed',
      `the attachment is not valid: ${details.map((d) => `${d.path || 'body'}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  const a = parsed.data;
  const agent = await findAgent(svc.db, agentRef);
  const server = await svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `INSERT INTO mcp_servers (agent_id, name, transport, command, args, env, url, headers, timeout_ms, max_output_bytes, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) ON CONFLICT (agent_id, name) DO NOTHING RETURNING *`,
      [
        agent.id,
        a.name,
        a.command !== undefined ? 'stdio' : 'http',
        a.command ?? null,
        JSON.stringify(a.args),
        JSON.stringify(a.env),
        a.url ?? null,
        JSON.stringify(a.headers),
        a.timeoutMs,
        a.maxOutputBytes,
        actor,
        svc.clock.now(),
      ],
    );
    if (!row) throw new AppError('conflict', `the agent already has an MCP server named "${a.name}"`);
    const server = presentServer(row);
    await svc.audit.append(
      {
        stream: `agent:${agent.id}`,
        actor,
        action: 'mcp.server_attached',
        subject: `mcp_server:${server.id}`,
        payload: redactServer(server),
      },
      tx,
    );
    return server;
  });
  return { server, ...(await syncServer(svc, server, actor)) };
}

export async function serverDetacher(
  svc: Services,
  actor: Actor,
  agentRef: string,
  name: string,
): Promise<GatewayServer> {
  const agent = await findAgent(svc.db, agentRef);
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query('DELETE FROM mcp_servers WHERE agent_id = $1 AND name = $2 RETURNING *', [
      agent.id,
      name,
    ]);
    if (!row) throw new AppError('not_found', `no MCP server "${name.slice(0, 60)}" on this agent`);
    const server = presentServer(row);
    await svc.audit.append(
      {
        stream: `agent:${agent.id}`,
        actor,
        action: 'mcp.server_detached',
        subject: `mcp_server:${server.id}`,
        payload: { name },
      },
      tx,
    );
    return server;
  });
}

export async function serverRefresher(
  svc: Services,
  actor: Actor,
  agentRef: string,
  name: string,
): Promise<SyncReport> {
  const agent = await findAgent(svc.db, agentRef);
  return syncServer(svc, await serverOf(svc.db, agent.id, name), actor);
}

/**
 * A person accepts the definition they were shown (its fingerprint): the tool is offered to the agent from now on.
 * A fingerprint that is no longer the listed one (the server changed it again meanwhile) is a conflict: look again.
 */
export async function toolAccepter(
  svc: Services,
  actor: Actor,
  agentRef: string,
  input: { server: string; tool: string; fingerprint: string; risk?: RiskClass | null },
): Promise<GatewayTool> {
  const agent = await findAgent(svc.db, agentRef);
  const server = await serverOf(svc.db, agent.id, input.server);
  if (input.risk != null && !RISK_CLASSES.includes(input.risk))
    throw new AppError('validation_failed', 'risk is one of read, write, destructive, spend');
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(`${TOOLS_SQL} WHERE t.server_id = $1 AND t.name = $2 FOR UPDATE OF t`, [
      server.id,
      input.tool,
    ]);
    if (!row)
      throw new AppError('not_found', `no tool "${input.tool.slice(0, 130)}" listed by ${server.name}`);
    const tool = presentTool(row);
    if (tool.status === 'removed')
      throw new AppError('invalid_state', 'the server no longer lists this tool');
    if (tool.fingerprint !== input.fingerprint) throw new AppError('mcp_definition_changed');
    const risk = input.risk === undefined ? tool.riskOverride : input.risk;
    await tx.query(
      `UPDATE mcp_tools SET status = 'accepted', accepted_definition = definition, accepted_fingerprint = fingerprint,
         accepted_by = $3, accepted_at = $4, risk_override = $5 WHERE server_id = $1 AND name = $2`,
      [server.id, input.tool, actor, svc.clock.now(), risk],
    );
    await svc.audit.append(
      {
        stream: `agent:${agent.id}`,
        actor,
        action: 'mcp.tool_accepted',
        subject: `mcp_server:${server.id}`,
        payload: {
          tool: input.tool,
          fingerprint: tool.fingerprint,
          risk: riskOf(tool.definition.annotations, risk),
          riskOverride: risk,
          flags: tool.flags.map((f) => f.rule),
        },
      },
      tx,
    );
    const [after] = await tx.query(`${TOOLS_SQL} WHERE t.server_id = $1 AND t.name = $2`, [
      server.id,
      input.tool,
    ]);
    return presentTool(after!);
  });
}

/** The result a gateway tool hands the brain (an MCP tool result, or an error the brain reads). */
export type GatewayResult =
  | { content: unknown[]; structuredContent?: unknown; isError?: boolean }
  | { error: { id: string; message: string; tool: string } };

const GatewayArgs = z.record(z.string(), z.unknown());

/**
 * The accepted input schema as a zod schema, so bad arguments are a typed error the brain reads before anything is
 * sent (and MCP clients of Twelve see the real parameters); any object when the schema cannot be read.
 */
function argsSchema(inputSchema: unknown): z.ZodType<Record<string, unknown>> {
  if (
    !inputSchema ||
    typeof inputSchema !== 'object' ||
    (inputSchema as { type?: unknown }).type !== 'object'
  )
    return GatewayArgs;
  try {
    return z.fromJSONSchema(inputSchema as Parameters<typeof z.fromJSONSchema>[0]) as z.ZodType<
      Record<string, unknown>
    >;
  } catch {
    return GatewayArgs;
  }
}

function gatewayTool(
  svc: Services,
  server: GatewayServer,
  tool: GatewayTool,
  quarantined: () => void,
): AnyTool {
  const name = tool.agentToolName;
  const fail = (id: string, message: string): GatewayResult => ({ error: { id, message, tool: name } });
  const accepted = tool.acceptedDefinition!;
  return defineTool({
    name,
    description:
      `[outside tool from MCP server "${server.name}"] ${typeof accepted.description === 'string' ? accepted.description : ''}`.slice(
        0,
        4000,
      ),
    risk: tool.risk,
    input: argsSchema(accepted.inputSchema),
    handler: async (args): Promise<GatewayResult> => {
      try {
        return await withServer(server, async (client, timeout) => {
          // The definition is checked again just before the call: a server that changed it since it was accepted
          // does not get the call, and the change is quarantined for a person to review.
          const listed = await listedToolsOn(client, timeout);
          const now = listed.find((t) => t.name === tool.name);
          if (!now || fingerprint(now) !== tool.acceptedFingerprint) {
            await recordListing(svc, server, listed, 'system');
            quarantined();
            return fail(
              'mcp_definition_changed',
              'the tool definition changed since it was accepted; a person must review it',
            );
          }
          const result = await client.callTool({ name: tool.name, arguments: args }, undefined, { timeout });
          const bytes = Buffer.byteLength(JSON.stringify(result));
          if (bytes > server.maxOutputBytes)
            return fail(
              'mcp_output_too_large',
              `the tool answered ${bytes} bytes; the limit is ${server.maxOutputBytes}`,
            );
          return {
            content: (result.content as unknown[]) ?? [],
            ...(result.structuredContent !== undefined
              ? { structuredContent: result.structuredContent }
              : {}),
            ...(result.isError ? { isError: true } : {}),
          };
        });
      } catch (err) {
        if (err instanceof GatewayError) return fail(err.id, err.message);
        throw err;
      }
    },
  });
}

async function listedToolsOn(client: Client, timeout: number): Promise<ToolDefinitionView[]> {
  const tools: ToolDefinitionView[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 50; page++) {
    const res = await client.listTools(cursor ? { cursor } : {}, { timeout });
    tools.push(...(res.tools as ToolDefinitionView[]));
    cursor = res.nextCursor;
    if (!cursor) break;
  }
  return tools;
}

/**
 * The accepted gateway tools of every agent, held per node (the runtime asks for an agent's tools synchronously).
 * load() reads them; every gateway command of this process reloads; a serving node reloads on a timer, so another
 * node's acceptance reaches it within the interval (a quarantine is enforced at once anyway: each call checks the
 * fingerprint with the server before it runs).
 */
export class McpGateway {
  private byAgent = new Map<string, AnyTool[]>();
  /** Bumped at every load: callers cache merged registries by it. */
  version = 0;

  constructor(private readonly svc: Services) {}

  toolsOf(agentId: string): readonly AnyTool[] {
    return this.byAgent.get(agentId) ?? [];
  }

  async load(): Promise<void> {
    const servers = new Map(
      (await this.svc.db.query('SELECT * FROM mcp_servers')).map((r) => {
        const s = presentServer(r);
        return [s.id, s] as const;
      }),
    );
    const rows = (
      await this.svc.db.query(`${TOOLS_SQL} WHERE t.status = 'accepted' ORDER BY s.name, t.name`)
    ).map(presentTool);
    const next = new Map<string, AnyTool[]>();
    for (const tool of rows) {
      const server = servers.get(tool.serverId);
      if (!server || tool.acceptedDefinition === null) continue;
      const list = next.get(server.agentId) ?? [];
      list.push(gatewayTool(this.svc, server, tool, () => void this.load().catch(() => {})));
      next.set(server.agentId, list);
    }
    this.byAgent = next;
    this.version++;
  }
}
