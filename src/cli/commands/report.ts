// `twelve report --agent NAME --month YYYY-MM [--json]`: an agent's measurement for a month (outcomes, human time,
// hours saved, net hours, costs, the maintenance trap), and `twelve worklog`: time spent on an agent outside Twelve,
// logged by hand (audited). Both open the configured database like every CLI command.
import { parseArgs } from 'node:util';
import type { AgentKind, KindInstance } from '../../agents/kind.ts';
import type { Services } from '../../context.ts';
import { measurementKindsOf, monthRange } from '../../metrics/measurement.ts';
import { type MeasurementReport, measurementReport } from '../../metrics/report.ts';
import { workLogger } from '../../metrics/work-log.ts';
import { findAgent } from '../../runtime/agents.ts';
import { type CliCommand, type CliIo, UsageError } from '../command.ts';

/** What these commands need of an opened app: services and the kinds (for their outcomes and default minutes). */
export type MeasurementAppOpener = (io: CliIo) => Promise<
  Services & {
    definitions: readonly AgentKind[];
    kinds: ReadonlyMap<string, KindInstance>;
    close(): Promise<void>;
  }
>;

function parsed<T>(parse: () => T): T {
  try {
    return parse();
  } catch (err) {
    throw new UsageError(err instanceof Error ? err.message : String(err));
  }
}

const money = (cents: number | null) =>
  cents === null ? 'n/a' : `${cents < 0 ? '-' : ''}$${(Math.abs(Math.round(cents)) / 100).toFixed(2)}`;

/** The report as text, one figure a line, in the order of README.md's table. */
export function formatReport(r: MeasurementReport): string[] {
  const m = r.metrics;
  const o = m.outcomes;
  const h = m.humanMinutes;
  const c = m.costs;
  const lines = [
    `Agent ${m.agent.name} (${m.agent.kind}), ${m.range.from.slice(0, 10)} to ${m.range.to.slice(0, 10)}, outcomes as of ${m.asOf}`,
    '',
    `Conversations              ${o.conversations}`,
    `  resolved by AI           ${o.resolvedByAi}`,
    `  clawed back (reopened)   ${o.clawedBack}`,
    `  escalated                ${o.escalated}`,
    `  abandoned                ${o.abandoned}`,
    `  still open               ${o.open}`,
    ...m.kindOutcomes.map((k) => `${k.label.padEnd(27)}${k.count}  (${k.minutesEach} min each: ${k.source})`),
    '',
    `Human minutes              ${h.total}`,
    `  hand-offs                ${h.handoffs}`,
    `  draft reviews            ${h.reviews}`,
    `  checkpoints              ${h.checkpoints}`,
    `  approvals                ${h.approvals}`,
    `  editing (${h.editingSessions} sessions)${' '.repeat(Math.max(1, 13 - String(h.editingSessions).length))}${h.editing}`,
    `  logged by hand           ${h.logged}`,
    '',
    `Minutes per task           ${m.settings.minutesPerTask}  (${m.settings.minutesPerTaskSource})`,
    `Hourly rate                ${money(m.settings.hourlyRateCents)}  (${m.settings.hourlyRateSource})`,
    `Hours saved                ${m.hours.saved}`,
    `Maintenance hours          ${m.hours.maintenance}`,
    `Net hours                  ${m.hours.net}`,
    '',
    `Cost: model tokens         ${money(c.tokensCents)}`,
    `Cost: paid tools           ${money(c.toolsCents)}`,
    `Cost: voice                ${money(c.voiceCents)}  (${c.voiceCalls} calls, ${c.voiceMinutes} min)`,
    `Cost: paid messages        ${c.paidMessagesRecorded ? money(c.paidMessagesCents) : 'not recorded (WhatsApp template sends are not priced yet)'}`,
    `AI cost per conversation   ${money(m.perConversation.aiCostCents)}`,
    `Human cost per escalated   ${money(m.perConversation.humanCostCents)}  (${m.perConversation.humanMinutes ?? 'n/a'} min)`,
    `Saving                     ${money(m.savingCents)}`,
  ];
  const t = r.trap.evaluation;
  lines.push('');
  if (t.trapped)
    lines.push(
      `MAINTENANCE TRAP (${t.reason}): net hours over the last three 30-day windows ${t.windows.join(', ')}; ${t.recommendation}`,
    );
  else if (t.work === 0)
    lines.push(
      `Maintenance trap: not judged (no conversation or other work in the last 30 days; net hours over the last three 30-day windows ${t.windows.join(', ')})`,
    );
  else
    lines.push(`Maintenance trap: no (net hours over the last three 30-day windows ${t.windows.join(', ')})`);
  return lines;
}

