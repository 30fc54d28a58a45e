// A job's adverse-impact report (/agents/:agent/fairness?job=…), from the candidates' voluntary self-identification:
// per stage and dimension, each group's applicants, those selected, the selection rate and its ratio to the best
// group's rate (the four-fifths rule: under 0.8 is flagged). Groups too small to judge are marked, not hidden. A bar
// chart of the ratios in inline SVG with the 0.8 line; the CSV has the same rows.
import { api } from '../../api.ts';
import { Badge, Empty, ErrorNote, Loading, PageHeader } from '../../components/ui.tsx';
import { useResource } from '../../hooks.ts';
import { Link, useLocation } from '../../router.tsx';
import { JobNav } from './parts.tsx';
import type { FairnessGroup, FairnessReport, JobView } from './types.ts';
import { pagePath } from './types.ts';

const FOUR_FIFTHS = 0.8;

const pct = (n: number) => `${Math.round(n * 100)}%`;

export function FairnessPage({ agentName }: { agentName: string }) {
  const { query } = useLocation();
  const jobId = query.get('job') ?? '';
  const job = useResource(() => api.get<JobView>(`/api/jobs/${encodeURIComponent(jobId)}`), jobId);
  const report = useResource(
    () => api.get<FairnessReport>(`/api/jobs/${encodeURIComponent(jobId)}/fairness`),
    jobId,
  );
  const stages = report.data?.stages.filter((s) => s.groups.length) ?? [];
  return (
    <>
      <PageHeader
        title={job.data ? `Fairness: ${job.data.title}` : 'Fairness'}
        subtitle="Selection rates by group from voluntary self-identification; never used in scoring"
        crumbs={
          <>
            <Link href="/">Overview</Link> / <Link href={pagePath(agentName, 'jobs')}>Jobs</Link>
          </>
        }
        actions={jobId ? <JobNav agent={agentName} jobId={jobId} current="fairness" /> : null}
      />
      <p>
        <a className="btn btn-sm" href={`/api/jobs/${encodeURIComponent(jobId)}/fairness.csv`} download>
          Download CSV
        </a>
      </p>
      {report.error ? <ErrorNote error={report.error} /> : null}
      {!report.data && !report.error ? <Loading /> : null}
      {report.data && stages.length === 0 ? (
        <Empty title="Nothing to report yet">
          The report fills in as candidates answer the voluntary questions and people make decisions.
        </Empty>
      ) : null}
      {stages.map((s) => (
        <section key={s.stage} className="card section hr-fair" aria-labelledby={`fair-${s.stage}`}>
          <h2 id={`fair-${s.stage}`}>Selected for {s.stage}</h2>
          <RatioChart stage={s.stage} groups={s.groups} />
          <div className="table-wrap">
            <table className="table">
              <caption className="sr-only">Selection for {s.stage} by group</caption>
              <thead>
                <tr>
                  <th scope="col">Dimension</th>
                  <th scope="col">Group</th>
                  <th scope="col">Applicants</th>
                  <th scope="col">Selected</th>
                  <th scope="col">Rate</th>
                  <th scope="col">Ratio to best</th>
                </tr>
              </thead>
              <tbody>
                {s.groups.map((g) => (
                  <tr key={`${g.dimension}/${g.group}`} data-group={`${g.dimension}/${g.group}`}>
                    <td>{g.dimension}</td>
                    <td>{g.group}</td>
                    <td>{g.applicants}</td>
                    <td>{g.selected}</td>
                    <td>{pct(g.rate)}</td>
                    <td>
                      {g.ratio === null ? '—' : g.ratio.toFixed(2)}{' '}
                      {g.small ? (
                        <Badge tone="neutral" title="Too few people to draw a conclusion">
                          small group
                        </Badge>
                      ) : g.ratio !== null && g.ratio < FOUR_FIFTHS ? (
                        <Badge tone="danger">below four-fifths</Badge>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </section>
      ))}
    </>
  );
}

/** One horizontal bar per group: its ratio to the best group's rate, the 0.8 line across. */
function RatioChart({ stage, groups }: { stage: string; groups: FairnessGroup[] }) {
  const rows = groups.filter((g) => g.ratio !== null);
  if (!rows.length) return null;
  const rowH = 22;
  const labelW = 180;
  const barW = 300;
  const h = rows.length * rowH + 20;
  const x = (r: number) => labelW + Math.min(1, r) * barW;
  return (
    <svg
      className="hr-fair-chart"
      role="img"
      aria-label={`Ratio to the best group's selection rate for ${stage}: ${rows
        .map((g) => `${g.dimension} ${g.group} ${g.ratio!.toFixed(2)}${g.small ? ' (small group)' : ''}`)
        .join('; ')}`}
      viewBox={`0 0 ${labelW + barW + 50} ${h}`}
      width="100%"
    >
      {rows.map((g, i) => {
        const y = i * rowH + 4;
        const low = !g.small && g.ratio! < FOUR_FIFTHS;
        return (
          <g key={`${g.dimension}/${g.group}`}>
            <text x={labelW - 6} y={y + 13} textAnchor="end" className="hr-fair-label">
              {g.dimension}: {g.group}
            </text>
            <rect
              x={labelW}
              y={y}
              width={Math.max(1, x(g.ratio!) - labelW)}
              height={rowH - 8}
              className={`hr-fair-bar${low ? ' is-low' : ''}${g.small ? ' is-small' : ''}`}
            />
            <text x={x(g.ratio!) + 4} y={y + 13} className="hr-fair-value">
              {g.ratio!.toFixed(2)}
            </text>
          </g>
        );
      })}
      <line x1={x(FOUR_FIFTHS)} x2={x(FOUR_FIFTHS)} y1={0} y2={h - 14} className="hr-fair-line" />
      <text x={x(FOUR_FIFTHS)} y={h - 2} textAnchor="middle" className="hr-fair-label">
        0.8
      </text>
    </svg>
  );
}
