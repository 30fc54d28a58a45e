// The action contract between a brain and the runtime. Brains (local, LLM, scripted) only propose actions;
// the runtime validates each one and lets policy decide what actually happens.
import { z } from 'zod';
import type { Mode } from '../readiness/model.ts';

export type RiskClass = 'read' | 'write' | 'destructive' | 'spend';
export const RISK_CLASSES: readonly RiskClass[] = ['read', 'write', 'destructive', 'spend'];

// PostgreSQL text cannot hold NUL; a brain that emits one must not lose the step, so NULs are dropped.
const text = (max: number, min = 0) =>
  z
    .string()
    .min(min)
    .max(max)
    .transform((s) => s.replaceAll('\u0000', ''));

// Unknown keys are stripped: whatever else a brain puts in an action (a "risk" field, a "policy" field) is
// never read by the runtime.
export const ActionSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('reply'),
    text: text(20_000, 1),
    confidence: z.number().min(0).max(1),
    sources: z.array(z.string().max(500)).max(20).default([]),
    /** 'clarify' asks the customer to rephrase (no facts); stored for the two-misunderstandings rule. */
    intent: z.enum(['answer', 'clarify']).default('answer'),
    /** What the answer is about (e.g. a FAQ entry id): a later question on the same topic reopens it. */
    topic: z.string().max(200).optional(),
    /** The brain has nothing to add after this reply: a sent reply ends the run ('done', outcome 'replied'). */
    final: z.boolean().default(false),
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
   * The agent's knowledge-base version (kb_state; 0 without one), read by the statement that started this step:
   * a brain that answers from a trained knowledge base picks its engine by it instead of reading it again.
   */
  kbVersion?: number;
  /**
   * The conversation's last agent-side message before this run (its meta) and the customer message it answered, read
   * by the statement that started the run: null when there is none; undefined when it was not read (a later step,
   * a run without a conversation), and a brain that needs it reads it itself.
   */
  lastReply?: LastReply | null;
}

export interface LastReply {
  meta: Record<string, unknown> | null;
  /** The customer's message before it (null: none). */
  answered: string | null;
}

export interface Brain {
  decide(ctx: BrainContext): Promise<ActionInput>;
}
