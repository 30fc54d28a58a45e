// What an agent with a knowledge base (support, the receptionist) adds to an escalation in the inbox: "Wrong answer" under each answer the agent gave from
// its knowledge base (the question, and questions like it, go to a person from now on), and, once a person has
// answered, one click that turns the answer into a knowledge-base entry or the question into a phrasing.
import { type FormEvent, useId, useState } from 'react';
import { substantiveQuestions } from '../../../src/conversations/substantive.ts';
import type { InboxExtras } from '../agents/kind.ts';
import { api } from '../api.ts';
import { ErrorNote } from '../components/ui.tsx';
import { useAction, useResource, useSession } from '../hooks.ts';
import { Link } from '../router.tsx';
import type { MessageView } from '../types.ts';
import type { FaqEntryView, KbView } from './types.ts';

export const knowledgeInbox: InboxExtras = {
  // Growing the knowledge base is writing to it.
  allowed: (can) => can('kb.write'),
  MessageAction: WrongAnswerAction,
  Panel: ToKnowledgeBase,
};

/** A KB writer can send a wrongly answered question (and its like) to a person from now on. */
function WrongAnswerAction({
  agentName,
  messages,
  index,
}: {
  agentName: string;
  messages: MessageView[];
  index: number;
}) {
  const m = messages[index];
  if (m?.author !== 'agent' || !m.sourceTitles?.length) return null;
  const question = askedBefore(messages, index);
  return question ? <WrongAnswer agentName={agentName} question={question} /> : null;
}

/** The customer message an agent's message at `index` answered: the last one before it. */
function askedBefore(messages: MessageView[], index: number): string | null {
  for (let i = index - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.author === 'customer' && m.direction === 'in') return m.body.trim() || null;
  }
  return null;
}

/**
 * "Wrong answer" on an agent's answer: the question it answered goes to a person from now on (and questions like it:
 * the engine learns it as one to escalate). Nothing changes until the person confirms.
 */
