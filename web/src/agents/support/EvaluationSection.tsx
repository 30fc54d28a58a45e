// A support agent's evaluation on its own test set, on the knowledge-base page: the figures at the agent's
// threshold, a chart of answered precision, coverage and out-of-scope recall over every threshold (the agent's
// threshold, the target and the suggested threshold marked; the same numbers as a table for screen readers), an
// upload form for a new test set (admins: the result is readiness evidence), one click to adopt the suggestion, and
// what it got wrong: the entries it takes for another and the questions, each one click from becoming a phrasing.
import { type FormEvent, useRef, useState } from 'react';
import { api } from '../../api.ts';
import { Badge, ErrorNote, Field, ProgressBar, Time } from '../../components/ui.tsx';
import { plural } from '../../format.ts';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { OosShareTable } from '../../knowledge/OosShareTable.tsx';
import type { EvaluationView, Mistake } from './types.ts';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
/** A threshold as a person would type it: 2 decimals, 3 when it has them (suggestions are rounded to 3). */
const thr = (t: number) => t.toFixed(3).replace(/(\.\d\d)0$/, '$1');

/** An evaluation recorded without figures (by an older version, say) has a null report. */
type EvaluationWithoutDetails = Omit<EvaluationView, 'report'> & { report: EvaluationView['report'] | null };
const MAX_TEST_BYTES = 5 * 1024 * 1024;

/** Chart geometry in viewBox units; the SVG scales to the card's width. */
const W = 600;
const H = 220;
const PAD = { left: 44, right: 12, top: 12, bottom: 34 };
const x = (t: number) => PAD.left + t * (W - PAD.left - PAD.right);
const y = (v: number) => PAD.top + (1 - v) * (H - PAD.top - PAD.bottom);

const SERIES = [
  { key: 'answeredPrecision', label: 'Answered precision', className: 'line-precision' },
  { key: 'coverage', label: 'Coverage', className: 'line-coverage' },
  { key: 'oosRecall', label: 'Out-of-scope recall', className: 'line-oos' },
] as const;

export function ThresholdChart({ evaluation }: { evaluation: EvaluationView }) {
  const r = evaluation.report;
  const points = r.curve;
  const path = (key: (typeof SERIES)[number]['key']) =>
    points
      .map((p, i) => `${i === 0 ? 'M' : 'L'}${x(p.threshold).toFixed(1)},${y(p[key]).toFixed(1)}`)
      .join(' ');
  const summary =
    `Threshold chart. At the agent's threshold ${thr(r.threshold)}: precision ${pct(r.answeredPrecision)}, ` +
    `coverage ${pct(r.coverage)}, out-of-scope recall ${pct(r.oosRecall)}. Target precision ${pct(r.targetPrecision)}. ` +
    (r.suggestedThreshold === null
      ? 'No threshold reaches the target on this test set.'
      : `Suggested threshold ${thr(r.suggestedThreshold)}.`);
  return (
    <figure className="threshold-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={summary} width="100%">
        {[0, 0.25, 0.5, 0.75, 1].map((v) => (
          <g key={`y${v}`}>
            <line className="grid" x1={x(0)} x2={x(1)} y1={y(v)} y2={y(v)} />
            <text className="tick" x={PAD.left - 6} y={y(v) + 4} textAnchor="end">
              {Math.round(v * 100)}%
            </text>
          </g>
        ))}
        {[0, 0.2, 0.4, 0.6, 0.8, 1].map((t) => (
          <text key={`x${t}`} className="tick" x={x(t)} y={H - PAD.bottom + 16} textAnchor="middle">
            {t.toFixed(1)}
          </text>
        ))}
        <text className="tick" x={x(0.5)} y={H - 4} textAnchor="middle">
          confidence threshold
        </text>
        <line className="target" x1={x(0)} x2={x(1)} y1={y(r.targetPrecision)} y2={y(r.targetPrecision)} />
        {SERIES.map((s) => (
          <path key={s.key} className={`line ${s.className}`} d={path(s.key)} />
        ))}
        <line className="marker marker-current" x1={x(r.threshold)} x2={x(r.threshold)} y1={y(1)} y2={y(0)} />
        {r.suggestedThreshold !== null ? (
          <line
            className="marker marker-suggested"
            x1={x(r.suggestedThreshold)}
            x2={x(r.suggestedThreshold)}
            y1={y(1)}
            y2={y(0)}
          />
        ) : null}
      </svg>
      <figcaption>
        <ul className="legend" aria-hidden="true">
          {SERIES.map((s) => (
            <li key={s.key}>
              <span className={`swatch ${s.className}`} /> {s.label}
            </li>
          ))}
          <li>
            <span className="swatch target" /> target {pct(r.targetPrecision)}
          </li>
          <li>
            <span className="swatch marker-current" /> agent’s threshold {thr(r.threshold)}
          </li>
          {r.suggestedThreshold !== null ? (
            <li>
              <span className="swatch marker-suggested" /> suggested {thr(r.suggestedThreshold)}
            </li>
          ) : null}
        </ul>
      </figcaption>
      <details>
        <summary>Show the numbers</summary>
        <table className="table compact" aria-label="Figures by threshold">
          <thead>
            <tr>
              <th scope="col">Threshold</th>
              <th scope="col">Answered</th>
              <th scope="col">Precision</th>
              <th scope="col">Coverage</th>
              <th scope="col">Out-of-scope recall</th>
            </tr>
          </thead>
          <tbody>
            {points
              .filter(
                (p) =>
                  Math.abs(p.threshold * 10 - Math.round(p.threshold * 10)) < 1e-9 ||
                  p.threshold === r.threshold ||
                  p.threshold === r.suggestedThreshold,
              )
              .map((p) => (
                <tr key={p.threshold}>
                  <td>{thr(p.threshold)}</td>
                  <td>{p.answered}</td>
                  <td>{pct(p.answeredPrecision)}</td>
                  <td>{pct(p.coverage)}</td>
                  <td>{pct(p.oosRecall)}</td>
                </tr>
              ))}
          </tbody>
        </table>
      </details>
    </figure>
  );
}

