// The receptionist as a member of the agent family (agents/kind.ts): books, moves and cancels appointments and
// answers questions about the business from its profile, on web chat, WhatsApp, email and the phone (Vapi). Its
// live part: the booking tools (tools.ts), the dialogue brain (brain.ts; an agent whose brain is 'llm' gets the LLM
// brain, brain.llm.ts, over the same tools and policy), the brain input that carries the dialogue's state from the last
// reply, the card's booking counts, the business and bookings routes, the reminder job and its CLI commands.

import { z } from 'zod';
import { getProfile } from '../../business/profile.ts';
import { DateTime } from '../../luxon.ts';
import type { AgentConfig, Brain, BrainInputs } from '../../runtime/types.ts';
import type { Queryable } from '../../store/db.ts';
import type { AgentKind, KindContext, KindInstance } from '../kind.ts';
import { ReceptionistLlmBrain } from './brain.llm.ts';
import { ReceptionistBrain } from './brain.ts';
import { demoReceptionistCommand } from './cli/demo.ts';
import { type EvalBusinessReader, evalReceptionistCommand } from './cli/eval.ts';
import { bookingOutcomes } from './outcomes.ts';
import { reminderJob } from './reminders.ts';
import { RECEPTIONIST_KIND, registerReceptionistRoutes } from './routes/bookings.ts';
import { receptionistTools } from './tools.ts';

export { RECEPTIONIST_KIND };

/**
 * The dialogue's state, read by the statement that starts a run: the conversation's last agent-side message's meta
 * (its `state` is what the brain left for this turn, ActionSchema's reply `state`). Null without one.
 */
export const RECEPTIONIST_BRAIN_INPUTS: BrainInputs = {
  start: `(SELECT o.meta FROM messages o WHERE o.conversation_id = r.conversation_id AND o.direction = 'out'
    ORDER BY o.created_at DESC LIMIT 1)`,
};

/** The card's block (`agent.receptionist`): bookings today and in the next 7 days, tentative, cancelled in 30 days. */
export async function receptionistSummary(
  q: Queryable,
  agentId: string,
  now: Date,
): Promise<{ today: number; next7Days: number; tentative: number; cancelled30Days: number }> {
  const profile = await getProfile(q, agentId);
  const zone = profile?.timezone ?? 'UTC';
  const dayStart = DateTime.fromJSDate(now, { zone }).startOf('day');
  const [row] = await q.query<Record<string, string | number>>(
    `SELECT
       count(*) FILTER (WHERE status <> 'cancelled' AND starts_at >= $2 AND starts_at < $3) AS today,
       count(*) FILTER (WHERE status <> 'cancelled' AND starts_at >= $4 AND starts_at < $5) AS next7,
       count(*) FILTER (WHERE status = 'tentative' AND starts_at >= $4) AS tentative,
       count(*) FILTER (WHERE status = 'cancelled' AND updated_at >= $6) AS cancelled
     FROM bookings WHERE agent_id = $1`,
    [
      agentId,
      dayStart.toJSDate(),
      dayStart.plus({ days: 1 }).toJSDate(),
      now,
      new Date(now.getTime() + 7 * 86_400_000),
      new Date(now.getTime() - 30 * 86_400_000),
    ],
  );
  return {
    today: Number(row?.today ?? 0),
    next7Days: Number(row?.next7 ?? 0),
    tentative: Number(row?.tentative ?? 0),
    cancelled30Days: Number(row?.cancelled ?? 0),
  };
}

/** `twelve eval receptionist --agent NAME`: the agent's services, time zone and hours from its profile. */
export const readEvalBusiness: EvalBusinessReader = async (ctx, agentName) => {
  const [agent] = await ctx.db.query<{ id: string }>(`SELECT id FROM agents WHERE name = $1 AND kind = $2`, [
    agentName,
    RECEPTIONIST_KIND,
  ]);
  if (!agent) return null;
  const profile = await getProfile(ctx.db, agent.id);
  if (!profile) return null;
  const services = await ctx.db.query<{ name: string }>(
    'SELECT name FROM business_services WHERE agent_id = $1 AND NOT archived ORDER BY lower(name)',
    [agent.id],
  );
  const h = profile.hours;
  const ranges = h.hours ? Object.values(h.hours).filter((r): r is string => typeof r === 'string') : [];
  const hours =
    h.open && h.close
      ? { open: h.open, close: h.close }
      : ranges.length
        ? {
            open: ranges.map((r) => r.slice(0, 5)).sort()[0]!,
            close: ranges
              .map((r) => r.slice(6))
              .sort()
              .at(-1)!,
          }
        : undefined;
  return { services: services.map((s) => s.name), tz: profile.timezone, ...(hours ? { hours } : {}) };
};

export const receptionistKind: AgentKind = {
  kind: RECEPTIONIST_KIND,
  label: 'Receptionist (appointments)',
  description:
    'Books, moves and cancels appointments and answers questions about the business on web chat, WhatsApp, email and the phone.',
  channels: ['webchat', 'whatsapp', 'email', 'voice'],
  // Questions its profile cannot answer go to the agent's knowledge base (src/knowledge) before a person.
  knowledge: true,
  // Its own keys of agent.config; the channels' keys (email, whatsapp) and the platform's pass through.
  config: z
    .object({
      address: z.string().trim().min(1).max(300).optional(),
      voice: z
        .object({ phoneNumberId: z.string().min(1).max(200) })
        .passthrough()
        .optional(),
    })
    .passthrough(),
  create(ctx: KindContext): KindInstance {
    const tools = receptionistTools(ctx, ctx.knowledge);
    const local = new ReceptionistBrain(ctx.db, ctx.clock, ctx.knowledge);
    const llm = new ReceptionistLlmBrain(ctx.db, { clock: ctx.clock, backend: ctx.llm }, local);
    return {
      tools: () => tools,
      // 'llm': the model proposes the tools (brain.llm.ts); every other brain but the platform's 'scripted' one is the
      // local dialogue.
      brain: (agent: AgentConfig): Brain => (agent.brain === 'llm' ? llm : local),
      brainInputs: RECEPTIONIST_BRAIN_INPUTS,
      // Its answers' sources are knowledge-base entries and passages ("From …" in the inbox).
      sources: ctx.knowledge.sources,
      summary: (q, agent) => receptionistSummary(q, agent.id, ctx.clock.now()),
      routes: (server) => registerReceptionistRoutes(server, ctx),
      jobs: [reminderJob],
      outcomes: bookingOutcomes,
    };
  },
  measurement: {
    minutesPerTask: 4,
    source:
      'Twelve default for the receptionist: a short call or chat answering a question or taking a booking (4 minutes)',
  },
  cli: (open) => [evalReceptionistCommand(open, readEvalBusiness), demoReceptionistCommand(open)],
};
