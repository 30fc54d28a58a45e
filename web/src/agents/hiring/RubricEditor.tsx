// The rubric's criteria as an editable list: label, kind, must-have, weight (1–5), evidence terms (comma-separated),
// minimum years; add and remove. A new criterion's id is a slug of its label, made unique in the rubric.
import type { Criterion, CriterionKind } from './types.ts';

const KINDS: CriterionKind[] = ['skill', 'experience', 'degree', 'certification', 'language', 'other'];

export function slugId(label: string, taken: Set<string>): string {
  const base =
    label
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^\w\s-]/g, '')
      .trim()
      .replace(/[\s_]+/g, '-')
      .replace(/-+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 40) || 'criterion';
  let id = base;
  for (let i = 2; taken.has(id); i++) id = `${base}-${i}`;
  return id;
}

export function RubricEditor({
  criteria,
  disabled,
  onChange,
}: {
  criteria: Criterion[];
  disabled?: boolean;
  onChange: (c: Criterion[]) => void;
}) {
  const update = (i: number, patch: Partial<Criterion>) =>
    onChange(criteria.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  return (
    <div className="hr-rubric">
      {criteria.length === 0 ? (
        <p className="muted">No criteria yet: add one, or propose from the description.</p>
      ) : null}
      <ol className="hr-criteria">
        {criteria.map((c, i) => {
          const n = `Criterion ${i + 1}`;
          return (
            <li key={c.id} className="hr-criterion" data-criterion={c.id}>
              <div className="hr-criterion-row">
                <label className="hr-grow">
                  <span className="label">Label</span>
                  <input
                    aria-label={`${n}: label`}
                    value={c.label}
                    required
                    disabled={disabled}
                    onChange={(e) => update(i, { label: e.target.value })}
                  />
                </label>
                <label>
                  <span className="label">Kind</span>
                  <select
                    aria-label={`${n}: kind`}
                    value={c.kind}
                    disabled={disabled}
                    onChange={(e) => update(i, { kind: e.target.value as CriterionKind })}
                  >
                    {KINDS.map((k) => (
                      <option key={k} value={k}>
                        {k}
                      </option>
                    ))}
                  </select>
                </label>
                <label>
                  <span className="label">Weight</span>
                  <select
                    aria-label={`${n}: weight`}
                    value={c.weight}
                    disabled={disabled}
                    onChange={(e) => update(i, { weight: Number(e.target.value) })}
                  >
                    {[1, 2, 3, 4, 5].map((w) => (
                      <option key={w} value={w}>
                        {w}
                      </option>
                    ))}
                  </select>
                </label>
                <label className="hr-check">
                  <input
                    type="checkbox"
                    checked={c.required}
                    disabled={disabled}
                    aria-label={`${n}: must-have`}
                    onChange={(e) => update(i, { required: e.target.checked })}
                  />{' '}
                  Must-have
                </label>
              </div>
              <div className="hr-criterion-row">
                <label className="hr-grow">
                  <span className="label">Evidence terms (comma-separated)</span>
                  <input
                    aria-label={`${n}: evidence terms`}
                    value={c.terms.join(', ')}
                    disabled={disabled}
                    onChange={(e) =>
                      update(i, {
                        terms: e.target.value
                          .split(',')
                          .map((t) => t.trim().toLowerCase())
                          .filter((t, k, all) => t !== '' || k === all.length - 1),
                      })
                    }
                    onBlur={() => update(i, { terms: c.terms.filter(Boolean) })}
                  />
                </label>
                <label>
                  <span className="label">Min. years</span>
                  <input
                    type="number"
                    min={0}
                    max={50}
                    aria-label={`${n}: minimum years`}
                    value={c.minYears ?? ''}
                    disabled={disabled}
                    onChange={(e) => {
                      const v = e.target.value;
                      const next = { ...c };
                      if (v === '') delete next.minYears;
                      else next.minYears = Number(v);
                      onChange(criteria.map((x, j) => (j === i ? next : x)));
                    }}
                  />
                </label>
                {disabled ? null : (
                  <button
                    type="button"
                    className="btn btn-sm btn-danger-outline"
                    aria-label={`Remove ${c.label || n}`}
                    onClick={() => onChange(criteria.filter((_, j) => j !== i))}
                  >
                    Remove
                  </button>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      {disabled ? null : (
        <button
          type="button"
          className="btn btn-sm"
          onClick={() => {
            const taken = new Set(criteria.map((c) => c.id));
            const label = 'New criterion';
            onChange([
              ...criteria,
              { id: slugId(label, taken), label, kind: 'skill', required: false, weight: 3, terms: [] },
            ]);
          }}
        >
          Add criterion
        </button>
      )}
    </div>
  );
}
