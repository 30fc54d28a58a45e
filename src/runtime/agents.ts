// Agent commands: create, configure, pause/resume (kill switch per agent) and the global kill switch.
import { z } from 'zod';
import { BusinessHoursSchema } from '../business/hours.schema.ts';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { MeasurementSettingsSchema } from '../metrics/settings.ts';
import { type Queryable, sqlState } from '../store/db.ts';
import { DEFAULT_ALWAYS_HUMAN_TOPICS } from './guards.ts';
import type { AgentConfig } from './types.ts';

/** An agent's name: what routes, the CLI and the widget's data-agent refer to it by. */
export const AGENT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;

/** A kind's name (the registered kinds are in agents/registry.ts; an app checks against its own). */
export const KIND_NAME = /^[a-z][a-z0-9-]{0,39}$/;
export const STEP_BUDGET_CEILING = 25;

export const AgentSettingsSchema = z.object({
  displayName: z.string().min(1).max(200),
  brain: z.enum(['local', 'llm', 'scripted']),
  stepBudget: z.number().int().min(1).max(STEP_BUDGET_CEILING),
  confidenceThreshold: z.number().min(0).max(1),
  alwaysHumanTopics: z.array(z.string().min(1).max(100)).max(50),
  spendCapCents: z.number().int().min(0).nullable(),
  escalationContacts: z.array(z.string().min(1).max(200)).max(50),
  transferNumber: z
    .string()
    .regex(/^\+?[0-9 ()-]{5,20}$/)
    .nullable(),
  pilotPercent: z.number().int().min(0).max(100),
  pilotAllowList: z.array(z.string().max(200)).max(10_000),
  toolOverrides: z.record(z.string(), z.object({ approval: z.literal('always').optional() }).strict()),
  /**
   * Free-form settings of the agent's kind and channels. Known keys are checked here, so a typo is refused with
   * its path instead of being ignored where it is read: businessHours (business/hours.schema.ts).
   */
  config: z.record(z.string(), z.unknown()).superRefine((config, ctx) => {
    if (config.measurement !== undefined) {
      // measurement (metrics/settings.ts): minutes per task and the hourly rate of hours saved and human cost.
      const m = MeasurementSettingsSchema.safeParse(config.measurement);
      if (!m.success)
        for (const issue of m.error.issues)
          ctx.addIssue({ code: 'custom', message: issue.message, path: ['measurement', ...issue.path] });
    }
    if (config.businessHours === undefined) return;
    const r = BusinessHoursSchema.safeParse(config.businessHours);
    if (r.success) return;
    for (const issue of r.error.issues)
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['businessHours', ...issue.path] });
  }),
});

export const AgentCreateSchema = AgentSettingsSchema.partial()
  .extend({
    kind: z.string().regex(KIND_NAME, 'a kind name'),
    name: z.string().regex(AGENT_NAME, 'lowercase letters, digits and dashes'),
  })
  .strict();
export type AgentCreateInput = z.input<typeof AgentCreateSchema>;
export const AgentUpdateSchema = AgentSettingsSchema.partial().strict();
export type AgentUpdateInput = z.input<typeof AgentUpdateSchema>;

const COLUMNS: Record<keyof z.infer<typeof AgentSettingsSchema>, string> = {
  displayName: 'display_name',
  brain: 'brain',
  stepBudget: 'step_budget',
  confidenceThreshold: 'confidence_threshold',
  alwaysHumanTopics: 'always_human_topics',
  spendCapCents: 'spend_cap_cents',
  escalationContacts: 'escalation_contacts',
  transferNumber: 'transfer_number',
  pilotPercent: 'pilot_percent',
  pilotAllowList: 'pilot_allow_list',
  toolOverrides: 'tool_overrides',
  config: 'config',
};
const JSON_COLUMNS = new Set([
  'alwaysHumanTopics',
  'escalationContacts',
  'pilotAllowList',
  'toolOverrides',
  'config',
]);

