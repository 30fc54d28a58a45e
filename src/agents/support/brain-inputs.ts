// What the support brains need from a run, read by the runtime inside the statements it sends anyway (the kind's
// BrainInputs, declared by the kind (KindInstance.brainInputs in agents/kind.ts): no round trip of their own), and how the brains
// read them back from BrainContext.inputs. In the SQL, `r` is the run's row and `a` the agent's (runtime/types.ts).
import type { BrainContext, BrainInputs } from '../../runtime/types.ts';

/** The conversation's last agent-side message (its meta) and the customer message it answered. */
export interface LastReply {
  meta: Record<string, unknown> | null;
  /** The customer's message before it (null: none). */
  answered: string | null;
}

export const SUPPORT_BRAIN_INPUTS: BrainInputs = {
  // Every step: the agent's knowledge-base version (kb_state; none: 0), so the brain picks its engine by it instead of
  // reading it again.
  step: '(SELECT version FROM kb_state WHERE agent_id = a.id)',
  // The run's start: the conversation's last agent-side message and the customer message before it (a second
  // misunderstanding in a row goes to a person), as the run's birth sees it: the run's own customer message, written
  // by the same statement, is not visible to it. Without a conversation: null.
  start: `(SELECT json_build_object('meta', o.meta, 'answered', (SELECT i.body FROM messages i
    WHERE i.conversation_id = r.conversation_id AND i.direction = 'in' AND i.created_at <= o.created_at
    ORDER BY i.created_at DESC LIMIT 1))
  FROM messages o WHERE o.conversation_id = r.conversation_id AND o.direction = 'out' ORDER BY o.created_at DESC LIMIT 1)`,
};

/** The KB version the statement that started this step read (0: no KB yet); undefined: not read, the cache reads it. */
export function kbVersionInput(ctx: BrainContext): number | undefined {
  if (!('step' in ctx.inputs)) return undefined;
  const version = ctx.inputs.step ?? 0;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 0)
    throw new Error(`the runtime read a knowledge-base version that is not one: ${JSON.stringify(version)}`);
  return version;
}

/**
 * The conversation's last reply before this run, as the statement that started the run read it: null when there is
 * none; undefined when it was not read (a later step, a run driven again), and the brain reads it itself.
 */
export function lastReplyInput(ctx: BrainContext): LastReply | null | undefined {
  if (!('start' in ctx.inputs)) return undefined;
  const last = ctx.inputs.start;
  if (last === null || last === undefined) return null;
  if (typeof last === 'object') {
    const { meta, answered } = last as Record<string, unknown>;
    if (
      (meta === null || (typeof meta === 'object' && !Array.isArray(meta))) &&
      (answered === null || typeof answered === 'string')
    )
      return { meta: meta as LastReply['meta'], answered };
  }
  throw new Error(`the runtime read a last reply that is not one: ${JSON.stringify(last)}`);
}
