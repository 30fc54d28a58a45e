// A recruiter adds resumes to a job in bulk (POST /api/agents/:agent/hiring/screen, multipart: jobId and the files),
// with the upload's progress; each file's outcome is listed (queued for screening, or why a person must read it).
import { useId, useState } from 'react';
import { api } from '../../api.ts';
import { ErrorNote, ProgressBar } from '../../components/ui.tsx';
import { useAction, useSession } from '../../hooks.ts';
import { agentPath } from './types.ts';

interface BulkResult {
  applications: {
    file: string;
    applicationId: string;
    status: string;
    error: { id: string; message: string } | null;
  }[];
}

export function BulkUpload({
  agentName,
  jobId,
  onDone,
}: {
  agentName: string;
  jobId: string;
  onDone: () => void;
}) {
  const inputId = useId();
  const action = useAction();
  const { announce } = useSession();
  const [progress, setProgress] = useState<number | null>(null);
  const [result, setResult] = useState<BulkResult | null>(null);
  return (
    <details className="card hr-bulk">
      <summary>Add resumes yourself</summary>
      <form
        onSubmit={async (e) => {
          e.preventDefault();
          const files = (e.currentTarget.elements.namedItem('files') as HTMLInputElement).files;
          if (!files?.length) {
            action.setError(new Error('Choose one or more PDF or Word files.'));
            return;
          }
          const form = new FormData();
          form.set('jobId', jobId);
          for (const f of files) form.append('resume', f, f.name);
          // The browser writes the multipart body and its boundary; api.upload sends it with progress and CSRF.
          const body = new Response(form);
          const type = body.headers.get('content-type') ?? 'multipart/form-data';
          const blob = await body.blob();
          setProgress(0);
          setResult(null);
          const r = await action.run(() =>
            api.upload<BulkResult>(`${agentPath(agentName)}/hiring/screen`, blob, type, setProgress),
          );
          setProgress(null);
          if (r) {
            setResult(r);
            announce(`${r.applications.length} resumes added`);
            onDone();
          }
        }}
      >
        <div className="field">
          <label htmlFor={inputId}>Resumes (PDF or Word, up to 10 MB each, 50 at a time)</label>
          <input id={inputId} name="files" type="file" multiple accept=".pdf,.docx" />
        </div>
        {progress !== null ? <ProgressBar id={`${inputId}-p`} label="Uploading" fraction={progress} /> : null}
        <ErrorNote error={action.error} />
        <button type="submit" className="btn btn-sm" disabled={action.busy}>
          {action.busy ? 'Uploading…' : 'Upload and screen'}
        </button>
      </form>
      {result ? (
        <ul className="hr-bulk-result">
          {result.applications.map((a) => (
            <li key={a.applicationId}>
              {a.file}:{' '}
              {a.error ? a.error.message : a.status === 'queued' ? 'queued for screening' : a.status}
            </li>
          ))}
        </ul>
      ) : null}
    </details>
  );
}
