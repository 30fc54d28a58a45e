// "Tools (MCP)" of one agent: the outside MCP servers attached to it, their tools with risk class and status, the
// quarantine (what changed since the accepted definition, and the instructions aimed at the model found in it) with
// Accept for admins, and the snippet that connects an MCP client to this agent's tools.
import { useState } from 'react';
import { api } from '../api.ts';
import { Badge, Empty, ErrorNote, Loading, PageHeader, RiskBadge } from '../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { Risk } from '../types.ts';

interface McpServerView {
  id: string;
  name: string;
  transport: 'stdio' | 'http';
  command: string | null;
  args: string[];
  url: string | null;
  envKeys: string[];
  headerKeys: string[];
  timeoutMs: number;
  maxOutputBytes: number;
  lastListedAt: string | null;
  lastError: string | null;
}

interface McpToolView {
  serverId: string;
  server: string;
  name: string;
  agentToolName: string;
  status: 'quarantined' | 'accepted' | 'removed';
  risk: Risk;
  riskOverride: Risk | null;
  fingerprint: string;
  changes: { field: string; before: unknown; after: unknown }[];
  flags: { where: string; rule: string; excerpt: string }[];
}

const RISKS: readonly Risk[] = ['read', 'write', 'destructive', 'spend'];

const show = (v: unknown) =>
  v === null || v === undefined ? '(none)' : typeof v === 'string' ? v : JSON.stringify(v, null, 2);

function clientSnippets(agentName: string) {
  const origin = window.location.origin;
  const stdio = {
    mcpServers: {
      [`twelve-${agentName}`]: {
        command: 'twelve',
        args: ['mcp', '--agent', agentName],
        env: { TWELVE_MCP_TOKEN: '<an API token: twelve token create --name desk --role reviewer>' },
      },
    },
  };
  const http = {
    mcpServers: {
      [`twelve-${agentName}`]: {
        type: 'http',
        url: `${origin}/mcp?agent=${encodeURIComponent(agentName)}`,
        headers: { Authorization: 'Bearer <an API token>' },
      },
    },
  };
  return { stdio: JSON.stringify(stdio, null, 2), http: JSON.stringify(http, null, 2) };
}

