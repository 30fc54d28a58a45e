// The escalation inbox: hand-offs from agents (escalations, replies held for review, checkpoints), with the
// reason, the summary, the transcript (with each message's delivery state) and the AI draft beside the reply box;
// claim, reply and resolve; and what the agent's kind adds (agents/<kind>: a support agent's answer becomes a
// knowledge-base entry in one click). Live: new hand-offs and messages appear without a reload.
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { kindOf } from '../agents/registry.ts';
import { api, qs } from '../api.ts';
import {
  Badge,
  Empty,
  ErrorNote,
  Loading,
  PageHeader,
  RunStatusBadge,
  Time,
  type Tone,
} from '../components/ui.tsx';
import { shortId } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { usePersonName } from '../people.ts';
import { Link } from '../router.tsx';
import type {
  Delivery,
  EscalationDetail as EscalationDetailView,
  EscalationItem,
  MessageView,
} from '../types.ts';

type Filter = 'active' | 'open' | 'claimed' | 'resolved';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'active', label: 'Needs a person' },
  { value: 'open', label: 'Open' },
  { value: 'claimed', label: 'Claimed' },
  { value: 'resolved', label: 'Resolved' },
];
const KIND_TONE: Record<EscalationItem['kind'], Tone> = {
  escalation: 'accent',
  review: 'warning',
  checkpoint: 'info',
};
const STATE_TONE: Record<EscalationItem['state'], Tone> = {
  open: 'danger',
  claimed: 'info',
  resolved: 'success',
};

export function InboxPage({ selectedId }: { selectedId: string | null }) {
  const [filter, setFilter] = useState<Filter>('active');
  const { announce } = useSession();
  const list = useResource(
    () =>
      api.get<{ escalations: EscalationItem[] }>(
        `/api/escalations${qs({ state: filter === 'active' ? undefined : filter })}`,
      ),
    filter,
  );
  useLive(['escalation', 'message'], () => void list.reload(), 200);
  const seen = useRef<Set<string> | null>(null);
  useEffect(() => {
    const items = list.data?.escalations;
    if (!items) return;
    if (seen.current === null) {
      seen.current = new Set(items.map((e) => e.id));
      return;
    }
    const added = items.filter((e) => !seen.current?.has(e.id));
    for (const e of added) seen.current.add(e.id);
    if (added.length) announce(`${added.length} new in the inbox`);
  }, [list.data, announce]);

  const items = (list.data?.escalations ?? []).filter((e) => filter !== 'active' || e.state !== 'resolved');
  return (
    <>
      <PageHeader title="Inbox" subtitle="Conversations and runs an agent handed to a person." />
      <div className={`inbox${selectedId ? ' has-selection' : ''}`}>
        <section className="inbox-list" aria-labelledby="inbox-list-title">
          <h2 id="inbox-list-title" className="sr-only">
            Escalations
          </h2>
          <div className="field field-inline">
            <label htmlFor="inbox-filter">Show</label>
            <select id="inbox-filter" value={filter} onChange={(e) => setFilter(e.target.value as Filter)}>
              {FILTERS.map((f) => (
                <option key={f.value} value={f.value}>
                  {f.label}
                </option>
              ))}
            </select>
          </div>
          <ErrorNote error={list.error} />
          {!list.data && list.loading ? <Loading /> : null}
          {list.data && items.length === 0 ? (
            <Empty title="Nothing here">Hand-offs appear here live.</Empty>
          ) : null}
          <ul className="inbox-items">
            {items.map((e) => (
              <li key={e.id}>
                <Link
                  href={`/inbox/${e.id}`}
                  className={`inbox-item${e.id === selectedId ? ' is-selected' : ''}`}
                  aria-current={e.id === selectedId ? 'true' : undefined}
                >
                  <span className="inbox-item-top">
                    <Badge tone={KIND_TONE[e.kind]}>{e.kind}</Badge>
                    <Badge tone={STATE_TONE[e.state]}>{e.state}</Badge>
                    <span className="muted small">
                      <Time iso={e.createdAt} />
                    </span>
                  </span>
                  <span className="inbox-item-reason">{e.reason}</span>
                  {e.summary ? <span className="inbox-item-summary">{e.summary}</span> : null}
                  <span className="muted small">{e.agentName ?? shortId(e.agentId)}</span>
                </Link>
              </li>
            ))}
          </ul>
        </section>
        <section className="inbox-detail" aria-label="Selected escalation">
          {selectedId ? (
            <EscalationDetail key={selectedId} id={selectedId} onChanged={() => void list.reload()} />
          ) : (
            <Empty title="Select a conversation">
              <p>Pick an item on the left to read the transcript and take over.</p>
            </Empty>
          )}
        </section>
      </div>
    </>
  );
}

function EscalationDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const name = usePersonName();
  const can = useCan();
  const { me, announce } = useSession();
  const detail = useResource(() => api.get<EscalationDetailView>(`/api/escalations/${id}`), id);
  useLive(['escalation', 'message'], () => void detail.reload(), 200);
  const [reply, setReply] = useState('');
  const [resolution, setResolution] = useState('');
  const action = useAction();

  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!detail.data) return <Loading />;
  const { escalation: e, messages, run, agent } = detail.data;
  const mine = e.claimedBy === me.actor;
  const handle = can('escalations.handle');
  const replying = handle && e.state !== 'resolved';
  // What the agent's kind adds here (a support agent's knowledge base grows from its answers); most kinds add none.
  const extras = agent ? kindOf(agent.kind)?.inbox : undefined;
  const extra = agent && extras?.allowed(can) ? { ...extras, agentName: agent.name } : null;

  const act = async (verb: 'claim' | 'reply' | 'resolve', body: object, done: string) => {
    const r = await action.run(() => api.post(`/api/escalations/${e.id}/${verb}`, body));
    if (r !== undefined) {
      announce(done);
      if (verb === 'reply') setReply('');
      await detail.reload();
      onChanged();
    }
  };

  const replyForm = (
    <form
      className="reply-form"
      onSubmit={(ev) => {
        ev.preventDefault();
        if (reply.trim()) void act('reply', { text: reply.trim() }, 'Reply sent');
      }}
    >
      <div className="field">
        <label htmlFor="esc-reply">Reply to the customer</label>
        <textarea
          id="esc-reply"
          rows={e.suggestedReply ? 5 : 3}
          maxLength={10000}
          value={reply}
          onChange={(ev) => setReply(ev.target.value)}
        />
      </div>
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary" disabled={action.busy || !reply.trim()}>
          Send reply
        </button>
        {!mine && e.state === 'claimed' ? (
          <span className="muted small">Claimed by {name(e.claimedBy)}.</span>
        ) : null}
      </div>
    </form>
  );

  return (
    <article className="card escalation" aria-labelledby="esc-title">
      <p className="back-link">
        <Link href="/inbox">← All conversations</Link>
      </p>
      <header className="approval-head">
        <h2 id="esc-title">{e.reason}</h2>
        <Badge tone={KIND_TONE[e.kind]}>{e.kind}</Badge>
        <Badge tone={STATE_TONE[e.state]}>{e.state}</Badge>
      </header>
      <p className="meta">
        {e.agentName ?? 'agent'} · <Time iso={e.createdAt} />
        {e.claimedBy ? <> · claimed by {name(e.claimedBy)}</> : null}
        {e.runId ? (
          <>
            {' '}
            · run <Link href={`/runs/${e.runId}`}>{shortId(e.runId)}</Link>
            {run ? (
              <>
                {' '}
                <RunStatusBadge status={run.status} />
              </>
            ) : null}
          </>
        ) : null}
      </p>
      {e.summary ? (
        <>
          <h3>Summary</h3>
          <p>{e.summary}</p>
        </>
      ) : null}
      {e.kind === 'checkpoint' && e.runId && e.state !== 'resolved' ? (
        <p className="note note-info">
          The run reached its step budget.{' '}
          <Link href={`/runs/${e.runId}`}>Continue or close it in the run viewer</Link>.
        </p>
      ) : null}

      <h3>Transcript</h3>
      {messages.length === 0 ? (
        <p className="muted">No messages in this conversation.</p>
      ) : (
        <ol className="transcript" aria-label="Transcript">
          {messages.map((m, i) => (
            <TranscriptMessage
              key={m.id}
              m={m}
              action={
                extra ? (
                  <extra.MessageAction agentName={extra.agentName} messages={messages} index={i} />
                ) : null
              }
            />
          ))}
        </ol>
      )}

      <ErrorNote error={action.error} />
      {replying || e.suggestedReply || extra ? (
        <div className="esc-actions">
          {replying && e.state === 'open' ? (
            <div className="form-actions form-actions-start">
              <button
                type="button"
                className="btn btn-primary"
                disabled={action.busy}
                onClick={() => void act('claim', {}, 'Claimed')}
              >
                Claim
              </button>
              <span className="muted small">Claim it so others know you are on it.</span>
            </div>
          ) : null}

          {e.suggestedReply ? (
            <div className={replying ? 'reply-grid' : undefined}>
              <section className="suggested" aria-labelledby="draft-title">
                <h3 id="draft-title">AI draft</h3>
                <p className="suggested-text">{e.suggestedReply}</p>
                {e.draftAgreement !== null && e.draftAgreement !== undefined ? (
                  <p className="small" data-testid="esc-agreement">
                    The reply sent agreed <strong>{Math.round(e.draftAgreement * 100)}%</strong> with this
                    draft.
                  </p>
                ) : null}
                {replying ? (
                  <button
                    type="button"
                    className="btn btn-sm"
                    onClick={() => setReply(e.suggestedReply ?? '')}
                  >
                    Use draft
                  </button>
                ) : null}
              </section>
              {replying ? replyForm : null}
            </div>
          ) : replying ? (
            replyForm
          ) : null}

          {extra ? <extra.Panel escalationId={e.id} agentName={extra.agentName} messages={messages} /> : null}

          {replying ? (
            <form
              onSubmit={(ev) => {
                ev.preventDefault();
                if (resolution.trim()) void act('resolve', { resolution: resolution.trim() }, 'Resolved');
              }}
            >
              <div className="field">
                <label htmlFor="esc-resolution">Resolution</label>
                <input
                  id="esc-resolution"
                  maxLength={1000}
                  value={resolution}
                  placeholder="What was done"
                  onChange={(ev) => setResolution(ev.target.value)}
                />
              </div>
              <div className="form-actions form-actions-start">
                <button type="submit" className="btn" disabled={action.busy || !resolution.trim()}>
                  Resolve
                </button>
              </div>
            </form>
          ) : null}
        </div>
      ) : null}
      {e.state === 'resolved' && e.resolution ? (
        <p className="note note-success">Resolved: {e.resolution}</p>
      ) : null}
    </article>
  );
}