export function presentAgentRow(r: Record<string, unknown>): AgentConfig {
  return {
    id: String(r.id),
    kind: String(r.kind),
    name: String(r.name),
    displayName: String(r.display_name),
    brain: String(r.brain),
    stepBudget: Number(r.step_budget),
    confidenceThreshold: Math.round(Number(r.confidence_threshold) * 1e6) / 1e6,
    alwaysHumanTopics: r.always_human_topics as string[],
    spendCapCents: r.spend_cap_cents === null ? null : Number(r.spend_cap_cents),
    status: r.status as 'active' | 'paused',
    escalationContacts: r.escalation_contacts as string[],
    transferNumber: (r.transfer_number as string | null) ?? null,
    pilotPercent: Number(r.pilot_percent),
    pilotAllowList: r.pilot_allow_list as string[],
    toolOverrides: r.tool_overrides as AgentConfig['toolOverrides'],
    config: r.config as Record<string, unknown>,
  };
}

function parse<T>(schema: z.ZodType<T>, input: unknown): T {
  const r = schema.safeParse(input);
  if (!r.success) throw new AppError('validation_failed', undefined, r.error.issues);
  return r.data;
}

/** What an app knows of its kinds: their names, and the settings schema each checks its keys of agent.config with. */
export interface KindAware {
  kinds?: ReadonlyMap<string, unknown>;
  kindSettings?: (kind: string) => z.ZodType | undefined;
}

/** Refuses config that the agent's kind's settings schema refuses, naming the path under `config`. */
function checkKindSettings(svc: KindAware, kind: string, config: Record<string, unknown> | undefined): void {
  const schema = config === undefined ? undefined : svc.kindSettings?.(kind);
  if (!schema) return;
  const r = schema.safeParse(config);
  if (r.success) return;
  throw new AppError(
    'validation_failed',
    undefined,
    r.error.issues.map((issue) => ({ ...issue, path: ['config', ...issue.path] })),
  );
}

/**
 * Creates an agent. Given the app's registered kinds (App.kinds), a kind that is not one of them is refused
 * (validation_failed naming `kind`); the database also refuses kinds it was never told of. The kind's settings
 * schema checks its keys of `config`.
 */
