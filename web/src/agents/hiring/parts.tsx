// Pieces the hiring pages share: the sub-navigation of a job (settings, candidates, fairness), the score bar, and
// the badges for stage, screening status and verdicts. Every bar has its number in text beside it.
import { Badge, type Tone } from '../../components/ui.tsx';
import { Link } from '../../router.tsx';
import type { CandidateView, ScreeningStatus, Stage, Verdict } from './types.ts';
import { pagePath } from './types.ts';

export function JobNav({
  agent,
  jobId,
  current,
}: {
  agent: string;
  jobId: string;
  current: 'job' | 'candidates' | 'fairness';
}) {
  const items = [
    ['jobs', 'All jobs', {}],
    ['job', 'Job and rubric', { id: jobId }],
    ['candidates', 'Candidates', { job: jobId }],
    ['fairness', 'Fairness', { job: jobId }],
  ] as const;
  return (
    <nav aria-label="Hiring" className="rc-nav">
      {items.map(([page, label, q]) => (
        <Link
          key={page}
          className={`btn btn-sm${page === current ? ' btn-primary' : ''}`}
          href={pagePath(agent, page, q)}
          aria-current={page === current ? 'page' : undefined}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}

/** A 0–100 bar with the threshold marked; the number is text beside it, the bar is decoration. */
export function ScoreBar({ score, threshold }: { score: number | null; threshold?: number }) {
  if (score === null) return <span className="muted small">not scored</span>;
  return (
    <span className="hr-score">
      <strong className="hr-score-n">{score}</strong>
      <svg className="hr-score-bar" viewBox="0 0 100 8" preserveAspectRatio="none" aria-hidden="true">
        <rect className="hr-score-track" x="0" y="0" width="100" height="8" rx="2" />
        <rect
          className="hr-score-fill"
          x="0"
          y="0"
          width={Math.max(0, Math.min(100, score))}
          height="8"
          rx="2"
        />
        {threshold !== undefined ? (
          <rect className="hr-score-threshold" x={Math.min(99, threshold)} y="0" width="1" height="8" />
        ) : null}
      </svg>
    </span>
  );
}

const STAGE_TONE: Record<Stage, Tone> = {
  applied: 'neutral',
  screen: 'info',
  interview: 'info',
  offer: 'accent',
  hired: 'success',
  rejected: 'danger',
};
export function StageBadge({ stage }: { stage: Stage }) {
  return <Badge tone={STAGE_TONE[stage] ?? 'neutral'}>{stage}</Badge>;
}

const STATUS_TEXT: Record<ScreeningStatus, string> = {
  queued: 'waiting to be screened',
  screening: 'screening',
  scored: 'scored',
  needs_person: 'needs a person',
  failed: 'screening failed',
};
export function StatusBadges({ c }: { c: CandidateView }) {
  return (
    <span className="hr-badges">
      {c.qualified ? <Badge tone="success">qualified</Badge> : null}
      {c.status === 'needs_person' ? (
        <Badge tone="warning" title={c.statusReason ?? undefined}>
          needs a person
        </Badge>
      ) : c.status !== 'scored' ? (
        <Badge tone={c.status === 'failed' ? 'danger' : 'neutral'} title={c.statusReason ?? undefined}>
          {STATUS_TEXT[c.status] ?? c.status}
        </Badge>
      ) : null}
      {c.reviewRequested ? <Badge tone="accent">review requested</Badge> : null}
    </span>
  );
}

const VERDICT_TONE: Record<Verdict, Tone> = { met: 'success', partly: 'warning', missing: 'danger' };
export function VerdictBadge({ verdict }: { verdict: Verdict }) {
  return <Badge tone={VERDICT_TONE[verdict]}>{verdict}</Badge>;
}

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} kB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
