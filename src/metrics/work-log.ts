// Time a person spent on an agent outside Twelve (reading transcripts elsewhere, meetings about it), logged by hand
// through the API or the CLI. Each entry is audited on the agent's stream in the same transaction as its row.
import { z } from 'zod';
import type { Actor, Services } from '../context.ts';
import { AppError } from '../errors.ts';
import { pgSafe } from '../store/text.ts';

export const WorkLogInputSchema = z
  .object({
    minutes: z.number().int().min(1).max(1440),
    /** The day the work was done (UTC), YYYY-MM-DD; default today. */
    date: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/, 'YYYY-MM-DD')
      .refine(
        (d) =>
          !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) &&
          new Date(`${d}T00:00:00Z`).toISOString().startsWith(d),
        'a real date',
      )
      .optional(),
    note: z.string().max(1000).default(''),
  })
  .strict();

export interface WorkLogEntry {
  id: string;
  agentId: string;
  minutes: number;
  date: string;
  note: string;
  loggedBy: string;
  createdAt: string;
}

export async function workLogger(
  svc: Services,
  actor: Actor,
  agentId: string,
  input: z.input<typeof WorkLogInputSchema>,
): Promise<WorkLogEntry> {
  const r = WorkLogInputSchema.safeParse(input);
  if (!r.success) throw new AppError('validation_failed', undefined, r.error.issues);
  const now = svc.clock.now();
  const date = r.data.date ?? now.toISOString().slice(0, 10);
  if (date > now.toISOString().slice(0, 10))
    throw new AppError('validation_failed', 'work cannot be logged for a future day', [
      { path: ['date'], message: 'today or earlier' },
    ]);
  const note = pgSafe(r.data.note);
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(
      `INSERT INTO work_log (agent_id, minutes, worked_on, note, logged_by, created_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
      [agentId, r.data.minutes, date, note, actor, now],
    );
    await svc.audit.append(
      {
        stream: `agent:${agentId}`,
        actor,
        action: 'worklog.logged',
        subject: `work_log:${row!.id}`,
        payload: { minutes: r.data.minutes, date },
      },
      tx,
    );
    return {
      id: row!.id,
      agentId,
      minutes: r.data.minutes,
      date,
      note,
      loggedBy: actor,
      createdAt: now.toISOString(),
    };
  });
}
