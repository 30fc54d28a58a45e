// How well the engine tells a knowledge base's entries apart, measured while it trains (no test set needed): each
// training round holds out a fifth of every entry's phrasings and checks what they match. The entries it takes for one
// another, and those whose own phrasings it misses, are what to work on: phrasings that say what sets an entry apart,
// or one entry where two say the same.

import { useState } from 'react';
import { heldOutTotals, WEAK_SHARE, weakEntries } from '../../../src/knowledge/health.ts';
import { api } from '../api.ts';
import { ErrorNote, Loading } from '../components/ui.tsx';
import { plural } from '../format.ts';
import { useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { SuggestPhrasings } from './SuggestPhrasings.tsx';
import type { KbHealthView, KbSuggestView } from './types.ts';

const SHOWN = 10;

const pct = (x: number) => `${Math.round(x * 100)}%`;

/** The entry's card on this page (its edit, phrasing and suggestion buttons), by its id. */
function EntryLink({ id, title }: { id: string; title: string }) {
  return <a href={`#entry-${id}`}>{title}</a>;
}

type Ref = { id: string; title: string };

export function KbHealthSection({
  agentPath,
  suggest = null,
  writable = false,
  onChanged,
}: {
  agentPath: string;
  /** The LLM that suggests phrasings (null: none configured); with it, writers get "Tell apart" on each pair. */
  suggest?: KbSuggestView | null;
  writable?: boolean;
  /** After phrasings were added from here. */
  onChanged?: () => void;
}) {
  const { announce } = useSession();
  const health = useResource(() => api.get<KbHealthView>(`${agentPath}/kb/health`), agentPath);
  const [apart, setApart] = useState<{ entry: Ref; other: Ref } | null>(null);
  const canSuggest = suggest !== null && writable;
  // Re-read after a change: the answer waits for the new version's training.
  useLive(['kb.'], () => void health.reload(), 1000);
  const h = health.data?.health;
  const totals = h ? heldOutTotals(h) : null;
  const weak = h ? weakEntries(h).slice(0, SHOWN) : [];

  return (
    <section className="section" aria-labelledby="kb-health-title">
      <div className="section-head">
        <h2 id="kb-health-title">How well it tells entries apart</h2>
      </div>
      <ErrorNote error={health.error} />
      {!health.data && health.loading ? <Loading /> : null}
      {health.data && !h ? (
        <p className="muted">
          Measured once the knowledge base has at least 3 entries and 20 phrasings (titles count): training
          then holds out a fifth of each entry’s phrasings and checks what they match.
        </p>
      ) : null}
      {h ? (
        <div className="card kb-health">
          <p>
            While training version {health.data?.version}, the engine held out {totals?.heldOut} phrasings (a
            fifth of each entry’s, in each of its rounds) and matched{' '}
            <strong>{pct(totals?.share ?? 0)}</strong> of them to their own entry.
          </p>
          {h.lookAlike.length > 0 ? (
            <table className="table compact" aria-label="Entries it takes for one another">
              <caption>
                Entries it takes for one another: add phrasings that say what sets each apart, or merge two
                that answer the same question.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Phrasings of</th>
                  <th scope="col">Matched best</th>
                  <th scope="col">Times</th>
                  {canSuggest ? (
                    <th scope="col">
                      <span className="sr-only">Suggest</span>
                    </th>
                  ) : null}
                </tr>
              </thead>
              <tbody>
                {h.lookAlike.slice(0, SHOWN).map((p) => (
                  <tr key={`${p.entry.id} ${p.other.id}`}>
                    <td>
                      <EntryLink id={p.entry.id} title={p.entry.title} />
                    </td>
                    <td>
                      <EntryLink id={p.other.id} title={p.other.title} />
                    </td>
                    <td>{p.count}</td>
                    {canSuggest ? (
                      <td>
                        <button
                          type="button"
                          className="btn btn-sm"
                          aria-label={`Tell apart “${p.entry.title}” from “${p.other.title}”`}
                          aria-expanded={apart?.entry.id === p.entry.id && apart.other.id === p.other.id}
                          onClick={() =>
                            setApart((cur) =>
                              cur?.entry.id === p.entry.id && cur.other.id === p.other.id
                                ? null
                                : { entry: p.entry, other: p.other },
                            )
                          }
                        >
                          Tell apart
                        </button>
                      </td>
                    ) : null}
                  </tr>
                ))}
              </tbody>
            </table>
          ) : (
            <p className="muted">No held-out phrasing matched another entry best.</p>
          )}
          {apart && suggest ? (
            <SuggestPhrasings
              key={`${apart.entry.id} ${apart.other.id}`}
              entry={apart.entry}
              contrast={apart.other}
              model={suggest.model}
              onCancel={() => setApart(null)}
              onAdded={(added) => {
                setApart(null);
                announce(`Added ${plural(added.length, 'phrasing')} to “${apart.entry.title}”`);
                onChanged?.();
                void health.reload();
              }}
            />
          ) : null}
          {weak.length > 0 ? (
            <table className="table compact" aria-label="Entries whose own phrasings it misses">
              <caption>
                Entries whose own phrasings it misses most (under {pct(WEAK_SHARE)}): add phrasings in the
                words customers use.
              </caption>
              <thead>
                <tr>
                  <th scope="col">Entry</th>
                  <th scope="col">Recognized</th>
                </tr>
              </thead>
              <tbody>
                {weak.map((e) => (
                  <tr key={e.id}>
                    <td>
                      <EntryLink id={e.id} title={e.title} />
                    </td>
                    <td>
                      <span className="share-bar" aria-hidden="true">
                        <span style={{ width: pct(e.recognized / e.heldOut) }} />
                      </span>{' '}
                      {e.recognized} of {e.heldOut}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </div>
      ) : null}
    </section>
  );
}
