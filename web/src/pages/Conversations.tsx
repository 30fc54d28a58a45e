// Conversations (issue 24): every conversation of every agent, searched (text, customer, the entry that answered) and
// filtered (agent, channel, outcome, confidence band, dates), a page at a time from the server, with the filters in
// the URL so a view can be linked; the review queue of answers to check (low confidence, a customer's thumbs down,
// a 1-in-10 sample) where a person marks them fine or wrong, and "Wrong answer" under an answer works as in the inbox.
import { type FormEvent, useState } from 'react';
import { kindOf } from '../agents/registry.ts';
import { api, qs } from '../api.ts';
import { OUTCOME_LABELS } from '../components/Outcomes.tsx';
import { Badge, Empty, ErrorNote, Loading, PageHeader, Time, type Tone } from '../components/ui.tsx';
import { plural } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type {
  AgentView,
  ConfidenceBand,
  ConversationDetail,
  ConversationItem,
  ConversationPage,
  OutcomeName,
  ReviewReason,
} from '../types.ts';
import { TranscriptMessage } from './Inbox.tsx';

const TEXT_FILTERS = ['q', 'customer', 'entry'] as const;
const SELECT_FILTERS = ['agent', 'channel', 'outcome', 'band', 'from', 'to'] as const;
const CHANNELS = [
  { value: 'webchat', label: 'Web chat' },
  { value: 'email', label: 'Email' },
  { value: 'whatsapp', label: 'WhatsApp' },
  { value: 'voice', label: 'Phone' },
];
const BANDS: { value: ConfidenceBand; label: string }[] = [
  { value: 'low', label: 'Low (under 0.60)' },
  { value: 'medium', label: 'Medium (0.60–0.85)' },
  { value: 'high', label: 'High (0.85 and over)' },
  { value: 'none', label: 'No scored answer' },
];
const BAND_TONE: Record<ConfidenceBand, Tone> = {
  low: 'danger',
  medium: 'warning',
  high: 'success',
  none: 'neutral',
};
const OUTCOME_TONE: Record<OutcomeName, Tone> = {
  resolvedByAi: 'success',
  clawedBack: 'warning',
  escalated: 'accent',
  abandoned: 'neutral',
  open: 'info',
};
const REASON_LABEL: Record<ReviewReason, string> = {
  low_confidence: 'low confidence',
  customer_unhappy: 'customer said not helpful',
  sample: 'sampled',
};
const outcomeLabel = (o: OutcomeName) => OUTCOME_LABELS.find((x) => x.key === o)?.label ?? o;
const channelLabel = (c: string) => CHANNELS.find((x) => x.value === c)?.label ?? c;

export function ConversationsPage({ selectedId }: { selectedId: string | null }) {
  const { query } = useLocation();
  if (selectedId)
    return <ConversationView id={selectedId} back={`/conversations${query.size ? `?${query}` : ''}`} />;
  return <ConversationList />;
}

