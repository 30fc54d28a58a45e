// One candidate (/agents/:agent/candidate?id=…): the redacted resume with every criterion's quoted evidence
// highlighted (choosing a criterion in the breakdown marks its quotes and scrolls to the first), the breakdown
// met / partly / missing with the engine's notes, the phone screen's summary, the decisions so far, and the
// decisions a person makes (advance, reject, hire, each with a required reason). The original file downloads;
// an admin may erase the candidate.
import { useMemo, useState } from 'react';
import { api } from '../../api.ts';
import { Badge, ConfirmDialog, ErrorNote, Loading, PageHeader, Time } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { segments, validSpans } from './highlight.ts';
import { bytes, ScoreBar, StageBadge, StatusBadges, VerdictBadge } from './parts.tsx';
import { ScreenCard } from './Screen.tsx';
import type { ApplicationDetail, CriterionResult, Stage } from './types.ts';
import { pagePath } from './types.ts';

type Decision = 'advance' | 'reject' | 'hire';
const NEXT: Partial<Record<Stage, Stage>> = { applied: 'screen', screen: 'interview', interview: 'offer' };

/** The decisions a person may take at a stage (hiring-api: advance applied→screen→interview→offer; hire from
 * offer or interview; reject from any open stage). */
export function decisionsAt(stage: Stage): { decision: Decision; label: string }[] {
  const out: { decision: Decision; label: string }[] = [];
  const next = NEXT[stage];
  if (next) out.push({ decision: 'advance', label: `Advance to ${next}` });
  if (stage === 'offer' || stage === 'interview') out.push({ decision: 'hire', label: 'Hire' });
  if (stage !== 'hired' && stage !== 'rejected') out.push({ decision: 'reject', label: 'Reject' });
  return out;
}

export function CandidatePage({ agentName }: { agentName: string }) {
  const { query } = useLocation();
  const id = query.get('id') ?? '';
  const app = useResource(
    () => api.get<ApplicationDetail>(`/api/applications/${encodeURIComponent(id)}`),
    id,
  );
  const a = app.data;
  return (
    <>
      <PageHeader
        title={a?.name ?? 'Candidate'}
        subtitle={a ? <CandidateLine a={a} /> : null}
        crumbs={
          <>
            <Link href="/">Overview</Link> / <Link href={pagePath(agentName, 'jobs')}>Jobs</Link>
            {a ? (
              <>
                {' '}
                / <Link href={pagePath(agentName, 'candidates', { job: a.jobId })}>Candidates</Link>
              </>
            ) : null}
          </>
        }
      />
      {app.error ? <ErrorNote error={app.error} /> : null}
      {!a && !app.error ? <Loading /> : null}
      {a ? <CandidateBody a={a} agentName={agentName} reload={app.reload} /> : null}
    </>
  );
}

function CandidateLine({ a }: { a: ApplicationDetail }) {
  return (
    <span className="hr-line">
      <ScoreBar score={a.score} threshold={undefined} /> <StageBadge stage={a.stage} /> <StatusBadges c={a} />{' '}
      {a.yearsOfExperience !== null ? <span>{a.yearsOfExperience} years of experience</span> : null}
      {a.reference ? <span className="muted">reference {a.reference}</span> : null}
    </span>
  );
}

