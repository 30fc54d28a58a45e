// Twelve as an MCP server, driven by the SDK's own Client over Streamable HTTP (a real listening Fastify server and
// API tokens): what each role is offered, annotations and schemas, a read call, a refused call, a policy-held call
// (a write in a pilot agent waits for approval, then runs once approved), unknown tools, the audit trail; and over an
// in-memory pair, that human-only actions are never offered nor run.
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type Api, buildApi, buildScriptedAgent } from '../../test/support/api.ts';
import { openTestDb } from '../../test/support/db.ts';
import type { Role } from '../accounts/users.ts';
import type { AgentKind } from '../agents/kind.ts';
import { testBusiness } from '../agents/receptionist/test-support.ts';
import { createApp } from '../app.ts';
import { assessmentRecorder } from '../readiness/assessments.ts';
import { agentCreator } from '../runtime/agents.ts';
import { defineTool, ToolRegistry } from '../runtime/tools.ts';
import type { AgentConfig } from '../runtime/types.ts';
import { buildMcpServer } from './server.ts';

let api: Api;
let base: string;
let agent: AgentConfig;

beforeAll(async () => {
  api = await buildApi();
  await api.server.listen({ port: 0, host: '127.0.0.1' });
  const addr = api.server.server.address() as { port: number };
  base = `http://127.0.0.1:${addr.port}`;
  agent = await buildScriptedAgent(api.app, { name: 'mcp-notes' }); // pilot: writes wait for approval
});
afterAll(async () => api.close());

async function connect(role: Role | null, query = ''): Promise<Client> {
  const client = new Client({ name: 'test-client', version: '1.0.0' });
  const headers: Record<string, string> = role ? { authorization: `Bearer ${api.tokens[role]}` } : {};
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${base}/mcp${query}`), { requestInit: { headers } }),
  );
  return client;
}

describe('MCP server over Streamable HTTP', () => {
  it('refuses a caller without a valid API token (401 before any MCP message)', async () => {
    await expect(connect(null)).rejects.toThrow(/401|Bearer|token/i);
    const res = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer tw_not-a-token',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const cross = await fetch(`${base}/mcp`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${api.tokens.admin}`,
        origin: 'https://evil.example',
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(cross.status).toBe(403);
    expect((await fetch(`${base}/mcp`)).status).toBe(405);
  });

  it("[mcp:role-bounds-tools] lists what the token's role may call, with annotations from the risk class and both schemas", async () => {
    const viewer = await connect('viewer');
    const seen = (await viewer.listTools()).tools;
    const names = seen.map((t) => t.name);
    expect(names).toContain('mcp-notes.notes.search');
    expect(names).toContain('escalations.list_open');
    expect(names).not.toContain('mcp-notes.notes.create');
    await viewer.close();

    const reviewer = await connect('reviewer');
    const tools = new Map((await reviewer.listTools()).tools.map((t) => [t.name, t]));
    const search = tools.get('mcp-notes.notes.search')!;
    expect(search.annotations).toMatchObject({
      readOnlyHint: true,
      destructiveHint: false,
      idempotentHint: true,
    });
    expect(search.inputSchema).toMatchObject({ type: 'object', properties: { query: { type: 'string' } } });
    expect(search.outputSchema?.type).toBe('object');
    expect(tools.get('mcp-notes.notes.create')!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
    });
    expect(tools.get('mcp-notes.notes.delete')!.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: true,
    });
    expect(tools.get('mcp-notes.demo.send_sms')!.annotations).toMatchObject({
      destructiveHint: true,
      openWorldHint: true,
    });
    await reviewer.close();
  });

  it('binds a session to one agent with ?agent=, its tools under their own names', async () => {
    const c = await connect('viewer', '?agent=mcp-notes');
    const names = (await c.listTools()).tools.map((t) => t.name);
    expect(names).toEqual(expect.arrayContaining(['notes.search', 'escalations.list_open']));
    await c.close();
  });

  it('runs a read tool through the runtime and answers structured content', async () => {
    await api.app.db.query('INSERT INTO demo_notes (agent_id, body) VALUES ($1, $2)', [
      agent.id,
      'the gate code is 1234',
    ]);
    const c = await connect('viewer');
    const res = await c.callTool({ name: 'mcp-notes.notes.search', arguments: { query: 'gate' } });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as {
      status: string;
      runId: string;
      result: { notes: { body: string }[] };
    };
    expect(out.status).toBe('done');
    expect(out.result.notes.map((n) => n.body)).toEqual(['the gate code is 1234']);
    const [run] = await api.app.db.query<{ status: string }>('SELECT status FROM runs WHERE id = $1', [
      out.runId,
    ]);
    expect(run?.status).toBe('done');
    await c.close();
  });

  it('[mcp:role-bounds-tools] refuses a write tool to a viewer as a tool error, audited with the token as actor', async () => {
    const c = await connect('viewer');
    const res = await c.callTool({ name: 'mcp-notes.notes.create', arguments: { body: 'sneaky' } });
    expect(res.isError).toBe(true);
    expect(JSON.stringify(res.content)).toContain('forbidden');
    const notes = await api.app.db.query('SELECT 1 FROM demo_notes WHERE body = $1', ['sneaky']);
    expect(notes).toHaveLength(0);
    const [event] = await api.app.db.query<{ actor: string; payload: { outcome: string } }>(
      `SELECT actor, payload FROM audit_events WHERE action = 'mcp.tool_called' AND payload->>'tool' = 'mcp-notes.notes.create' ORDER BY id DESC LIMIT 1`,
    );
    expect(event).toMatchObject({ actor: 'token:test-viewer', payload: { outcome: 'refused' } });
    await c.close();
  });

  it('[mcp:calls-under-policy] holds a write in a pilot agent for approval, answering its id; it runs once a person approves', async () => {
    const c = await connect('reviewer');
    const res = await c.callTool({
      name: 'mcp-notes.notes.create',
      arguments: { body: 'call the supplier' },
    });
    expect(res.isError).toBeFalsy();
    const out = res.structuredContent as { status: string; approvalId: string; runId: string };
    expect(out.status).toBe('awaiting_approval');
    expect(JSON.stringify(res.content)).toContain(out.approvalId);
    expect(
      await api.app.db.query('SELECT 1 FROM demo_notes WHERE body = $1', ['call the supplier']),
    ).toHaveLength(0);
    await api.app.runtime.decideApproval(out.approvalId, 'approve', 'user:admin@example.com');
    expect(
      await api.app.db.query('SELECT 1 FROM demo_notes WHERE body = $1', ['call the supplier']),
    ).toHaveLength(1);
    const [intent] = await api.app.db.query<{ actor: string }>(
      `SELECT actor FROM audit_events WHERE stream = $1 ORDER BY seq LIMIT 1`,
      [`run:${out.runId}`],
    );
    expect(intent?.actor).toBe('token:test-reviewer');
    await c.close();
  });

  it('answers bad arguments as a tool error and an unknown tool as a protocol error', async () => {
    const c = await connect('admin');
    const bad = await c.callTool({ name: 'mcp-notes.notes.search', arguments: { query: 42 } });
    expect(bad.isError).toBe(true);
    expect(JSON.stringify(bad.content)).toContain('invalid_arguments');
    await expect(c.callTool({ name: 'nope.nothing', arguments: {} })).rejects.toThrow(/unknown tool/);
    await c.close();
  });

  it("offers the kinds' safe operations: search a knowledge base, check availability", async () => {
    await agentCreator(api.app, 'test', { kind: 'support', name: 'mcp-support' });
    // Through the API, not the support wing's module (which moves to src/knowledge).
    const made = await api.as('admin').post('/api/agents/mcp-support/kb/entries', {
      title: 'Opening hours',
      answer: 'We open at nine.',
      phrasings: ['when do you open', 'what are your opening hours', 'what time do you open'],
    });
    expect(made.statusCode, made.body).toBeLessThan(300);
    const desk = await testBusiness(api.app);
    const [row] = await api.app.db.query<{ name: string }>('SELECT name FROM agents WHERE id = $1', [
      desk.agentId,
    ]);
    const c = await connect('viewer');
    const tools = new Map((await c.listTools()).tools.map((t) => [t.name, t]));
    expect(tools.get('mcp-support.kb.search')?.annotations?.readOnlyHint).toBe(true);
    const availability = tools.get(`${row!.name}.availability.search`)!;
    expect(availability.inputSchema.properties).toHaveProperty('service');
    expect([...tools.keys()].filter((n) => n.startsWith(`${row!.name}.booking.`))).toEqual([]); // writes: not a viewer's
    const kb = await c.callTool({ name: 'mcp-support.kb.search', arguments: { query: 'when do you open' } });
    expect(JSON.stringify(kb.structuredContent)).toContain('Opening hours');
    const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);
    const free = await c.callTool({
      name: `${row!.name}.availability.search`,
      arguments: { service: 'Haircut', date: day },
    });
    expect(free.isError, JSON.stringify(free.content)).toBeFalsy();
    expect((free.structuredContent as { result: { slots: unknown[] } }).result.slots.length).toBeGreaterThan(
      0,
    );
    await c.close();
  });

  it('lists open escalations', async () => {
    const c = await connect('viewer');
    const res = await c.callTool({ name: 'escalations.list_open', arguments: {} });
    expect(res.isError).toBeFalsy();
    expect(res.structuredContent).toHaveProperty('escalations');
    await c.close();
  });
});

