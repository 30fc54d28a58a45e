// A job's candidates (/agents/:agent/candidates?job=…&stage=…): ranked by score (unscored last), with the score bar
// against the job's threshold, the qualified and needs-a-person badges, the stage, and a stage filter. Ticking two
// candidates compares them side by side. The ranking orders; it never decides: no one here is rejected by a score.
import { useState } from 'react';
import { api, qs } from '../../api.ts';
import { Empty, ErrorNote, Loading, PageHeader, Time } from '../../components/ui.tsx';
import { useCan, useResource } from '../../hooks.ts';
import { Link, navigate, useLocation } from '../../router.tsx';
import { BulkUpload } from './BulkUpload.tsx';
import { JobNav, ScoreBar, StageBadge, StatusBadges } from './parts.tsx';
import { type CandidateView, type JobView, pagePath, STAGES } from './types.ts';

export function CandidatesPage({ agentName }: { agentName: string }) {
  const { query } = useLocation();
  const jobId = query.get('job') ?? '';
  const stage = query.get('stage') ?? '';
  const job = useResource(() => api.get<JobView>(`/api/jobs/${encodeURIComponent(jobId)}`), jobId);
  const list = useResource(
    () =>
      api
        .get<{ candidates: CandidateView[] }>(
          `/api/jobs/${encodeURIComponent(jobId)}/candidates${qs({ stage, sort: 'score' })}`,
        )
        .then((r) => r.candidates),
    `${jobId}|${stage}`,
  );
  const [picked, setPicked] = useState<string[]>([]);
  const can = useCan();
  const toggle = (id: string, on: boolean) =>
    setPicked((p) => (on ? [...p.filter((x) => x !== id), id].slice(-2) : p.filter((x) => x !== id)));
  return (
    <>
      <PageHeader
        title={job.data ? `Candidates: ${job.data.title}` : 'Candidates'}
        subtitle="Ranked by score; people advance, reject and hire"
        crumbs={
          <>
            <Link href="/">Overview</Link> / <Link href={pagePath(agentName, 'jobs')}>Jobs</Link>
          </>
        }
        actions={jobId ? <JobNav agent={agentName} jobId={jobId} current="candidates" /> : null}
      />
      <div className="rc-toolbar">
        <label className="rc-inline">
          Stage{' '}
          <select
            value={stage}
            onChange={(e) =>
              navigate(
                pagePath(agentName, 'candidates', {
                  job: jobId,
                  ...(e.target.value ? { stage: e.target.value } : {}),
                }),
                {
                  replace: true,
                },
              )
            }
          >
            <option value="">All stages</option>
            {STAGES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="btn btn-sm"
          disabled={picked.length !== 2}
          onClick={() => navigate(pagePath(agentName, 'compare', { a: picked[0]!, b: picked[1]! }))}
        >
          Compare {picked.length === 2 ? 'the two ticked' : '(tick two)'}
        </button>
      </div>
      {jobId && can('hiring.write') ? (
        <BulkUpload agentName={agentName} jobId={jobId} onDone={() => void list.reload()} />
      ) : null}
      {list.error ? <ErrorNote error={list.error} /> : null}
      {job.error ? <ErrorNote error={job.error} /> : null}
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && list.data.length === 0 ? (
        <Empty title={stage ? `No candidates at ${stage}` : 'No applications yet'}>
          Applications from the career page appear here once they arrive.
        </Empty>
      ) : null}
      {list.data?.length ? (
        <div className="table-wrap">
          <table className="table hr-candidates">
            <caption className="sr-only">Candidates ranked by score, highest first</caption>
            <thead>
              <tr>
                <th scope="col">
                  <span className="sr-only">Compare</span>
                </th>
                <th scope="col">Rank</th>
                <th scope="col">Candidate</th>
                <th scope="col">Score</th>
                <th scope="col">Screening</th>
                <th scope="col">Stage</th>
                <th scope="col">Years</th>
                <th scope="col">Applied</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((c, i) => (
                <tr key={c.id} data-candidate={c.id}>
                  <td>
                    <input
                      type="checkbox"
                      aria-label={`Compare ${c.name}`}
                      checked={picked.includes(c.id)}
                      onChange={(e) => toggle(c.id, e.target.checked)}
                    />
                  </td>
                  <td>{c.score === null ? '—' : i + 1}</td>
                  <td>
                    <Link href={pagePath(agentName, 'candidate', { id: c.id })}>{c.name}</Link>
                  </td>
                  <td>
                    <ScoreBar score={c.score} threshold={job.data?.threshold} />
                  </td>
                  <td>
                    <StatusBadges c={c} />
                  </td>
                  <td>
                    <StageBadge stage={c.stage} />
                  </td>
                  <td>{c.yearsOfExperience ?? '—'}</td>
                  <td className="nowrap">
                    <Time iso={c.createdAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
