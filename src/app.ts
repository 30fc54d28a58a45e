// The assembled platform: services, the runtime wired to each agent kind's brain and tools, the readiness mode
// resolver, and every registered kind's live part (agents/registry.ts). Every entry point (HTTP server, CLI, jobs,
// MCP) builds one of these.
import type { z } from 'zod';
import type { AgentKind, KindInstance } from './agents/kind.ts';
import { AGENT_KINDS, kindsServing } from './agents/registry.ts';
import { stallableBrain } from './channels/stall.ts';
import type { Clock } from './clock.ts';
import { createServices, type Services } from './context.ts';
import { type LlmBackend, lazyLlmBackend } from './engines/llm/backend.ts';
import type { LlmSettings } from './engines/llm/settings.ts';
import type { EventBus } from './events/bus.ts';
import { type Log, silentLog } from './events/log.ts';
import { prepareEngines } from './knowledge/engines.ts';
import { createKnowledge, type Knowledge } from './knowledge/knowledge.ts';
import { McpGateway } from './mcp/gateway/gateway.ts';
import { readinessOf } from './readiness/assessments.ts';
import { scriptedBrainFromConfig } from './runtime/brains/scripted.ts';
import { Runtime, type RuntimeOptions } from './runtime/runtime.ts';
import { ToolRegistry } from './runtime/tools.ts';
import type { AgentConfig, Brain } from './runtime/types.ts';
import type { Db } from './store/db.ts';

/** Actions that exist only as human actions in the dashboard, whatever an agent's mode. */
export const HUMAN_ONLY_TOOLS: ReadonlySet<string> = new Set([
  'candidate.reject',
  'candidate.hire',
  'candidate.advance',
  'payment.refund',
  'data.erase',
]);

export interface App extends Services {
  runtime: Runtime;
  /**
   * The LLM provider's client and prices, built on first use: from createApp's `llm` option, else TWELVE_LLM_* in the
   * environment. Throws an LlmError (kind 'config') while none is configured.
   */
  llm: () => LlmBackend;
  /** The registered kinds (their definitions) and their live parts in this app, by kind name. */
  definitions: readonly AgentKind[];
  kinds: ReadonlyMap<string, KindInstance>;
  /** The knowledge bases of the agents whose kind has one: the one engine cache, `answer`, sources (src/knowledge). */
  knowledge: Knowledge;
  toolsFor(agent: AgentConfig): ToolRegistry;
  /** Outside MCP servers' accepted tools, per agent (src/mcp/gateway): toolsFor adds them to the kind's. */
  mcp: McpGateway;
  /** The kinds whose agents a channel serves. */
  kindsServing(channel: string): string[];
  /** A kind's settings schema for its keys of agent.config (AgentKind.config), if it has one. */
  kindSettings(kind: string): z.ZodType | undefined;
  /** Runs every kind's start hook for a serving node; returns the stop of them all. */
  startKinds(node: { bus: EventBus; log?: Log }): () => Promise<void>;
  close(): Promise<void>;
}

const unavailableBrain = (kind: string): Brain => ({
  decide: async () => {
    throw new Error(`no brain is available for agent kind "${kind}"`);
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
    /** The kinds to assemble (default: the registry's). */
    kinds?: readonly AgentKind[];
  } = {},
): App {
  const svc = createServices(db, options.clock, options.nodeId);
  const llm = lazyLlmBackend(options.llm !== undefined ? { settings: options.llm } : {});
  const definitions = options.kinds ?? AGENT_KINDS;
  const kinds = new Map<string, KindInstance>();
  const empty = new ToolRegistry();
  const mcp = new McpGateway(svc);
  // An agent's tools: its kind's, then the accepted tools of the outside MCP servers attached to it.
  const merged = new Map<string, { own: ToolRegistry; version: number; registry: ToolRegistry }>();
  const toolsFor = (agent: AgentConfig) => {
    const own = kinds.get(agent.kind)?.tools(agent) ?? empty;
    const outside = mcp.toolsOf(agent.id);
    if (outside.length === 0) return own;
    const hit = merged.get(agent.id);
    if (hit && hit.version === mcp.version && hit.own === own) return hit.registry;
    const registry = new ToolRegistry([...own.list(), ...outside]);
    merged.set(agent.id, { own, version: mcp.version, registry });
    return registry;
  };
  const runtime = new Runtime(svc, {
    brainFor: (agent) =>
      stallableBrain(
        agent.brain === 'scripted'
          ? scriptedBrainFromConfig(agent.config)
          : (kinds.get(agent.kind)?.brain(agent) ?? unavailableBrain(agent.kind)),
      ),
    toolsFor,
    brainInputsFor: (kind) => kinds.get(kind)?.brainInputs,
    modeFor: async (q, agent) => (await readinessOf(q, agent, toolsFor(agent))).effectiveMode,
    humanOnlyTools: HUMAN_ONLY_TOOLS,
    // readinessOf reads the agent, its latest assessment and evaluation and the count of reviewers: all covered by
    // the policy epoch. A mode resolver passed in instead may read anything, so it is not cached unless it says so.
    cacheAgents: options.runtime?.modeFor === undefined,
    ...(options.log ? { log: options.log } : {}),
    ...options.runtime,
  });
  // One knowledge module for every kind whose agents have a knowledge base (AgentKind.knowledge).
  const knowledge = createKnowledge(
    db,
    definitions.filter((d) => d.knowledge).map((d) => d.kind),
  );
  const ctx = { ...svc, runtime, llm, toolsFor, kinds, knowledge };
  for (const definition of definitions) kinds.set(definition.kind, definition.create(ctx));
  const startKinds = ({ bus, log = silentLog }: { bus: EventBus; log?: Log }) => {
    // The knowledge bases' engines train ahead of questions on every node, then each kind's own start.
    const stops = [
      ...(knowledge.kinds.size ? [prepareEngines(ctx, bus, log)] : []),
      ...[...kinds.values()].flatMap((k) => (k.start ? [k.start({ bus, log })] : [])),
    ];
    return async () => {
      await Promise.allSettled(stops.map((stop) => stop()));
    };
  };
  const close = async () => {
    await runtime.settle();
    await Promise.allSettled([...kinds.values()].map((k) => k.close?.()).concat(knowledge.close()));
    await db.close();
  };
  const kindSettings = (kind: string) => definitions.find((d) => d.kind === kind)?.config;
  return {
    ...ctx,
    definitions,
    mcp,
    kindsServing: (channel: string) => kindsServing(channel, definitions),
    kindSettings,
    startKinds,
    close,
  };
}
