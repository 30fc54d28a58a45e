// The receptionist's own outcomes for measurement (KindInstance.outcomes, src/metrics/): bookings it made in a range:
// made in a conversation (not by staff in the dashboard), not cancelled. Tentative bookings count: the slot was
// found and held, which is the work a person would have done.
import type { KindOutcome, KindOutcomesHook } from '../../metrics/measurement.ts';

export const BOOKING_MINUTES = 2;

export const bookingOutcomes: KindOutcomesHook = async (q, agent, range): Promise<KindOutcome[]> => {
  const [row] = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM bookings
     WHERE agent_id = $1 AND conversation_id IS NOT NULL AND status <> 'cancelled'
       AND created_at >= $2 AND created_at < $3`,
    [agent.id, range.from, range.to],
  );
  return [
    {
      name: 'bookings',
      label: 'Bookings made',
      count: row?.n ?? 0,
      minutesEach: BOOKING_MINUTES,
      source: 'Twelve default: entering a booking in the calendar and confirming it (2 minutes)',
    },
  ];
};
