// One agent on the overview: readiness (declared, evidence, effective mode and why), status, what waits for
// people, its outcomes over the last 30 days and the maintenance trap (src/metrics/), what the agent's kind adds (a
// support agent's draft agreement), and the actions: run now, readiness, the
// kind's own (a support agent's knowledge base), pause/resume (the per-agent kill switch, confirmed).
import { useState } from 'react';
import { kindOf } from '../agents/registry.ts';
import { api } from '../api.ts';
import { shortId } from '../format.ts';
import { useAction, useCan, useSession } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { AgentView, RunDetail, RunView } from '../types.ts';
import { OutcomesBlock, TrapBanner } from './Outcomes.tsx';
import { Badge, ConfirmDialog, ErrorNote, ModeBadge, RunStatusBadge } from './ui.tsx';

type Dialog = 'pause' | 'resume' | 'run' | null;

export function AgentCard({
  agent,
  killSwitch,
  onChanged,
}: {
  agent: AgentView;
  killSwitch: boolean;
  onChanged: () => void;
}) {
  const can = useCan();
  const { announce } = useSession();
  const [dialog, setDialog] = useState<Dialog>(null);
  const [lastRun, setLastRun] = useState<RunView | null>(null);
  const action = useAction();
  const r = agent.readiness;
  const paused = agent.status === 'paused';
  const titleId = `agent-${agent.id}-title`;
  const kind = kindOf(agent.kind);

  const close = () => {
    setDialog(null);
    action.setError(null);
  };

  return (
    <article className="card agent-card" aria-labelledby={titleId} data-agent={agent.name}>
      <header className="agent-head">
        <div>
          <h2 id={titleId}>{agent.displayName}</h2>
          <p className="meta">
            <code>{agent.name}</code> · {agent.kind} · {agent.brain} brain
          </p>
        </div>
        <Badge tone={paused ? 'danger' : 'success'}>{paused ? 'paused' : 'active'}</Badge>
      </header>

      <div className="agent-readiness">
        <div className="mode-block">
          <span className="label">Effective mode</span>
          <ModeBadge mode={r.effectiveMode} large />
        </div>
        <dl className="kv">
          <div>
            <dt>Declared</dt>
            <dd>
              {r.declared ? (
                <>
                  {r.declared.total}/15 · {r.declared.band}{' '}
                  <span className="muted">
                    ({r.declared.clarity}/{r.declared.tolerance}/{r.declared.fallback}, v{r.declared.version})
                  </span>
                </>
              ) : (
                <span className="muted">not assessed</span>
              )}
            </dd>
          </div>
          <div>
            <dt>Evidence</dt>
            <dd>
              {r.evidence ? (
                <>
                  {r.evidence.scores.clarity + r.evidence.scores.tolerance + r.evidence.scores.fallback}/15 ·{' '}
                  {r.evidence.band}
                </>
              ) : (
                <span className="muted">—</span>
              )}
            </dd>
          </div>
        </dl>
      </div>

      <details className="why">
        <summary>Why {r.effectiveMode}?</summary>
        <ul>
          {r.reasons.map((reason) => (
            <li key={reason}>{reason}</li>
          ))}
        </ul>
      </details>

      <ul className="stats" aria-label={`${agent.displayName}: work waiting`}>
        <li>
          <Link href="/approvals" className={agent.pendingApprovals ? 'stat stat-hot' : 'stat'}>
            <span className="stat-n">{agent.pendingApprovals}</span>
            <span className="stat-l">pending approvals</span>
          </Link>
        </li>
        <li>
          <Link href="/inbox" className={agent.openEscalations ? 'stat stat-hot' : 'stat'}>
            <span className="stat-n">{agent.openEscalations}</span>
            <span className="stat-l">open escalations</span>
          </Link>
        </li>
        <li>
          <Link href={`/runs?agent=${encodeURIComponent(agent.name)}`} className="stat">
            <span className="stat-n">{agent.runs}</span>
            <span className="stat-l">runs</span>
          </Link>
        </li>
      </ul>

      {agent.measurement?.trap ? (
        <TrapBanner
          agentName={agent.name}
          displayName={agent.displayName}
          trap={agent.measurement.trap.figures}
        />
      ) : null}
      {agent.measurement ? (
        <OutcomesBlock outcomes={agent.measurement.outcomes} title={agent.displayName} />
      ) : null}

      {kind?.cardSummary?.(agent)}

      <div aria-live="polite" className="card-live">
        {lastRun ? (
          <p className="note note-info">
            Run <code>{shortId(lastRun.id)}</code>: <RunStatusBadge status={lastRun.status} />{' '}
            <Link href={`/runs/${lastRun.id}`}>Open run</Link>
            {lastRun.status === 'suspended' ? (
              <>
                {' '}
                · <Link href="/approvals">Approvals</Link>
              </>
            ) : null}
          </p>
        ) : null}
      </div>

      <div className="card-actions">
        {can('runs.start') && kindOf(agent.kind)?.manualRuns !== false ? (
          <button
            type="button"
            className="btn btn-primary btn-sm"
            disabled={paused || killSwitch}
            title={
              paused ? 'Resume the agent first' : killSwitch ? 'The global kill switch is engaged' : undefined
            }
            onClick={() => setDialog('run')}
          >
            Run now
          </button>
        ) : null}
        <Link className="btn btn-sm" href={`/agents/${encodeURIComponent(agent.name)}/readiness`}>
          Readiness
        </Link>
        <Link className="btn btn-sm" href={`/agents/${encodeURIComponent(agent.name)}/mcp`}>
          Tools (MCP)
        </Link>
        <Link className="btn btn-sm" href={`/agents/${encodeURIComponent(agent.name)}/measurement`}>
          Measurement
        </Link>
        {kind?.cardActions?.(agent)}
        {can('agents.kill') ? (
          <button
            type="button"
            className={`btn btn-sm ${paused ? '' : 'btn-danger-outline'}`}
            onClick={() => setDialog(paused ? 'resume' : 'pause')}
          >
            {paused ? 'Resume' : 'Pause'}
          </button>
        ) : null}
      </div>

      <ConfirmDialog
        open={dialog === 'pause' || dialog === 'resume'}
        title={`${dialog === 'resume' ? 'Resume' : 'Pause'} ${agent.displayName}?`}
        confirmLabel={dialog === 'resume' ? 'Resume agent' : 'Pause agent'}
        tone={dialog === 'resume' ? 'primary' : 'danger'}
        reason="optional"
        busy={action.busy}
        error={action.error}
        onCancel={close}
        onConfirm={async (reason) => {
          const verb = dialog === 'resume' ? 'resume' : 'pause';
          const ok = await action.run(() =>
            api.post(`/api/agents/${encodeURIComponent(agent.name)}/${verb}`, { reason }),
          );
          if (ok) {
            close();
            announce(`${agent.displayName} ${verb === 'pause' ? 'paused' : 'resumed'}`);
            onChanged();
          }
        }}
      >
        <p>
          {dialog === 'resume'
            ? `${agent.displayName} starts taking work again in ${r.effectiveMode} mode.`
            : `${agent.displayName} stops at its next step; its conversations go to humans.`}
        </p>
      </ConfirmDialog>

      <ConfirmDialog
        open={dialog === 'run'}
        title={`Run ${agent.displayName} now`}
        confirmLabel="Start run"
        reason="optional"
        reasonLabel="Customer message"
        busy={action.busy}
        error={action.error}
        onCancel={close}
        onConfirm={async (text) => {
          // The API answers with the run viewer's payload ({run, steps, …}); a bare run is accepted too.
          const run = await action.run(async () => {
            const r = await api.post<RunView | RunDetail>(
              `/api/agents/${encodeURIComponent(agent.name)}/runs`,
              text ? { text } : {},
            );
            return 'run' in r ? r.run : r;
          });
          if (run) {
            close();
            setLastRun(run);
            onChanged();
          }
        }}
      >
        <p>
          Starts a run as if a message came in. It runs in <strong>{r.effectiveMode}</strong> mode: the
          guardrails decide what it may do.
        </p>
      </ConfirmDialog>
      <ErrorNote error={dialog === null ? action.error : null} />
    </article>
  );
}