export function EvaluationSection({
  agentPath,
  agentThreshold,
  onAgentChanged,
}: {
  agentPath: string;
  /** The agent's current threshold (it may have moved since the evaluation). */
  agentThreshold: number;
  onAgentChanged: () => void;
}) {
  const can = useCan();
  const { announce } = useSession();
  const latest = useResource<EvaluationWithoutDetails | null>(async () => {
    const r = await api.get<EvaluationWithoutDetails | { evaluation: null; report: null }>(
      `${agentPath}/evaluations/latest`,
    );
    return r.evaluation ? (r as EvaluationWithoutDetails) : null;
  }, agentPath);
  const [file, setFile] = useState<File | null>(null);
  const [target, setTarget] = useState('95');
  const [progress, setProgress] = useState<number | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const action = useAction();
  const adopt = useAction();
  const evaluation = latest.data;
  // Thresholds are stored as float4: equal within its precision is equal.
  const differs = (a: number, b: number) => Math.abs(a - b) > 1e-6;
  const r = evaluation?.report;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    const done = await action.run(async () => {
      const t = Number(target) / 100;
      if (!(t > 0 && t <= 1)) throw new Error('The target precision must be between 1% and 100%.');
      if (file.size > MAX_TEST_BYTES) throw new Error(`“${file.name}” is larger than 5 MiB`);
      setProgress(0);
      try {
        return await api.upload<EvaluationView>(
          `${agentPath}/evaluations?targetPrecision=${t}`,
          file,
          'application/x-ndjson',
          setProgress,
        );
      } finally {
        setProgress(null);
      }
    });
    if (done) {
      setFile(null);
      if (input.current) input.current.value = '';
      announce(
        `Evaluated ${done.report.questions} questions: ${done.evaluation.passed ? 'passed' : 'did not pass'}`,
      );
      await latest.reload();
    } else announce('The evaluation failed');
  };

  const adoptSuggested = async (threshold: number) => {
    const ok = await adopt.run(() => api.patch(agentPath, { confidenceThreshold: threshold }));
    if (ok !== undefined) {
      announce(`The agent now answers at a confidence of ${thr(threshold)} or more`);
      onAgentChanged();
    }
  };

  return (
    <section className="section" aria-labelledby="evaluation-title">
      <div className="section-head">
        <h2 id="evaluation-title">How well it answers</h2>
        {evaluation ? (
          <Badge tone={evaluation.evaluation.passed ? 'success' : 'warning'}>
            {evaluation.evaluation.passed ? 'Passed' : 'Below target'}
          </Badge>
        ) : null}
      </div>
      <ErrorNote error={latest.error} />
      {latest.data === null && !latest.loading ? (
        <p className="muted">
          Not evaluated yet. Upload questions customers really ask, each labelled with the entry that answers
          it (or <code>oos</code> for one a person must take): the result is the agent’s readiness evidence.
        </p>
      ) : null}
      {evaluation && !r ? (
        <p className="muted">
          An evaluation was recorded <Time iso={evaluation.evaluation.createdAt} /> (
          {evaluation.evaluation.passed ? 'passed' : 'below target'}) without its figures: evaluate again to
          see them.
        </p>
      ) : null}
      {evaluation && r ? (
        <div className="card">
          <p>
            {r.questions} questions, evaluated <Time iso={evaluation.evaluation.createdAt} /> at the threshold{' '}
            {thr(r.threshold)}: answered precision <strong>{pct(r.answeredPrecision)}</strong> (target{' '}
            {pct(r.targetPrecision)}), coverage <strong>{pct(r.coverage)}</strong>, out-of-scope recall{' '}
            <strong>{pct(r.oosRecall)}</strong>, in-scope accuracy {pct(r.inScopeAccuracy)}.
          </p>
          {r.unknownLabels.length > 0 ? (
            <p className="note note-warning">
              Labels that match no entry (counted as wrong when answered): {r.unknownLabels.join(', ')}
            </p>
          ) : null}
          <div className="evaluation-figures">
            {r.curve.length > 0 ? <ThresholdChart evaluation={{ ...evaluation, report: r }} /> : null}
            <OosShareTable
              rows={r.byOosShare ?? []}
              assumed={r.oosShare ?? null}
              target={r.targetPrecision}
            />
          </div>
          <MistakesPanel key={evaluation.evaluation.id} report={r} />
          {r.suggestedThreshold !== null ? (
            <p className="muted small">
              Suggested: the lowest threshold at which this test set’s answered precision reaches the target,
              moved halfway down to the next lower confidence (it answers the same questions here). It is
              chosen on the same questions it is measured on, so check it on fresh ones.
            </p>
          ) : (
            <p className="note note-warning">
              No threshold reaches {pct(r.targetPrecision)} precision on this test set: add phrasings to the
              entries it confuses, or entries for what customers ask that the knowledge base does not cover.
            </p>
          )}
          {r.suggestedThreshold !== null &&
          can('agents.write') &&
          differs(r.suggestedThreshold, agentThreshold) ? (
            <div className="form-actions form-actions-start">
              <button
                type="button"
                className="btn"
                disabled={adopt.busy}
                onClick={() => void adoptSuggested(r.suggestedThreshold!)}
              >
                Use the suggested threshold ({thr(r.suggestedThreshold)})
              </button>
            </div>
          ) : null}
          {differs(r.threshold, agentThreshold) ? (
            <p className="muted small" role="status">
              The agent’s threshold is now {thr(agentThreshold)}: evaluate again to see its figures there.
            </p>
          ) : null}
          <ErrorNote error={adopt.error} title="The threshold was not changed." />
        </div>
      ) : null}
      {can('readiness.assess') ? (
        <form
          className="card form-card"
          aria-labelledby="evaluate-title"
          aria-busy={action.busy}
          onSubmit={submit}
        >
          <h3 id="evaluate-title">Evaluate on a test set</h3>
          <Field
            label="Test set (JSON Lines)"
            hint={
              'One question per line: {"text": "…", "label": "an entry title, or oos"}. Up to 5 MiB. The result is recorded as readiness evidence.'
            }
          >
            {(p) => (
              <input
                {...p}
                ref={input}
                type="file"
                accept=".jsonl,.ndjson,.json,.txt,application/x-ndjson,application/json,text/plain"
                disabled={action.busy}
                onChange={(e) => {
                  setFile(e.target.files?.[0] ?? null);
                  action.setError(null);
                }}
              />
            )}
          </Field>
          <Field label="Target precision (%)">
            {(p) => (
              <input
                {...p}
                type="number"
                min={1}
                max={100}
                step={0.5}
                value={target}
                onChange={(e) => setTarget(e.target.value)}
              />
            )}
          </Field>
          {progress !== null ? (
            <ProgressBar
              id="evaluation-progress"
              label={progress < 1 ? `Uploading (${Math.round(progress * 100)}%)…` : 'Evaluating…'}
              fraction={progress < 1 ? progress : null}
            />
          ) : null}
          <ErrorNote error={action.error} title="The test set was not evaluated." />
          <div className="form-actions form-actions-start">
            <button type="submit" className="btn btn-primary" disabled={!file || action.busy}>
              {action.busy ? 'Evaluating…' : 'Evaluate'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

const HAPPENED: Record<Mistake['kind'], string> = {
  wrong: 'answered with another entry',
  answered_oos: 'answered; a person should take it',
  missed: 'left to a person (below the threshold)',
};

/**
 * The mistakes at the agent's threshold: counts, the entries most often taken for another, and the questions. A
 * question labelled with an entry becomes a phrasing of it in one click (writers only).
 */
export function MistakesPanel({ report }: { report: EvaluationView['report'] }) {
  const can = useCan();
  const { announce } = useSession();
  const action = useAction();
  const [added, setAdded] = useState<ReadonlySet<number>>(new Set());
  const m = report.mistakes;
  if (!m) return null;
  const name = (id: string | null) =>
    id === null
      ? 'nothing'
      : id === 'oos'
        ? 'a person (out of scope)'
        : (report.titles?.[id] ?? id.replace(/^unknown:/, ''));
  // A question cut short in the report cannot become a phrasing as asked.
  const entryOf = (e: Mistake) =>
    !e.truncated && e.label !== 'oos' && !e.label.startsWith('unknown:') && report.titles?.[e.label]
      ? e.label
      : null;
  const writable = can('kb.write');
  if (m.wrong + m.answeredOos + m.missed === 0)
    return (
      <p className="muted small">No mistakes on this test set at the threshold {thr(report.threshold)}.</p>
    );
  const shown = m.examples.length;
  const total = m.wrong + m.answeredOos + m.missed;

  const addPhrasing = async (i: number, e: Mistake, entry: string) => {
    const ok = await action.run(() => api.post(`/api/kb/entries/${entry}/phrasings`, { phrasing: e.text }));
    if (ok !== undefined) {
      setAdded((s) => new Set(s).add(i));
      announce(`Added as a phrasing of “${name(entry)}”`);
    }
  };

  return (
    <details className="mistakes">
      <summary>
        What it got wrong: {plural(m.wrong, 'wrong answer')}, {m.answeredOos} out-of-scope{' '}
        {m.answeredOos === 1 ? 'question' : 'questions'} answered, {m.missed} left to a person
      </summary>
      {m.confusions.length > 0 ? (
        <table className="table compact" aria-label="Entries taken for another">
          <caption>Questions for one entry whose best match was another, whatever the confidence</caption>
          <thead>
            <tr>
              <th scope="col">Questions for</th>
              <th scope="col">Best match</th>
              <th scope="col">Times</th>
            </tr>
          </thead>
          <tbody>
            {m.confusions.map((c) => (
              <tr key={`${c.label} ${c.predicted}`}>
                <td>{name(c.label)}</td>
                <td>{name(c.predicted)}</td>
                <td>{c.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <table className="table compact" aria-label="Questions it got wrong">
        <caption>
          {shown < total ? `${shown} of ${total} questions. ` : ''}Wrong answers and answered out-of-scope
          questions the most confident first, then those left to a person the closest to the threshold first.
        </caption>
        <thead>
          <tr>
            <th scope="col">Question</th>
            <th scope="col">Should go to</th>
            <th scope="col">Best match</th>
            <th scope="col">What happened</th>
            {writable ? <th scope="col">Fix</th> : null}
          </tr>
        </thead>
        <tbody>
          {m.examples.map((e, i) => {
            const entry = entryOf(e);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: the list is fixed for one evaluation; a question may repeat
              <tr key={i}>
                <td>
                  {e.text}
                  {e.truncated ? '…' : ''}
                </td>
                <td>{name(e.label)}</td>
                <td>
                  {name(e.predicted)}
                  {e.predicted !== null ? ` (${e.confidence.toFixed(2)})` : ''}
                </td>
                <td>{HAPPENED[e.kind]}</td>
                {writable ? (
                  <td>
                    {entry === null ? null : added.has(i) ? (
                      <span className="muted">added</span>
                    ) : (
                      <button
                        type="button"
                        className="btn btn-small"
                        disabled={action.busy}
                        onClick={() => void addPhrasing(i, e, entry)}
                      >
                        Add as a phrasing of “{name(entry)}”
                      </button>
                    )}
                  </td>
                ) : null}
              </tr>
            );
          })}
        </tbody>
      </table>
      <ErrorNote error={action.error} title="The phrasing was not added." />
      {writable ? (
        <p className="muted small">
          A question added as a phrasing is learned: this test set no longer tests it, so evaluate on fresh
          questions afterwards.
        </p>
      ) : null}
    </details>
  );
}
