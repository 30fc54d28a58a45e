// The readiness questionnaire of one agent: the three layers with the guidance for every score, a rationale,
// a live preview (total, band, and the effective mode once the evidence Twelve sees is applied), the evidence
// checks, the version history, and the effective mode after saving. The scoring and evidence rules are the
// server's own modules (src/readiness), so the preview cannot disagree with what the runtime enforces.
import { useMemo, useState } from 'react';
import { checkEvidence } from '../../../src/readiness/evidence.ts';
import { LAYER_GUIDANCE, SCORE_VALUES } from '../../../src/readiness/guidance.ts';
import {
  ALLOWANCE_KEYS,
  ALLOWANCE_LABELS,
  LAYERS,
  type Layer,
  MODE_ALLOWS,
  type ReadinessScores,
  type Score,
  scoreReadiness,
} from '../../../src/readiness/model.ts';
import { READINESS_PRESETS } from '../../../src/readiness/presets.ts';
import { api } from '../api.ts';
import { Badge, ErrorNote, Field, Loading, ModeBadge, PageHeader, Time } from '../components/ui.tsx';
import { humanizeDates } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { usePersonName } from '../people.ts';
import { Link } from '../router.tsx';
import type { AgentView, Mode, ReadinessDetail } from '../types.ts';

type Partial3 = Partial<Record<Layer, Score>>;

