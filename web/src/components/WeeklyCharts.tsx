// The overview's volume and resolution over time (GET /api/metrics/weekly, from src/metrics/series.ts): conversations
// per week stacked by outcome, and the share of each week's settled conversations the AI resolved. Inline SVG like
// the Measurement page's charts; each chart's words (aria-label and a table for screen readers) carry its numbers.

import type { OutcomeCounts } from '../../../src/metrics/outcomes.ts';
import { api } from '../api.ts';
import { useResource } from '../hooks.ts';
import { useLive } from '../live.ts';
import { OUTCOME_LABELS } from './Outcomes.tsx';
import { ErrorNote } from './ui.tsx';

interface WeekOutcomes extends OutcomeCounts {
  week: string;
}

const W = 600;
const H = 150;
const PAD = 40;

const weekLabel = (week: string) =>
  new Intl.DateTimeFormat(undefined, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(week),
  );

/** Resolved by AI out of the week's settled conversations (open ones are not decided yet); null with none settled. */
export function resolutionShare(w: OutcomeCounts): number | null {
  const settled = w.conversations - w.open;
  return settled > 0 ? w.resolvedByAi / settled : null;
}

export function WeeklyCharts() {
  const weekly = useResource(
    () => api.get<{ weeks: WeekOutcomes[] }>('/api/metrics/weekly?weeks=12'),
    'weekly',
  );
  useLive(['escalation', 'message'], () => void weekly.reload(), 5000);
  if (weekly.error) return <ErrorNote error={weekly.error} />;
  const weeks = weekly.data?.weeks;
  if (!weeks || weeks.every((w) => w.conversations === 0)) return null;
  const step = (W - PAD * 2) / weeks.length;
  const max = Math.max(1, ...weeks.map((w) => w.conversations));
  const base = H - 4;
  const shares = weeks.map(resolutionShare);
  const points = shares
    .map((s, i) => (s === null ? null : `${PAD + i * step + step / 2},${base - s * (H - 24)}`))
    .filter((p): p is string => p !== null);
  return (
    <section className="card weekly-charts" aria-labelledby="weekly-title">
      <h2 id="weekly-title">The last 12 weeks</h2>
      <div className="weekly-grid">
        <figure>
          <figcaption>Conversations per week, by outcome</figcaption>
          <svg
            className="chart"
            viewBox={`0 0 ${W} ${H + 20}`}
            role="img"
            aria-label={`Conversations per week: ${weeks.map((w) => `week of ${weekLabel(w.week)} ${w.conversations}`).join(', ')}`}
          >
            <line className="axis" x1={PAD} x2={W - PAD} y1={base} y2={base} />
            {weeks.map((w, i) => {
              let y = base;
              const x = PAD + i * step + step * 0.2;
              return (
                <g key={w.week} data-week={w.week} data-conversations={w.conversations}>
                  {OUTCOME_LABELS.map((o) => {
                    const h = (w[o.key] / max) * (H - 24);
                    y -= h;
                    return h > 0 ? (
                      <rect
                        key={o.key}
                        className={`bar-${o.key}`}
                        x={x}
                        y={y}
                        width={step * 0.6}
                        height={h}
                      />
                    ) : null;
                  })}
                  {w.conversations > 0 ? (
                    <text x={x + step * 0.3} y={y - 3} textAnchor="middle">
                      {w.conversations}
                    </text>
                  ) : null}
                  {i % 2 === 0 ? (
                    <text x={x + step * 0.3} y={H + 14} textAnchor="middle">
                      {weekLabel(w.week)}
                    </text>
                  ) : null}
                </g>
              );
            })}
          </svg>
        </figure>
        <figure>
          <figcaption>Resolved by AI, share of settled conversations</figcaption>
          <svg
            className="chart"
            viewBox={`0 0 ${W} ${H + 20}`}
            role="img"
            aria-label={`Resolved by AI per week: ${weeks
              .map(
                (w, i) =>
                  `week of ${weekLabel(w.week)} ${shares[i] === null ? 'none settled' : `${Math.round(shares[i]! * 100)}%`}`,
              )
              .join(', ')}`}
          >
            <line className="axis" x1={PAD} x2={W - PAD} y1={base} y2={base} />
            <line className="axis grid" x1={PAD} x2={W - PAD} y1={base - (H - 24)} y2={base - (H - 24)} />
            <text x={PAD - 4} y={base - (H - 24) + 3} textAnchor="end">
              100%
            </text>
            <text x={PAD - 4} y={base + 3} textAnchor="end">
              0
            </text>
            {points.length > 1 ? <polyline className="line-resolution" points={points.join(' ')} /> : null}
            {weeks.map((w, i) =>
              shares[i] === null ? null : (
                <circle
                  key={w.week}
                  className="point-resolution"
                  data-week={w.week}
                  data-share={shares[i]}
                  cx={PAD + i * step + step / 2}
                  cy={base - shares[i]! * (H - 24)}
                  r={3}
                />
              ),
            )}
            {weeks.map((w, i) =>
              i % 2 === 0 ? (
                <text key={w.week} x={PAD + i * step + step / 2} y={H + 14} textAnchor="middle">
                  {weekLabel(w.week)}
                </text>
              ) : null,
            )}
          </svg>
        </figure>
      </div>
      <p className="legend small">
        {OUTCOME_LABELS.map((o) => (
          <span key={o.key}>
            <span className={`dot dot-${o.key}`} aria-hidden="true" /> {o.label}{' '}
          </span>
        ))}
      </p>
    </section>
  );
}