function WrongAnswer({ agentName, question }: { agentName: string; question: string }) {
  const { announce } = useSession();
  const [open, setOpen] = useState(false);
  const [note, setNote] = useState('');
  const [done, setDone] = useState<number | null>(null);
  const save = useAction();
  const ids = useId();
  if (done !== null)
    return (
      <p className="note note-success msg-wrong" role="status">
        From now on “{question}” and questions like it go to a person (KB version {done}).
      </p>
    );
  if (!open)
    return (
      <button type="button" className="btn btn-small btn-ghost msg-wrong" onClick={() => setOpen(true)}>
        Wrong answer
      </button>
    );
  const submit = async (ev: FormEvent) => {
    ev.preventDefault();
    const r = await save.run(() =>
      api.post<{ version: number }>(`/api/agents/${encodeURIComponent(agentName)}/kb/escalate-questions`, {
        text: question,
        note: note.trim(),
      }),
    );
    if (r) {
      setDone(r.version);
      announce('Questions like this now go to a person');
    }
  };
  return (
    <form className="msg-wrong wrong-form" aria-label="Wrong answer" onSubmit={(ev) => void submit(ev)}>
      <p>
        The agent should not answer “{question}”. From now on this question, and questions like it, go to a
        person.
      </p>
      <div className="field">
        <label htmlFor={`${ids}-note`}>Why (optional)</label>
        <input
          id={`${ids}-note`}
          maxLength={500}
          value={note}
          onChange={(ev) => setNote(ev.target.value)}
          placeholder="We only repair bikes"
        />
      </div>
      <ErrorNote error={save.error} title="Nothing was changed." />
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary btn-small" disabled={save.busy}>
          Send to a person from now on
        </button>
        <button type="button" className="btn btn-small" disabled={save.busy} onClick={() => setOpen(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}

/**
 * What the conversation offers the KB, as the server picks it (src/knowledge/routes/kb.ts lastExchange): the human's
 * last reply, and the customer's substantive questions before it (never "I would like to talk to a person" or a
 * thanks: src/conversations/substantive.ts), the last one first.
 */
function lastExchange(messages: MessageView[]): { questions: string[]; answer: string | null } {
  let at = -1;
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.author === 'human' && messages[i]?.direction === 'out') {
      at = i;
      break;
    }
  }
  const before = at >= 0 ? messages.slice(0, at) : messages;
  return {
    questions: substantiveQuestions(before).reverse(),
    answer: at >= 0 ? (messages[at]?.body ?? null) : null,
  };
}

/** After a person answered: one click saves the answer as a new FAQ entry, or the question as a phrasing. */
function ToKnowledgeBase({
  escalationId,
  agentName,
  messages,
}: {
  escalationId: string;
  agentName: string;
  messages: MessageView[];
}) {
  const { announce } = useSession();
  const { questions, answer } = lastExchange(messages);
  const [picked, setPicked] = useState(0);
  const question = questions[picked] ?? questions[0] ?? null;
  const kbPath = `/api/agents/${encodeURIComponent(agentName)}/kb`;
  const kb = useResource(() => api.get<KbView>(kbPath), kbPath);
  const [title, setTitle] = useState<string | null>(null);
  const [entryId, setEntryId] = useState('');
  const [saved, setSaved] = useState<{ entry: FaqEntryView; how: 'new' | 'phrasing' } | null>(null);
  const action = useAction();
  if (!answer) return null;
  const effectiveTitle = title ?? (question ?? '').slice(0, 300);
  const entries = kb.data?.entries ?? [];

  const pick = (i: number) => {
    setPicked(i);
    setTitle(null);
  };
  const save = async (body: object, how: 'new' | 'phrasing') => {
    setSaved(null);
    const r = await action.run(() =>
      api.post<{ entry: FaqEntryView }>(`/api/escalations/${escalationId}/to-kb`, body),
    );
    if (r) {
      setSaved({ entry: r.entry, how });
      announce(how === 'new' ? `Saved “${r.entry.title}” as a new FAQ entry` : 'Phrasing added');
      if (how === 'new') setTitle(null);
      await kb.reload();
    }
  };

  return (
    <section className="to-kb" aria-labelledby="to-kb-title">
      <h3 id="to-kb-title">Grow the knowledge base</h3>
      {questions.length > 1 ? (
        <fieldset className="to-kb-questions">
          <legend className="small">The customer asked</legend>
          {questions.map((q, i) => (
            <label key={q} className="radio small">
              <input type="radio" name="to-kb-question" checked={i === picked} onChange={() => pick(i)} /> “
              {q}”
            </label>
          ))}
        </fieldset>
      ) : null}
      <p className="small muted">
        {question && questions.length === 1 ? <>The customer asked “{question}”. </> : null}
        {question ? null : <>The customer asked for a person without a question of their own. </>}
        Save your answer so the agent can give it next time.
      </p>
      <div className="to-kb-forms">
        <form
          onSubmit={(ev) => {
            ev.preventDefault();
            if (effectiveTitle.trim()) void save({ mode: 'new', title: effectiveTitle.trim() }, 'new');
          }}
        >
          <div className="field">
            <label htmlFor="to-kb-title-input">Entry title</label>
            <input
              id="to-kb-title-input"
              maxLength={300}
              value={effectiveTitle}
              onChange={(ev) => setTitle(ev.target.value)}
            />
          </div>
          <button
            type="submit"
            className="btn btn-primary btn-sm"
            disabled={action.busy || !effectiveTitle.trim()}
          >
            Save as new FAQ entry
          </button>
        </form>
        {question ? (
          <form
            onSubmit={(ev) => {
              ev.preventDefault();
              if (entryId && question)
                void save({ mode: 'phrasing', entryId, question: question.slice(0, 1000) }, 'phrasing');
            }}
          >
            <div className="field">
              <label htmlFor="to-kb-entry">Add as phrasing of…</label>
              <select
                id="to-kb-entry"
                value={entryId}
                disabled={entries.length === 0}
                onChange={(ev) => setEntryId(ev.target.value)}
              >
                <option value="">{entries.length ? 'Choose an entry…' : 'No entries yet'}</option>
                {entries.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.title}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="btn btn-sm" disabled={action.busy || !entryId}>
              Add phrasing
            </button>
          </form>
        ) : null}
      </div>
      <ErrorNote error={action.error ?? kb.error} />
      {saved ? (
        <p className="note note-success" role="status">
          {saved.how === 'new'
            ? `Saved “${saved.entry.title}” as a new FAQ entry.`
            : `Added “${question}” as a phrasing of “${saved.entry.title}”.`}{' '}
          <Link href={`/agents/${encodeURIComponent(agentName)}/kb`}>Open the knowledge base</Link>
        </p>
      ) : null}
    </section>
  );
}
