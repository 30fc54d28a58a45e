// `twelve mcp`: Twelve's tools over stdio for an MCP client (Claude Desktop and the like; stdout carries only MCP
// messages, notes go to stderr). `twelve mcp attach|list|accept|detach|refresh`: outside MCP servers of an agent.
import { parseArgs } from 'node:util';
import { tokenLookup } from '../accounts/users.ts';
import type { App } from '../app.ts';
import { type CliCommand, type CliIo, UsageError } from '../cli/command.ts';
import { openCliApp } from '../cli/open.ts';
import { findAgent } from '../runtime/agents.ts';
import { RISK_CLASSES, type RiskClass } from '../runtime/types.ts';
import {
  type GatewayTool,
  listGatewayTools,
  listServers,
  redactServer,
  serverAttacher,
  serverDetacher,
  serverRefresher,
  toolAccepter,
} from './gateway/gateway.ts';
import { buildMcpServer } from './server.ts';
import type { McpCaller } from './tools.ts';

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

async function withApp<T>(io: CliIo, fn: (app: App) => Promise<T>): Promise<T> {
  const app = await openCliApp(io);
  try {
    await app.mcp.load();
    return await fn(app);
  } finally {
    await app.close();
  }
}

export const mcpServeCommand: CliCommand = {
  path: ['mcp'],
  summary: 'Serve the agents’ tools to an MCP client over stdio',
  usage:
    'Usage: twelve mcp [--agent NAME] [--token TOKEN]\n\nThe token (or TWELVE_MCP_TOKEN) is an API token (twelve token create); its role bounds the tools\n' +
    'listed and callable. Without one the session is a viewer: read tools only.\n\n' +
    "  --agent NAME   bind the session to one agent's tools\n" +
    '  --token TOKEN  an API token (else TWELVE_MCP_TOKEN)\n\n' +
    "Example (an MCP client's server command):\n" +
    '  twelve mcp --agent northwind --token "$TWELVE_MCP_TOKEN"',
  async run(argv, io) {
    const { values, positionals } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { agent: { type: 'string' }, token: { type: 'string' } },
      }),
    );
    if (positionals.length > 0) throw new UsageError(`unknown command: mcp ${positionals[0]}`);
    const app = await openCliApp(io);
    try {
      await app.mcp.load();
      const secret = values.token ?? io.env.TWELVE_MCP_TOKEN;
      let caller: McpCaller = { actor: 'cli:mcp', role: 'viewer' };
      if (secret) {
        const token = await tokenLookup(app, secret.trim());
        if (!token) {
          io.err('twelve mcp: the token is not valid (revoked or unknown)');
          return 1;
        }
        caller = { actor: `token:${token.name}`, role: token.role };
      } else io.err('twelve mcp: no token given: serving read tools only (viewer)');
      const agent = values.agent ? await findAgent(app.db, values.agent) : null;
      const server = await buildMcpServer(app, caller, agent);
      const { StdioServerTransport } = await import('@modelcontextprotocol/sdk/server/stdio.js');
      const transport = new StdioServerTransport();
      const closed = new Promise<void>((resolve) => {
        transport.onclose = resolve;
        process.stdin.once('end', resolve);
      });
      await server.connect(transport);
      await closed;
      await server.close().catch(() => {});
      return 0;
    } finally {
      await app.close();
    }
  },
};

function describeTool(t: GatewayTool): string {
  const flags = t.flags.length > 0 ? `  FLAGGED: ${[...new Set(t.flags.map((f) => f.rule))].join(', ')}` : '';
  return `  ${t.name}  ${t.status}  risk ${t.risk}${t.riskOverride ? ' (override)' : ''}  ${t.fingerprint.slice(0, 12)}${flags}`;
}

function printTools(io: CliIo, tools: GatewayTool[]) {
  for (const t of tools) {
    io.out(describeTool(t));
    if (t.status === 'quarantined') {
      for (const c of t.changes)
        io.out(`      ${c.field}: ${JSON.stringify(c.before)}  →  ${JSON.stringify(c.after)}`.slice(0, 2000));
      for (const f of t.flags) io.out(`      flag ${f.rule} at ${f.where}: ${f.excerpt}`);
    }
  }
}