function ToolRow({ tool, agentName, onDone }: { tool: McpToolView; agentName: string; onDone: () => void }) {
  const can = useCan();
  const { announce } = useSession();
  const accept = useAction();
  const [risk, setRisk] = useState<'' | Risk>('');
  const doAccept = async () => {
    const ok = await accept.run(() =>
      api.post(`/api/agents/${encodeURIComponent(agentName)}/mcp/accept`, {
        server: tool.server,
        tool: tool.name,
        fingerprint: tool.fingerprint,
        ...(risk ? { risk } : {}),
      }),
    );
    if (ok) {
      announce(`Accepted ${tool.name}`);
      onDone();
    }
  };
  const statusTone =
    tool.status === 'accepted' ? 'success' : tool.status === 'quarantined' ? 'warning' : 'neutral';
  return (
    <li className="mcp-tool" data-tool={`${tool.server}/${tool.name}`}>
      <div className="mcp-tool-head">
        <code>{tool.agentToolName}</code> <RiskBadge risk={tool.risk} />{' '}
        <Badge tone={statusTone}>{tool.status}</Badge>
        {tool.riskOverride ? <span className="muted"> (risk set by an admin)</span> : null}
        {tool.flags.length > 0 ? <Badge tone="danger">flagged</Badge> : null}
      </div>
      {tool.status === 'quarantined' ? (
        <div className="mcp-quarantine">
          <p>Not offered to the agent until a person accepts this definition.</p>
          <table className="mcp-diff">
            <thead>
              <tr>
                <th scope="col" className="mcp-cell">
                  Field
                </th>
                <th scope="col" className="mcp-cell">
                  Accepted
                </th>
                <th scope="col" className="mcp-cell">
                  Listed now
                </th>
              </tr>
            </thead>
            <tbody>
              {tool.changes.map((c) => (
                <tr key={c.field}>
                  <th scope="row" className="mcp-cell">
                    {c.field}
                  </th>
                  <td className="mcp-cell">
                    <del>
                      <pre>{show(c.before)}</pre>
                    </del>
                  </td>
                  <td className="mcp-cell">
                    <ins>
                      <pre>{show(c.after)}</pre>
                    </ins>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {tool.flags.length > 0 ? (
            <ul className="mcp-flags" aria-label="Instructions aimed at the model">
              {tool.flags.map((f) => (
                <li key={`${f.where}:${f.rule}`}>
                  <strong>{f.rule}</strong> in {f.where}: <code>{f.excerpt}</code>
                </li>
              ))}
            </ul>
          ) : null}
          {can('mcp.manage') ? (
            <label className="mcp-risk">
              Risk class{' '}
              <select value={risk} onChange={(e) => setRisk(e.target.value as '' | Risk)}>
                <option value="">as its annotations say ({tool.risk})</option>
                {RISKS.map((r) => (
                  <option key={r} value={r}>
                    {r}
                  </option>
                ))}
              </select>
            </label>
          ) : null}{' '}
          {can('mcp.manage') ? (
            <button
              type="button"
              className="btn btn-sm"
              disabled={accept.busy}
              onClick={() => void doAccept()}
            >
              Accept {tool.name}
            </button>
          ) : null}
          {accept.error ? <ErrorNote error={accept.error} /> : null}
        </div>
      ) : null}
    </li>
  );
}

export function McpToolsPage({ agentName }: { agentName: string }) {
  const path = `/api/agents/${encodeURIComponent(agentName)}/mcp`;
  const data = useResource(() => api.get<{ servers: McpServerView[]; tools: McpToolView[] }>(path), path);
  const snippets = clientSnippets(agentName);
  return (
    <>
      <PageHeader
        title={`Tools (MCP) · ${agentName}`}
        subtitle="Outside MCP servers attached to this agent, and how an MCP client reaches this agent's tools."
        crumbs={<Link href="/">Overview</Link>}
      />
      <section aria-labelledby="mcp-servers">
        <h2 id="mcp-servers">Attached servers</h2>
        {data.error ? <ErrorNote error={data.error} /> : null}
        {!data.data && data.loading ? <Loading /> : null}
        {data.data && data.data.servers.length === 0 ? (
          <Empty title="No MCP servers attached">
            Attach one with <code>twelve mcp attach {agentName} NAME -- COMMAND ARGS</code> or the API.
          </Empty>
        ) : null}
        {data.data?.servers.map((s) => (
          <article key={s.id} className="card mcp-server" data-server={s.name}>
            <h3>
              {s.name} <Badge tone="info">{s.transport}</Badge>
            </h3>
            <p className="muted">
              {s.transport === 'stdio' ? (
                <code>{[s.command, ...s.args].join(' ')}</code>
              ) : (
                <code>{s.url}</code>
              )}
              {' · '}timeout {s.timeoutMs} ms · output limit {s.maxOutputBytes} bytes
            </p>
            {s.lastError ? <p className="muted">Last listing failed: {s.lastError}</p> : null}
            <ul className="mcp-tools">
              {data.data?.tools
                .filter((t) => t.serverId === s.id)
                .map((t) => (
                  <ToolRow key={t.name} tool={t} agentName={agentName} onDone={() => void data.reload()} />
                ))}
            </ul>
          </article>
        ))}
      </section>
      <section aria-labelledby="mcp-connect">
        <h2 id="mcp-connect">Connect an MCP client</h2>
        <p>
          Paste into your MCP client's configuration (Claude Desktop: <code>claude_desktop_config.json</code>
          ). The token's role bounds what it may list and call; writes follow this agent's readiness policy.
        </p>
        <h3>stdio (on this machine)</h3>
        <pre className="mcp-snippet" data-snippet="stdio">
          {snippets.stdio}
        </pre>
        <h3>Streamable HTTP</h3>
        <pre className="mcp-snippet" data-snippet="http">
          {snippets.http}
        </pre>
      </section>
    </>
  );
}
