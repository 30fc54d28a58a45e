// The action contract between a brain and the runtime. Brains (local, LLM, scripted) only propose actions;
// the runtime validates each one and lets policy decide what actually happens.
import { z } from 'zod';
import type { Mode } from './mode.ts';

export type RiskClass = 'read' | 'write' | 'destructive' | 'spend';
export const RISK_CLASSES: readonly RiskClass[] = ['read', 'write', 'destructive', 'spend'];

// PostgreSQL text cannot hold NUL; a brain that emits one must not lose the step, so NULs are dropped.
const text = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .transform((s) => s.replaceAll('\u0000', ''));

/** The largest `state` a reply may carry to the next turn, as JSON. */
export const REPLY_STATE_MAX_BYTES = 4096;

// Unknown keys are stripped: whatever else a brain puts in an action (a "risk" field, a "policy" field) is
// never read by the runtime.
export const ActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    text: text(20_000, 1),
    confidence: z.number().min(0).max(1),
    sources: z.array(z.string().max(500)).max(20).default([]),
    /**
     * 'clarify' asks the customer to rephrase (no facts); stored for the two-misunderstandings rule. 'talk' is small
     * talk and hand-over courtesy (a greeting, thanks, a calm reply before a person takes over): neither an answer
     * nor a misunderstanding, and measurement skips it (metrics/outcomes.ts).
     */
    intent: z.enum(['answer', 'clarify', 'talk']).default('answer'),
    /** What the answer is about (e.g. a FAQ entry id): a later question on the same topic reopens it. */
    topic: z.string().max(200).optional(),
    /** The brain has nothing to add after this reply: a sent reply ends the run ('done', outcome 'replied'). */
    final: z.boolean().default(false),
    /**
     * The brain's own state for the next turn (a dialogue's slots, what it asked), stored in the message's meta and
     * read back by the kind's `start` brain input. The runtime never interprets it; at most REPLY_STATE_MAX_BYTES
     * of JSON.
     */
    state: z
      .record(z.string(), z.unknown())
      .refine((s) => Buffer.byteLength(JSON.stringify(s)) <= REPLY_STATE_MAX_BYTES, {
        message: `at most ${REPLY_STATE_MAX_BYTES} bytes of JSON`,
      })
      .optional(),
  }),
  z.object({
    type: z.literal('tool'),
    name: z.string().min(1).max(200),
    args: z.unknown(),
  }),
  z.object({
    type: z.literal('escalate'),
    reason: text(500, 1),
    summary: text(5_000).default(''),
    suggestedReply: text(20_000).optional(),
  }),
  z.object({
    type: z.literal('done'),
    outcome: text(500, 1),
  }),
]);

export type Action = z.infer<typeof ActionSchema>;
export type ActionInput = z.input<typeof ActionSchema>;

export interface RunTrigger {
  type: string;
  text?: string;
  customerId?: string;
  channel?: string;
  conversationId?: string;
  [key: string]: unknown;
}

export interface StepRecord {
  idx: number;
  action: Action | { type: 'invalid'; raw: unknown };
  decision: string;
  result: unknown;
}

export interface AgentConfig {
  id: string;
  kind: string;
  name: string;
  displayName: string;
  brain: string;
  stepBudget: number;
  confidenceThreshold: number;
  alwaysHumanTopics: string[];
  spendCapCents: number | null;
  status: 'active' | 'paused';
  escalationContacts: string[];
  transferNumber: string | null;
  pilotPercent: number;
  pilotAllowList: string[];
  toolOverrides: Record<string, { approval?: 'always' }>;
  config: Record<string, unknown>;
}

export interface BrainContext {
  agent: AgentConfig;
  run: { id: string; trigger: RunTrigger; mode: Mode };
  history: StepRecord[];
  stepsLeft: number;
  /**
   * What the agent's kind asked the runtime to read for its brain (RuntimeOptions.brainInputsFor), as the driver
   * returned it: `step` from the statement that started this step, whenever the kind has a step input; `start` from
   * the statement that started the run, on the first step of the run it started only (absent on a later step, or
   * when a run is driven again after an approval or a recovery: a brain that needs it then reads it itself). The
   * values are untyped: the kind's brain validates them.
   */
  inputs: { step?: unknown; start?: unknown };
}

/**
 * What a kind's brain needs from a run, read inside the runtime's own statements (no round trip of its own): each a
 * SQL scalar expression (a subquery returning one value, json or a scalar; its value reaches the brain as the
 * driver reads it), with `r` the run's row (runs: r.id, r.agent_id, r.conversation_id …) and `a` the agent's row
 * (agents). `step` is evaluated by every statement that starts a step (renewing the run's lease, or the run's birth
 * for its first step); `start` only by the statement that writes the run, which sees the database as it was before
 * the run and its customer message were written. The text is spliced into SQL: it is the kind's code, never input.
 */
export interface BrainInputs {
  step?: string;
  start?: string;
}

export interface Brain {
  decide(ctx: BrainContext): Promise<ActionInput>;
}
