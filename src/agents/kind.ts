// The agent-kind contract: what every member of the family (support, and the kinds to come) gives the platform.
// A kind is a static definition (its name, the channels it serves, its settings, its CLI commands) with a `create`
// that builds its live part for one assembled app (tools, brains, routes, jobs, start/stop hooks, its summary for
// the agent card). The platform (app.ts, the server, the CLI, the jobs, the lifecycle, the channels) iterates the
// registry (registry.ts) and never names a kind; a kind never imports app.ts: it gets a KindContext.
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import type { ChannelName } from '../channels/channel.ts';
import type { CliCommand, CliIo } from '../cli/command.ts';
import type { Services } from '../context.ts';
import type { SourceTitles } from '../conversations/sources.ts';
import type { LlmBackend } from '../engines/llm/backend.ts';
import type { EventBus } from '../events/bus.ts';
import type { Log } from '../events/log.ts';
import type { JobDefinition } from '../jobs/definitions.ts';
import type { Knowledge } from '../knowledge/knowledge.ts';
import type { KindOutcomesHook } from '../metrics/measurement.ts';
import type { TaskMinutesDefault } from '../metrics/settings.ts';
import type { Runtime } from '../runtime/runtime.ts';
import type { ToolRegistry } from '../runtime/tools.ts';
import type { AgentConfig, Brain, BrainInputs } from '../runtime/types.ts';
import type { Queryable } from '../store/db.ts';

export type { BrainInputs, SourceTitles };

/** What a kind may use of the assembled platform: the services, the runtime, the LLM backend, every agent's tools. */
export interface KindContext extends Services {
  runtime: Runtime;
  /** The configured LLM provider, built on first use; throws an LlmError (kind 'config') while none is configured. */
  llm: () => LlmBackend;
  toolsFor(agent: AgentConfig): ToolRegistry;
  /** Every registered kind's live part, by name (a kind's CLI and tests reach their own through it). */
  kinds: ReadonlyMap<string, KindInstance>;
  /** The knowledge bases (src/knowledge): the app's one engine cache and `answer`, for kinds with `knowledge`. */
  knowledge: Knowledge;
}

/** The live part of a kind in one app. */
export interface KindInstance {
  tools(agent: AgentConfig): ToolRegistry;
  /** The agent's brain: local, or the LLM one when the agent says `llm` and the kind has one. */
  brain(agent: AgentConfig): Brain;
  /** What its brains need from a run, read inside the runtime's own statements (BrainContext.inputs). */
  brainInputs?: BrainInputs;
  sources?: SourceTitles;
  /** The kind's block on the agent card (API: `agent[kind]`), over the last `windowMs`. */
  summary?(q: Queryable, agent: AgentConfig): Promise<Record<string, unknown>>;
  /** Its HTTP routes (API under /api, with the platform's route pipeline). */
  routes?(server: FastifyInstance): void;
  /** Periodic work, run by the node's job runner like the platform's own. */
  jobs?: readonly JobDefinition[];
  /** Called when a node starts serving (after the event bus is up); returns its stop. */
  start?(node: { bus: EventBus; log: Log }): () => Promise<void>;
  /** Releases what the instance holds (worker threads, caches) when the app closes. */
  close?(): Promise<void>;
  /**
   * Measurement (src/metrics/): the outcomes the kind counts of its own in a range (the receptionist's bookings; the
   * hiring kind's screened applications), each with the minutes a person would spend on one, added to hours saved
   * on top of the conversation outcomes every kind shares.
   */
  outcomes?: KindOutcomesHook;
}

/** Opens the configured database and assembles an app, for a CLI command; the caller closes it. */
export type CliAppOpener = (io: CliIo) => Promise<KindContext & { close(): Promise<void> }>;

export interface AgentKind {
  kind: string;
  /** For people: the new-agent form and the CLI. */
  label: string;
  description: string;
  /** The channels its agents answer on; a channel serves the agents whose kind lists it. */
  channels: readonly ChannelName[];
  /**
   * Checks the kind's own keys of agent.config on create and update (a bad value is refused naming its path);
   * keys it does not know are left to the platform and the channels.
   */
  config?: z.ZodType;
  /** Its agents have a knowledge base (src/knowledge): the KB routes, page and commands accept them. */
  knowledge?: true;
  create(ctx: KindContext): KindInstance;
  /** Measurement: minutes a person would spend on one conversation the agent resolves, and where that comes from. */
  measurement?: TaskMinutesDefault;
  cli?(open: CliAppOpener): CliCommand[];
}