export const mcpAttachCommand: CliCommand = {
  path: ['mcp', 'attach'],
  summary: 'Attach an outside MCP server to an agent (its tools start quarantined)',
  usage:
    'Usage: twelve mcp attach AGENT NAME [--env K=V]... [--timeout-ms N] [--max-output-bytes N] -- COMMAND [ARG...]\n' +
    '       twelve mcp attach AGENT NAME --url URL [--header K=V]... [--timeout-ms N] [--max-output-bytes N]\n\n' +
    'A stdio server gets only a minimal environment (PATH, HOME …) plus the --env pairs; values are stored and never shown.\n\n' +
    '  --env K=V               an environment variable for a stdio server (repeat for more)\n' +
    '  --url URL               an HTTP (Streamable HTTP) server instead of a command\n' +
    '  --header K=V            a header sent to an HTTP server (repeat for more)\n' +
    '  --timeout-ms N          how long one tool call may take\n' +
    '  --max-output-bytes N    the largest tool result kept\n\n' +
    'Examples:\n' +
    '  twelve mcp attach northwind files -- npx @modelcontextprotocol/server-filesystem /srv/docs\n' +
    '  twelve mcp attach northwind crm --url https://crm.example/mcp --header "Authorization=Bearer $CRM_TOKEN"',
  async run(argv, io) {
    const { values, positionals } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: {
          env: { type: 'string', multiple: true },
          url: { type: 'string' },
          header: { type: 'string', multiple: true },
          'timeout-ms': { type: 'string' },
          'max-output-bytes': { type: 'string' },
        },
      }),
    );
    const [agent, name, command, ...args] = positionals;
    if (!agent || !name) throw new UsageError('give AGENT and NAME');
    if ((command === undefined) === (values.url === undefined))
      throw new UsageError('give either -- COMMAND [ARG...] (stdio) or --url URL (Streamable HTTP)');
    const pairs = (list: string[] | undefined, what: string) =>
      Object.fromEntries(
        (list ?? []).map((p) => {
          const i = p.indexOf('=');
          if (i <= 0) throw new UsageError(`${what} takes KEY=VALUE`);
          return [p.slice(0, i), p.slice(i + 1)];
        }),
      );
    const num = (v: string | undefined) => (v === undefined ? undefined : Number(v));
    const report = await withApp(io, (app) =>
      serverAttacher(app, 'cli', agent, {
        name,
        ...(command !== undefined ? { command, args, env: pairs(values.env, '--env') } : {}),
        ...(values.url !== undefined ? { url: values.url, headers: pairs(values.header, '--header') } : {}),
        ...(num(values['timeout-ms']) !== undefined ? { timeoutMs: num(values['timeout-ms']) } : {}),
        ...(num(values['max-output-bytes']) !== undefined
          ? { maxOutputBytes: num(values['max-output-bytes']) }
          : {}),
      }),
    );
    io.out(`Attached ${report.server.name} to ${agent} (${report.server.transport}).`);
    if (report.error) io.err(`Listing its tools failed: ${report.error}`);
    printTools(io, report.tools);
    if (report.tools.some((t) => t.status === 'quarantined'))
      io.out('Review each tool, then: twelve mcp accept AGENT SERVER TOOL FINGERPRINT');
    return 0;
  },
};

