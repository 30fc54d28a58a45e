// A support agent's last 30 days on its overview card: the counts, how its outcomes split (answered by the AI,
// answers the customer came back about within 72 h, hand-offs to people) and how close its drafts came to what
// people actually sent. Drawn as small inline SVG bars (no chart library); each has a text equivalent.
import { plural } from '../../format.ts';
import type { SupportSummary } from './types.ts';

const pct = (x: number) => `${Math.round(x * 100)}%`;

interface Segment {
  key: string;
  label: string;
  value: number;
}

/** One horizontal bar split into segments proportional to their values. */
function StackedBar({ segments, label }: { segments: Segment[]; label: string }) {
  const total = segments.reduce((n, s) => n + s.value, 0);
  let x = 0;
  return (
    <svg
      className="bar"
      role="img"
      aria-label={label}
      viewBox="0 0 100 10"
      preserveAspectRatio="none"
      width="100%"
      height="10"
    >
      <rect className="bar-track" x="0" y="0" width="100" height="10" rx="2" />
      {total > 0
        ? segments.map((s) => {
            const w = (s.value / total) * 100;
            const rect = <rect key={s.key} className={`bar-${s.key}`} x={x} y="0" width={w} height="10" />;
            x += w;
            return rect;
          })
        : null}
    </svg>
  );
}

function agreementTone(a: number): string {
  if (a >= 0.8) return 'good';
  if (a >= 0.5) return 'fair';
  return 'poor';
}

export function SupportStats({ summary: s, title }: { summary: SupportSummary; title: string }) {
  const segments: Segment[] = [
    { key: 'ai', label: 'answered by AI', value: s.answeredByAi },
    { key: 'reopened', label: 'reopened within 72 h', value: s.reopened },
    { key: 'escalated', label: 'escalated', value: s.escalated },
  ];
  const outcomes = segments.reduce((n, x) => n + x.value, 0);
  const headingId = `support-${title.replace(/\W+/g, '-')}`;
  return (
    <section className="support-stats" aria-labelledby={headingId}>
      <h3 id={headingId} className="label">
        Last 30 days
      </h3>
      <ul className="legend" aria-label={`${title}: last 30 days`}>
        <li>
          <strong>{s.conversations}</strong> {s.conversations === 1 ? 'conversation' : 'conversations'}
        </li>
        {segments.map((x) => (
          <li key={x.key}>
            <span className={`dot dot-${x.key}`} aria-hidden="true" />
            <strong>{x.value}</strong> {x.label}
          </li>
        ))}
      </ul>
      {outcomes > 0 ? (
        <StackedBar
          segments={segments}
          label={`Outcomes: ${segments.map((x) => `${x.value} ${x.label}`).join(', ')}`}
        />
      ) : (
        <p className="muted small">No answers or hand-offs yet.</p>
      )}
      <div className="agreement">
        <span className="agreement-l">Draft agreement</span>
        {s.draftAgreement === null ? (
          <span className="muted small">no drafts compared yet</span>
        ) : (
          <>
            <span className="agreement-n" data-testid="draft-agreement">
              {pct(s.draftAgreement)}{' '}
              <span className="muted small">of {plural(s.draftsCompared, 'draft')}</span>
            </span>
            <svg
              className={`bar agreement-bar agreement-${agreementTone(s.draftAgreement)}`}
              role="img"
              aria-label={`Draft agreement ${pct(s.draftAgreement)} across ${plural(s.draftsCompared, 'draft')}`}
              viewBox="0 0 100 10"
              preserveAspectRatio="none"
              width="100%"
              height="10"
            >
              <rect className="bar-track" x="0" y="0" width="100" height="10" rx="2" />
              <rect className="bar-fill" x="0" y="0" width={s.draftAgreement * 100} height="10" rx="2" />
            </svg>
          </>
        )}
      </div>
    </section>
  );
}