export async function agentCreator(
  svc: Services & KindAware,
  actor: Actor,
  input: AgentCreateInput,
): Promise<AgentConfig> {
  const data = parse(AgentCreateSchema, input);
  if (svc.kinds && !svc.kinds.has(data.kind))
    throw new AppError('validation_failed', undefined, [
      {
        code: 'invalid_value',
        path: ['kind'],
        message: `Invalid option: expected one of ${[...svc.kinds.keys()].map((k) => `"${k}"`).join('|')}`,
      },
    ]);
  checkKindSettings(svc, data.kind, data.config);
  const values: Record<string, unknown> = {
    kind: data.kind,
    name: data.name,
    display_name: data.displayName ?? data.name,
    always_human_topics: JSON.stringify(data.alwaysHumanTopics ?? Object.keys(DEFAULT_ALWAYS_HUMAN_TOPICS)),
  };
  for (const [key, col] of Object.entries(COLUMNS)) {
    if (key === 'displayName' || key === 'alwaysHumanTopics') continue;
    const v = (data as Record<string, unknown>)[key];
    if (v !== undefined) values[col] = JSON_COLUMNS.has(key) ? JSON.stringify(v) : v;
  }
  const cols = Object.keys(values);
  try {
    return await svc.db.transaction(async (tx) => {
      const [row] = await tx.query(
        `INSERT INTO agents (${cols.join(', ')}) VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
        Object.values(values),
      );
      const agent = presentAgentRow(row!);
      await svc.audit.append(
        {
          stream: `agent:${agent.id}`,
          actor,
          action: 'agent.created',
          subject: `agent:${agent.id}`,
          payload: agent,
        },
        tx,
      );
      return agent;
    });
  } catch (err) {
    if (sqlState(err) === '23505')
      throw new AppError('conflict', `an agent named "${data.name}" already exists`);
    throw err;
  }
}

export async function agentUpdater(
  svc: Services & KindAware,
  actor: Actor,
  agentId: string,
  input: AgentUpdateInput,
): Promise<AgentConfig> {
  const data = parse(AgentUpdateSchema, input);
  if (data.config !== undefined && svc.kindSettings) {
    const [agent] = await svc.db.query<{ kind: string }>('SELECT kind FROM agents WHERE id = $1', [agentId]);
    if (agent) checkKindSettings(svc, agent.kind, data.config);
  }
  const sets: string[] = [];
  const params: unknown[] = [agentId];
  for (const [key, v] of Object.entries(data)) {
    if (v === undefined) continue;
    params.push(JSON_COLUMNS.has(key) ? JSON.stringify(v) : v);
    sets.push(`${COLUMNS[key as keyof typeof COLUMNS]} = $${params.length}`);
  }
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      `UPDATE agents SET ${[...sets, 'updated_at = now()'].join(', ')} WHERE id = $1 RETURNING *`,
      params,
    );
    if (!row) throw new AppError('not_found', 'no such agent');
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: 'agent.updated',
        subject: `agent:${agentId}`,
        payload: data,
      },
      tx,
    );
    return presentAgentRow(row);
  });
}

/** The per-agent kill switch: a paused agent stops at its next step and its conversations go to humans. */
export async function agentStatusSetter(
  svc: Services,
  actor: Actor,
  agentId: string,
  status: 'active' | 'paused',
  reason = '',
): Promise<AgentConfig> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query(
      'UPDATE agents SET status = $2, updated_at = now() WHERE id = $1 RETURNING *',
      [agentId, status],
    );
    if (!row) throw new AppError('not_found', 'no such agent');
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: status === 'paused' ? 'agent.paused' : 'agent.resumed',
        subject: `agent:${agentId}`,
        payload: { reason },
      },
      tx,
    );
    return presentAgentRow(row);
  });
}

/** The global kill switch: every agent stops at its next step. */
export async function globalKillSetter(
  svc: Services,
  actor: Actor,
  engaged: boolean,
  reason = '',
): Promise<void> {
  await svc.db.transaction(async (tx) => {
    await tx.query(
      `INSERT INTO settings (key, value, updated_at) VALUES ('kill_switch', $1, now())
       ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
      [JSON.stringify({ engaged, reason, by: actor })],
    );
    await svc.audit.append(
      {
        stream: 'system',
        actor,
        action: engaged ? 'kill_switch.engaged' : 'kill_switch.released',
        subject: 'system',
        payload: { reason },
      },
      tx,
    );
  });
}

export async function globalKillEngaged(q: Queryable): Promise<boolean> {
  const [row] = await q.query<{ value: { engaged?: boolean } }>(
    `SELECT value FROM settings WHERE key = 'kill_switch'`,
  );
  return row?.value.engaged === true;
}

export async function findAgent(q: Queryable, idOrName: string): Promise<AgentConfig> {
  const isUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(idOrName);
  const missing = () => new AppError('not_found', `no agent ${JSON.stringify(idOrName.slice(0, 100))}`);
  // Not an id and not a possible name: no such agent, without asking the database (which refuses NUL, say).
  if (!isUuid && !AGENT_NAME.test(idOrName)) throw missing();
  const [row] = await q.query(`SELECT * FROM agents WHERE ${isUuid ? 'id' : 'name'} = $1`, [idOrName]);
  if (!row) throw missing();
  return presentAgentRow(row);
}

export async function listAgents(q: Queryable): Promise<AgentConfig[]> {
  return (await q.query('SELECT * FROM agents ORDER BY name')).map(presentAgentRow);
}
