// "Questions that go to a person" on an agent's KB page: questions people have said the agent must not answer
// ("Wrong answer" in the inbox, or added here). The engine learns them as questions to escalate, so each one, and
// questions like it, reach a person; removing one lets the agent answer it again. Every change is a new KB version.
import { type FormEvent, useId, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote, Time } from '../components/ui.tsx';
import { useAction, useSession } from '../hooks.ts';
import { usePersonName } from '../people.ts';
import type { EscalateQuestionView } from './types.ts';

export function EscalateQuestionsSection({
  agentPath,
  questions,
  writable,
  onChanged,
}: {
  agentPath: string;
  questions: EscalateQuestionView[];
  writable: boolean;
  onChanged: () => void;
}) {
  const name = usePersonName();
  const { announce } = useSession();
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const add = useAction();
  const remove = useAction();
  const ids = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) return;
    const r = await add.run(() =>
      api.post(`${agentPath}/kb/escalate-questions`, { text: text.trim(), note: note.trim() }),
    );
    if (r === undefined) return;
    announce('The question now goes to a person');
    setText('');
    setNote('');
    onChanged();
  };

  const unlist = async (q: EscalateQuestionView) => {
    const r = await remove.run(() => api.delete(`/api/kb/escalate-questions/${q.id}`));
    if (r === undefined) return;
    announce(`The agent may answer “${q.text}” again`);
    onChanged();
  };

  return (
    <section className="section" aria-labelledby="escalate-title">
      <div className="section-head">
        <h2 id="escalate-title">Questions that go to a person ({questions.length})</h2>
      </div>
      <p className="muted">
        The agent never answers these, and is less sure of questions like them, so they reach a person. Add
        one when the agent answered something it should not have (“Wrong answer” in the inbox does it in one
        click).
      </p>
      {questions.length > 0 ? (
        <ul className="stack escalate-list" aria-label="Questions that go to a person">
          {questions.map((q) => (
            <li key={q.id} className="card card-tight escalate-item">
              <div>
                <p className="escalate-text">{q.text}</p>
                <p className="muted small">
                  {q.note ? <>{q.note} · </> : null}
                  {name(q.createdBy)} · <Time iso={q.createdAt} />
                </p>
              </div>
              {writable ? (
                <button
                  type="button"
                  className="btn btn-small"
                  disabled={remove.busy}
                  aria-label={`Let the agent answer “${q.text}” again`}
                  onClick={() => void unlist(q)}
                >
                  Let the agent answer it
                </button>
              ) : null}
            </li>
          ))}
        </ul>
      ) : null}
      <ErrorNote error={remove.error} title="Nothing was changed." />
      {writable ? (
        <form
          className="card form-card escalate-form"
          aria-label="Add a question that goes to a person"
          onSubmit={submit}
        >
          <div className="form-grid">
            <div className="field">
              <label htmlFor={`${ids}-text`}>Question</label>
              <input
                id={`${ids}-text`}
                value={text}
                maxLength={1000}
                required
                placeholder="Do you repair cars?"
                onChange={(e) => setText(e.target.value)}
              />
            </div>
            <div className="field">
              <label htmlFor={`${ids}-note`}>Why (optional)</label>
              <input
                id={`${ids}-note`}
                value={note}
                maxLength={500}
                onChange={(e) => setNote(e.target.value)}
              />
            </div>
          </div>
          <ErrorNote error={add.error} title="The question was not added." />
          <div className="form-actions form-actions-start">
            <button type="submit" className="btn" disabled={add.busy || !text.trim()}>
              Send to a person
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
