// A hiring agent's jobs (/agents/:agent/jobs): each with its status and counts (applications, scored, qualified,
// needing a person), and a form for a new job; the engine proposes its rubric from the description, which the
// recruiter then edits on the job's page.
import { useState } from 'react';
import { api, fieldErrors } from '../../api.ts';
import { Badge, Empty, ErrorNote, Field, Loading, PageHeader, Time } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { Link, navigate } from '../../router.tsx';
import { EmbedSnippet } from './Embed.tsx';
import { ScreenSetupSection } from './Screen.tsx';
import { agentPath, type JobView, pagePath } from './types.ts';

export function JobsPage({ agentName }: { agentName: string }) {
  const can = useCan();
  const jobs = useResource(
    () => api.get<{ jobs: JobView[] }>(`${agentPath(agentName)}/jobs`).then((r) => r.jobs),
    agentName,
  );
  const [creating, setCreating] = useState(false);
  return (
    <>
      <PageHeader
        title="Jobs"
        subtitle="Jobs on the career page; the AI screens and ranks, people decide"
        crumbs={<Link href="/">Overview</Link>}
        actions={
          can('hiring.write') && !creating ? (
            <button type="button" className="btn btn-primary" onClick={() => setCreating(true)}>
              New job
            </button>
          ) : null
        }
      />
      {creating ? <NewJobForm agentName={agentName} onCancel={() => setCreating(false)} /> : null}
      {jobs.error ? <ErrorNote error={jobs.error} /> : null}
      {!jobs.data && !jobs.error ? <Loading /> : null}
      {jobs.data && jobs.data.length === 0 ? (
        <Empty title="No jobs yet">Add a job; its rubric is proposed from the description.</Empty>
      ) : null}
      {jobs.data?.length ? (
        <div className="table-wrap">
          <table className="table hr-jobs">
            <caption className="sr-only">Jobs</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Status</th>
                <th scope="col">Applications</th>
                <th scope="col">Scored</th>
                <th scope="col">Qualified</th>
                <th scope="col">Need a person</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {jobs.data.map((j) => (
                <tr key={j.id} data-job={j.id}>
                  <td>
                    <Link href={pagePath(agentName, 'job', { id: j.id })}>{j.title}</Link>
                    {j.location ? <div className="muted small">{j.location}</div> : null}
                  </td>
                  <td>
                    <Badge tone={j.status === 'open' ? 'success' : 'neutral'}>{j.status}</Badge>
                  </td>
                  <td>
                    <Link href={pagePath(agentName, 'candidates', { job: j.id })}>
                      {j.counts.applications}
                      <span className="sr-only"> applications for {j.title}</span>
                    </Link>
                  </td>
                  <td>{j.counts.scored}</td>
                  <td>{j.counts.qualified}</td>
                  <td>{j.counts.needsPerson ? <Badge tone="warning">{j.counts.needsPerson}</Badge> : 0}</td>
                  <td className="nowrap">
                    <Time iso={j.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ScreenSetupSection agentName={agentName} />
      <section className="section" aria-labelledby="embed-title">
        <h2 id="embed-title">Career page</h2>
        <EmbedSnippet agentName={agentName} />
      </section>
    </>
  );
}

function NewJobForm({ agentName, onCancel }: { agentName: string; onCancel: () => void }) {
  const action = useAction();
  const { announce } = useSession();
  const errors = fieldErrors(action.error);
  return (
    <form
      className="card form-card"
      aria-labelledby="new-job-title"
      onSubmit={async (e) => {
        e.preventDefault();
        const f = new FormData(e.currentTarget);
        const body = {
          title: String(f.get('title') ?? '').trim(),
          description: String(f.get('description') ?? '').trim(),
          location: String(f.get('location') ?? '').trim() || undefined,
          employment: String(f.get('employment') ?? '').trim() || undefined,
          status: String(f.get('status') ?? 'draft'),
        };
        const job = await action.run(() => api.post<JobView>(`${agentPath(agentName)}/jobs`, body));
        if (job) {
          announce(`Job ${job.title} created; its rubric was proposed from the description`);
          navigate(pagePath(agentName, 'job', { id: job.id }));
        }
      }}
    >
      <h2 id="new-job-title">New job</h2>
      <div className="form-grid">
        <Field label="Title" error={errors.title} className="span-2">
          {(p) => <input {...p} name="title" required maxLength={200} />}
        </Field>
        <Field label="Location" error={errors.location}>
          {(p) => <input {...p} name="location" maxLength={200} placeholder="Remote, Berlin…" />}
        </Field>
        <Field label="Employment" error={errors.employment}>
          {(p) => <input {...p} name="employment" maxLength={100} placeholder="Full-time" />}
        </Field>
        <Field
          label="Description"
          error={errors.description}
          className="span-2"
          hint="The rubric (skills, years, degrees, certifications, languages) is proposed from this text."
        >
          {(p) => <textarea {...p} name="description" required rows={10} />}
        </Field>
        <Field label="Status" error={errors.status}>
          {(p) => (
            <select {...p} name="status" defaultValue="draft">
              <option value="draft">Draft (not on the career page)</option>
              <option value="open">Open (on the career page)</option>
            </select>
          )}
        </Field>
      </div>
      <ErrorNote error={action.error} />
      <div className="form-actions">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Creating…' : 'Create job'}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
