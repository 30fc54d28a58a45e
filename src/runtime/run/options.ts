// What a Runtime is built with and what its callers pass: the seams to the agent kinds (brains, tools, brain inputs),
// to readiness (the mode) and to the channels (delivery, the messages a drive wrote). runtime.ts re-exports them.
import type { Log } from '../../events/log.ts';
import type { Queryable } from '../../store/db.ts';
import type { Mode } from '../mode.ts';
import type { WrittenMessage } from '../run-state.ts';
import type { ToolRegistry } from '../tools.ts';
import type { AgentConfig, Brain, BrainInputs } from '../types.ts';

export interface OutboundMessage {
  messageId: string;
  agentId: string;
  runId: string;
  conversationId: string | null;
  channel: string | null;
  text: string;
  sources: string[];
}

export interface RuntimeOptions {
  brainFor: (agent: AgentConfig) => Brain;
  toolsFor: (agent: AgentConfig) => ToolRegistry;
  /**
   * What an agent kind's brain needs from a run, read inside the statements that start the run and each step
   * (BrainInputs; handed to the brain as BrainContext.inputs). Absent, or undefined for a kind: nothing is read.
   */
  brainInputsFor?: (kind: string) => BrainInputs | undefined;
  /** The effective readiness mode of an agent (declared band capped by evidence). */
  modeFor: (q: Queryable, agent: AgentConfig) => Promise<Mode>;
  /** Channel seam: hands a sent reply to the conversation's channel. */
  deliver?: (msg: OutboundMessage) => Promise<void>;
  /** Tools no agent may run in any mode (they exist only as human actions). */
  humanOnlyTools?: ReadonlySet<string>;
  approvalTtlMs?: number;
  leaseMs?: number;
  /**
   * Agents and their modes may be cached per node: modeFor reads only rows whose changes move the policy epoch
   * (agents, readiness assessments, evaluations, users), which every run start checks.
   */
  cacheAgents?: boolean;
  /** Where the events sent after their commit log a failure to notify (silent when absent). */
  log?: Log;
}

export interface StartOptions {
  /** Stored in the customer message's meta (a channel's idempotency key, for instance). */
  messageMeta?: Record<string, unknown>;
  /** Moves the conversation's activity time (updated_at) to the run's start, in the statement that writes it. */
  touchConversation?: boolean;
  /**
   * Receives the messages this call's drive writes, each once the statement that wrote it has committed: the
   * customer's message, then the agent's replies (drafts and replies held for review included, with their status).
   * A channel shows them from here instead of reading them back. A run driven later (after an approval, or by a
   * recovery sweep) reports nothing here: its messages reach channels through their events.
   */
  written?: WrittenMessage[];
}