export function ReadinessPage({ agentName }: { agentName: string }) {
  const personName = usePersonName();
  const can = useCan();
  const { announce } = useSession();
  const path = `/api/agents/${encodeURIComponent(agentName)}`;
  const agent = useResource(() => api.get<AgentView>(path), path);
  const detail = useResource(() => api.get<ReadinessDetail>(`${path}/readiness`), path);
  const [scores, setScores] = useState<Partial3 | null>(null);
  const [rationale, setRationale] = useState('');
  const [preset, setPreset] = useState('');
  const [saved, setSaved] = useState<{ version: number; mode: Mode; reasons: string[] } | null>(null);
  const save = useAction();
  const readOnly = !can('readiness.assess');

  const latest = detail.data?.history[0];
  // Until the person touches a radio, start from the latest declared scores.
  const current: Partial3 = scores ?? (latest ? (latest.scores as ReadinessScores) : {});
  const complete = LAYERS.every((l) => current[l] !== undefined);

  const preview = useMemo(() => {
    if (!complete || !detail.data) return null;
    const s = current as ReadinessScores;
    return { declared: scoreReadiness(s), evidence: checkEvidence(s, detail.data.facts) };
  }, [complete, current, detail.data]);

  const name = agent.data?.displayName ?? agentName;
  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link href="/">Overview</Link> <span aria-hidden="true">/</span> <span>{name}</span>
          </>
        }
        title={`Readiness of ${name}`}
        subtitle="Score the use case on three layers. Twelve checks each claim of 4 or more against what it can see; the effective mode is the lower of the two."
        actions={
          detail.data ? (
            <div className="mode-block">
              <span className="label">Effective mode now</span>
              <ModeBadge mode={detail.data.effectiveMode} large />
            </div>
          ) : null
        }
      />
      <ErrorNote error={agent.error ?? detail.error} />
      {!detail.data && detail.loading ? <Loading /> : null}

      {saved ? (
        <div className="note note-success" role="status" data-testid="saved">
          Saved version {saved.version}. Effective mode: <ModeBadge mode={saved.mode} />{' '}
          <span className="muted">(why: see below)</span>
        </div>
      ) : null}

      {detail.data ? (
        <section className="card current" aria-labelledby="current-title">
          <h2 id="current-title">Why {detail.data.effectiveMode} now</h2>
          <ul className="reasons">
            {detail.data.reasons.map((r) => (
              <li key={r}>{humanizeDates(r)}</li>
            ))}
          </ul>
        </section>
      ) : null}

      {detail.data ? (
        <div className="readiness-layout">
          <form
            className="questionnaire"
            aria-label="Readiness questionnaire"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!complete) return;
              const r = await save.run(() =>
                api.post<{ assessment: { version: number }; agent: AgentView }>(`${path}/readiness`, {
                  ...(current as ReadinessScores),
                  rationale,
                }),
              );
              if (r) {
                setSaved({
                  version: r.assessment.version,
                  mode: r.agent.readiness.effectiveMode,
                  reasons: r.agent.readiness.reasons,
                });
                announce(
                  `Saved version ${r.assessment.version}; effective mode ${r.agent.readiness.effectiveMode}`,
                );
                setScores(null);
                setRationale('');
                setPreset('');
                await Promise.all([detail.reload(), agent.reload()]);
              }
            }}
          >
            {readOnly ? (
              <p className="note note-info">Only administrators can record an assessment; you can read it.</p>
            ) : null}
            <Field
              label="Start from a reference case (optional)"
              hint="Fills the three scores; adjust them to your case."
            >
              {(p) => (
                <select
                  {...p}
                  value={preset}
                  disabled={readOnly}
                  onChange={(e) => {
                    setPreset(e.target.value);
                    const found = READINESS_PRESETS.find((x) => x.id === e.target.value);
                    if (found) setScores({ ...found.scores });
                  }}
                >
                  <option value="">Choose a reference case…</option>
                  {READINESS_PRESETS.map((x) => (
                    <option key={x.id} value={x.id}>
                      {x.name} ({x.scores.clarity}/{x.scores.tolerance}/{x.scores.fallback} = {x.total})
                    </option>
                  ))}
                </select>
              )}
            </Field>

            {LAYERS.map((layer, i) => {
              const g = LAYER_GUIDANCE[layer];
              return (
                <fieldset key={layer} className="layer" disabled={readOnly}>
                  <legend>
                    <span className="layer-n">{i + 1}</span> {g.title}
                  </legend>
                  <p className="layer-q">{questionOnly(g.question)}</p>
                  <div className="scores">
                    {SCORE_VALUES.map((s) => (
                      <label key={s} className={`score${current[layer] === s ? ' score-on' : ''}`}>
                        <input
                          type="radio"
                          name={layer}
                          value={s}
                          required
                          checked={current[layer] === s}
                          onChange={() => {
                            setScores({ ...current, [layer]: s });
                            setPreset('');
                          }}
                        />
                        <span className="score-n">{s}</span> <span className="score-t">{g.scores[s]}</span>
                      </label>
                    ))}
                  </div>
                </fieldset>
              );
            })}

            <Field
              label="Rationale"
              hint="Why these scores: what you checked, who takes over, what a mistake costs."
            >
              {(p) => (
                <textarea
                  {...p}
                  rows={3}
                  maxLength={5000}
                  disabled={readOnly}
                  value={rationale}
                  onChange={(e) => setRationale(e.target.value)}
                />
              )}
            </Field>
            <ErrorNote error={save.error} />
            {readOnly ? null : (
              <div className="form-actions">
                <button type="submit" className="btn btn-primary" disabled={!complete || save.busy}>
                  {save.busy ? 'Saving…' : `Save as version ${(latest?.version ?? 0) + 1}`}
                </button>
              </div>
            )}
          </form>

          <aside className="preview card" aria-labelledby="preview-title">
            <h2 id="preview-title">Preview</h2>
            {preview ? (
              <>
                <p className="preview-line" aria-live="polite" aria-atomic="true" data-testid="preview">
                  <span className="total">
                    {preview.declared.total}
                    <span className="muted">/15</span>
                  </span>{' '}
                  <Badge tone={bandTone(preview.declared.band)}>{preview.declared.band}</Badge>{' '}
                  <span className="muted">declared: {preview.declared.verdict}</span>
                </p>
                <div className="mode-block">
                  <span className="label">Effective mode with today’s evidence</span>
                  <ModeBadge mode={preview.evidence.effectiveMode} large />
                </div>
                <ul className="reasons">
                  {preview.evidence.reasons.map((r) => (
                    <li key={r}>{humanizeDates(r)}</li>
                  ))}
                </ul>
                <h3>Evidence checks</h3>
                <ul className="checks" aria-label="Evidence checks">
                  {preview.evidence.checks.map((c) => (
                    <li key={c.id} className={c.passed ? 'check-pass' : 'check-fail'}>
                      <Badge tone={c.passed ? 'success' : 'danger'}>{c.passed ? 'pass' : 'fail'}</Badge>
                      <span>
                        <strong>{LAYER_GUIDANCE[c.layer].title}</strong>: {humanizeDates(c.message)}
                      </span>
                    </li>
                  ))}
                </ul>
                <h3>What {preview.evidence.effectiveMode} allows</h3>
                <table className="allows">
                  <tbody>
                    {ALLOWANCE_KEYS.map((k) => (
                      <tr key={k}>
                        <th scope="row">{ALLOWANCE_LABELS[k]}</th>
                        <td>{MODE_ALLOWS[preview.evidence.effectiveMode].text[k]}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </>
            ) : (
              <p className="muted" aria-live="polite">
                Choose a score on each of the three layers to see the total, the band and the mode.
              </p>
            )}
          </aside>
        </div>
      ) : null}

      {detail.data ? (
        <section aria-labelledby="history-title" className="section">
          <h2 id="history-title">History</h2>
          {detail.data.history.length === 0 ? (
            <p className="muted">No assessment yet: the agent runs in shadow mode (drafts only).</p>
          ) : (
            <div className="table-wrap">
              <table className="table">
                <caption className="sr-only">Assessment versions, newest first</caption>
                <thead>
                  <tr>
                    <th scope="col">Version</th>
                    <th scope="col">Clarity / tolerance / fallback</th>
                    <th scope="col">Total</th>
                    <th scope="col">Band</th>
                    <th scope="col">Assessed by</th>
                    <th scope="col">When</th>
                    <th scope="col">Rationale</th>
                  </tr>
                </thead>
                <tbody>
                  {detail.data.history.map((h) => (
                    <tr key={h.version}>
                      <td>v{h.version}</td>
                      <td>
                        {h.scores.clarity} / {h.scores.tolerance} / {h.scores.fallback}
                      </td>
                      <td>{h.total}</td>
                      <td>
                        <Badge tone={bandTone(h.band)}>{h.band}</Badge>
                      </td>
                      <td>{personName(h.assessedBy)}</td>
                      <td>
                        <Time iso={h.createdAt} />
                      </td>
                      <td className="wrap">{h.rationale || <span className="muted">—</span>}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </section>
      ) : null}
    </>
  );
}

/** "Task clarity: is the task…?" → "Is the task…?" (the title is already the legend). */
function questionOnly(question: string): string {
  const q = question.replace(/^[^:]+:\s*/, '');
  return q.charAt(0).toUpperCase() + q.slice(1);
}

function bandTone(band: string) {
  return band === 'ship' ? 'success' : band === 'pilot' ? 'warning' : 'neutral';
}
