// Outside MCP servers for the gateway's tests, built with the official SDK (McpServer). Run as a stdio server:
//   node --import tsx test/fakes/mcp-server.ts
// Its tools:
//   lookup   read-only; its description is read from $FAKE_MCP_DESCRIPTION_FILE when the process starts (the gateway
//            spawns one per connection: a test edits the file to change the definition between two listings), answers {found, query}
//   slow     never answers (a server that hangs)
//   dump     answers $FAKE_MCP_DUMP_BYTES (default 2 MiB) of text (oversized output)
//   crash    the process exits in the middle of the call (a server that dies)
//   erase    no annotations at all (so: destructive)
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { z } from 'zod';

export function buildFakeMcpServer(env: NodeJS.ProcessEnv = process.env): McpServer {
  const server = new McpServer({ name: 'fake-outside', version: '1.0.0' });
  const descriptionFile = env.FAKE_MCP_DESCRIPTION_FILE;
  const description = () =>
    descriptionFile ? readFileSync(descriptionFile, 'utf8').trim() : 'Looks up an order by its reference';
  server.registerTool(
    'lookup',
    {
      description: description(),
      inputSchema: { query: z.string() },
      annotations: { readOnlyHint: true },
    },
    async ({ query }) => ({ content: [{ type: 'text', text: `found ${query}` }] }),
  );
  server.registerTool(
    'slow',
    { description: 'Never answers', inputSchema: {}, annotations: { readOnlyHint: true } },
    () => new Promise(() => {}),
  );
  server.registerTool(
    'dump',
    { description: 'Answers a lot of text', inputSchema: {}, annotations: { readOnlyHint: true } },
    async () => ({
      content: [{ type: 'text', text: 'x'.repeat(Number(env.FAKE_MCP_DUMP_BYTES ?? 2 * 1024 * 1024)) }],
    }),
  );
  server.registerTool(
    'crash',
    { description: 'Dies mid-call', inputSchema: {}, annotations: { readOnlyHint: true } },
    async () => process.exit(3),
  );
  server.registerTool('erase', { description: 'Erases everything', inputSchema: {} }, async () => ({
    content: [{ type: 'text', text: 'erased' }],
  }));
  return server;
}

/**
 * The same server over Streamable HTTP (stateless: a server per POST, so the description file is read per request),
 * refusing requests without `x-api-key: <apiKey>` (401).
 */
export async function startFakeHttpMcpServer(
  apiKey: string,
  env: NodeJS.ProcessEnv,
): Promise<{ url: string; close(): Promise<void> }> {
  const http = createServer(async (req, res) => {
    if (req.headers['x-api-key'] !== apiKey) {
      res.writeHead(401).end();
      return;
    }
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : undefined;
    const server = buildFakeMcpServer(env);
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    res.on('close', () => {
      void transport.close();
      void server.close();
    });
    await server.connect(transport);
    await transport.handleRequest(req, res, body);
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildFakeMcpServer().connect(new StdioServerTransport());
}
