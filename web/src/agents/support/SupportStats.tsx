// A support agent's last 30 days on its overview card: how close its drafts came to what people actually sent. Its
// outcomes (one per conversation, adding up) are the platform's block on every card (components/Outcomes.tsx).
// Drawn as a small inline SVG bar (no chart library) with a text equivalent.
import { plural } from '../../format.ts';
import type { SupportSummary } from './types.ts';

const pct = (x: number) => `${Math.round(x * 100)}%`;

function agreementTone(a: number): string {
  if (a >= 0.8) return 'good';
  if (a >= 0.5) return 'fair';
  return 'poor';
}

export function SupportStats({ summary: s, title }: { summary: SupportSummary; title: string }) {
  const headingId = `support-${title.replace(/\W+/g, '-')}`;
  return (
    <section className="support-stats" aria-labelledby={headingId}>
      <h3 id={headingId} className="label">
        Drafts, last 30 days
      </h3>
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
