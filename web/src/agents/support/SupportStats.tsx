// A support agent's last 30 days on its overview card: how close its drafts came to what people actually sent. Its
// outcomes (one per conversation, adding up) are the platform's block on every card (components/Outcomes.tsx).
// Drawn as a small inline SVG bar (no chart library) with a text equivalent.
import { plural } from '../../format.ts';
import type { SupportSummary, WeekFiguresView } from './types.ts';

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
      {s.weekly?.some((w) => w.coverage !== null) ? <WeeklyChart weeks={s.weekly} /> : null}
    </section>
  );
}

/** Chart geometry in viewBox units. */
const WW = 240;
const WH = 64;
const WPAD = 4;

/**
 * Coverage and precision per week (src/metrics/weekly.ts), oldest first: two lines over the card's last 12 weeks,
 * gaps where a week had nothing to measure, and the numbers as a table for screen readers.
 */
export function WeeklyChart({ weeks }: { weeks: WeekFiguresView[] }) {
  const x = (i: number) => WPAD + (i * (WW - 2 * WPAD)) / Math.max(1, weeks.length - 1);
  const y = (v: number) => WPAD + (1 - v) * (WH - 2 * WPAD);
  const path = (key: 'coverage' | 'precision') => {
    let d = '';
    let pen = false;
    weeks.forEach((w, i) => {
      const v = w[key];
      if (v === null) {
        pen = false;
        return;
      }
      d += `${pen ? 'L' : 'M'}${x(i).toFixed(1)},${y(v).toFixed(1)} `;
      pen = true;
    });
    return d.trim();
  };
  const last = [...weeks].reverse().find((w) => w.coverage !== null);
  return (
    <figure className="weekly-chart">
      <figcaption className="label">
        Coverage and precision per week
        {last ? (
          <span className="muted small">
            {' '}
            (week of {last.week}: coverage {last.coverage === null ? '–' : pct(last.coverage)}, precision{' '}
            {last.precision === null ? '–' : pct(last.precision)})
          </span>
        ) : null}
      </figcaption>
      <svg viewBox={`0 0 ${WW} ${WH}`} role="img" aria-label="Coverage and precision per week" width="100%">
        <line className="grid" x1={WPAD} x2={WW - WPAD} y1={y(1)} y2={y(1)} />
        <line className="grid" x1={WPAD} x2={WW - WPAD} y1={y(0)} y2={y(0)} />
        <path className="line line-precision" d={path('precision')} />
        <path className="line line-coverage" d={path('coverage')} />
      </svg>
      <p className="legend small">
        <span className="swatch line-precision" /> precision (answers that held){' '}
        <span className="swatch line-coverage" /> coverage (questions answered)
      </p>
      <table className="sr-only">
        <thead>
          <tr>
            <th scope="col">Week of</th>
            <th scope="col">Coverage</th>
            <th scope="col">Precision</th>
            <th scope="col">Answers</th>
          </tr>
        </thead>
        <tbody>
          {weeks.map((w) => (
            <tr key={w.week}>
              <th scope="row">{w.week}</th>
              <td>{w.coverage === null ? '–' : pct(w.coverage)}</td>
              <td>{w.precision === null ? '–' : pct(w.precision)}</td>
              <td>{w.answers}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </figure>
  );
}
