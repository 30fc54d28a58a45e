// `twelve demo receptionist`: sets up a receptionist for the example salon (examples/receptionist/business.json) in
// one command: the agent (with its business hours and address), the business profile, its staff and services
// (created, or updated by name when run again), its knowledge base (examples/receptionist/kb: the salon's FAQ, parking,
// payment, policies..., imported again in place), and a readiness assessment so it books in production; then says
// what to try on the demo page.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import {
  listResources,
  listServices,
  profileSaver,
  resourceCreator,
  resourceUpdater,
  serviceCreator,
  serviceUpdater,
} from '../../../business/profile.ts';
import { type CliCommand, UsageError } from '../../../cli/command.ts';
import { loadConfig } from '../../../config.ts';
import { kbImporter } from '../../../knowledge/import.ts';
import { assessmentRecorder, evaluationRecorder, readinessOf } from '../../../readiness/assessments.ts';
import { agentCreator, agentUpdater, findAgent } from '../../../runtime/agents.ts';
import type { CliAppOpener } from '../../kind.ts';
import { evaluateLines, parseEvalLines } from '../dialogue/eval.ts';
import { understand } from '../dialogue/parse.ts';
import { RECEPTIONIST_KIND } from '../routes/bookings.ts';
import { DEFAULT_HOURS } from './eval.ts';

const EXAMPLES = join(dirname(fileURLToPath(import.meta.url)), '../../../../examples/receptionist');
export const EXAMPLE_BUSINESS = join(EXAMPLES, 'business.json');
/** The salon's knowledge base: the questions the profile cannot answer (parking, payment, policies...). */
export const EXAMPLE_KB = join(EXAMPLES, 'kb');
/** The held-out understanding set: its result is the evaluation the readiness evidence asks for. */
const HELD_OUT = join(EXAMPLES, 'test.jsonl');
/** The understanding a receptionist needs before it books unattended: intents and dates this often right. */
export const PASS_ACCURACY = 0.95;

const ExampleSchema = z
  .object({
    agent: z.object({ displayName: z.string().min(1) }).passthrough(),
    profile: z.record(z.string(), z.unknown()),
    resources: z.array(z.object({ name: z.string().min(1) }).passthrough()).min(1),
    services: z
      .array(z.object({ name: z.string().min(1), resources: z.array(z.string()).min(1) }).passthrough())
      .min(1),
  })
  .strict();

