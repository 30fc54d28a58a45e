// Vapi `tool-calls` (PROTOCOLS §1.5): each call runs the agent's tool of that name through the runtime's policy
// (Runtime.runRequestedTool: one run per tool call id, so a redelivered request never runs a tool twice) and comes
// back as one short, single-line result or error the call's model can say. An unknown tool is an error result.
import type { App } from '../../app.ts';
import type { RequestedToolOutcome } from '../../runtime/runtime.ts';
import type { AnyTool } from '../../runtime/tools.ts';
import type { VoiceCall } from './calls.ts';
import { VOICE } from './calls.ts';
import type { NormalizedToolCall } from './payload.ts';

export interface ToolCallResult {
  toolCallId: string;
  name: string;
  result?: string;
  error?: string;
}

/** A function name Vapi and OpenAI accept (^[a-zA-Z0-9_-]{1,64}$): Twelve's dotted names with underscores. */
export function vapiToolName(name: string): string {
  return name.replace(/[^a-zA-Z0-9_-]/g, '_').slice(0, 64);
}

export function toolByVapiName(
  tools: readonly Readonly<AnyTool>[],
  name: string,
): Readonly<AnyTool> | undefined {
  return tools.find((t) => t.name === name) ?? tools.find((t) => vapiToolName(t.name) === name);
}

const oneLine = (s: string, max = 500) => {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
};

/** What a tool returned, as one line: its own words when it has them, else compact JSON for the call's model. */
function resultText(result: unknown): string {
  if (typeof result === 'string') return oneLine(result);
  if (result && typeof result === 'object') {
    for (const key of ['spoken', 'message', 'text', 'summary'] as const) {
      const v = (result as Record<string, unknown>)[key];
      if (typeof v === 'string' && v.trim()) return oneLine(v);
    }
  }
  return oneLine(JSON.stringify(result ?? null));
}

export const SPOKEN = {
  unknown: 'I cannot do that on this call.',
  badArguments: 'I could not read the details for that; could you say them again?',
  approval: 'A person will confirm this shortly, and we will let you know.',
  recorded: 'I have noted your request; a person will follow up.',
  denied: 'That is something only a person can do; a colleague will help you with it.',
  failed: 'That did not work just now; a person will follow up.',
  working: 'I am still working on that.',
  unavailable: 'I cannot do that right now; a person will follow up.',
} as const;

export function spokenOutcome(id: string, name: string, o: RequestedToolOutcome): ToolCallResult {
  const ok = (result: string) => ({ toolCallId: id, name, result });
  const err = (error: string) => ({ toolCallId: id, name, error });
  const call = o.call;
  if (call) {
    switch (call.status) {
      case 'succeeded': {
        const r = call.result as Record<string, unknown> | null;
        if (r && typeof r === 'object' && 'error' in r) return err(SPOKEN.failed);
        return ok(resultText(call.result));
      }
      case 'pending': {
        // A held call (tools.ts `hold`: a tentative booking) says what is held for the person to confirm.
        const spoken = (call.result as { whilePending?: unknown } | null)?.whilePending;
        return ok(typeof spoken === 'string' && spoken.trim() ? oneLine(spoken) : SPOKEN.approval);
      }
      case 'ready':
      case 'executing':
        return ok(SPOKEN.working);
      case 'recorded':
        return ok(SPOKEN.recorded);
      case 'denied':
        return err(SPOKEN.denied);
      case 'expired':
        return err(SPOKEN.unavailable);
      default:
        return err(SPOKEN.failed);
    }
  }
  const stepError = (o.step?.result as { error?: { id?: string } } | null)?.error?.id;
  if (stepError === 'invalid_arguments') return err(SPOKEN.badArguments);
  if (o.run.status === 'running') return ok(SPOKEN.working);
  return err(SPOKEN.unavailable);
}

export async function toolCallsRunner(
  app: App,
  call: VoiceCall,
  calls: NormalizedToolCall[],
): Promise<ToolCallResult[]> {
  const tools = app.toolsFor(call.agent).list();
  const results: ToolCallResult[] = [];
  for (const c of calls) {
    const tool = toolByVapiName(tools, c.name);
    if (!tool) {
      results.push({ toolCallId: c.id, name: c.name, error: SPOKEN.unknown });
      continue;
    }
    if (c.invalid) {
      results.push({ toolCallId: c.id, name: c.name, error: SPOKEN.badArguments });
      continue;
    }
    const outcome = await app.runtime.runRequestedTool(
      call.agent.id,
      {
        requestId: `vapi:${c.id}`,
        tool: tool.name,
        args: c.args,
        conversationId: call.conversation.id,
        channel: VOICE,
        ...(call.customerNumber ? { customerId: call.customerNumber } : {}),
      },
      'channel:voice',
    );
    results.push(spokenOutcome(c.id, c.name, outcome));
  }
  return results;
}