function CandidateBody({
  a,
  agentName,
  reload,
}: {
  a: ApplicationDetail;
  agentName: string;
  reload: () => Promise<void>;
}) {
  const [active, setActive] = useState<string | null>(null);
  const { announce } = useSession();
  const criteria = a.result?.criteria ?? [];
  const choose = (c: CriterionResult) => {
    const on = active === c.id ? null : c.id;
    setActive(on);
    if (!on) return;
    const n = validSpans(a.redactedText ?? '', [c]).length;
    announce(n ? `${n} ${n === 1 ? 'quote' : 'quotes'} marked for ${c.label}` : `No quote for ${c.label}`);
    // After React has drawn the active marks.
    requestAnimationFrame(() => {
      document
        .querySelector(`.hr-resume mark[data-criteria~="${CSS.escape(c.id)}"]`)
        ?.scrollIntoView({ block: 'center', behavior: 'smooth' });
    });
  };
  return (
    <div className="hr-candidate">
      {a.reviewRequested ? (
        <div className="note note-warning hr-review" role="note">
          <strong>The candidate asked for a human review.</strong> {a.reviewNote ? `“${a.reviewNote}”` : null}
        </div>
      ) : null}
      <section className="card hr-breakdown" aria-labelledby="breakdown-title">
        <h2 id="breakdown-title">Breakdown</h2>
        {a.result ? (
          <>
            <p className="muted small">
              {a.result.engine === 'llm'
                ? `LLM engine${a.result.model ? ` (${a.result.model})` : ''}`
                : 'Offline engine'}
              ; choose a criterion to mark its evidence in the resume.
            </p>
            <ul className="hr-verdicts">
              {criteria.map((c) => (
                <li key={c.id} data-verdict={c.verdict}>
                  <button
                    type="button"
                    className={`hr-crit${active === c.id ? ' is-active' : ''}`}
                    aria-pressed={active === c.id}
                    onClick={() => choose(c)}
                  >
                    <VerdictBadge verdict={c.verdict} /> <span className="hr-crit-label">{c.label}</span>
                    {c.required ? <Badge tone="accent">must-have</Badge> : null}
                    <span className="muted small"> weight {c.weight}</span>
                    <span className="muted small">
                      {' '}
                      · {c.evidence.length} {c.evidence.length === 1 ? 'quote' : 'quotes'}
                    </span>
                  </button>
                  {c.note ? <p className="small muted hr-note">{c.note}</p> : null}
                </li>
              ))}
            </ul>
          </>
        ) : (
          <p className="muted">
            {a.status === 'needs_person'
              ? `Not scored: ${a.statusReason ?? 'a person needs to read this application.'}`
              : 'Not scored yet.'}
          </p>
        )}
        <Actions a={a} agentName={agentName} reload={reload} />
      </section>
      <section className="card hr-resume-card" aria-labelledby="resume-title">
        <div className="section-head">
          <h2 id="resume-title">Resume (redacted)</h2>
          {a.file ? (
            <a className="btn btn-sm" href={`/api/applications/${encodeURIComponent(a.id)}/file`} download>
              Download original ({a.file.name}, {bytes(a.file.size)})
            </a>
          ) : null}
        </div>
        <p className="muted small">
          Names, contact details, addresses, ages, gender words, marital status and nationality are replaced
          before scoring.
        </p>
        <Resume text={a.redactedText ?? ''} criteria={criteria} active={active} />
      </section>
      <ScreenCard a={a} reload={reload} />
      <section className="card hr-history" aria-labelledby="history-title">
        <h2 id="history-title">Decisions</h2>
        {a.decisions.length === 0 ? <p className="muted">No decision yet.</p> : null}
        <ol className="hr-decisions">
          {a.decisions.map((d, i) => (
            <li key={d.id ?? i}>
              <strong>{d.decision}</strong> {d.fromStage} → {d.toStage}: “{d.reason}”{' '}
              <span className="muted small">
                {d.user ?? d.userId ?? ''} <Time iso={d.decidedAt} />
              </span>
            </li>
          ))}
        </ol>
      </section>
    </div>
  );
}

function Resume({
  text,
  criteria,
  active,
}: {
  text: string;
  criteria: CriterionResult[];
  active: string | null;
}) {
  const labels = useMemo(() => new Map(criteria.map((c) => [c.id, c.label])), [criteria]);
  const segs = useMemo(() => segments(text, validSpans(text, criteria)), [text, criteria]);
  if (!text) return <p className="muted">No text was extracted from this file.</p>;
  return (
    <div className="hr-resume">
      {segs.map((s) =>
        s.criteria.length ? (
          <mark
            key={s.start}
            data-criteria={s.criteria.join(' ')}
            className={active && s.criteria.includes(active) ? 'is-active' : undefined}
            title={s.criteria.map((c) => labels.get(c) ?? c).join(', ')}
          >
            {s.text}
          </mark>
        ) : (
          <span key={s.start}>{s.text}</span>
        ),
      )}
    </div>
  );
}

