// A hiring agent's block on its overview card (API: `agent.hiring`, its kind's summary): open jobs, applications,
// and those awaiting a person's decision (or needing a person to read them).
import type { HiringSummary } from './types.ts';

export function HiringStats({ summary: s, title }: { summary: HiringSummary; title: string }) {
  const headingId = `hiring-${title.replace(/\W+/g, '-')}`;
  const items: [number | undefined, string][] = [
    [s.openJobs, 'open jobs'],
    [s.applications, 'applications'],
    [s.awaitingDecision, 'awaiting decision'],
    [s.needsPerson, 'need a person'],
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
