// The escalation inbox: hand-offs from agents (escalations, replies held for review, checkpoints), with the
// reason, the summary, the transcript and a suggested reply; claim, reply and resolve. Live: new hand-offs and
// messages appear without a reload.
import { useEffect, useRef, useState } from 'react';
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
import { Link } from '../router.tsx';
import type { EscalationItem, MessageView, RunView } from '../types.ts';

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
  const can = useCan();
  const { me, announce } = useSession();
  const detail = useResource(
    () =>
      api.get<{ escalation: EscalationItem; messages: MessageView[]; run: RunView | null }>(
        `/api/escalations/${id}`,
      ),
    id,
  );
  useLive(['escalation', 'message'], () => void detail.reload(), 200);
  const [reply, setReply] = useState('');
  const [resolution, setResolution] = useState('');
  const action = useAction();

  if (detail.error) return <ErrorNote error={detail.error} />;
  if (!detail.data) return <Loading />;
  const { escalation: e, messages, run } = detail.data;
  const mine = e.claimedBy === me.actor;
  const handle = can('escalations.handle');

  const act = async (verb: 'claim' | 'reply' | 'resolve', body: object, done: string) => {
    const r = await action.run(() => api.post(`/api/escalations/${e.id}/${verb}`, body));
    if (r !== undefined) {
      announce(done);
      if (verb === 'reply') setReply('');
      await detail.reload();
      onChanged();
    }
  };

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
        {e.claimedBy ? <> · claimed by {e.claimedBy}</> : null}
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
          {messages.map((m) => (
            <li key={m.id} className={`msg msg-${m.author}`}>
              <span className="msg-who">
                <span className="msg-author">{m.author}</span>
                {m.status !== 'sent' && m.status !== 'received' ? (
                  <Badge tone={m.status === 'draft' ? 'neutral' : 'warning'}>{m.status}</Badge>
                ) : null}
                <span className="muted small">
                  <Time iso={m.createdAt} />
                </span>
              </span>
              <p className="msg-body">{m.body}</p>
            </li>
          ))}
        </ol>
      )}

      {e.suggestedReply ? (
        <div className="suggested">
          <h3>Suggested reply</h3>
          <p>{e.suggestedReply}</p>
          {handle && e.state !== 'resolved' ? (
            <button type="button" className="btn btn-sm" onClick={() => setReply(e.suggestedReply ?? '')}>
              Use suggested reply
            </button>
          ) : null}
        </div>
      ) : null}

      <ErrorNote error={action.error} />
      {handle && e.state !== 'resolved' ? (
        <div className="esc-actions">
          {e.state === 'open' ? (
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
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              if (reply.trim()) void act('reply', { text: reply.trim() }, 'Reply sent');
            }}
          >
            <div className="field">
              <label htmlFor="esc-reply">Reply to the customer</label>
              <textarea
                id="esc-reply"
                rows={3}
                maxLength={20000}
                value={reply}
                onChange={(ev) => setReply(ev.target.value)}
              />
            </div>
            <div className="form-actions form-actions-start">
              <button type="submit" className="btn btn-primary" disabled={action.busy || !reply.trim()}>
                Send reply
              </button>
              {!mine && e.state === 'claimed' ? (
                <span className="muted small">Claimed by {e.claimedBy}.</span>
              ) : null}
            </div>
          </form>
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
        </div>
      ) : null}
      {e.state === 'resolved' && e.resolution ? (
        <p className="note note-success">Resolved: {e.resolution}</p>
      ) : null}
    </article>
  );
}