function Actions({
  a,
  agentName,
  reload,
}: {
  a: ApplicationDetail;
  agentName: string;
  reload: () => Promise<void>;
}) {
  const can = useCan();
  const { announce } = useSession();
  const [open, setOpen] = useState<{ decision: Decision; label: string } | null>(null);
  const [erasing, setErasing] = useState(false);
  const decide = useAction();
  const other = useAction();
  const options = can('hiring.decide') ? decisionsAt(a.stage) : [];
  return (
    <div className="hr-actions">
      {options.length ? (
        <>
          <h3 className="label">Decide</h3>
          <p className="small muted">A person decides, with a reason; the score only orders the list.</p>
          <div className="form-actions form-actions-start">
            {options.map((o) => (
              <button
                key={o.decision}
                type="button"
                className={`btn ${o.decision === 'reject' ? 'btn-danger-outline' : 'btn-primary'}`}
                onClick={() => {
                  decide.setError(null);
                  setOpen(o);
                }}
              >
                {o.label}
              </button>
            ))}
          </div>
        </>
      ) : null}
      <div className="form-actions form-actions-start hr-more">
        {can('hiring.write') ? (
          <button
            type="button"
            className="btn btn-sm"
            disabled={other.busy}
            onClick={async () => {
              const ok = await other.run(() =>
                api.post(`/api/applications/${encodeURIComponent(a.id)}/rescore`),
              );
              if (ok !== undefined) {
                announce('Queued for scoring again');
                await reload();
              }
            }}
          >
            Score again
          </button>
        ) : null}
        {can('hiring.erase') ? (
          <button type="button" className="btn btn-sm btn-danger-outline" onClick={() => setErasing(true)}>
            Erase candidate
          </button>
        ) : null}
      </div>
      <ErrorNote error={other.error} />
      <ConfirmDialog
        open={open !== null}
        title={open ? `${open.label}: ${a.name}` : ''}
        confirmLabel={open?.label ?? 'Confirm'}
        tone={open?.decision === 'reject' ? 'danger' : 'primary'}
        reason="required"
        reasonLabel="Reason (recorded with your name)"
        busy={decide.busy}
        error={decide.error}
        onCancel={() => setOpen(null)}
        onConfirm={async (reason) => {
          if (!open) return;
          if (reason.length < 3) {
            decide.setError(new Error('Give a reason of at least 3 characters.'));
            return;
          }
          const done = await decide.run(() =>
            api.post(`/api/applications/${encodeURIComponent(a.id)}/decisions`, {
              decision: open.decision,
              reason,
              // Refused if someone else moved the candidate meanwhile (a stale page).
              fromStage: a.stage,
            }),
          );
          if (done !== undefined) {
            announce(`${open.label}: done`);
            setOpen(null);
            await reload();
          }
        }}
      >
        <p>This is recorded in the audit trail with your reason.</p>
      </ConfirmDialog>
      <ConfirmDialog
        open={erasing}
        title={`Erase ${a.name}?`}
        confirmLabel="Erase"
        tone="danger"
        busy={other.busy}
        error={other.error}
        onCancel={() => setErasing(false)}
        onConfirm={async () => {
          const ok = await other.run(() => api.post(`/api/applications/${encodeURIComponent(a.id)}/erase`));
          if (ok !== undefined) {
            setErasing(false);
            announce('Candidate erased');
            navigate(pagePath(agentName, 'candidates', { job: a.jobId }));
          }
        }}
      >
        <p>
          The file, text, scores, transcripts and self-identification answers are deleted for good. The audit
          trail keeps a record that an erasure happened, without personal data.
        </p>
      </ConfirmDialog>
    </div>
  );
}
