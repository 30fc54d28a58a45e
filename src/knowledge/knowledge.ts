// The knowledge base as a platform module: any agent whose kind says so (AgentKind.knowledge) has one. The app owns
// ONE Knowledge: the trained engines of every such agent (EngineCache, one per agent and KB version), the kinds that
// have a KB, and `answer`, the one retrieval step every kind uses (answer.ts), so an entry answers the same way for a
// support agent and a receptionist. Kinds get it in their KindContext; the KB routes, the `twelve kb` commands and
// the engines' start hook (engines.ts) are the platform's, and accept only agents of those kinds.
import type { Services } from '../context.ts';
import type { SourceTitles } from '../conversations/sources.ts';
import type { LlmBackend } from '../engines/llm/backend.ts';
import { AppError } from '../errors.ts';
import { findAgent } from '../runtime/agents.ts';
import type { AgentConfig } from '../runtime/types.ts';
import type { Queryable } from '../store/db.ts';
import { type Answer, answerFrom } from './answer.ts';
import { EngineCache } from './engine-cache.ts';
import { sourceTitles, titlesIn } from './sources.ts';

export interface Knowledge {
  /** The trained engines, one per agent and KB version, in this process. */
  engines: EngineCache;
  /** The agent kinds whose agents have a knowledge base. */
  kinds: ReadonlySet<string>;
  /** The agent's question matched against its KB's current engine (or, while that retrains, the last one). */
  answer(agentId: string, question: string, k?: number): Promise<Answer>;
  /** Where an answer came from, as titles (the inbox's "From …", the widget's sources). */
  sources: SourceTitles;
  close(): Promise<void>;
}

/** What the KB's routes, commands and start hook use of an assembled app. */
export interface KnowledgeContext extends Services {
  knowledge: Knowledge;
  /** The configured LLM provider (phrasing suggestions); throws an LlmError while none is configured. */
  llm: () => LlmBackend;
}

export function createKnowledge(
  db: Queryable,
  kinds: Iterable<string>,
  options: ConstructorParameters<typeof EngineCache>[0] = {},
): Knowledge {
  const engines = new EngineCache(options);
  return {
    engines,
    kinds: new Set(kinds),
    answer: async (agentId, question, k) => answerFrom(await engines.answering(db, agentId), question, k),
    sources: {
      titles: sourceTitles,
      cached: (agentId, sources) => {
        const snapshot = engines.latest(agentId);
        return snapshot ? titlesIn(snapshot, sources) : null;
      },
    },
    close: () => engines.close(),
  };
}

/** Refuses an agent whose kind has no knowledge base (`no_knowledge_base`). */
export function assertHasKnowledge(knowledge: Pick<Knowledge, 'kinds'>, agent: AgentConfig): AgentConfig {
  if (!knowledge.kinds.has(agent.kind))
    throw new AppError(
      'no_knowledge_base',
      `agent "${agent.name}" is a ${agent.kind} agent, and ${agent.kind} agents have no knowledge base`,
      { kind: agent.kind, kindsWithKnowledge: [...knowledge.kinds] },
    );
  return agent;
}

/** The agent by id or name, when its kind has a knowledge base (404 when there is none, 409 for another kind). */
export async function knowledgeAgent(
  app: { db: Queryable; knowledge: Pick<Knowledge, 'kinds'> },
  idOrName: string,
): Promise<AgentConfig> {
  return assertHasKnowledge(app.knowledge, await findAgent(app.db, idOrName));
}
