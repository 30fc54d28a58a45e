// A hiring agent's block on its overview card (API: `agent.hiring`, its kind's summary): open jobs, applications,
// those being screened, awaiting a person's decision, needing a person to read them, or asking for a human review
// (each shown when the server gives it).
import type { HiringSummary } from './types.ts';

export function HiringStats({ summary: s, title }: { summary: HiringSummary; title: string }) {
  const headingId = `hiring-${title.replace(/\W+/g, '-')}`;
  const items: [number | undefined, string][] = [
    [s.openJobs, 'open jobs'],
    [s.applications, 'applications'],
    [s.screening, 'being screened'],
    [s.awaitingDecision, 'awaiting decision'],
    [s.needsPerson, 'need a person'],
    [s.reviewRequests, 'asked for a human review'],
  ];
  return (
    <section className="support-stats" aria-labelledby={headingId}>
      <h3 id={headingId} className="label">
        Hiring
      </h3>
      <ul className="legend" aria-label={`${title}: hiring`}>
        {items
          .filter(([n]) => typeof n === 'number')
          .map(([n, label]) => (
            <li key={label}>
              <strong>{n}</strong> {label}
            </li>
          ))}
      </ul>
    </section>
  );
}