export const reportCommand = (open: MeasurementAppOpener): CliCommand => ({
  path: ['report'],
  summary: "An agent's measurement for a month: outcomes, human time, hours saved, net hours, costs",
  usage: `Usage: twelve report --agent NAME --month YYYY-MM [--json]

Prints the month's figures (README.md, "Measurement", explains each and its rule) and whether the agent is in
the maintenance trap now.

  --agent NAME      the agent
  --month YYYY-MM   the month (in the agent's time zone)
  --json            print the figures as JSON

Example:
  twelve report --agent northwind --month 2026-11`,
  async run(argv, io) {
    const { values } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        options: {
          agent: { type: 'string' },
          month: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      }),
    );
    if (!values.agent) throw new UsageError('give --agent NAME');
    if (!values.month || !/^\d{4}-(0[1-9]|1[0-2])$/.test(values.month))
      throw new UsageError('give --month YYYY-MM');
    const range = monthRange(values.month);
    const app = await open(io);
    try {
      const agent = await findAgent(app.db, values.agent);
      const report = await measurementReport(app.db, agent.id, range, {
        kinds: measurementKindsOf(app),
        now: app.clock.now(),
      });
      if (values.json) io.out(JSON.stringify(report, null, 2));
      else for (const line of formatReport(report)) io.out(line);
      return 0;
    } finally {
      await app.close();
    }
  },
});

export const worklogCommand = (open: MeasurementAppOpener): CliCommand => ({
  path: ['worklog'],
  summary: 'Log time spent on an agent outside Twelve (counted in its maintenance; audited)',
  usage: `Usage: twelve worklog --agent NAME --minutes N [--date YYYY-MM-DD] [--note TEXT] [--by NAME]

Records N minutes (1..1440) of work on the agent on the day (default today), audited as cli:<NAME> (default: the
USER of the shell).

  --agent NAME      the agent the time was spent on
  --minutes N       how long, 1 to 1440
  --date YYYY-MM-DD the day (default today)
  --note TEXT       what was done
  --by NAME         who did it (default: the USER of the shell)

Example:
  twelve worklog --agent northwind --minutes 45 --note "rewrote the returns answer"`,
  async run(argv, io) {
    const { values } = parsed(() =>
      parseArgs({
        args: argv,
        strict: true,
        options: {
          agent: { type: 'string' },
          minutes: { type: 'string' },
          date: { type: 'string' },
          note: { type: 'string', default: '' },
          by: { type: 'string' },
        },
      }),
    );
    if (!values.agent) throw new UsageError('give --agent NAME');
    const minutes = /^\d+$/.test(values.minutes ?? '') ? Number(values.minutes) : Number.NaN;
    if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
      throw new UsageError('give --minutes N, a whole number from 1 to 1440');
    const by = (values.by ?? io.env.USER ?? 'unknown').slice(0, 100);
    const app = await open(io);
    try {
      const agent = await findAgent(app.db, values.agent);
      const entry = await workLogger(app, `cli:${by}`, agent.id, {
        minutes,
        note: values.note,
        ...(values.date === undefined ? {} : { date: values.date }),
      });
      io.out(`logged ${entry.minutes} min on ${entry.agentId} for ${entry.date} (${entry.id})`);
      return 0;
    } finally {
      await app.close();
    }
  },
});
