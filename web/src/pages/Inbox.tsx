// The escalation inbox: hand-offs from agents (escalations, replies held for review, checkpoints), with the
// reason, the summary, the transcript (with each message's delivery state) and the AI draft beside the reply box;
// claim, reply and resolve; and what the agent's kind adds (agents/<kind>: a support agent's answer becomes a
// knowledge-base entry in one click). Live: new hand-offs and messages appear without a reload.
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { isSubstantive } from '../../../src/conversations/substantive.ts';
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
import { WaitingClock } from '../components/WaitingClock.tsx';
import { shortId } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { usePersonName } from '../people.ts';
import { Link } from '../router.tsx';
import type {
  CannedReplyView,
  Delivery,
  EscalationDetail as EscalationDetailView,
  EscalationItem,
  MessageView,
} from '../types.ts';

type Filter = 'active' | 'mine' | 'open' | 'claimed' | 'resolved';
const FILTERS: { value: Filter; label: string }[] = [
  { value: 'active', label: 'Needs a person' },
  { value: 'mine', label: 'Assigned to me' },
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
  const can = useCan();
  const [filter, setFilter] = useState<Filter>('active');
  const { announce } = useSession();
  const list = useResource(
    () =>
      api.get<{ escalations: EscalationItem[] }>(
        `/api/escalations${qs(
          filter === 'mine' ? { assignee: 'me' } : { state: filter === 'active' ? undefined : filter },
        )}`,
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

  const items = (list.data?.escalations ?? []).filter(
    (e) => (filter !== 'active' && filter !== 'mine') || e.state !== 'resolved',
  );
  const settings = useResource(
    () => api.get<{ settings: InboxSettings }>('/api/inbox/settings'),
    'inbox-settings',
  );
  const target = settings.data?.settings.replyTargetMinutes ?? null;
  return (
    <>
      <PageHeader
        title="Inbox"
        subtitle="Conversations and runs an agent handed to a person."
        actions={
          can('conversations.export') ? (
            <a
              className="btn btn-sm"
              href={`/api/escalations/csv${qs({ state: filter === 'active' || filter === 'mine' ? undefined : filter, assignee: filter === 'mine' ? 'me' : undefined })}`}
              download
            >
              Export CSV
            </a>
          ) : null
        }
      />
      <ReplyTarget minutes={target} canEdit={can('inbox.settings')} onSaved={() => void settings.reload()} />
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
                    {e.channel ? <Badge tone="neutral">{channelLabel(e.channel)}</Badge> : null}
                    {e.waitingSince ? (
                      <WaitingClock since={e.waitingSince} targetMinutes={target} />
                    ) : (
                      <span className="muted small">
                        <Time iso={e.createdAt} />
                      </span>
                    )}
                  </span>
                  <span className="inbox-item-question">
                    {e.question ? (
                      `“${e.question}”`
                    ) : e.conversationId ? (
                      <span className="muted">Asked for a person, without a question</span>
                    ) : (
                      e.reason
                    )}
                  </span>
                  <span className="inbox-item-reason-small muted small">{e.reason}</span>
                  <span className="inbox-item-meta small">
                    <span>{e.customer ?? (e.conversationId ? 'Web visitor' : 'No customer')}</span>
                    <span className="muted"> · {e.agentName ?? shortId(e.agentId)}</span>
                    {e.assignedTo ? <span className="muted"> · assigned to {e.assignedTo.name}</span> : null}
                  </span>
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
      <SavedReplies
        text={reply}
        onInsert={(body) => setReply((r) => (r.trim() ? `${r.trimEnd()}\n\n${body}` : body))}
      />
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
        <h2 id="esc-title">{e.question ? `“${e.question}”` : e.reason}</h2>
        <Badge tone={KIND_TONE[e.kind]}>{e.kind}</Badge>
        <Badge tone={STATE_TONE[e.state]}>{e.state}</Badge>
      </header>
      <p className="meta">
        {e.question ? <>{e.reason} · </> : null}
        {e.customer ?? (e.conversationId ? 'Web visitor' : null)}
        {e.channel ? <> via {channelLabel(e.channel)}</> : null}
        {e.customer || e.conversationId ? ' · ' : null}
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
      {e.state !== 'resolved' ? (
        <Assignment
          escalationId={e.id}
          assignedTo={e.assignedTo ?? null}
          canAssign={handle}
          onChanged={async () => {
            await detail.reload();
            onChanged();
          }}
        />
      ) : null}
      {e.summary && !bareRequest(e.summary) ? (
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

export function TranscriptMessage({ m, action }: { m: MessageView; action: ReactNode }) {
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
      ) : m.author === 'agent' && typeof m.confidence === 'number' ? (
        <p className="msg-source muted small">No source · confidence {m.confidence.toFixed(2)}</p>
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

/** How a channel is named on a card. */
function channelLabel(channel: string): string {
  return (
    ({ webchat: 'Web chat', email: 'Email', whatsapp: 'WhatsApp', voice: 'Phone' } as Record<string, string>)[
      channel
    ] ?? channel
  );
}

interface InboxSettings {
  replyTargetMinutes: number;
}

/** The team's reply-time target: said to everyone, set by an admin. */
function ReplyTarget({
  minutes,
  canEdit,
  onSaved,
}: {
  minutes: number | null;
  canEdit: boolean;
  onSaved: () => void;
}) {
  const { announce } = useSession();
  const [editing, setEditing] = useState(false);
  const [value, setValue] = useState('');
  const save = useAction();
  if (minutes === null) return null;
  return (
    <div className="reply-target small">
      {editing ? (
        <form
          className="reply-target-form"
          onSubmit={async (ev) => {
            ev.preventDefault();
            const r = await save.run(() =>
              api.put('/api/inbox/settings', { replyTargetMinutes: Number(value) }),
            );
            if (r !== undefined) {
              announce('Reply-time target saved');
              setEditing(false);
              onSaved();
            }
          }}
        >
          <label htmlFor="reply-target">Reply within (minutes)</label>
          <input
            id="reply-target"
            type="number"
            min={1}
            max={10080}
            required
            value={value}
            onChange={(ev) => setValue(ev.target.value)}
          />
          <button type="submit" className="btn btn-sm btn-primary" disabled={save.busy}>
            Save
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setEditing(false)}>
            Cancel
          </button>
          <ErrorNote error={save.error} title="The target was not changed." />
        </form>
      ) : (
        <p>
          Reply-time target: <strong data-testid="reply-target">{minutes} min</strong>. Waiting clocks turn
          amber at 75 % of it and red past it.{' '}
          {canEdit ? (
            <button
              type="button"
              className="btn btn-sm btn-ghost"
              onClick={() => {
                setValue(String(minutes));
                setEditing(true);
              }}
            >
              Change target
            </button>
          ) : null}
        </p>
      )}
    </div>
  );
}

/** Who on the team should take this hand-off, by name; people who handle the inbox may change it. */
function Assignment({
  escalationId,
  assignedTo,
  canAssign,
  onChanged,
}: {
  escalationId: string;
  assignedTo: { id: string; name: string } | null;
  canAssign: boolean;
  onChanged: () => Promise<void>;
}) {
  const { announce } = useSession();
  const team = useResource(
    () => api.get<{ teammates: { id: string; name: string }[] }>('/api/teammates'),
    'teammates',
  );
  const assign = useAction();
  if (!canAssign) return assignedTo ? <p className="small">Assigned to {assignedTo.name}</p> : null;
  return (
    <div className="field field-inline assign">
      <label htmlFor="esc-assign">Assigned to</label>
      <select
        id="esc-assign"
        value={assignedTo?.id ?? ''}
        disabled={assign.busy || !team.data}
        onChange={async (ev) => {
          const userId = ev.target.value || null;
          const r = await assign.run(() =>
            api.post<{ assignedTo: { name: string } | null }>(`/api/escalations/${escalationId}/assign`, {
              userId,
            }),
          );
          if (r !== undefined) {
            announce(r.assignedTo ? `Assigned to ${r.assignedTo.name}` : 'Unassigned');
            await onChanged();
          }
        }}
      >
        <option value="">Nobody</option>
        {(team.data?.teammates ?? []).map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <ErrorNote error={assign.error ?? team.error} />
    </div>
  );
}

/** Saved replies: insert one in the reply box; save what is written as a new one; delete one. */
function SavedReplies({ text, onInsert }: { text: string; onInsert: (body: string) => void }) {
  const { announce } = useSession();
  const saved = useResource(
    () => api.get<{ cannedReplies: CannedReplyView[] }>('/api/canned-replies'),
    'canned-replies',
  );
  const [choice, setChoice] = useState('');
  const [title, setTitle] = useState('');
  const [naming, setNaming] = useState(false);
  const action = useAction();
  const replies = saved.data?.cannedReplies ?? [];
  return (
    <div className="saved-replies">
      <div className="field field-inline">
        <label htmlFor="saved-reply">Saved replies</label>
        <select id="saved-reply" value={choice} onChange={(ev) => setChoice(ev.target.value)}>
          <option value="">{replies.length ? 'Choose a saved reply…' : 'No saved replies yet'}</option>
          {replies.map((c) => (
            <option key={c.id} value={c.id}>
              {c.title}
            </option>
          ))}
        </select>
        <button
          type="button"
          className="btn btn-sm"
          disabled={!choice}
          onClick={() => {
            const c = replies.find((x) => x.id === choice);
            if (c) {
              onInsert(c.body);
              announce(`Inserted “${c.title}”`);
            }
          }}
        >
          Insert
        </button>
        <button
          type="button"
          className="btn btn-sm btn-ghost"
          disabled={!choice || action.busy}
          onClick={async () => {
            const c = replies.find((x) => x.id === choice);
            if (!c) return;
            const r = await action.run(() => api.delete(`/api/canned-replies/${c.id}`));
            if (r !== undefined) {
              announce(`Deleted “${c.title}”`);
              setChoice('');
              await saved.reload();
            }
          }}
        >
          Delete
        </button>
        {naming ? null : (
          <button
            type="button"
            className="btn btn-sm btn-ghost"
            disabled={!text.trim()}
            onClick={() => setNaming(true)}
          >
            Save reply for later
          </button>
        )}
      </div>
      {naming ? (
        <div className="field field-inline">
          <label htmlFor="saved-reply-title">Title of the saved reply</label>
          <input
            id="saved-reply-title"
            maxLength={200}
            value={title}
            onChange={(ev) => setTitle(ev.target.value)}
          />
          <button
            type="button"
            className="btn btn-sm btn-primary"
            disabled={!title.trim() || !text.trim() || action.busy}
            onClick={async () => {
              const r = await action.run(() =>
                api.post('/api/canned-replies', { title: title.trim(), body: text.trim() }),
              );
              if (r !== undefined) {
                announce(`Saved “${title.trim()}”`);
                setTitle('');
                setNaming(false);
                await saved.reload();
              }
            }}
          >
            Save
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setNaming(false)}>
            Cancel
          </button>
        </div>
      ) : null}
      <ErrorNote error={action.error ?? saved.error} />
    </div>
  );
}

/** A summary that only repeats a request for a person ("Customer: I would like to talk to a person") says nothing. */
function bareRequest(summary: string): boolean {
  const m = /^Customer: (.*)$/s.exec(summary.trim());
  return m !== null && !isSubstantive(m[1] ?? '');
}
