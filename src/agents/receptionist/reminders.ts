// Appointment reminders: before each confirmed booking (the profile's reminderHours, 24 by default) a short
// message goes into the booking's conversation as a sent agent message, so it reaches the customer on the channel
// they booked on: the outbox trigger on `messages` queues it for email and WhatsApp, and the message.sent event
// pushes it to an open web chat. Exactly once per booking: the conditional update of `reminded_at` and the message
// are one transaction, so two nodes running the job at once (or a retry after a crash) send one reminder. A
// rescheduled booking is due again (bookings.ts clears reminded_at). Bookings made without a conversation (the
// dashboard) get none: the .ics carries the time.

import type { Services } from '../../context.ts';
import { emitEvent } from '../../events/emit.ts';
import type { JobDefinition } from '../../jobs/definitions.ts';
import { DateTime } from '../../luxon.ts';

/** At most this many reminders per run (the next run takes the rest). */
const BATCH = 200;

export function reminderText(b: {
  service: string;
  resource: string;
  start: Date;
  timezone: string;
  code: string;
}): string {
  const when = DateTime.fromJSDate(b.start, { zone: b.timezone }).setLocale('en-GB');
  return `Reminder: your ${b.service} with ${b.resource} is on ${when.toFormat('cccc d LLLL')} at ${when.toFormat('HH:mm')}. To move or cancel it, reply here quoting your code ${b.code}.`;
}

/** Queues every due reminder; answers how many went out. */
export async function sendDueReminders(svc: Services): Promise<{ reminded: number }> {
  const now = svc.clock.now();
  const due = await svc.db.query<{ id: string }>(
    `SELECT b.id FROM bookings b JOIN business_profiles p ON p.agent_id = b.agent_id
     WHERE b.status = 'confirmed' AND b.reminded_at IS NULL AND b.conversation_id IS NOT NULL AND p.reminder_hours > 0
       AND b.starts_at > $1 AND b.starts_at <= $1::timestamptz + make_interval(hours => p.reminder_hours)
     ORDER BY b.starts_at LIMIT ${BATCH}`,
    [now],
  );
  let reminded = 0;
  for (const { id } of due) {
    const sent = await svc.db.transaction(async (tx) => {
      const [b] = await tx.query<{
        agent_id: string;
        conversation_id: string;
        code: string;
        starts_at: Date;
        timezone: string;
        service: string;
        resource: string;
      }>(
        `UPDATE bookings b SET reminded_at = $2 FROM business_profiles p, business_services s, business_resources r
         WHERE b.id = $1 AND b.reminded_at IS NULL AND b.status = 'confirmed' AND b.starts_at > $2
           AND p.agent_id = b.agent_id AND s.id = b.service_id AND r.id = b.resource_id
         RETURNING b.agent_id, b.conversation_id, b.code, b.starts_at, p.timezone, s.name AS service, r.name AS resource`,
        [id, now],
      );
      if (!b) return false;
      const [msg] = await tx.query<{ id: string }>(
        `INSERT INTO messages (agent_id, conversation_id, direction, author, status, body, created_at)
         VALUES ($1, $2, 'out', 'agent', 'sent', $3, $4) RETURNING id`,
        [
          b.agent_id,
          b.conversation_id,
          reminderText({
            service: b.service,
            resource: b.resource,
            start: new Date(b.starts_at),
            timezone: b.timezone,
            code: b.code,
          }),
          now,
        ],
      );
      await svc.audit.append(
        {
          stream: `agent:${b.agent_id}`,
          actor: 'system',
          action: 'booking.reminded',
          subject: `booking:${id}`,
          payload: { message: msg!.id },
        },
        tx,
      );
      await emitEvent(tx, { type: 'message.sent', conversationId: b.conversation_id, messageId: msg!.id });
      return true;
    });
    if (sent) reminded++;
  }
  return { reminded };
}

/** The reminder job, for the kind's `jobs`. */
export const reminderJob: JobDefinition = {
  name: 'receptionist.remind',
  cron: '*/5 * * * *',
  expireInSeconds: 600,
  run: async ({ app }) => ({ ...(await sendDueReminders(app)) }),
};
