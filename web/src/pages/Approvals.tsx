// The approvals queue: what the agent wants to do, why it needs a human, how risky it is, the exact arguments,
// and approve / deny with a reason. Live: new requests appear (and are announced) without a reload.
import { useEffect, useRef, useState } from 'react';
import { api } from '../api.ts';
import {
  Empty,
  ErrorNote,
  JsonView,
  Loading,
  PageHeader,
  RiskBadge,
  RunStatusBadge,
  Time,
} from '../components/ui.tsx';
import { shortId } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { Link } from '../router.tsx';
import type { ApprovalItem, RunView } from '../types.ts';

interface Decided {
  approval: ApprovalItem;
  run: RunView | null;
  decision: 'approved' | 'denied';
}

export function ApprovalsPage() {
  const { announce } = useSession();
  const list = useResource(
    () => api.get<{ approvals: ApprovalItem[] }>('/api/approvals?status=pending'),
    'pending',
  );
  const seen = useRef<Set<string> | null>(null);
  const [fresh, setFresh] = useState<Set<string>>(new Set());
  const [decided, setDecided] = useState<Decided[]>([]);
  useLive(['approval'], () => void list.reload(), 150);

  // Mark and announce requests that arrived after the first load.
  useEffect(() => {
    const items = list.data?.approvals;
    if (!items) return;
    if (seen.current === null) {
      seen.current = new Set(items.map((a) => a.id));
      return;
    }
    const added = items.filter((a) => !seen.current?.has(a.id));
    if (added.length === 0) return;
    for (const a of added) seen.current.add(a.id);
    setFresh((prev) => new Set([...prev, ...added.map((a) => a.id)]));
    announce(
      added.length === 1
        ? `New approval request: ${added[0]?.tool ?? 'an action'} for ${added[0]?.agentName ?? 'an agent'}`
        : `${added.length} new approval requests`,
    );
  }, [list.data, announce]);

  const pending = list.data?.approvals ?? [];
  return (
    <>
      <PageHeader
        title="Approvals"
        subtitle="Actions agents may not take alone. Nothing happens until a person decides."
      />
      <ErrorNote error={list.error} />
      {decided.length > 0 ? (
        <section aria-labelledby="decided-title" className="section">
          <h2 id="decided-title" className="sr-only">
            Decided just now
          </h2>
          <ul className="stack">
            {decided.map((d) => (
              <li
                key={d.approval.id}
                className={`note ${d.decision === 'approved' ? 'note-success' : 'note-info'}`}
              >
                {d.decision === 'approved' ? 'Approved' : 'Denied'} <code>{d.approval.tool}</code> for{' '}
                {d.approval.agentName ?? 'the agent'}.{' '}
                {d.run ? (
                  <>
                    The run is now <RunStatusBadge status={d.run.status} />.{' '}
                  </>
                ) : null}
                <Link href={`/runs/${d.approval.runId}`}>Open run {shortId(d.approval.runId)}</Link>
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {!list.data && list.loading ? <Loading /> : null}
      {list.data && pending.length === 0 ? (
        <Empty title="Nothing waits for approval">
          <p>New requests appear here as soon as an agent asks.</p>
        </Empty>
      ) : null}
      <ul className="stack" aria-label="Pending approvals">
        {pending.map((a) => (
          <li key={a.id}>
            <ApprovalCard
              approval={a}
              fresh={fresh.has(a.id)}
              onDecided={(d) => {
                setDecided((prev) => [d, ...prev].slice(0, 5));
                announce(`${d.decision === 'approved' ? 'Approved' : 'Denied'} ${a.tool ?? 'the action'}`);
                void list.reload();
              }}
            />
          </li>
        ))}
      </ul>
    </>
  );
}

function ApprovalCard({
  approval: a,
  fresh,
  onDecided,
}: {
  approval: ApprovalItem;
  fresh: boolean;
  onDecided: (d: Decided) => void;
}) {
  const can = useCan();
  const [reason, setReason] = useState('');
  const [needReason, setNeedReason] = useState(false);
  const action = useAction();
  const titleId = `approval-${a.id}`;
  const reasonId = `approval-${a.id}-reason`;

  const decide = async (decision: 'approve' | 'deny') => {
    if (decision === 'deny' && !reason.trim()) {
      setNeedReason(true);
      document.getElementById(reasonId)?.focus();
      return;
    }
    setNeedReason(false);
    const r = await action.run(() =>
      api.post<{ approval: ApprovalItem; run: RunView | null }>(`/api/approvals/${a.id}/${decision}`, {
        ...(reason.trim() ? { reason: reason.trim() } : {}),
      }),
    );
    if (r)
      onDecided({
        approval: a,
        run: r.run ?? null,
        decision: decision === 'approve' ? 'approved' : 'denied',
      });
  };

  return (
    <article className={`card approval${fresh ? ' is-fresh' : ''}`} aria-labelledby={titleId}>
      <header className="approval-head">
        <h2 id={titleId}>
          <code>{a.tool ?? 'action'}</code>
        </h2>
        <RiskBadge risk={a.risk} />
        {fresh ? <span className="badge badge-accent">new</span> : null}
      </header>
      <p className="meta">
        {a.agentName ?? 'agent'} · run <Link href={`/runs/${a.runId}`}>{shortId(a.runId)}</Link> · asked{' '}
        <Time iso={a.createdAt} /> · expires <Time iso={a.expiresAt} />
      </p>
      <div className="approval-body">
        <div>
          <h3>Why a human must decide</h3>
          <p>{a.reason}</p>
        </div>
        <div>
          <h3>Arguments</h3>
          <JsonView value={a.args ?? {}} label={`Arguments of ${a.tool ?? 'the action'}`} />
        </div>
      </div>
      {can('approvals.decide') ? (
        <div className="decision">
          <div className={`field${needReason ? ' field-invalid' : ''}`}>
            <label htmlFor={reasonId}>Reason (required to deny)</label>
            <textarea
              id={reasonId}
              rows={2}
              maxLength={1000}
              value={reason}
              aria-invalid={needReason || undefined}
              aria-describedby={needReason ? `${reasonId}-error` : undefined}
              onChange={(e) => setReason(e.target.value)}
            />
            {needReason ? (
              <p className="field-error" id={`${reasonId}-error`}>
                Say why you deny it: the agent and the audit trail keep the reason.
              </p>
            ) : null}
          </div>
          <ErrorNote error={action.error} />
          <div className="form-actions">
            <button
              type="button"
              className="btn btn-danger-outline"
              disabled={action.busy}
              onClick={() => void decide('deny')}
            >
              Deny
            </button>
            <button
              type="button"
              className="btn btn-primary"
              disabled={action.busy}
              onClick={() => void decide('approve')}
            >
              {action.busy ? 'Working…' : 'Approve'}
            </button>
          </div>
        </div>
      ) : (
        <p className="muted">Your role can see approvals but not decide them.</p>
      )}
    </article>
  );
}
