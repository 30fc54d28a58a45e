// The assembled platform: services, the runtime wired to each agent kind's brain and tools, and the readiness
// mode resolver. Every entry point (HTTP server, CLI, jobs, MCP) builds one of these.
import { buildDemoTools } from './agents/custom/tools.ts';
import { type LlmBackend, lazyLlmBackend, supportLlmBrainFactory } from './agents/support/brain.llm.ts';
import { EngineCache } from './agents/support/engine-cache.ts';
import { supportKind } from './agents/support/module.ts';
import { stallableBrain } from './channels/stall.ts';
import type { Clock } from './clock.ts';
import { createServices, type Services } from './context.ts';
import type { LlmSettings } from './engines/llm/settings.ts';
import type { Log } from './events/log.ts';
import { readinessOf } from './readiness/assessments.ts';
import { scriptedBrainFromConfig } from './runtime/brains/scripted.ts';
import { Runtime, type RuntimeOptions } from './runtime/runtime.ts';
import { ToolRegistry } from './runtime/tools.ts';
import type { AgentConfig, Brain } from './runtime/types.ts';
import type { Db } from './store/db.ts';

/** One family member per agent kind: how it decides, and what it may try to do. */
export interface AgentKindModule {
  kind: string;
  tools(agent: AgentConfig): ToolRegistry;
  brain(agent: AgentConfig): Brain;
}

/** Actions that exist only as human actions in the dashboard, whatever an agent's mode. */
export const HUMAN_ONLY_TOOLS: ReadonlySet<string> = new Set([
  'candidate.reject',
  'candidate.hire',
  'payment.refund',
  'data.erase',
]);

export interface App extends Services {
  runtime: Runtime;
  /** Trained support engines per agent and KB version. */
  engines: EngineCache;
  /**
   * The LLM provider's client and prices, built on first use: from createApp's `llm` option, else TWELVE_LLM_* in the
   * environment. Throws an LlmError (kind 'config') while none is configured.
   */
  llm: () => LlmBackend;
  kinds: Map<string, AgentKindModule>;
  toolsFor(agent: AgentConfig): ToolRegistry;
  close(): Promise<void>;
}

const unavailableBrain = (kind: string): Brain => ({
  decide: async () => {
    throw new Error(`no brain is available for agent kind "${kind}" yet`);
  },
});

export function createApp(
  db: Db,
  options: {
    clock?: Clock;
    nodeId?: string;
    runtime?: Partial<RuntimeOptions>;
    log?: Log;
    /** LLM settings (null: none); left out, they come from TWELVE_LLM_* when first needed. */
    llm?: LlmSettings | null;
  } = {},
): App {
  const svc = createServices(db, options.clock, options.nodeId);
  const demoTools = buildDemoTools(db);
  const engines = new EngineCache();
  const llm = lazyLlmBackend(options.llm !== undefined ? { settings: options.llm } : {});
  const kinds = new Map<string, AgentKindModule>([
    [
      'custom',
      { kind: 'custom', tools: () => demoTools, brain: (agent) => scriptedBrainFromConfig(agent.config) },
    ],
    [
      'support',
      supportKind(db, engines, supportLlmBrainFactory(db, engines, { clock: svc.clock, backend: llm })),
    ],
  ]);
  const empty = new ToolRegistry();
  const toolsFor = (agent: AgentConfig) => kinds.get(agent.kind)?.tools(agent) ?? empty;
  const runtime = new Runtime(svc, {
    brainFor: (agent) =>
      stallableBrain(
        agent.brain === 'scripted'
          ? scriptedBrainFromConfig(agent.config)
          : (kinds.get(agent.kind)?.brain(agent) ?? unavailableBrain(agent.kind)),
      ),
    toolsFor,
    modeFor: async (q, agent) => (await readinessOf(q, agent, toolsFor(agent))).effectiveMode,
    humanOnlyTools: HUMAN_ONLY_TOOLS,
    // readinessOf reads the agent, its latest assessment and evaluation and the count of reviewers: all covered by
    // the policy epoch. A mode resolver passed in instead may read anything, so it is not cached unless it says so.
    cacheAgents: options.runtime?.modeFor === undefined,
    ...(options.log ? { log: options.log } : {}),
    ...options.runtime,
  });
  const close = async () => {
    await runtime.settle();
    await engines.close();
    await db.close();
  };
  return { ...svc, runtime, engines, llm, kinds, toolsFor, close };
}