export const demoReceptionistCommand = (open: CliAppOpener): CliCommand => ({
  path: ['demo', 'receptionist'],
  summary: 'Set up a receptionist for the example salon (profile, staff, services, readiness)',
  usage: [
    'twelve demo receptionist [--name willow] [--from business.json] [--kb FOLDER]',
    '',
    "  --name NAME   the agent's name (default willow)",
    '  --from FILE   the business: services, staff, hours (default examples/receptionist/business.json)',
    '  --kb FOLDER   its knowledge base (default examples/receptionist/kb)',
    '',
    'Example:',
    '  npx twelve demo receptionist',
  ].join('\n'),
  async run(argv, io) {
    const { values } = parseArgs({
      args: argv,
      options: {
        name: { type: 'string', default: 'willow' },
        from: { type: 'string', default: EXAMPLE_BUSINESS },
        kb: { type: 'string', default: EXAMPLE_KB },
      },
      strict: true,
    });
    let example: z.infer<typeof ExampleSchema>;
    try {
      example = ExampleSchema.parse(JSON.parse(readFileSync(values.from, 'utf8')));
    } catch (err) {
      throw new UsageError(`cannot read ${values.from}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const config = loadConfig(io.env);
    const app = await open(io);
    try {
      const { displayName, ...agentConfig } = example.agent;
      const existing = await findAgent(app.db, values.name).catch(() => null);
      if (existing && existing.kind !== RECEPTIONIST_KIND)
        throw new UsageError(`${values.name} is a ${existing.kind} agent; choose another --name`);
      const agent = existing
        ? await agentUpdater(app, 'cli', existing.id, {
            displayName,
            config: { ...existing.config, ...agentConfig },
          })
        : await agentCreator(app, 'cli', {
            kind: RECEPTIONIST_KIND,
            name: values.name,
            displayName,
            confidenceThreshold: 0.5,
            escalationContacts: ['front-desk@willow-wren.example'],
            // No spend tools; a cap of 0 says so for the readiness evidence.
            spendCapCents: 0,
            config: agentConfig,
          });
      await profileSaver(app, 'cli', agent.id, example.profile as Parameters<typeof profileSaver>[3]);
      const staff = new Map((await listResources(app.db, agent.id)).map((r) => [r.name.toLowerCase(), r]));
      for (const { name, ...rest } of example.resources) {
        const input = { name, ...rest } as Parameters<typeof resourceCreator>[3];
        const had = staff.get(name.toLowerCase());
        const saved = had
          ? await resourceUpdater(app, 'cli', had.id, input)
          : await resourceCreator(app, 'cli', agent.id, input);
        staff.set(name.toLowerCase(), saved);
      }
      const services = new Map((await listServices(app.db, agent.id)).map((s) => [s.name.toLowerCase(), s]));
      for (const { resources, ...rest } of example.services) {
        const resourceIds = resources.map((n) => {
          const r = staff.get(n.toLowerCase());
          if (!r) throw new UsageError(`service ${rest.name} names ${n}, who is not in resources`);
          return r.id;
        });
        const input = { ...rest, resourceIds } as Parameters<typeof serviceCreator>[3];
        const had = services.get(rest.name.toLowerCase());
        if (had) await serviceUpdater(app, 'cli', had.id, input);
        else await serviceCreator(app, 'cli', agent.id, input);
      }
      io.out(
        `business: ${example.services.length} services (${example.services.map((s) => s.name).join(', ')}), ${example.resources.length} staff, time zone ${String(example.profile.timezone)}`,
      );
      const kb = await kbImporter(app, 'cli', agent.id, values.kb);
      io.out(
        `knowledge base: ${kb.faqCreated} FAQ entries created, ${kb.faqUpdated} updated${kb.skipped.length ? `, ${kb.skipped.length} files skipped (${kb.skipped.map((s) => `${s.file}: ${s.reason}`).join('; ')})` : ''}`,
      );
      // The evidence for task clarity: the dialogue's understanding on the held-out set (five businesses).
      const report = evaluateLines(parseEvalLines(readFileSync(HELD_OUT, 'utf8'), HELD_OUT), (l) =>
        understand(l.text, { now: l.now, tz: l.tz, services: l.services, hours: DEFAULT_HOURS }),
      );
      const passed = (report.intentAccuracy ?? 0) >= PASS_ACCURACY && report.lineAccuracy >= PASS_ACCURACY;
      const { mistakes: _m, ...summary } = report;
      await evaluationRecorder(app, 'cli', agent.id, {
        kind: 'receptionist.understanding',
        passed,
        report: summary,
      });
      io.out(
        `evaluation: intent ${((report.intentAccuracy ?? 0) * 100).toFixed(1)}%, whole lines ${(report.lineAccuracy * 100).toFixed(1)}% on ${report.lines} held-out lines → ${passed ? 'passed' : 'failed'}`,
      );
      await assessmentRecorder(app, 'cli', agent.id, {
        clarity: 5,
        tolerance: 4,
        fallback: 5,
        rationale:
          'Demo: bookings follow the profile; every booking has a code to move or cancel it; cancellations wait for a person.',
      });
      const view = await readinessOf(app.db, agent, app.toolsFor(agent));
      io.out(`readiness: effective mode ${view.effectiveMode}`);
      for (const reason of view.reasons) io.out(`  ${reason}`);
      const base = (config.publicUrl ?? `http://${config.host}:${config.port}`).replace(/\/+$/, '');
      io.out(`\nStart Twelve (npm start) and open ${base}/demo?agent=${agent.name}`);
      io.out(
        'Try: "Can I book a haircut on Saturday at 11?", then your name and a phone number, then "yes".',
      );
      io.out(
        '     "How much is a colour?", "When are you open?", "I need to cancel" (then the code you were given).',
      );
      io.out(
        '     "Is there parking?", "Do you take cards?", "Do you sell gift vouchers?" (from the knowledge base).',
      );
      io.out(`Bookings: ${base}/api/agents/${agent.name}/bookings?from=YYYY-MM-DD (bookings.read)`);
      return 0;
    } finally {
      await app.close();
    }
  },
});
