// `twelve mcp attach|list|accept|detach` on a PGlite data folder, then `twelve mcp` itself as a real stdio process
// driven by the SDK's own Client (StdioClientTransport): listing by the token's role, a read call, a policy-held
// write, an accepted outside tool reached through the gateway from inside the stdio server, a refused call.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { captureIo } from '../../test/support/cli.ts';
import { createApp } from '../app.ts';
import { main } from '../cli/main.ts';
import { assessmentRecorder } from '../readiness/assessments.ts';
import { agentCreator } from '../runtime/agents.ts';
import { openDatabase } from '../store/open.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const FAKE = join(ROOT, 'test/fakes/mcp-server.ts');
const dir = mkdtempSync(join(tmpdir(), 'twelve-mcp-cli-'));
const descriptionFile = join(dir, 'description.txt');
const env = { TWELVE_DATA_DIR: join(dir, 'data') };
const capture = () => captureIo(env);
let reviewerToken = '';
let viewerToken = '';

beforeAll(async () => {
  writeFileSync(descriptionFile, 'Looks up an order by its reference');
  const io = capture();
  expect(await main(['token', 'create', '--name', 'desk', '--role', 'reviewer'], io)).toBe(0);
  reviewerToken = io.stdout[0]!;
  const v = capture();
  expect(await main(['token', 'create', '--name', 'wall', '--role', 'viewer'], v)).toBe(0);
  viewerToken = v.stdout[0]!;
  const app = createApp(await openDatabase({ dataDir: env.TWELVE_DATA_DIR }), { llm: null });
  const agent = await agentCreator(app, 'test', {
    kind: 'custom',
    name: 'desk-agent',
    brain: 'scripted',
    config: { script: [{ type: 'done', outcome: 'nothing' }] },
  });
  await assessmentRecorder(app, 'test', agent.id, { clarity: 3, tolerance: 3, fallback: 3 }); // pilot
  await app.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('twelve mcp (gateway commands)', () => {
  let fingerprint = '';
  it('attaches a stdio server: its tools are listed quarantined, with a hint to accept', async () => {
    const io = capture();
    const code = await main(
      [
        'mcp',
        'attach',
        'desk-agent',
        'orders',
        '--env',
        `FAKE_MCP_DESCRIPTION_FILE=${descriptionFile}`,
        '--',
        process.execPath,
        '--import',
        'tsx',
        FAKE,
      ],
      io,
    );
    expect(code, io.stderr.join('\n')).toBe(0);
    const out = io.stdout.join('\n');
    expect(out).toMatch(/lookup {2}quarantined {2}risk read/);
    expect(out).toMatch(/erase {2}quarantined {2}risk destructive/);
    fingerprint = /lookup {2}quarantined {2}risk read {2}([0-9a-f]{12})/.exec(out)![1]!;
  }, 60_000);

  it('refuses usage mistakes with exit 2', async () => {
    expect(await main(['mcp', 'attach', 'desk-agent'], capture())).toBe(2);
    expect(
      await main(
        ['mcp', 'accept', 'desk-agent', 'orders', 'lookup', fingerprint, '--risk', 'huge'],
        capture(),
      ),
    ).toBe(2);
  });

  it('accepts a tool by the fingerprint shown; list shows it accepted', async () => {
    const io = capture();
    expect(await main(['mcp', 'accept', 'desk-agent', 'orders', 'lookup', fingerprint], io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('mcp.orders.lookup');
    const list = capture();
    expect(await main(['mcp', 'list', 'desk-agent'], list)).toBe(0);
    expect(list.stdout.join('\n')).toMatch(/lookup {2}accepted/);
  }, 60_000);
});

describe('twelve mcp (stdio server)', () => {
  const spawnClient = async (token: string) => {
    const client = new Client({ name: 'stdio-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [join(ROOT, 'bin/twelve.js'), 'mcp', '--agent', 'desk-agent'],
        env: { ...process.env, ...env, TWELVE_MCP_TOKEN: token } as Record<string, string>,
        cwd: ROOT,
        stderr: 'ignore',
      }),
    );
    return client;
  };

  it('[mcp:role-bounds-tools] serves a viewer the read tools only, and refuses it a write', async () => {
    const client = await spawnClient(viewerToken);
    try {
      const names = (await client.listTools()).tools.map((t) => t.name);
      expect(names).toEqual(
        expect.arrayContaining(['notes.search', 'mcp.orders.lookup', 'escalations.list_open']),
      );
      expect(names).not.toContain('notes.create');
      const refused = await client.callTool({ name: 'notes.create', arguments: { body: 'x' } });
      expect(refused.isError).toBe(true);
    } finally {
      await client.close();
    }
  }, 90_000);

  it('[mcp:calls-under-policy] runs reads, holds a pilot write for approval, and reaches an accepted outside tool', async () => {
    const client = await spawnClient(reviewerToken);
    try {
      const read = await client.callTool({ name: 'notes.search', arguments: { query: 'x' } });
      expect(read.structuredContent).toMatchObject({ status: 'done', result: { notes: [] } });
      const held = await client.callTool({ name: 'notes.create', arguments: { body: 'remember the milk' } });
      expect(held.structuredContent).toMatchObject({ status: 'awaiting_approval' });
      const outside = await client.callTool({ name: 'mcp.orders.lookup', arguments: { query: 'Z9' } });
      expect(JSON.stringify(outside.structuredContent)).toContain('found Z9');
    } finally {
      await client.close();
    }
    // The stdio server has let go of the data folder: its calls are in the audit trail with the token as actor.
    const app = createApp(await openDatabase({ dataDir: env.TWELVE_DATA_DIR }), { llm: null });
    try {
      const rows = await app.db.query<{ actor: string; payload: { tool: string; outcome: string } }>(
        `SELECT actor, payload FROM audit_events WHERE action = 'mcp.tool_called' ORDER BY id`,
      );
      expect(rows.filter((r) => r.actor === 'token:desk').map((r) => r.payload.outcome)).toEqual([
        'done',
        'awaiting_approval',
        'done',
      ]);
      expect(rows.some((r) => r.actor === 'token:wall' && r.payload.outcome === 'refused')).toBe(true);
    } finally {
      await app.close();
    }
  }, 90_000);

  it('detaches the server', async () => {
    const io = capture();
    expect(await main(['mcp', 'detach', 'desk-agent', 'orders'], io)).toBe(0);
    const list = capture();
    await main(['mcp', 'list', 'desk-agent'], list);
    expect(list.stdout.join('\n')).toContain('No MCP servers attached.');
  }, 60_000);
});
