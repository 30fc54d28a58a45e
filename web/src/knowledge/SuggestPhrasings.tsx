// "Suggest phrasings" on a KB entry: the LLM proposes other ways a customer may ask for the entry's answer, the
// server says how the engine takes each one today (new to it, already answered with this entry, or answered with
// another entry), and a person picks which to add, all in one new version. Nothing is added without that choice.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { api } from '../api.ts';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { plural } from '../format.ts';
import { useAction, useSession } from '../hooks.ts';
import type { FaqEntryView, PhrasingSuggestionsView, PhrasingSuggestionView } from './types.ts';

/** How many phrasings to ask for (the API takes 1 to 20). */
const COUNT = 8;

const count = new Intl.NumberFormat(undefined);
const centsFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 2 });

/** The verdict in words: what adding the phrasing would change. */
function verdictNote(s: PhrasingSuggestionView): string {
  if (s.verdict === 'new') return 'New to the engine';
  if (s.verdict === 'known') return 'Already answered with this entry';
  if (!s.match) return 'Now answered with another entry';
  const what = s.match.kind === 'passage' ? `the article passage “${s.match.title}”` : `“${s.match.title}”`;
  return `Now answered with ${what} (confidence ${s.match.confidence.toFixed(2)})`;
}

/** Only what the engine does not answer with this entry yet is worth adding unasked. */
const preselected = (list: PhrasingSuggestionView[]) =>
  new Set(list.flatMap((s, i) => (s.verdict === 'new' ? [i] : [])));

export function SuggestPhrasings({
  entry,
  contrast,
  model,
  onAdded,
  onCancel,
}: {
  entry: Pick<FaqEntryView, 'id' | 'title'>;
  /** An entry whose questions this one's are taken for: the model is asked for what sets the two apart. */
  contrast?: Pick<FaqEntryView, 'id' | 'title'>;
  /** The configured model, named while it is asked. */
  model: string;
  /** After the chosen phrasings were saved (a new version of the entry). */
  onAdded: (added: string[]) => void;
  onCancel: () => void;
}) {
  const { announce } = useSession();
  const [result, setResult] = useState<PhrasingSuggestionsView | null>(null);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const ask = useAction();
  const add = useAction();
  const seq = useRef(0);
  const started = useRef(false);
  const ids = useId();

  const request = async () => {
    const mine = ++seq.current;
    add.setError(null);
    const r = await ask.run(() =>
      api.post<PhrasingSuggestionsView>(`/api/kb/entries/${entry.id}/phrasing-suggestions`, {
        count: COUNT,
        ...(contrast ? { contrast: contrast.id } : {}),
      }),
    );
    // An older request answering after "Ask again" is dropped.
    if (mine !== seq.current) return;
    if (r) {
      const picked = preselected(r.suggestions);
      setResult(r);
      setSelected(picked);
      announce(
        r.suggestions.length === 0
          ? `${r.model} proposed nothing new`
          : `${plural(r.suggestions.length, 'suggestion')} from ${r.model}, ${picked.size} selected`,
      );
    } else announce('The suggestions failed');
  };

  // Opening the panel asks at once; once, even when React runs effects twice in development (each call costs).
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on mount only; request reads the entry it was opened on
  useEffect(() => {
    if (started.current) return;
    started.current = true;
    void request();
  }, []);

  const toggle = (i: number) =>
    setSelected((cur) => {
      const next = new Set(cur);
      if (next.has(i)) next.delete(i);
      else next.add(i);
      return next;
    });

  const chosen = result ? result.suggestions.filter((_, i) => selected.has(i)).map((s) => s.text) : [];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (chosen.length === 0) return;
    const r = await add.run(() =>
      api.post<{ entry: FaqEntryView }>(`/api/kb/entries/${entry.id}/phrasings`, { phrasings: chosen }),
    );
    if (r) onAdded(chosen);
  };

  const busy = ask.busy || add.busy;

  return (
    <form
      className="kb-panel suggest-panel"
      aria-busy={busy}
      aria-label={`Suggested phrasings for “${entry.title}”${contrast ? ` to tell it from “${contrast.title}”` : ''}`}
      onSubmit={submit}
    >
      <p className="hint suggest-hint">
        Suggested by the LLM ({model}): nothing is added until you choose. Keep only what a customer would ask
        for this answer.
      </p>
      {ask.busy ? <Loading label={`Asking ${model}…`} /> : null}
      <ErrorNote error={ask.error ?? add.error} />
      {result && !ask.busy ? (
        <>
          {result.suggestions.length === 0 ? (
            <p className="muted">The model proposed nothing new for this entry.</p>
          ) : (
            <fieldset className="suggest-list" disabled={add.busy}>
              <legend>
                {plural(result.suggestions.length, 'suggested phrasing')} for “{entry.title}”
              </legend>
              <ul>
                {result.suggestions.map((s, i) => {
                  const id = `${ids}-s${i}`;
                  return (
                    <li
                      // biome-ignore lint/suspicious/noArrayIndexKey: a list that is replaced whole, never reordered
                      key={i}
                      className={`suggestion suggestion-${s.verdict}`}
                      data-verdict={s.verdict}
                    >
                      <input
                        id={id}
                        type="checkbox"
                        checked={selected.has(i)}
                        aria-describedby={`${id}-note`}
                        onChange={() => toggle(i)}
                      />
                      <label htmlFor={id} className="suggestion-text">
                        {s.text}
                      </label>
                      <span id={`${id}-note`} className="suggestion-note">
                        {s.verdict === 'conflict' ? (
                          <span aria-hidden="true" className="suggestion-icon">
                            ⚠{' '}
                          </span>
                        ) : null}
                        {verdictNote(s)}
                      </span>
                    </li>
                  );
                })}
              </ul>
            </fieldset>
          )}
          <p className="muted small suggest-cost">
            {result.model} · {count.format(result.usage.inputTokens)} +{' '}
            {count.format(result.usage.outputTokens)} tokens · {centsFormat.format(result.cents)}¢
          </p>
        </>
      ) : null}
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary" disabled={busy || chosen.length === 0}>
          {add.busy ? 'Adding…' : `Add ${chosen.length} selected`}
        </button>
        <button type="button" className="btn" disabled={busy} onClick={() => void request()}>
          Ask again
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
