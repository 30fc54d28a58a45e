// Escalation reminders: an escalation nobody has claimed for 30 minutes is announced again (audit event + live
// event, which the dashboard turns into a nudge), at most once an hour per escalation. The guard is a conditional
// update of `reminded_at`, so two nodes running the job at the same moment still remind once.
import type { Services } from '../context.ts';
import { emitEvent } from '../events/emit.ts';

export const REMIND_AFTER_MS = 30 * 60_000;
export const REMIND_EVERY_MS = 60 * 60_000;
const BATCH = 200;

export interface ReminderResult {
  reminded: number;
  failed: number;
}

export async function escalationReminder(svc: Services): Promise<ReminderResult> {
  const now = svc.clock.now();
  const openedBefore = new Date(now.getTime() - REMIND_AFTER_MS);
  const remindedBefore = new Date(now.getTime() - REMIND_EVERY_MS);
  const result: ReminderResult = { reminded: 0, failed: 0 };
  const failures: unknown[] = [];
  // Keyset paging, so an escalation that keeps failing is tried once per run and never loops.
  let after: [Date, string] = [new Date(0), '00000000-0000-0000-0000-000000000000'];
  for (;;) {
    const due = await svc.db.query<{ id: string; created_at: Date }>(
      `SELECT id, created_at FROM escalations
       WHERE state = 'open' AND created_at <= $1 AND (reminded_at IS NULL OR reminded_at <= $2)
         AND (created_at, id) > ($3, $4::uuid)
       ORDER BY created_at, id LIMIT ${BATCH}`,
      [openedBefore, remindedBefore, ...after],
    );
    // One transaction per escalation: a conflict on one run's audit chain must not undo the other reminders.
    for (const { id } of due) {
      try {
        if (await remindOne(svc, id, now, openedBefore, remindedBefore)) result.reminded++;
      } catch (err) {
        result.failed++;
        failures.push(err);
      }
    }
    if (due.length < BATCH) break;
    const last = due[due.length - 1]!;
    after = [last.created_at, last.id];
  }
  // Failing the job makes pg-boss retry it; the ones that went out are not repeated (their reminded_at moved).
  if (failures.length) throw new AggregateError(failures, `${failures.length} escalation reminders failed`);
  return result;
}

async function remindOne(
  svc: Services,
  id: string,
  now: Date,
  openedBefore: Date,
  remindedBefore: Date,
): Promise<boolean> {
  return svc.db.transaction(async (tx) => {
    const [row] = await tx.query<{ agent_id: string; run_id: string | null; created_at: Date }>(
      `UPDATE escalations SET reminded_at = $2
       WHERE id = $1 AND state = 'open' AND created_at <= $3 AND (reminded_at IS NULL OR reminded_at <= $4)
       RETURNING agent_id, run_id, created_at`,
      [id, now, openedBefore, remindedBefore],
    );
    if (!row) return false; // claimed, resolved or reminded by another node meanwhile
    const openMinutes = Math.floor((now.getTime() - row.created_at.getTime()) / 60_000);
    await svc.audit.append(
      {
        stream: row.run_id ? `run:${row.run_id}` : `agent:${row.agent_id}`,
        actor: 'system',
        action: 'escalation.reminder',
        subject: `escalation:${id}`,
        payload: { openMinutes },
      },
      tx,
    );
    await emitEvent(tx, {
      type: 'escalation.reminder',
      escalationId: id,
      agentId: row.agent_id,
      runId: row.run_id,
    });
    return true;
  });
}
