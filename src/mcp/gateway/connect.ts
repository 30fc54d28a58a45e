// One connection to an outside MCP server with the SDK's own client, under a deadline and a size limit: a stdio
// command (spawned with a minimal environment: the SDK's safe defaults plus what the admin configured, never
// Twelve's own secrets) or a Streamable HTTP URL with headers. A server that hangs, dies or answers too much becomes
// a GatewayError; the connection is always closed (a stuck process is killed in the background).
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';

export interface ServerEndpoint {
  transport: 'stdio' | 'http';
  command: string | null;
  args: string[];
  env: Record<string, string>;
  url: string | null;
  headers: Record<string, string>;
  timeoutMs: number;
  maxOutputBytes: number;
}

export type GatewayErrorId = 'mcp_timeout' | 'mcp_output_too_large' | 'mcp_server_failed';

export class GatewayError extends Error {
  constructor(
    readonly id: GatewayErrorId,
    message: string,
  ) {
    super(message);
  }
}

/** What a message may weigh on the wire besides a tool's output (a listing, the JSON-RPC envelope). */
const ENVELOPE_BYTES = 256 * 1024;

/** A fetch whose response bodies stop at `limit` bytes: a larger answer fails instead of filling the memory. */
function cappedFetch(limit: number): typeof fetch {
  return async (input, init) => {
    const res = await fetch(input, init);
    if (!res.body) return res;
    let seen = 0;
    const counted = res.body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          seen += chunk.byteLength;
          if (seen > limit)
            controller.error(
              new GatewayError('mcp_output_too_large', `the server answered more than ${limit} bytes`),
            );
          else controller.enqueue(chunk);
        },
      }),
    );
    return new Response(counted, { status: res.status, statusText: res.statusText, headers: res.headers });
  };
}

// The SDK's client loads with the first outside server Twelve talks to, not with every start.
async function transportFor(endpoint: ServerEndpoint): Promise<Transport> {
  const wire = endpoint.maxOutputBytes + ENVELOPE_BYTES;
  if (endpoint.transport === 'stdio') {
    const { getDefaultEnvironment, StdioClientTransport } = await import(
      '@modelcontextprotocol/sdk/client/stdio.js'
    );
    return new StdioClientTransport({
      command: endpoint.command!,
      args: endpoint.args,
      env: { ...getDefaultEnvironment(), ...endpoint.env },
      stderr: 'ignore',
      maxBufferSize: wire,
    });
  }
  const { StreamableHTTPClientTransport } = await import(
    '@modelcontextprotocol/sdk/client/streamableHttp.js'
  );
  return new StreamableHTTPClientTransport(new URL(endpoint.url!), {
    requestInit: { headers: endpoint.headers },
    fetch: cappedFetch(wire),
  });
}

/**
 * Connects, runs `work` with the client, and closes. The whole of it (spawn, handshake, work) must finish within
 * the endpoint's timeout; a transport error (the process died, a message too large) ends it at once.
 */
export async function withServer<T>(
  endpoint: ServerEndpoint,
  work: (client: Client, timeoutMs: number) => Promise<T>,
): Promise<T> {
  const { Client } = await import('@modelcontextprotocol/sdk/client/index.js');
  const client = new Client({ name: 'twelve-gateway', version: '1.0.0' });
  const transport = await transportFor(endpoint);
  let timer: NodeJS.Timeout | undefined;
  let failTransport: (err: GatewayError) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    failTransport = reject;
  });
  failed.catch(() => {});
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new GatewayError('mcp_timeout', `the server did not answer within ${endpoint.timeoutMs} ms`)),
      endpoint.timeoutMs,
    );
  });
  deadline.catch(() => {});
  client.onerror = (err) => {
    const tooLarge = /exceeded maximum size|more than \d+ bytes/.test(err.message);
    failTransport(
      tooLarge
        ? new GatewayError(
            'mcp_output_too_large',
            `the server's answer exceeds ${endpoint.maxOutputBytes} bytes`,
          )
        : new GatewayError('mcp_server_failed', `the server failed: ${err.message.slice(0, 300)}`),
    );
  };
  client.onclose = () =>
    failTransport(new GatewayError('mcp_server_failed', 'the server closed the connection'));
  try {
    return await Promise.race([
      (async () => {
        await client.connect(transport, { timeout: endpoint.timeoutMs });
        return work(client, endpoint.timeoutMs);
      })(),
      failed,
      deadline,
    ]);
  } catch (err) {
    if (err instanceof GatewayError) throw err;
    const message = err instanceof Error ? err.message : String(err);
    if (/timed out|timeout/i.test(message))
      throw new GatewayError('mcp_timeout', `the server did not answer within ${endpoint.timeoutMs} ms`);
    if (/exceeded maximum size|more than \d+ bytes/.test(message))
      throw new GatewayError(
        'mcp_output_too_large',
        `the server's answer exceeds ${endpoint.maxOutputBytes} bytes`,
      );
    throw new GatewayError('mcp_server_failed', `the server failed: ${message.slice(0, 300)}`);
  } finally {
    clearTimeout(timer);
    client.onclose = undefined;
    client.onerror = undefined;
    // A stuck process takes up to 4 s to be killed (stdin closed, SIGTERM, SIGKILL): never on the caller's time.
    void client.close().catch(() => {});
  }
}