describe('human-only actions', () => {
  it('[mcp:human-only-never-offered] are never listed and never run, whatever the role', async () => {
    const db = await openTestDb();
    let refunded = 0;
    const kind: AgentKind = {
      kind: 'custom',
      label: 'test',
      description: 'a kind with a human-only tool',
      channels: [],
      create: () => {
        const tools = new ToolRegistry([
          defineTool({
            name: 'payment.refund',
            description: 'Refunds a payment',
            risk: 'write',
            input: z.object({ amount: z.number() }),
            handler: async () => {
              refunded++;
              return { ok: true };
            },
          }),
        ]);
        return {
          tools: () => tools,
          brain: () => ({ decide: async () => ({ type: 'done', outcome: 'x' }) }),
        };
      },
    };
    const app = createApp(db, { kinds: [kind] });
    const agent = await agentCreator(app, 'test', {
      kind: 'custom',
      name: 'refunder',
      brain: 'scripted',
      config: {},
    });
    await assessmentRecorder(app, 'test', agent.id, { clarity: 4, tolerance: 4, fallback: 4 });
    const server = await buildMcpServer(app, { actor: 'token:root', role: 'admin' }, agent);
    const [a, b] = InMemoryTransport.createLinkedPair();
    await server.connect(a);
    const client = new Client({ name: 't', version: '1' });
    await client.connect(b);
    expect((await client.listTools()).tools.map((t) => t.name)).not.toContain('payment.refund');
    await expect(client.callTool({ name: 'payment.refund', arguments: { amount: 5 } })).rejects.toThrow(
      /unknown tool/,
    );
    expect(refunded).toBe(0);
    await client.close();
    await app.close();
  });
});
