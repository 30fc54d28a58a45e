// Measurement blocks every agent card shares (src/metrics/): the last 30 days' outcomes, one per conversation, as
// a stacked inline-SVG bar whose parts add up to the conversations (with a text equivalent), and the maintenance
// trap banner with its figures and the recommendation.
import type { OutcomeCounts } from '../../../src/metrics/outcomes.ts';
import type { TrapEvaluation } from '../../../src/metrics/trap.ts';
import { Link } from '../router.tsx';

export const OUTCOME_LABELS: { key: keyof Omit<OutcomeCounts, 'conversations'>; label: string }[] = [
  { key: 'resolvedByAi', label: 'resolved by AI' },
  { key: 'clawedBack', label: 'clawed back (reopened in 72 h)' },
  { key: 'escalated', label: 'escalated' },
  { key: 'abandoned', label: 'abandoned' },
  { key: 'open', label: 'still open' },
];

export function OutcomeBar({ outcomes, label }: { outcomes: OutcomeCounts; label: string }) {
  const total = outcomes.conversations;
  let x = 0;
  return (
    <svg
      className="bar"
      role="img"
      aria-label={`${label}: ${OUTCOME_LABELS.map((o) => `${outcomes[o.key]} ${o.label}`).join(', ')}`}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      width="100%"
      height="10"
    >
      <rect className="bar-track" x="0" y="0" width="100" height="10" rx="2" />
      {total > 0
        ? OUTCOME_LABELS.map((o) => {
            const w = (outcomes[o.key] / total) * 100;
            const rect = <rect key={o.key} className={`bar-${o.key}`} x={x} y="0" width={w} height="10" />;
            x += w;
            return rect;
          })
        : null}
    </svg>
  );
}

/** The outcomes of an agent's conversations, with every part and the whole. */
export function OutcomesBlock({
  outcomes,
  title,
  heading = 'Outcomes, last 30 days',
}: {
  outcomes: OutcomeCounts;
  title: string;
  heading?: string;
}) {
  const headingId = `outcomes-${title.replace(/\W+/g, '-')}`;
  return (
    <section className="support-stats outcomes" aria-labelledby={headingId}>
      <h3 id={headingId} className="label">
        {heading}
      </h3>
      <ul className="legend" aria-label={`${title}: ${heading}`}>
        <li>
          <strong data-outcome="conversations">{outcomes.conversations}</strong>{' '}
          {outcomes.conversations === 1 ? 'conversation' : 'conversations'}
        </li>
        {OUTCOME_LABELS.map((o) => (
          <li key={o.key}>
            <span className={`dot dot-${o.key}`} aria-hidden="true" />
            <strong data-outcome={o.key}>{outcomes[o.key]}</strong> {o.label}
          </li>
        ))}
      </ul>
      {outcomes.conversations > 0 ? <OutcomeBar outcomes={outcomes} label={`${title}: outcomes`} /> : null}
    </section>
  );
}

/** The maintenance trap: what the figures say and what to do. */
export function TrapBanner({
  agentName,
  displayName,
  trap,
  link = true,
}: {
  agentName: string;
  displayName: string;
  trap: Pick<TrapEvaluation, 'reason' | 'windows' | 'slopePerMonth' | 'projectedNetHours' | 'recommendation'>;
  link?: boolean;
}) {
  const last = trap.windows[trap.windows.length - 1] ?? 0;
  return (
    <div className="note note-danger trap-banner" role="alert" data-trap={agentName}>
      <strong>{displayName} is in the maintenance trap.</strong>{' '}
      {trap.reason === 'negative'
        ? `Over the last 30 days its upkeep took more time than it saved: net ${last} h.`
        : `Net hours are falling (${trap.windows.join(' → ')} h over the last three 30-day windows, ${trap.slopePerMonth} h a month) and would reach ${trap.projectedNetHours} h within a month.`}{' '}
      {trap.recommendation}
      {link ? (
        <>
          {' '}
          <Link href={`/agents/${encodeURIComponent(agentName)}/measurement`}>See the figures</Link>
        </>
      ) : null}
    </div>
  );
}