export const mcpListCommand: CliCommand = {
  path: ['mcp', 'list'],
  summary: 'List an agent’s outside MCP servers and their tools (quarantine with diffs)',
  usage: [
    'Usage: twelve mcp list AGENT [--refresh] [--json]',
    '',
    '  --refresh  ask each server for its tools again first (changed definitions go to quarantine)',
    '  --json     print the servers and tools as JSON',
    '',
    'Example:',
    '  twelve mcp list northwind --refresh',
  ].join('\n'),
  async run(argv, io) {
    const { values, positionals } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        allowPositionals: true,
        options: { refresh: { type: 'boolean', default: false }, json: { type: 'boolean', default: false } },
      }),
    );
    const [agentRef] = positionals;
    if (positionals.length !== 1 || !agentRef) throw new UsageError('give AGENT');
    const { servers, tools } = await withApp(io, async (app) => {
      const agent = await findAgent(app.db, agentRef);
      const servers = await listServers(app.db, agent.id);
      if (values.refresh) for (const s of servers) await serverRefresher(app, 'cli', agent.id, s.name);
      return {
        servers: await listServers(app.db, agent.id),
        tools: await listGatewayTools(app.db, agent.id),
      };
    });
    if (values.json) {
      io.out(JSON.stringify({ servers: servers.map(redactServer), tools }));
      return 0;
    }
    if (servers.length === 0) io.out('No MCP servers attached.');
    for (const s of servers) {
      const where = s.transport === 'stdio' ? `${s.command} ${s.args.join(' ')}` : s.url;
      io.out(`${s.name}  ${s.transport}  ${where}${s.lastError ? `  last error: ${s.lastError}` : ''}`);
      printTools(
        io,
        tools.filter((t) => t.serverId === s.id),
      );
    }
    return 0;
  },
};

export const mcpAcceptCommand: CliCommand = {
  path: ['mcp', 'accept'],
  summary: 'Accept a quarantined tool definition (by its fingerprint), optionally overriding its risk class',
  usage: `Usage: twelve mcp accept AGENT SERVER TOOL FINGERPRINT [--risk ${RISK_CLASSES.join('|')}]\n\nFINGERPRINT may be the first 12 characters shown by twelve mcp list.\n\n  --risk CLASS  the tool's risk class, overriding the one it declares\n\nExample:\n  twelve mcp accept northwind files read_file 1a2b3c4d5e6f --risk read`,
  async run(argv, io) {
    const { values, positionals } = parsed(() =>
      parseArgs({ args: argv, strict: true, allowPositionals: true, options: { risk: { type: 'string' } } }),
    );
    const [agentRef, server, tool, fp] = positionals;
    if (positionals.length !== 4 || !agentRef || !server || !tool || !fp)
      throw new UsageError('give AGENT SERVER TOOL FINGERPRINT');
    if (values.risk !== undefined && !(RISK_CLASSES as readonly string[]).includes(values.risk))
      throw new UsageError(`--risk is one of ${RISK_CLASSES.join(', ')}`);
    const accepted = await withApp(io, async (app) => {
      const agent = await findAgent(app.db, agentRef);
      const listed = (await listGatewayTools(app.db, agent.id)).find(
        (t) => t.server === server && t.name === tool,
      );
      // A prefix is matched against the listed fingerprint only: the accepter still checks it is the current one.
      const full = listed && fp.length >= 12 && listed.fingerprint.startsWith(fp) ? listed.fingerprint : fp;
      return toolAccepter(app, 'cli', agent.id, {
        server,
        tool,
        fingerprint: full,
        ...(values.risk !== undefined ? { risk: values.risk as RiskClass } : {}),
      });
    });
    io.out(
      `Accepted ${accepted.name} on ${accepted.server} (risk ${accepted.risk}): the agent may use ${accepted.agentToolName}.`,
    );
    return 0;
  },
};

export const mcpDetachCommand: CliCommand = {
  path: ['mcp', 'detach'],
  summary: 'Detach an outside MCP server from an agent',
  usage:
    'Usage: twelve mcp detach AGENT SERVER\n\nNo options.\n\nExample:\n  twelve mcp detach northwind files',
  async run(argv, io) {
    const { positionals } = parsed(() => parseArgs({ args: argv, strict: true, allowPositionals: true }));
    const [agentRef, server] = positionals;
    if (positionals.length !== 2 || !agentRef || !server) throw new UsageError('give AGENT SERVER');
    await withApp(io, (app) => serverDetacher(app, 'cli', agentRef, server));
    io.out(`Detached ${server} from ${agentRef}.`);
    return 0;
  },
};

export const MCP_COMMANDS: CliCommand[] = [
  mcpServeCommand,
  mcpAttachCommand,
  mcpListCommand,
  mcpAcceptCommand,
  mcpDetachCommand,
];
