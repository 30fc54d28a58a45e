// The support agent as a member of the agent family: its tools, its brains and what they need from a run.
import { z } from 'zod';
import { defineTool, ToolRegistry } from '../../runtime/tools.ts';
import type { AgentConfig, Brain } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import { answerFrom, SupportLocalBrain } from './brain.ts';
import { SUPPORT_BRAIN_INPUTS } from './brain-inputs.ts';
import type { EngineCache } from './engine-cache.ts';

export function supportTools(db: Queryable, cache: EngineCache): ToolRegistry {
  return new ToolRegistry([
    defineTool({
      name: 'kb.search',
      description: "Searches the agent's knowledge base; returns the best matching entries and passages",
      risk: 'read',
      input: z
        .object({ query: z.string().min(1).max(1000), limit: z.number().int().min(1).max(10).default(5) })
        .strict(),
      handler: async ({ query, limit }, ctx) => {
        const answer = answerFrom(await cache.answering(db, ctx.agentId), query, limit);
        return { confidence: answer.confidence, results: answer.candidates };
      },
    }),
  ]);
}

export function supportKind(db: Queryable, cache: EngineCache, llmBrain?: (agent: AgentConfig) => Brain) {
  const tools = supportTools(db, cache);
  const local = new SupportLocalBrain(db, cache);
  return {
    kind: 'support',
    tools: () => tools,
    brainInputs: SUPPORT_BRAIN_INPUTS,
    brain: (agent: AgentConfig): Brain => (agent.brain === 'llm' && llmBrain ? llmBrain(agent) : local),
  };
}
