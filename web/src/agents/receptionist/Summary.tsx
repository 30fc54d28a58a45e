// A receptionist's block on its overview card (API: `agent.receptionist`): bookings today, the next 7 days (a small
// inline SVG bar per day when the server gives them per day), tentative ones waiting for a person, and cancellations
// in the last 30 days. Every bar has a text equivalent.
import type { ReceptionistSummary } from './types.ts';

/** next7Days as per-day counts when given per day (numbers or {count}), else null. */
function perDay(v: unknown): number[] | null {
  if (!Array.isArray(v)) return null;
  const out = v.map((d) =>
    typeof d === 'number' ? d : typeof d?.count === 'number' ? (d.count as number) : NaN,
  );
  return out.every((n) => Number.isFinite(n)) ? out : null;
}

export function ReceptionistStats({ summary: s, title }: { summary: ReceptionistSummary; title: string }) {
  const days = perDay(s.next7Days);
  const total = days ? days.reduce((a, b) => a + b, 0) : Number(s.next7Days) || 0;
  const max = days ? Math.max(1, ...days) : 1;
  const headingId = `receptionist-${title.replace(/\W+/g, '-')}`;
  return (
    <section className="support-stats" aria-labelledby={headingId}>
      <h3 id={headingId} className="label">
        Bookings
      </h3>
      <ul className="legend" aria-label={`${title}: bookings`}>
        <li>
          <strong>{s.today}</strong> today
        </li>
        <li>
          <strong>{total}</strong> next 7 days
        </li>
        <li>
          <strong>{s.tentative}</strong> tentative
        </li>
        <li>
          <strong>{s.cancelled30Days}</strong> cancelled (30 days)
        </li>
      </ul>
      {days?.length ? (
        <svg
          className="rc-bars"
          role="img"
          aria-label={`Next 7 days: ${days.join(', ')} bookings a day`}
          viewBox={`0 0 ${days.length * 10} 24`}
          preserveAspectRatio="none"
          width="100%"
          height="24"
        >
          {days.map((n, i) => {
            const h = (n / max) * 22;
            // biome-ignore lint/suspicious/noArrayIndexKey: one bar per day, in order
            return <rect key={i} className="rc-bar" x={i * 10 + 1} y={24 - h} width="8" height={h} rx="1" />;
          })}
        </svg>
      ) : null}
    </section>
  );
}
