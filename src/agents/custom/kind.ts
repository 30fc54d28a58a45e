// The custom kind: an agent driven by a script (brain 'scripted', steps in agent.config.script) over the demo
// toolbox, one tool per risk class, so the guardrails can be watched end to end. It serves no channel.
import { scriptedBrainFromConfig } from '../../runtime/brains/scripted.ts';
import type { AgentKind } from '../kind.ts';
import { demoCommand } from './cli.ts';
import { buildDemoTools } from './tools.ts';

export const customKind: AgentKind = {
  kind: 'custom',
  label: 'Custom (scripted demo)',
  description: 'Runs a script of actions over a demo toolbox: a way to watch the guardrails at work.',
  channels: [],
  create(ctx) {
    const tools = buildDemoTools(ctx.db);
    return { tools: () => tools, brain: (agent) => scriptedBrainFromConfig(agent.config) };
  },
  cli: (open) => [demoCommand(open)],
};
