// The tool registry. A tool's risk class is fixed where the tool is defined; nothing at run time (a brain's
// action, a prompt, a customer message) can change it. Agent configuration can only make policy stricter.
import type { z } from 'zod';
import type { RiskClass } from './types.ts';

export interface ToolContext {
  runId: string;
  agentId: string;
  /** Stable per tool call: a resumed run passes the same key, so a handler can deduplicate side effects. */
  idempotencyKey: string;
}

export interface ToolDefinition<I = unknown, O = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  output?: z.ZodType<O>;
  risk: RiskClass;
  /** Cost in cents of one call, for spend tools; counted against the agent's daily cap. */
  costCents?: (args: I) => number;
  handler: (args: I, ctx: ToolContext) => Promise<O>;
  /**
   * A provisional, reversible effect taken when the call must wait for a person's approval (pilot: a booking held as
   * tentative so nobody else takes the slot meanwhile). It runs before the approval is written, with the call's
   * idempotency key and `until` (the approval's expiry: the hold must lapse by then); what it answers is the call's
   * result while it waits. A throw is the call's result instead (the brain reads it) and no approval is asked. The
   * approved call's handler runs with the same key (and makes the hold the real thing).
   */
  hold?: (args: I, ctx: ToolContext & { until: Date }) => Promise<unknown>;
  /** Undoes a hold whose approval was denied or expired (best effort: a hold lapses at `until` anyway). */
  release?: (args: I, ctx: ToolContext, why: 'denied' | 'expired') => Promise<void>;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds tools of many input types
export type AnyTool = ToolDefinition<any, any>;

export function defineTool<I, O>(tool: ToolDefinition<I, O>): ToolDefinition<I, O> {
  return tool;
}

export class ToolRegistry {
  private readonly tools = new Map<string, Readonly<AnyTool>>();

  constructor(tools: AnyTool[] = []) {
    for (const t of tools) this.register(t);
  }

  register(tool: AnyTool): void {
    if (this.tools.has(tool.name)) throw new Error(`tool ${tool.name} is already registered`);
    this.tools.set(tool.name, Object.freeze({ ...tool }));
  }

  get(name: string): Readonly<AnyTool> | undefined {
    return this.tools.get(name);
  }

  list(): Readonly<AnyTool>[] {
    return [...this.tools.values()];
  }
}
