// Two candidates side by side (/agents/:agent/compare?a=…&b=…): score, stage, years, and each criterion's verdict
// with its first quote, row by row in the rubric's order.
import { api } from '../../api.ts';
import { ErrorNote, Loading, PageHeader } from '../../components/ui.tsx';
import { useResource } from '../../hooks.ts';
import { Link, useLocation } from '../../router.tsx';
import { ScoreBar, StageBadge, StatusBadges, VerdictBadge } from './parts.tsx';
import type { ApplicationDetail, CriterionResult } from './types.ts';
import { pagePath } from './types.ts';

export function ComparePage({ agentName }: { agentName: string }) {
  const { query } = useLocation();
  const ids = [query.get('a') ?? '', query.get('b') ?? ''];
  const pair = useResource(
    () =>
      Promise.all(ids.map((id) => api.get<ApplicationDetail>(`/api/applications/${encodeURIComponent(id)}`))),
    ids.join('|'),
  );
  const [a, b] = pair.data ?? [];
  const rows: { id: string; label: string; required: boolean; of: (CriterionResult | undefined)[] }[] = [];
  if (a && b) {
    const seen = new Set<string>();
    for (const c of [...(a.result?.criteria ?? []), ...(b.result?.criteria ?? [])]) {
      if (seen.has(c.id)) continue;
      seen.add(c.id);
      rows.push({
        id: c.id,
        label: c.label,
        required: c.required,
        of: [a, b].map((x) => x.result?.criteria.find((y) => y.id === c.id)),
      });
    }
  }
  return (
    <>
      <PageHeader
        title={a && b ? `${a.name} and ${b.name}` : 'Compare candidates'}
        subtitle="Side by side, criterion by criterion"
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
      {pair.error ? <ErrorNote error={pair.error} /> : null}
      {!pair.data && !pair.error ? <Loading /> : null}
      {a && b ? (
        <div className="table-wrap">
          <table className="table hr-compare">
            <caption className="sr-only">
              {a.name} and {b.name} compared
            </caption>
            <thead>
              <tr>
                <th scope="col">Criterion</th>
                {[a, b].map((x) => (
                  <th scope="col" key={x.id}>
                    <Link href={pagePath(agentName, 'candidate', { id: x.id })}>{x.name}</Link>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Score</th>
                {[a, b].map((x) => (
                  <td key={x.id}>
                    <ScoreBar score={x.score} /> <StatusBadges c={x} />
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Stage</th>
                {[a, b].map((x) => (
                  <td key={x.id}>
                    <StageBadge stage={x.stage} />
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Years of experience</th>
                {[a, b].map((x) => (
                  <td key={x.id}>{x.yearsOfExperience ?? '—'}</td>
                ))}
              </tr>
              {rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    {r.label}
                    {r.required ? <span className="muted small"> (must-have)</span> : null}
                  </th>
                  {r.of.map((c, i) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: two fixed columns, a then b
                    <td key={i}>
                      {c ? (
                        <>
                          <VerdictBadge verdict={c.verdict} />
                          {c.evidence[0] ? <q className="hr-quote">{c.evidence[0].quote}</q> : null}
                        </>
                      ) : (
                        <span className="muted">not scored</span>
                      )}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