const DELIVERY_TONE: Record<Delivery, Tone> = {
  queued: 'neutral',
  sending: 'info',
  sent: 'info',
  delivered: 'success',
  read: 'success',
  failed: 'danger',
};

function TranscriptMessage({ m, action }: { m: MessageView; action: ReactNode }) {
  return (
    <li className={`msg msg-${m.author}`} data-delivery={m.delivery ?? undefined}>
      <span className="msg-who">
        <span className="msg-author">{m.author}</span>
        {m.status !== 'sent' && m.status !== 'received' ? (
          <Badge tone={m.status === 'draft' ? 'neutral' : 'warning'}>{m.status}</Badge>
        ) : null}
        {m.delivery ? (
          <Badge tone={DELIVERY_TONE[m.delivery]} title={m.channel ? `Delivery by ${m.channel}` : undefined}>
            {m.delivery}
          </Badge>
        ) : null}
        {m.channel ? <span className="muted small">via {m.channel}</span> : null}
        <span className="muted small">
          <Time iso={m.createdAt} />
        </span>
      </span>
      <p className="msg-body">{m.body}</p>
      {m.author === 'agent' && m.sourceTitles?.length ? (
        <p className="msg-source muted small">
          From {m.sourceTitles.map((t) => `“${t}”`).join(', ')}
          {typeof m.confidence === 'number' ? ` · confidence ${m.confidence.toFixed(2)}` : ''}
        </p>
      ) : null}
      {action}
      {m.deliveryError ? (
        <p className={`msg-delivery ${m.delivery === 'failed' ? 'msg-delivery-failed' : ''}`}>
          {m.delivery === 'failed' ? 'Not delivered: ' : 'Retrying: '}
          {m.deliveryError}
        </p>
      ) : null}
    </li>
  );
}
