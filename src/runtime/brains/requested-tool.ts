// The brain of a tool request's run (Runtime.runRequestedTool): someone outside the run (a phone call's model, through
// Vapi) asked for one named tool with its arguments. The run proposes exactly that call as its first step, so the
// runtime's policy, write-ahead audit, approvals and idempotency apply to it as to any brain's call, then ends.
import type { ActionInput, Brain, BrainContext } from '../types.ts';

export const TOOL_REQUEST = 'tool_request';

export const requestedToolBrain: Brain = {
  async decide(ctx: BrainContext): Promise<ActionInput> {
    const { trigger } = ctx.run;
    if (ctx.history.length === 0) return { type: 'tool', name: String(trigger.tool), args: trigger.args };
    return { type: 'done', outcome: 'tool request handled' };
  },
};