function ConversationList() {
  const can = useCan();
  const { query } = useLocation();
  const params: Record<string, string> = {};
  for (const k of [...TEXT_FILTERS, ...SELECT_FILTERS, 'review', 'page'] as const) {
    const v = query.get(k);
    if (v) params[k] = v;
  }
  const review = params.review === 'true';
  const key = qs(params);
  const list = useResource(() => api.get<ConversationPage>(`/api/conversations${key}`), key);
  const agents = useResource(() => api.get<{ agents: AgentView[] }>('/api/agents'), 'agents');
  const { page: _page, review: _review, ...filters } = params;
  const queueKey = qs({ ...filters, review: 'true', limit: 1 });
  const queue = useResource(
    () => api.get<ConversationPage>(`/api/conversations${queueKey}`),
    `queue${queueKey}`,
  );
  useLive(
    ['message', 'escalation'],
    () => {
      void list.reload();
      void queue.reload();
    },
    1000,
  );
  const go = (next: Record<string, string | undefined>, keepPage = false) =>
    navigate(`/conversations${qs({ ...params, ...(keepPage ? {} : { page: undefined }), ...next })}`, {
      replace: true,
    });
  const [text, setText] = useState(() => ({
    q: params.q ?? '',
    customer: params.customer ?? '',
    entry: params.entry ?? '',
  }));
  const search = (ev: FormEvent) => {
    ev.preventDefault();
    go({
      q: text.q.trim() || undefined,
      customer: text.customer.trim() || undefined,
      entry: text.entry.trim() || undefined,
    });
  };
  const page = list.data?.page ?? Number(params.page ?? 1);
  const exportable = filters;

  return (
    <>
      <PageHeader
        title="Conversations"
        subtitle="Every conversation your agents had, and the answers worth a second look."
        actions={
          can('conversations.export') ? (
            <a
              className="btn btn-sm"
              href={`/api/conversations/csv${qs({ ...exportable, review: review ? 'true' : undefined })}`}
              download
            >
              Export CSV
            </a>
          ) : null
        }
      />
      <nav className="tabs" aria-label="Conversations or review queue">
        <Link
          href={`/conversations${qs({ ...params, review: undefined, page: undefined })}`}
          aria-current={review ? undefined : 'page'}
          className={`tab${review ? '' : ' is-active'}`}
        >
          All conversations
        </Link>
        <Link
          href={`/conversations${qs({ ...params, review: 'true', page: undefined })}`}
          aria-current={review ? 'page' : undefined}
          className={`tab${review ? ' is-active' : ''}`}
        >
          Review queue{queue.data ? ` (${queue.data.total})` : ''}
        </Link>
      </nav>
      <SatisfactionByAgent from={params.from} to={params.to} />
      {review ? (
        <p className="small muted">
          Answers to check: the agent was unsure (confidence under 0.60), the customer said it did not help,
          or the conversation was drawn in the 1-in-10 sample. Mark each fine or wrong; it then leaves the
          queue.
        </p>
      ) : null}
      <form className="filters conv-filters" aria-label="Search and filter conversations" onSubmit={search}>
        <div className="field">
          <label htmlFor="conv-q">Text</label>
          <input
            id="conv-q"
            type="search"
            maxLength={200}
            value={text.q}
            placeholder="Words in any message"
            onChange={(e) => setText({ ...text, q: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="conv-customer">Customer</label>
          <input
            id="conv-customer"
            type="search"
            maxLength={200}
            value={text.customer}
            placeholder="Email, phone or id"
            onChange={(e) => setText({ ...text, customer: e.target.value })}
          />
        </div>
        <div className="field">
          <label htmlFor="conv-entry">Entry used</label>
          <input
            id="conv-entry"
            type="search"
            maxLength={200}
            value={text.entry}
            placeholder="Knowledge-base title"
            onChange={(e) => setText({ ...text, entry: e.target.value })}
          />
        </div>
        <div className="filter-actions">
          <button type="submit" className="btn btn-primary btn-sm">
            Search
          </button>
          {Object.keys(params).some((k) => k !== 'review' && k !== 'page') ? (
            <button
              type="button"
              className="btn btn-sm"
              onClick={() => {
                setText({ q: '', customer: '', entry: '' });
                navigate(`/conversations${qs({ review: params.review })}`, { replace: true });
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="conv-agent">Agent</label>
          <select
            id="conv-agent"
            value={params.agent ?? ''}
            onChange={(e) => go({ agent: e.target.value || undefined })}
          >
            <option value="">All agents</option>
            {(agents.data?.agents ?? []).map((a) => (
              <option key={a.id} value={a.name}>
                {a.displayName}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="conv-channel">Channel</label>
          <select
            id="conv-channel"
            value={params.channel ?? ''}
            onChange={(e) => go({ channel: e.target.value || undefined })}
          >
            <option value="">Any channel</option>
            {CHANNELS.map((c) => (
              <option key={c.value} value={c.value}>
                {c.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="conv-outcome">Outcome</label>
          <select
            id="conv-outcome"
            value={params.outcome ?? ''}
            onChange={(e) => go({ outcome: e.target.value || undefined })}
          >
            <option value="">Any outcome</option>
            {OUTCOME_LABELS.map((o) => (
              <option key={o.key} value={o.key}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="conv-band">Confidence</label>
          <select
            id="conv-band"
            value={params.band ?? ''}
            onChange={(e) => go({ band: e.target.value || undefined })}
          >
            <option value="">Any confidence</option>
            {BANDS.map((b) => (
              <option key={b.value} value={b.value}>
                {b.label}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="conv-from">From</label>
          <input
            id="conv-from"
            type="date"
            value={params.from ?? ''}
            onChange={(e) => go({ from: e.target.value || undefined })}
          />
        </div>
        <div className="field">
          <label htmlFor="conv-to">To</label>
          <input
            id="conv-to"
            type="date"
            value={params.to ?? ''}
            onChange={(e) => go({ to: e.target.value || undefined })}
          />
        </div>
      </form>
      <ErrorNote error={list.error} />
      {!list.data && list.loading ? <Loading /> : null}
      {list.data ? (
        <p className="small muted" role="status" data-testid="conv-count">
          {plural(list.data.total, 'conversation')}
          {review ? ' to review' : ''}
          {list.data.pages > 1 ? ` · page ${page} of ${list.data.pages}` : ''}
        </p>
      ) : null}
      {list.data && list.data.conversations.length === 0 ? (
        <Empty title={review ? 'Nothing to review' : 'No conversations match'}>
          {review
            ? 'Answers the agent was unsure of, that a customer disliked, or that were sampled appear here.'
            : 'Conversations appear here as customers write, on every channel.'}
        </Empty>
      ) : null}
      <ul className="conv-items">
        {(list.data?.conversations ?? []).map((c) => (
          <li key={c.id}>
            <ConversationCard c={c} href={`/conversations/${encodeURIComponent(c.id)}${key}`} />
          </li>
        ))}
      </ul>
      {list.data && list.data.pages > 1 ? (
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            className="btn btn-sm"
            disabled={page <= 1}
            onClick={() => go({ page: String(page - 1) }, true)}
          >
            ← Newer
          </button>
          <span className="small">
            Page {page} of {list.data.pages}
          </span>
          <button
            type="button"
            className="btn btn-sm"
            disabled={page >= list.data.pages}
            onClick={() => go({ page: String(page + 1) }, true)}
          >
            Older →
          </button>
        </nav>
      ) : null}
    </>
  );
}

function ConversationCard({ c, href }: { c: ConversationItem; href: string }) {
  return (
    <Link href={href} className="conv-item">
      <span className="conv-item-question">
        {c.question ? `“${c.question}”` : <span className="muted">No question in the customer’s words</span>}
      </span>
      <span className="conv-item-badges">
        {c.outcome ? <Badge tone={OUTCOME_TONE[c.outcome]}>{outcomeLabel(c.outcome)}</Badge> : null}
        <Badge tone={BAND_TONE[c.band]}>
          {c.minConfidence === null ? 'no scored answer' : `confidence ${c.minConfidence.toFixed(2)}`}
        </Badge>
        {c.satisfaction === 1 ? <Badge tone="success">helpful</Badge> : null}
        {c.satisfaction === -1 ? <Badge tone="danger">not helpful</Badge> : null}
        {c.review ? (
          <Badge tone={c.review.verdict === 'ok' ? 'success' : 'danger'}>
            reviewed: {c.review.verdict === 'ok' ? 'fine' : 'wrong'}
          </Badge>
        ) : (
          c.reviewReasons.map((r) => (
            <Badge key={r} tone="warning">
              to check: {REASON_LABEL[r]}
            </Badge>
          ))
        )}
      </span>
      <span className="small">
        {c.customer ?? 'Web visitor'} · {channelLabel(c.channel)} · {c.agent.name} ·{' '}
        {plural(c.messages, 'message')} · <Time iso={c.updatedAt} />
      </span>
      {c.entries.length ? (
        <span className="small muted">Answered from {c.entries.map((t) => `“${t}”`).join(', ')}</span>
      ) : null}
    </Link>
  );
}

function ConversationView({ id, back }: { id: string; back: string }) {
  const can = useCan();
  const { announce } = useSession();
  const detail = useResource(
    () => api.get<ConversationDetail>(`/api/conversations/${encodeURIComponent(id)}`),
    id,
  );
  useLive(['message'], () => void detail.reload(), 500);
  const verdict = useAction();
  if (detail.error)
    return (
      <>
        <p>
          <Link href={back}>← All conversations</Link>
        </p>
        <ErrorNote error={detail.error} />
      </>
    );
  if (!detail.data) return <Loading />;
  const { conversation: c, agent, messages } = detail.data;
  const extras = kindOf(agent.kind)?.inbox;
  const extra = extras?.allowed(can) ? extras : null;
  const mark = async (v: 'ok' | 'wrong') => {
    const r = await verdict.run(() =>
      api.post(`/api/conversations/${encodeURIComponent(c.id)}/review`, { verdict: v }),
    );
    if (r !== undefined) {
      announce(v === 'ok' ? 'Marked fine' : 'Marked wrong');
      await detail.reload();
    }
  };
  return (
    <>
      <PageHeader
        title="Conversation"
        subtitle={c.question ? `“${c.question}”` : 'No question in the customer’s words'}
      />
      <p>
        <Link href={back}>← All conversations</Link>
      </p>
      <article className="card conversation" aria-label="Conversation">
        <p className="meta">
          {c.customer ?? 'Web visitor'} · {channelLabel(c.channel)} · {agent.displayName} · started{' '}
          <Time iso={c.createdAt} />
          {c.escalation ? (
            <>
              {' '}
              · <Link href={`/inbox/${c.escalation.id}`}>hand-off ({c.escalation.state})</Link>
            </>
          ) : null}
        </p>
        <p className="conv-item-badges">
          {c.outcome ? <Badge tone={OUTCOME_TONE[c.outcome]}>{outcomeLabel(c.outcome)}</Badge> : null}
          <Badge tone={BAND_TONE[c.band]}>
            {c.minConfidence === null
              ? 'no scored answer'
              : `lowest confidence ${c.minConfidence.toFixed(2)}`}
          </Badge>
          {c.satisfaction === 1 ? <Badge tone="success">helpful</Badge> : null}
          {c.satisfaction === -1 ? <Badge tone="danger">not helpful</Badge> : null}
          {(c.review ? [] : c.reviewReasons).map((r) => (
            <Badge key={r} tone="warning">
              to check: {REASON_LABEL[r]}
            </Badge>
          ))}
        </p>
        <section className="review-box" aria-labelledby="review-title">
          <h2 id="review-title" className="h3">
            Review
          </h2>
          {c.review ? (
            <p className={`note ${c.review.verdict === 'ok' ? 'note-success' : 'note-danger'}`} role="status">
              Reviewed: the answers were {c.review.verdict === 'ok' ? 'fine' : 'wrong'} (
              <Time iso={c.review.at} />
              ).
            </p>
          ) : (
            <p className="small muted">Nobody has checked these answers yet.</p>
          )}
          {can('conversations.review') ? (
            <div className="form-actions form-actions-start">
              <button
                type="button"
                className="btn btn-sm"
                disabled={verdict.busy}
                onClick={() => void mark('ok')}
              >
                Answers are fine
              </button>
              <button
                type="button"
                className="btn btn-sm btn-danger"
                disabled={verdict.busy}
                onClick={() => void mark('wrong')}
              >
                Mark answers wrong
              </button>
              {extra ? (
                <span className="small muted">
                  To stop the agent answering a question, use “Wrong answer” under it.
                </span>
              ) : null}
            </div>
          ) : null}
          <ErrorNote error={verdict.error} />
        </section>
        <h2 className="h3">Transcript</h2>
        {messages.length === 0 ? (
          <p className="muted">No messages in this conversation.</p>
        ) : (
          <ol className="transcript" aria-label="Transcript">
            {messages.map((m, i) => (
              <TranscriptMessage
                key={m.id}
                m={m}
                action={
                  extra ? <extra.MessageAction agentName={agent.name} messages={messages} index={i} /> : null
                }
              />
            ))}
          </ol>
        )}
      </article>
    </>
  );
}

interface AgentSatisfaction {
  agent: { id: string; name: string; displayName: string };
  up: number;
  down: number;
  conversations: number;
}

/** What customers answered to "Was this helpful?" at the end of a web chat, per agent (the date filter applies). */
function SatisfactionByAgent({ from, to }: { from?: string; to?: string }) {
  const key = qs({ from, to });
  const data = useResource(
    () => api.get<{ agents: AgentSatisfaction[] }>(`/api/conversations/satisfaction${key}`),
    `sat${key}`,
  );
  const agents = (data.data?.agents ?? []).filter((a) => a.conversations > 0);
  if (agents.length === 0) return null;
  return (
    <section className="satisfaction" aria-labelledby="sat-title">
      <h2 id="sat-title" className="label">
        Was it helpful? Customers’ answers, per agent
      </h2>
      <ul className="satisfaction-list">
        {agents.map((a) => {
          const rated = a.up + a.down;
          return (
            <li key={a.agent.id} data-testid={`satisfaction-${a.agent.name}`}>
              <strong>{a.agent.displayName}</strong>:{' '}
              {rated === 0
                ? `no answers yet (${plural(a.conversations, 'conversation')})`
                : `${a.up} yes · ${a.down} no (${Math.round((a.up / rated) * 100)} % helpful, ${rated} of ${plural(a.conversations, 'conversation')} rated)`}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
