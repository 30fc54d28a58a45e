// Test helpers for the web chat (used by its tests and the browser test): a support agent on the sample KB made
// production-ready (so its answers are sent, not drafted), and a small typed WebSocket client that records frames.
// `ws` ships no type declarations and @types/ws is not installed, so it is loaded through require and typed here.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { SUPPORT_KIND } from '../../src/agents/support/kind.ts';
import type { App } from '../../src/app.ts';
import { kbImporter } from '../../src/knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder } from '../../src/readiness/assessments.ts';
import { agentCreator, agentUpdater } from '../../src/runtime/agents.ts';
import type { AgentConfig } from '../../src/runtime/types.ts';

export const NORTHWIND_KB = join(import.meta.dirname, '../../examples/northwind-cycles');
const ADMIN = 'user:admin@example.com';

/** A `support` agent with the Northwind Cycles KB, in production mode (evidence and assessment both allow it). */
export async function northwindAgent(
  app: App,
  name = 'northwind',
  config: Record<string, unknown> = {},
): Promise<AgentConfig> {
  const agent = await agentCreator(app, ADMIN, {
    kind: SUPPORT_KIND,
    name,
    displayName: 'Northwind Cycles',
    confidenceThreshold: 0.5,
    config,
  });
  await kbImporter(app, ADMIN, agent.id, NORTHWIND_KB);
  const updated = await agentUpdater(app, ADMIN, agent.id, {
    escalationContacts: ['team@example.com'],
    spendCapCents: 0,
  });
  await evaluationRecorder(app, ADMIN, agent.id, { kind: SUPPORT_KIND, passed: true, report: {} });
  await assessmentRecorder(app, ADMIN, agent.id, { clarity: 4, tolerance: 4, fallback: 5 });
  return updated;
}

/** A `support` agent with the Northwind FAQ and no readiness assessment: shadow mode, so it only drafts. */
export async function northwindShadowAgent(app: App, name = 'northwind-shadow'): Promise<AgentConfig> {
  const agent = await agentCreator(app, ADMIN, { kind: SUPPORT_KIND, name, confidenceThreshold: 0.5 });
  await kbImporter(app, ADMIN, agent.id, join(NORTHWIND_KB, 'faq.json'));
  return agent;
}

export type Frame = { type: string } & Record<string, unknown>;

interface RawSocket {
  readonly readyState: number;
  send(data: string | Buffer, options?: { binary?: boolean }): void;
  close(): void;
  on(event: 'message', fn: (data: Buffer) => void): void;
  on(event: 'close', fn: (code: number) => void): void;
  on(event: 'open', fn: () => void): void;
  on(event: 'error', fn: (err: Error) => void): void;
}
const WebSocketCtor = createRequire(import.meta.url)('ws') as new (url: string) => RawSocket;

export class ChatClient {
  readonly frames: Frame[] = [];
  readonly closed: Promise<number>;
  private cursor = 0;
  private wake: (() => void) | null = null;

  private constructor(private readonly ws: RawSocket) {
    ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString('utf8')) as Frame);
      this.wake?.();
    });
    this.closed = new Promise((resolve) => ws.on('close', (code) => resolve(code)));
    void this.closed.then(() => this.wake?.());
  }

  static open(url: string): Promise<ChatClient> {
    const ws = new WebSocketCtor(url);
    const client = new ChatClient(ws);
    return new Promise((resolve, reject) => {
      ws.on('open', () => resolve(client));
      ws.on('error', reject);
    });
  }

  send(frame: Frame | string | Buffer): void {
    if (Buffer.isBuffer(frame)) this.ws.send(frame, { binary: true });
    else this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  /** The next frame after the last one waited for that matches; fails after timeoutMs. */
  async next(match: (f: Frame) => boolean = () => true, timeoutMs = 10_000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.frames.findIndex((f, idx) => idx >= this.cursor && match(f));
      if (i >= 0) {
        this.cursor = i + 1;
        return this.frames[i]!;
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.wake = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  type(type: string, timeoutMs?: number): Promise<Frame> {
    return this.next((f) => f.type === type, timeoutMs);
  }

  close(): void {
    this.ws.close();
  }
}
