// The scripted brain: plays a fixed list of actions, one per step, then finishes. Used by tests, demos and the
// dashboard's test agents (agent.config.script). It is a real brain as far as the runtime is concerned.
import type { ActionInput, Brain, BrainContext } from '../types.ts';

export class ScriptedBrain implements Brain {
  constructor(private readonly script: ActionInput[] | ((ctx: BrainContext) => ActionInput)) {}

  async decide(ctx: BrainContext): Promise<ActionInput> {
    if (typeof this.script === 'function') return this.script(ctx);
    return this.script[ctx.history.length] ?? { type: 'done', outcome: 'script finished' };
  }
}

export function scriptedBrainFromConfig(config: Record<string, unknown>): ScriptedBrain {
  const script = Array.isArray(config.script) ? (config.script as ActionInput[]) : [];
  return new ScriptedBrain(script);
}
