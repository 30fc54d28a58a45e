// The run viewer: what the run was started by, every step the brain proposed and what policy decided, tool
// results, approvals and messages, the run's own audit chain (with links into the audit log), and the
// checkpoint decision when the run reached its step budget.
import { useState } from 'react';
import { api, qs } from '../api.ts';
import {
  Badge,
  DecisionBadge,
  ErrorNote,
  Field,
  JsonView,
  Loading,
  ModeBadge,
  PageHeader,
  RiskBadge,
  RunStatusBadge,
  Time,
} from '../components/ui.tsx';
import { shortId } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { usePersonName } from '../people.ts';
import { Link } from '../router.tsx';
import type { RunDetail, StepView } from '../types.ts';

export function RunPage({ runId }: { runId: string }) {
  const name = usePersonName();
  const can = useCan();
  const { announce } = useSession();
  const detail = useResource(() => api.get<RunDetail>(`/api/runs/${encodeURIComponent(runId)}`), runId);
  useLive(
    ['approval', 'escalation', 'message', 'run'],
    (e) => {
      if (typeof e.data.runId === 'string' && e.data.runId !== runId) return;
      void detail.reload();
    },
    200,
  );
  const [note, setNote] = useState('');
  const checkpoint = useAction();

  if (detail.error && !detail.data) {
    return (
      <>
        <PageHeader title={`Run ${shortId(runId)}`} crumbs={<Link href="/runs">Runs</Link>} />
        <ErrorNote error={detail.error} />
      </>
    );
  }
  const data = detail.data;
  if (!data) return <Loading />;
  const { run, agent, steps, approvals = [], messages = [], audit, escalations = [] } = data;
  const auditHref = `/audit${qs({ stream: `run:${run.id}` })}`;

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link href="/runs">Runs</Link> <span aria-hidden="true">/</span>{' '}
            <span>{agent?.displayName ?? agent?.name ?? 'agent'}</span>
          </>
        }
        title={
          <>
            Run <code>{shortId(run.id)}</code> <RunStatusBadge status={run.status} />
          </>
        }
        subtitle={
          <>
            {agent ? <>{agent.displayName ?? agent.name} · </> : null}started <Time iso={run.createdAt} />
          </>
        }
        actions={
          <Link className="btn" href={auditHref}>
            Audit events ({audit.length})
          </Link>
        }
      />

      <dl className="summary card">
        <div>
          <dt>Status</dt>
          <dd data-testid="run-status">
            <RunStatusBadge status={run.status} />
          </dd>
        </div>
        <div>
          <dt>Mode</dt>
          <dd>
            <ModeBadge mode={run.mode} />
          </dd>
        </div>
        <div>
          <dt>Steps</dt>
          <dd>
            {run.stepsUsed} of {run.budget}
          </dd>
        </div>
        <div>
          <dt>Trigger</dt>
          <dd>
            {run.trigger.type}
            {typeof run.trigger.text === 'string' ? <>: “{run.trigger.text}”</> : null}
          </dd>
        </div>
        <div>
          <dt>Outcome</dt>
          <dd>{run.outcome ?? <span className="muted">—</span>}</dd>
        </div>
      </dl>

      {run.status === 'suspended' ? (
        <p className="note note-warning">
          Waiting for a person to decide an approval. <Link href="/approvals">Open the approvals queue</Link>
        </p>
      ) : null}
      {run.status === 'escalated' && escalations.length > 0 ? (
        <p className="note note-info">
          Handed to a person:{' '}
          <Link href={`/inbox/${escalations[escalations.length - 1]?.id}`}>open in the inbox</Link>
        </p>
      ) : null}
      {run.status === 'checkpoint' ? (
        <section className="card checkpoint" aria-labelledby="cp-title">
          <h2 id="cp-title">Checkpoint: the run used its step budget</h2>
          <p>Continue with a fresh budget of steps, or close the run here.</p>
          {can('runs.checkpoint') ? (
            <form
              onSubmit={(e) => e.preventDefault()}
              aria-label="Checkpoint decision"
              className="checkpoint-form"
            >
              <Field label="Note (optional)">
                {(p) => (
                  <input {...p} maxLength={2000} value={note} onChange={(e) => setNote(e.target.value)} />
                )}
              </Field>
              <ErrorNote error={checkpoint.error} />
              <div className="form-actions form-actions-start">
                {(['continue', 'close'] as const).map((choice) => (
                  <button
                    key={choice}
                    type="button"
                    className={`btn ${choice === 'continue' ? 'btn-primary' : ''}`}
                    disabled={checkpoint.busy}
                    onClick={async () => {
                      const r = await checkpoint.run(() =>
                        api.post(`/api/runs/${run.id}/checkpoint`, { choice, note }),
                      );
                      if (r !== undefined) {
                        announce(choice === 'continue' ? 'Run continued' : 'Run closed');
                        await detail.reload();
                      }
                    }}
                  >
                    {choice === 'continue' ? 'Continue run' : 'Close run'}
                  </button>
                ))}
              </div>
            </form>
          ) : null}
        </section>
      ) : null}

      <section className="section" aria-labelledby="steps-title">
        <h2 id="steps-title">Steps</h2>
        {steps.length === 0 ? (
          <p className="muted">No steps yet.</p>
        ) : (
          <ol className="timeline">
            {steps.map((s) => (
              <Step key={s.idx} step={s} detail={data} />
            ))}
          </ol>
        )}
      </section>

      {approvals.length > 0 ? (
        <section className="section" aria-labelledby="approvals-title">
          <h2 id="approvals-title">Approvals</h2>
          <ul className="stack">
            {approvals.map((a) => (
              <li key={a.id} className="card card-tight">
                <code>{a.tool}</code> <RiskBadge risk={a.risk} />{' '}
                <Badge
                  tone={a.status === 'approved' ? 'success' : a.status === 'pending' ? 'warning' : 'danger'}
                >
                  {a.status}
                </Badge>{' '}
                <span className="muted">
                  {a.decidedBy
                    ? `by ${name(a.decidedBy)}${a.decisionReason ? `: ${a.decisionReason}` : ''}`
                    : a.reason}
                </span>
              </li>
            ))}
          </ul>
        </section>
      ) : null}

      {messages.length > 0 ? (
        <section className="section" aria-labelledby="messages-title">
          <h2 id="messages-title">Messages</h2>
          <ol className="transcript">
            {messages.map((m) => (
              <li key={m.id} className={`msg msg-${m.author}`}>
                <span className="msg-who">
                  <span className="msg-author">{m.author}</span> <Badge>{m.status}</Badge>
                </span>
                <p className="msg-body">{m.body}</p>
              </li>
            ))}
          </ol>
        </section>
      ) : null}

      <section className="section" aria-labelledby="audit-title">
        <h2 id="audit-title">Audit events of this run</h2>
        <p className="muted">
          The run’s own hash chain, stream <code>run:{shortId(run.id)}…</code>.{' '}
          <Link href={auditHref}>Open in the audit log</Link>
        </p>
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Audit events of the run, in chain order</caption>
            <thead>
              <tr>
                <th scope="col">Seq</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">When</th>
                <th scope="col">Hash</th>
              </tr>
            </thead>
            <tbody>
              {audit.map((e) => (
                <tr key={e.id}>
                  <td>{e.seq}</td>
                  <td>
                    <Link href={`/audit${qs({ stream: e.stream, before: e.id + 1 })}`}>
                      <code>{e.action}</code>
                    </Link>
                  </td>
                  <td>{name(e.actor)}</td>
                  <td>
                    <Time iso={e.at} />
                  </td>
                  <td>
                    <code className="hash" title={e.hash}>
                      {e.hash.slice(0, 12)}
                    </code>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function Step({ step, detail }: { step: StepView; detail: RunDetail }) {
  const name = usePersonName();
  const a = step.action;
  const call = detail.toolCalls?.find((t) => t.stepIdx === step.idx);
  const approval = call ? detail.approvals?.find((x) => x.toolCallId === call.id) : undefined;
  return (
    <li className="step">
      <span className="step-n" aria-hidden="true">
        {step.idx}
      </span>
      <div className="step-body">
        <div className="step-head">
          <h3>
            <span className="sr-only">Step {step.idx}: </span>
            {a.type === 'tool' ? (
              <>
                tool <code>{a.name}</code>
              </>
            ) : (
              a.type
            )}
          </h3>
          {call ? <RiskBadge risk={call.risk} /> : null}
          <DecisionBadge decision={step.decision} />
          {approval && approval.status !== 'pending' ? (
            <Badge tone={approval.status === 'approved' ? 'success' : 'danger'}>
              {approval.status}
              {approval.decidedBy ? ` by ${name(approval.decidedBy)}` : ''}
            </Badge>
          ) : null}
          <span className="muted small">
            <Time iso={step.createdAt} />
          </span>
        </div>
        {a.type === 'reply' ? (
          <p className="quote">
            {a.text}
            {typeof a.confidence === 'number' ? (
              <span className="muted small"> · confidence {a.confidence.toFixed(2)}</span>
            ) : null}
          </p>
        ) : null}
        {a.type === 'escalate' ? (
          <p>
            {a.reason}
            {a.summary ? <span className="muted"> — {a.summary}</span> : null}
          </p>
        ) : null}
        {a.type === 'done' ? <p>Outcome: {a.outcome}</p> : null}
        {a.type === 'tool' ? (
          <div className="step-io">
            <div>
              <h4>Arguments</h4>
              <JsonView value={a.args ?? {}} label={`Arguments of step ${step.idx}`} />
            </div>
            <div>
              <h4>Result</h4>
              {step.result === null || step.result === undefined ? (
                <p className="muted">No result yet.</p>
              ) : (
                <JsonView value={step.result} label={`Result of step ${step.idx}`} />
              )}
            </div>
          </div>
        ) : null}
        {a.type === 'invalid' ? (
          <JsonView value={a.raw} label={`Invalid action of step ${step.idx}`} />
        ) : null}
      </div>
    </li>
  );
}
