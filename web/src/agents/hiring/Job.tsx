// One job (/agents/:agent/job?id=…): its title, description, location and status, and the rubric a person edits:
// criteria added and removed, must-have or nice-to-have, weight 1–5, the terms that count as evidence, years where
// they matter, "propose from description" (the engine's proposal replaces the draft, saved only on Save), and the
// qualification threshold. The server validates the rubric and names the path of a bad value.
import { useEffect, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNote, Field, Loading, PageHeader } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { Link, useLocation } from '../../router.tsx';
import { JobNav } from './parts.tsx';
import { RubricEditor } from './RubricEditor.tsx';
import type { Criterion, JobStatus, JobView, Rubric } from './types.ts';
import { pagePath } from './types.ts';

interface Draft {
  title: string;
  description: string;
  location: string;
  status: JobStatus;
  threshold: number;
  criteria: Criterion[];
}

const draftOf = (j: JobView): Draft => ({
  title: j.title,
  description: j.description,
  location: j.location ?? '',
  status: j.status,
  threshold: j.threshold,
  criteria: j.rubric.criteria,
});

export function JobPage({ agentName }: { agentName: string }) {
  const { query } = useLocation();
  const id = query.get('id') ?? '';
  const job = useResource(() => api.get<JobView>(`/api/jobs/${encodeURIComponent(id)}`), id);
  return (
    <>
      <PageHeader
        title={job.data?.title ?? 'Job'}
        subtitle={
          job.data?.status === 'open' ? (
            <>
              On the career page:{' '}
              <a
                href={`/careers/${encodeURIComponent(agentName)}/jobs/${encodeURIComponent(job.data.id)}`}
                target="_blank"
                rel="noreferrer"
              >
                the job's public page
              </a>
            </>
          ) : (
            'Not on the career page until it is open'
          )
        }
        crumbs={
          <>
            <Link href="/">Overview</Link> / <Link href={pagePath(agentName, 'jobs')}>Jobs</Link>
          </>
        }
        actions={id ? <JobNav agent={agentName} jobId={id} current="job" /> : null}
      />
      {job.error ? <ErrorNote error={job.error} /> : null}
      {!job.data && !job.error ? <Loading /> : null}
      {job.data ? <JobForm job={job.data} onSaved={() => void job.reload()} /> : null}
    </>
  );
}

function JobForm({ job, onSaved }: { job: JobView; onSaved: () => void }) {
  const can = useCan();
  const writable = can('hiring.write');
  const { announce } = useSession();
  const [draft, setDraft] = useState<Draft>(() => draftOf(job));
  useEffect(() => setDraft(draftOf(job)), [job]);
  const save = useAction();
  const propose = useAction();
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <form
      className="hr-job"
      onSubmit={async (e) => {
        e.preventDefault();
        // Terms left empty while typing (a trailing comma) are not terms.
        const criteria = draft.criteria.map((c) => ({ ...c, terms: c.terms.filter(Boolean) }));
        const rubric: Rubric = { criteria, threshold: draft.threshold };
        const saved = await save.run(() =>
          api.patch<JobView>(`/api/jobs/${encodeURIComponent(job.id)}`, {
            title: draft.title.trim(),
            description: draft.description,
            location: draft.location.trim() || null,
            status: draft.status,
            rubric,
            threshold: draft.threshold,
          }),
        );
        if (saved) {
          announce('Job and rubric saved');
          onSaved();
        }
      }}
    >
      <fieldset className="card form-card" disabled={!writable}>
        <legend className="sr-only">Job</legend>
        <div className="form-grid">
          <Field label="Title" className="span-2">
            {(p) => (
              <input {...p} value={draft.title} required onChange={(e) => set({ title: e.target.value })} />
            )}
          </Field>
          <Field label="Location">
            {(p) => (
              <input {...p} value={draft.location} onChange={(e) => set({ location: e.target.value })} />
            )}
          </Field>
          <Field label="Status" hint="Only open jobs are on the career page.">
            {(p) => (
              <select
                {...p}
                value={draft.status}
                onChange={(e) => set({ status: e.target.value as JobStatus })}
              >
                <option value="draft">Draft</option>
                <option value="open">Open</option>
                <option value="closed">Closed</option>
              </select>
            )}
          </Field>
          <Field label="Description" className="span-2">
            {(p) => (
              <textarea
                {...p}
                rows={8}
                value={draft.description}
                onChange={(e) => set({ description: e.target.value })}
              />
            )}
          </Field>
        </div>
      </fieldset>
      <section className="card section" aria-labelledby="rubric-title">
        <div className="section-head">
          <h2 id="rubric-title">Rubric</h2>
          {writable ? (
            <button
              type="button"
              className="btn btn-sm"
              disabled={propose.busy}
              onClick={async () => {
                const r = await propose.run(() =>
                  api.post<{ rubric: Rubric }>(`/api/jobs/${encodeURIComponent(job.id)}/rubric/propose`),
                );
                if (r) {
                  set({ criteria: r.rubric.criteria });
                  announce(
                    `Proposed ${r.rubric.criteria.length} criteria from the description. Review them, then save.`,
                  );
                }
              }}
            >
              {propose.busy ? 'Proposing…' : 'Propose from description'}
            </button>
          ) : null}
        </div>
        <p className="muted small">
          Must-have criteria that are missing keep a candidate from "qualified"; no one is rejected
          automatically. A criterion is met only with a quote from the resume.
        </p>
        <ErrorNote error={propose.error} />
        <RubricEditor
          criteria={draft.criteria}
          disabled={!writable}
          onChange={(criteria) => set({ criteria })}
        />
        <Field
          label="Qualification threshold (0–100)"
          hint="Candidates scoring at least this, with every must-have met, are marked qualified."
          className="hr-threshold"
        >
          {(p) => (
            <input
              {...p}
              type="number"
              min={0}
              max={100}
              step={1}
              required
              disabled={!writable}
              value={draft.threshold}
              onChange={(e) => set({ threshold: Number(e.target.value) })}
            />
          )}
        </Field>
      </section>
      <ErrorNote error={save.error} title="Not saved." />
      {writable ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            {save.busy ? 'Saving…' : 'Save job and rubric'}
          </button>
          <button type="button" className="btn" onClick={() => setDraft(draftOf(job))}>
            Discard changes
          </button>
        </div>
      ) : null}
    </form>
  );
}
