// Runs, newest first, filtered by agent and status (the filters live in the URL so a list can be linked).
import { api, qs } from '../api.ts';
import { Empty, ErrorNote, Loading, ModeBadge, PageHeader, RunStatusBadge, Time } from '../components/ui.tsx';
import { shortId } from '../format.ts';
import { useResource } from '../hooks.ts';
import { useLive } from '../live.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { AgentView, RunView } from '../types.ts';

const STATUSES = ['running', 'suspended', 'checkpoint', 'escalated', 'done', 'closed', 'failed'];

export function RunsPage() {
  const { query } = useLocation();
  const agent = query.get('agent') ?? '';
  const status = query.get('status') ?? '';
  const agents = useResource(() => api.get<{ agents: AgentView[] }>('/api/agents'), 'agents');
  const runs = useResource(
    () => api.get<{ runs: RunView[] }>(`/api/runs${qs({ agent, status })}`),
    `${agent}|${status}`,
  );
  useLive(['run', 'approval', 'escalation'], () => void runs.reload(), 500);
  const names = new Map((agents.data?.agents ?? []).map((a) => [a.id, a.displayName]));
  const setFilter = (next: { agent?: string; status?: string }) =>
    navigate(`/runs${qs({ agent, status, ...next })}`, { replace: true });

  return (
    <>
      <PageHeader title="Runs" subtitle="Every unit of agent work, step by step." />
      <form className="filters" aria-label="Filter runs" onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="runs-agent">Agent</label>
          <select id="runs-agent" value={agent} onChange={(e) => setFilter({ agent: e.target.value })}>
            <option value="">All agents</option>
            {(agents.data?.agents ?? []).map((a) => (
              <option key={a.id} value={a.name}>
                {a.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="runs-status">Status</label>
          <select id="runs-status" value={status} onChange={(e) => setFilter({ status: e.target.value })}>
            <option value="">Any status</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNote error={runs.error} />
      {!runs.data && runs.loading ? <Loading /> : null}
      {runs.data && runs.data.runs.length === 0 ? <Empty title="No runs match" /> : null}
      {runs.data && runs.data.runs.length > 0 ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Runs, newest first</caption>
            <thead>
              <tr>
                <th scope="col">Run</th>
                <th scope="col">Agent</th>
                <th scope="col">Status</th>
                <th scope="col">Mode</th>
                <th scope="col">Steps</th>
                <th scope="col">Outcome</th>
                <th scope="col">Started</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.runs.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/runs/${r.id}`}>
                      <code>{shortId(r.id)}</code>
                    </Link>
                  </td>
                  <td>{names.get(r.agentId) ?? shortId(r.agentId)}</td>
                  <td>
                    <RunStatusBadge status={r.status} />
                  </td>
                  <td>
                    <ModeBadge mode={r.mode} />
                  </td>
                  <td>
                    {r.stepsUsed}/{r.budget}
                  </td>
                  <td className="wrap">{r.outcome ?? <span className="muted">—</span>}</td>
                  <td>
                    <Time iso={r.createdAt} />
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
