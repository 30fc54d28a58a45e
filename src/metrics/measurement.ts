// An agent's measurement for a range: outcomes (one per conversation), what the kind adds (bookings, screened
// applications), human minutes, hours saved and net hours, every cost line, cost per conversation and the saving in
// money. `agentMetrics` is the one entry: the API, the CSV, the dashboard, the CLI report and MCP call it.
import { AppError } from '../errors.ts';
import type { Queryable } from '../store/db.ts';
import { type CostLines, costLines } from './costs.ts';
import { type HumanMinutes, humanMinutes } from './human-time.ts';
import { conversationOutcomes, type OutcomeCounts, type Range } from './outcomes.ts';
import {
  type ResolvedMeasurementSettings,
  resolveMeasurementSettings,
  type TaskMinutesDefault,
} from './settings.ts';

/** An outcome a kind counts of its own (a booking made, an application screened), with what a person would spend on it. */
export interface KindOutcome {
  name: string;
  label: string;
  count: number;
  /** Minutes a person would spend on one, on top of the conversation it came from. */
  minutesEach: number;
  source: string;
}

/** The optional hook a kind's live part implements (KindInstance.outcomes). */
export type KindOutcomesHook = (
  q: Queryable,
  agent: { id: string; config: Record<string, unknown> },
  range: Range,
) => Promise<KindOutcome[]>;

/** What measurement needs from the registered kinds. */
export interface MeasurementKinds {
  taskDefault(kind: string): TaskMinutesDefault | undefined;
  outcomes(kind: string): KindOutcomesHook | undefined;
}

export const NO_KINDS: MeasurementKinds = { taskDefault: () => undefined, outcomes: () => undefined };

/** Builds MeasurementKinds from an app's kind definitions (AgentKind.measurement) and live parts (KindInstance.outcomes). */
export function measurementKindsOf(app: {
  definitions: readonly { kind: string; measurement?: TaskMinutesDefault }[];
  kinds: ReadonlyMap<string, { outcomes?: KindOutcomesHook }>;
}): MeasurementKinds {
  return {
    taskDefault: (kind) => app.definitions.find((d) => d.kind === kind)?.measurement,
    outcomes: (kind) => {
      const instance = app.kinds.get(kind);
      return instance?.outcomes?.bind(instance);
    },
  };
}

export interface AgentMetrics {
  agent: { id: string; name: string; kind: string };
  range: { from: string; to: string };
  /** Outcomes are judged as of this time (a conversation may still be open). */
  asOf: string;
  settings: ResolvedMeasurementSettings;
  outcomes: OutcomeCounts & { escalatedTotal: number };
  kindOutcomes: KindOutcome[];
  humanMinutes: HumanMinutes;
  hours: { saved: number; maintenance: number; net: number; handoffs: number };
  costs: CostLines;
  perConversation: {
    aiCostCents: number | null;
    humanMinutes: number | null;
    humanCostCents: number | null;
  };
  savingCents: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export interface MetricsOptions {
  kinds?: MeasurementKinds;
  /** Judge outcomes as of this time (default: now). */
  now?: Date;
}

export async function agentMetrics(
  q: Queryable,
  agentId: string,
  range: Range,
  options: MetricsOptions = {},
): Promise<AgentMetrics> {
  if (!(range.from.getTime() < range.to.getTime()))
    throw new AppError('validation_failed', 'the range must end after it starts', [
      { path: ['to'], message: 'after from' },
    ]);
  const kinds = options.kinds ?? NO_KINDS;
  const asOf = options.now ?? new Date();
  const [agent] = await q.query<{ id: string; name: string; kind: string; config: Record<string, unknown> }>(
    'SELECT id, name, kind, config FROM agents WHERE id = $1',
    [agentId],
  );
  if (!agent) throw new AppError('not_found', 'no such agent');
  const settings = resolveMeasurementSettings(agent.config, kinds.taskDefault(agent.kind));
  const hook = kinds.outcomes(agent.kind);
  const [outcomes, human, costs, kindOutcomes] = await Promise.all([
    conversationOutcomes(q, agent.id, range, asOf),
    humanMinutes(q, agent.id, range),
    costLines(q, agent.id, range),
    hook ? hook(q, agent, range) : Promise.resolve([]),
  ]);
  const escalatedTotal = outcomes.escalated + outcomes.clawedBack;
  const savedMinutes =
    outcomes.resolvedByAi * settings.minutesPerTask +
    kindOutcomes.reduce((s, o) => s + o.count * o.minutesEach, 0);
  const netMinutes = savedMinutes - human.maintenance;
  const rate = settings.hourlyRateCents;
  const perEscalated = escalatedTotal > 0 ? human.handoffs / escalatedTotal : null;
  return {
    agent: { id: agent.id, name: agent.name, kind: agent.kind },
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    asOf: asOf.toISOString(),
    settings,
    outcomes: { ...outcomes, escalatedTotal },
    kindOutcomes,
    humanMinutes: human,
    hours: {
      saved: round2(savedMinutes / 60),
      maintenance: round2(human.maintenance / 60),
      net: round2(netMinutes / 60),
      handoffs: round2(human.handoffs / 60),
    },
    costs,
    perConversation: {
      aiCostCents: outcomes.conversations > 0 ? round2(costs.totalCents / outcomes.conversations) : null,
      humanMinutes: perEscalated === null ? null : round2(perEscalated),
      humanCostCents: perEscalated === null ? null : round2((perEscalated / 60) * rate),
    },
    savingCents: round2((netMinutes / 60) * rate - costs.totalCents),
  };
}

/** A calendar month in UTC ('2026-12' → [2026-12-01, 2027-01-01)). */
export function monthRange(month: string): Range {
  const m = /^(\d{4})-(0[1-9]|1[0-2])$/.exec(month);
  if (!m)
    throw new AppError('validation_failed', 'a month is written YYYY-MM', [
      { path: ['month'], message: 'YYYY-MM' },
    ]);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  return { from: new Date(Date.UTC(y, mo, 1)), to: new Date(Date.UTC(y, mo + 1, 1)) };
}

/** The months (YYYY-MM) a range touches, oldest first. */
export function monthsIn(range: Range): string[] {
  const out: string[] = [];
  const d = new Date(Date.UTC(range.from.getUTCFullYear(), range.from.getUTCMonth(), 1));
  while (d.getTime() < range.to.getTime() && out.length < 120) {
    out.push(d.toISOString().slice(0, 7));
    d.setUTCMonth(d.getUTCMonth() + 1);
  }
  return out;
}

/** The figures of each month the range touches (each whole month), for the charts and the CSV. */
export async function monthlyMetrics(
  q: Queryable,
  agentId: string,
  range: Range,
  options: MetricsOptions = {},
): Promise<AgentMetrics[]> {
  const out: AgentMetrics[] = [];
  for (const month of monthsIn(range)) out.push(await agentMetrics(q, agentId, monthRange(month), options));
  return out;
}
