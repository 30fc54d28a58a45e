// `twelve demo runtime`: creates a demo agent with the scripted brain and runs it a few times, so a fresh install has
// runs, an approval waiting and an audit trail to look at.
import { parseArgs } from 'node:util';
import type { CliCommand } from '../../cli/command.ts';
import { assessmentRecorder } from '../../readiness/assessments.ts';
import { agentCreator, findAgent } from '../../runtime/agents.ts';
import type { CliAppOpener } from '../kind.ts';

export const demoCommand = (open: CliAppOpener): CliCommand => ({
  path: ['demo', 'runtime'],
  summary: 'Create a demo agent and run it (runs, an approval, an audit trail)',
  usage: [
    'twelve demo runtime [--name NAME]',
    '',
    "  --name NAME  the demo agent's name (default demo-notes)",
    '',
    'Example:',
    '  twelve demo runtime',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: { name: { type: 'string', default: 'demo-notes' } },
      strict: true,
    });
    const app = await open(io);
    const { db } = app;
    try {
      const agent = await findAgent(db, values.name).catch(() =>
        agentCreator(app, 'cli', {
          kind: 'custom',
          name: values.name,
          displayName: 'Demo notes agent',
          brain: 'scripted',
          spendCapCents: 100,
          config: {
            script: [
              { type: 'tool', name: 'notes.search', args: { query: 'hours' } },
              { type: 'tool', name: 'notes.create', args: { body: 'Customer asked about opening hours' } },
              {
                type: 'reply',
                text: 'We are open 9:00–17:00, Monday to Friday.',
                confidence: 0.92,
                sources: ['faq:hours'],
              },
              { type: 'done', outcome: 'answered' },
            ],
          },
        }),
      );
      await assessmentRecorder(app, 'cli', agent.id, {
        clarity: 4,
        tolerance: 3,
        fallback: 4,
        rationale: 'demo: pilot with guardrails',
      });
      for (let i = 0; i < 3; i++) {
        const run = await app.runtime.startRun(agent.id, {
          type: 'message',
          text: 'When are you open?',
          conversationId: `demo-${Date.now()}-${i}`,
        });
        io.out(`run ${run.id}: ${run.status} (mode ${run.mode}, ${run.stepsUsed} steps)`);
      }
      io.out('Pilot mode: the notes.create write waits for a human approval in each run.');
      return 0;
    } finally {
      await app.close();
    }
  },
});
