// The answer to `assistant-request` (PROTOCOLS §1.4): a transient assistant whose model is Twelve's custom LLM
// endpoint (§1.11), so Twelve's runtime drives every turn, whose server URL is this webhook, and whose tools are the
// agent's (by Vapi-safe name), plus Vapi's transferCall without a destination (Vapi then sends
// transfer-destination-request) and endCall. The shared secret goes back in the headers Vapi sends to both URLs.
import { z } from 'zod';
import type { App } from '../../app.ts';
import type { AgentConfig } from '../../runtime/types.ts';
import { vapiToolName } from './tools.ts';

export const SERVER_MESSAGES = [
  'status-update',
  'end-of-call-report',
  'tool-calls',
  'transfer-destination-request',
  'hang',
];

function parametersOf(schema: z.ZodType): Record<string, unknown> {
  try {
    const json = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
    delete json.$schema;
    return json;
  } catch {
    return { type: 'object', properties: {} };
  }
}

export function assistantFor(
  app: App,
  agent: AgentConfig,
  base: string,
  secret: string,
): Record<string, unknown> {
  const voice = (agent.config.voice ?? {}) as Record<string, unknown>;
  const firstMessage =
    typeof voice.firstMessage === 'string' && voice.firstMessage.trim()
      ? voice.firstMessage
      : `Hello, you're through to ${agent.displayName}. How can I help?`;
  const headers = { 'X-Vapi-Secret': secret };
  const tools = app
    .toolsFor(agent)
    .list()
    .map((t) => ({
      type: 'function',
      async: false,
      function: {
        name: vapiToolName(t.name),
        description: t.description.slice(0, 1000),
        parameters: parametersOf(t.input),
      },
      server: { url: `${base}/webhooks/vapi`, headers },
    }));
  return {
    name: agent.displayName.slice(0, 40),
    firstMessage,
    model: {
      provider: 'custom-llm',
      url: `${base}/vapi/llm`,
      model: `twelve-${agent.name}`,
      metadataSendMode: 'variable',
      headers,
      messages: [
        {
          role: 'system',
          content: `You are ${agent.displayName}. Twelve answers each turn; speak its reply as given.`,
        },
      ],
      tools: [...tools, { type: 'transferCall' }, { type: 'endCall' }],
    },
    server: { url: `${base}/webhooks/vapi`, headers },
    serverMessages: SERVER_MESSAGES,
    metadata: { twelveAgentId: agent.id },
  };
}
