// The knowledge base of one agent: FAQ entries (a canonical answer and the phrasings that ask for it) with create,
// edit, add phrasing, phrasings suggested by the LLM (when one is configured; a person picks which to add), delete
// and each entry's revision history; and articles, uploaded as a file (PDF, Markdown,
// HTML, text) or imported from pasted Markdown, HTML or text. Every save is a new version on the server, and the
// agent's engine retrains at once (the badge in the header says which version answers while it does). Any agent whose
// kind has a knowledge base gets this page; a kind adds its own sections at the end (support: the hand-off message
// and its evaluation), through knowledgeBasePage(Extra).
import { type ComponentType, type FormEvent, useEffect, useMemo, useRef, useState } from 'react';
import { api, fieldErrors } from '../api.ts';
import {
  Badge,
  ConfirmDialog,
  Empty,
  ErrorNote,
  Field,
  Loading,
  PageHeader,
  ProgressBar,
  Time,
} from '../components/ui.tsx';
import { plural } from '../format.ts';
import { useAction, useCan, useResource, useSession } from '../hooks.ts';
import { useLive } from '../live.ts';
import { usePersonName } from '../people.ts';
import { Link } from '../router.tsx';
import type { AgentView } from '../types.ts';
import { EscalateQuestionsSection } from './EscalateQuestionsSection.tsx';
import { KbHealthSection } from './KbHealthSection.tsx';
import { SuggestPhrasings } from './SuggestPhrasings.tsx';
import type {
  ArticleView,
  EngineNodeView,
  EngineStatusView,
  FaqEntryView,
  KbSuggestView,
  KbView,
  RevisionView,
} from './types.ts';

interface EntryDraft {
  title: string;
  answer: string;
  phrasings: string;
  tags: string;
}

const EMPTY_DRAFT: EntryDraft = { title: '', answer: '', phrasings: '', tags: '' };

const draftOf = (e: FaqEntryView): EntryDraft => ({
  title: e.title,
  answer: e.answer,
  phrasings: e.phrasings.join('\n'),
  tags: e.tags.join(', '),
});

/** The form's text as the API's fields: one phrasing per line, tags separated by commas. */
function bodyOf(d: EntryDraft) {
  return {
    title: d.title.trim(),
    answer: d.answer.trim(),
    phrasings: d.phrasings
      .split('\n')
      .map((p) => p.trim())
      .filter(Boolean),
    tags: d.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

/** A kind's own sections at the end of its agents' knowledge-base page. */
export type KbPageExtra = ComponentType<{ agent: AgentView; agentPath: string; onAgentChanged: () => void }>;

/** The knowledge-base page of a kind's agents (a KindPage component), with the kind's own sections, if any. */
export function knowledgeBasePage(Extra?: KbPageExtra): ComponentType<{ agentName: string }> {
  return function KindKnowledgeBasePage({ agentName }: { agentName: string }) {
    return <KnowledgeBasePage agentName={agentName} Extra={Extra} />;
  };
}

export function KnowledgeBasePage({
  agentName,
  Extra,
}: {
  agentName: string;
  Extra?: KbPageExtra | undefined;
}) {
  const can = useCan();
  const { announce } = useSession();
  const path = `/api/agents/${encodeURIComponent(agentName)}`;
  const agent = useResource(() => api.get<AgentView>(path), path);
  const kb = useResource(() => api.get<KbView>(`${path}/kb`), path);
  // Another reviewer's edit (or an import from the CLI) shows up without a reload.
  useLive(['kb.'], () => void kb.reload(), 300);
  const [creating, setCreating] = useState(false);
  const [filter, setFilter] = useState('');
  const writable = can('kb.write');
  const name = agent.data?.displayName ?? agentName;

  const entries = useMemo(() => {
    const all = kb.data?.entries ?? [];
    const f = filter.trim().toLowerCase();
    if (!f) return all;
    return all.filter((e) =>
      [e.title, e.answer, ...e.phrasings, ...e.tags].some((t) => t.toLowerCase().includes(f)),
    );
  }, [kb.data, filter]);

  return (
    <>
      <PageHeader
        crumbs={
          <>
            <Link href="/">Overview</Link> <span aria-hidden="true">/</span> <span>{name}</span>
          </>
        }
        title={`Knowledge base of ${name}`}
        subtitle="FAQ entries answer a question however it is asked; articles are searched passage by passage. Every save is a new version, and the agent’s engine retrains at once."
        actions={
          <>
            {kb.data ? <Badge tone="info">KB version {kb.data.version}</Badge> : null}
            <EngineBadge path={path} />
            {writable ? (
              <button
                type="button"
                className="btn btn-primary"
                aria-expanded={creating}
                aria-controls="new-entry"
                onClick={() => setCreating((v) => !v)}
              >
                {creating ? 'Close form' : 'New entry'}
              </button>
            ) : null}
          </>
        }
      />
      <ErrorNote error={agent.error ?? kb.error} />
      {!kb.data && kb.loading ? <Loading /> : null}
      {!writable ? (
        <p className="note note-info">Your role can read the knowledge base; reviewers and admins edit it.</p>
      ) : null}

      {creating ? (
        <section id="new-entry" className="card form-card" aria-labelledby="new-entry-title">
          <h2 id="new-entry-title">New FAQ entry</h2>
          <EntryForm
            initial={EMPTY_DRAFT}
            submitLabel="Save entry"
            onCancel={() => setCreating(false)}
            onSubmit={async (body) => {
              const r = await api.post<{ entry: FaqEntryView }>(`${path}/kb/entries`, body);
              setCreating(false);
              announce(`Saved “${r.entry.title}”`);
              await kb.reload();
            }}
          />
        </section>
      ) : null}

      {kb.data ? (
        <section className="section" aria-labelledby="entries-title">
          <div className="section-head">
            <h2 id="entries-title">FAQ entries ({kb.data.entries.length})</h2>
            {kb.data.entries.length > 0 ? (
              <div className="field field-inline">
                <label htmlFor="kb-filter">Filter</label>
                <input
                  id="kb-filter"
                  type="search"
                  value={filter}
                  placeholder="Title, answer, phrasing or tag"
                  onChange={(e) => setFilter(e.target.value)}
                />
                <a className="btn btn-sm" href={`${path}/kb/entries.csv`} download>
                  Export CSV
                </a>
              </div>
            ) : null}
          </div>
          {kb.data.entries.length === 0 ? (
            <Empty title="No FAQ entries yet">
              <p>
                Add one with “New entry”, or save a human answer from the <Link href="/inbox">Inbox</Link>.
              </p>
            </Empty>
          ) : entries.length === 0 ? (
            <p className="muted">No entry matches “{filter}”.</p>
          ) : (
            <ul className="stack kb-entries" aria-label="FAQ entries">
              {entries.map((e) => (
                <li key={e.id}>
                  <EntryCard
                    entry={e}
                    writable={writable}
                    suggest={kb.data?.suggest ?? null}
                    onChanged={() => void kb.reload()}
                  />
                </li>
              ))}
            </ul>
          )}
        </section>
      ) : null}

      {kb.data ? (
        <ArticlesSection
          articles={kb.data.articles}
          writable={writable}
          importPath={`${path}/kb/articles`}
          uploadPath={`${path}/kb/files`}
          onChanged={() => void kb.reload()}
        />
      ) : null}

      {kb.data && agent.data ? (
        <EscalateQuestionsSection
          agentPath={path}
          questions={kb.data.escalate ?? []}
          writable={writable}
          onChanged={() => void kb.reload()}
        />
      ) : null}

      {agent.data ? (
        <KbHealthSection
          agentPath={path}
          suggest={kb.data?.suggest ?? null}
          writable={writable}
          onChanged={() => void kb.reload()}
        />
      ) : null}

      {agent.data && Extra ? (
        <Extra agent={agent.data} agentPath={path} onAgentChanged={() => void agent.reload()} />
      ) : null}
    </>
  );
}

function EntryForm({
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  initial: EntryDraft;
  submitLabel: string;
  onSubmit: (body: ReturnType<typeof bodyOf>) => Promise<void>;
  onCancel: () => void;
}) {
  const [draft, setDraft] = useState(initial);
  const action = useAction();
  const errors = fieldErrors(action.error);
  const set = (k: keyof EntryDraft) => (e: { target: { value: string } }) =>
    setDraft((d) => ({ ...d, [k]: e.target.value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    void action.run(() => onSubmit(bodyOf(draft)));
  };
  return (
    <form onSubmit={submit} className="entry-form">
      <Field label="Title" error={errors.title} hint="What the entry is about, as a customer would say it.">
        {(p) => <input {...p} required maxLength={300} value={draft.title} onChange={set('title')} />}
      </Field>
      <Field label="Answer" error={errors.answer} hint="Sent to the customer word for word.">
        {(p) => (
          <textarea
            {...p}
            required
            rows={4}
            maxLength={10000}
            value={draft.answer}
            onChange={set('answer')}
          />
        )}
      </Field>
      <div className="form-grid">
        <Field
          label="Phrasings"
          error={errors.phrasings}
          hint="One per line: the ways customers ask for this answer."
        >
          {(p) => <textarea {...p} rows={4} value={draft.phrasings} onChange={set('phrasings')} />}
        </Field>
        <Field label="Tags (optional)" error={errors.tags} hint="Separated by commas.">
          {(p) => <input {...p} value={draft.tags} onChange={set('tags')} />}
        </Field>
      </div>
      <ErrorNote error={Object.keys(errors).length ? null : action.error} />
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary" disabled={action.busy}>
          {action.busy ? 'Saving…' : submitLabel}
        </button>
        <button type="button" className="btn" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}

type Panel = 'edit' | 'phrasing' | 'suggest' | 'history' | null;

function EntryCard({
  entry,
  writable,
  suggest,
  onChanged,
}: {
  entry: FaqEntryView;
  writable: boolean;
  /** The LLM that suggests phrasings, or null when none is configured (the button is not offered). */
  suggest: KbSuggestView | null;
  onChanged: () => void;
}) {
  const { announce } = useSession();
  const [panel, setPanel] = useState<Panel>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [phrasing, setPhrasing] = useState('');
  const action = useAction();
  const titleId = `entry-${entry.id}-title`;
  /**
   * Closes `p` once its save is done, unless another panel was opened meanwhile: the KB reloads on the edit's own
   * kb.changed event, so its new text can show before the save's answer arrives, and a click on History then must stay.
   */
  const close = (p: Panel) => setPanel((cur) => (cur === p ? null : cur));
  const toggle = (p: Panel) => {
    action.setError(null);
    setPanel((cur) => (cur === p ? null : p));
  };

  return (
    <article
      id={`entry-${entry.id}`}
      className="card kb-entry"
      aria-labelledby={titleId}
      data-entry={entry.title}
    >
      <header className="kb-entry-head">
        <h3 id={titleId}>{entry.title}</h3>
        {entry.tags.map((t) => (
          <Badge key={t} tone="accent">
            {t}
          </Badge>
        ))}
        <span className="muted small kb-entry-meta">
          v{entry.version} · updated <Time iso={entry.updatedAt} />
        </span>
      </header>
      <p className="kb-answer">{entry.answer}</p>
      {entry.phrasings.length > 0 ? (
        <details className="why">
          <summary>{plural(entry.phrasings.length, 'phrasing')}</summary>
          <ul className="phrasings">
            {entry.phrasings.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        </details>
      ) : (
        <p className="muted small">No phrasings: only the title matches questions.</p>
      )}

      {panel === 'edit' ? (
        <div className="kb-panel">
          <EntryForm
            initial={draftOf(entry)}
            submitLabel={`Save as version ${entry.version + 1}`}
            onCancel={() => setPanel(null)}
            onSubmit={async (body) => {
              await api.patch(`/api/kb/entries/${entry.id}`, body);
              close('edit');
              announce(`Saved “${body.title}”`);
              onChanged();
            }}
          />
        </div>
      ) : null}
      {panel === 'phrasing' ? (
        <form
          className="kb-panel"
          onSubmit={async (e) => {
            e.preventDefault();
            const text = phrasing.trim();
            if (!text) return;
            const r = await action.run(() =>
              api.post(`/api/kb/entries/${entry.id}/phrasings`, { phrasing: text }),
            );
            if (r) {
              setPhrasing('');
              close('phrasing');
              announce('Phrasing added');
              onChanged();
            }
          }}
        >
          <Field label="New phrasing" hint="Another way a customer asks for this answer.">
            {(p) => (
              <input
                {...p}
                required
                maxLength={1000}
                value={phrasing}
                onChange={(e) => setPhrasing(e.target.value)}
              />
            )}
          </Field>
          <ErrorNote error={action.error} />
          <div className="form-actions form-actions-start">
            <button type="submit" className="btn btn-primary" disabled={action.busy || !phrasing.trim()}>
              Add phrasing
            </button>
            <button type="button" className="btn" onClick={() => setPanel(null)}>
              Cancel
            </button>
          </div>
        </form>
      ) : null}
      {panel === 'suggest' && suggest ? (
        <SuggestPhrasings
          entry={entry}
          model={suggest.model}
          onCancel={() => setPanel(null)}
          onAdded={(added) => {
            close('suggest');
            announce(`Added ${plural(added.length, 'phrasing')} to “${entry.title}”`);
            onChanged();
          }}
        />
      ) : null}
      {panel === 'history' ? <Revisions entryId={entry.id} /> : null}

      <div className="card-actions">
        {writable ? (
          <>
            <button
              type="button"
              className="btn btn-sm"
              aria-expanded={panel === 'edit'}
              onClick={() => toggle('edit')}
            >
              Edit<span className="sr-only"> “{entry.title}”</span>
            </button>
            <button
              type="button"
              className="btn btn-sm"
              aria-expanded={panel === 'phrasing'}
              onClick={() => toggle('phrasing')}
            >
              Add phrasing<span className="sr-only"> to “{entry.title}”</span>
            </button>
            {suggest ? (
              <button
                type="button"
                className="btn btn-sm"
                aria-expanded={panel === 'suggest'}
                title={`Ask ${suggest.model} for other ways to ask this`}
                onClick={() => toggle('suggest')}
              >
                Suggest phrasings<span className="sr-only"> for “{entry.title}”</span>
              </button>
            ) : null}
          </>
        ) : null}
        <button
          type="button"
          className="btn btn-sm"
          aria-expanded={panel === 'history'}
          onClick={() => toggle('history')}
        >
          History<span className="sr-only"> of “{entry.title}”</span>
        </button>
        {writable ? (
          <button
            type="button"
            className="btn btn-sm btn-danger-outline"
            onClick={() => setConfirmDelete(true)}
          >
            Delete<span className="sr-only"> “{entry.title}”</span>
          </button>
        ) : null}
      </div>
      <ConfirmDialog
        open={confirmDelete}
        title={`Delete “${entry.title}”?`}
        confirmLabel="Delete entry"
        tone="danger"
        busy={action.busy}
        error={action.error}
        onCancel={() => {
          setConfirmDelete(false);
          action.setError(null);
        }}
        onConfirm={async () => {
          const r = await action.run(() => api.delete(`/api/kb/entries/${entry.id}`));
          if (r) {
            setConfirmDelete(false);
            announce(`Deleted “${entry.title}”`);
            onChanged();
          }
        }}
      >
        <p>The agent stops using it at once. Its revisions stay in the history and the audit log.</p>
      </ConfirmDialog>
    </article>
  );
}

/** What an edit changed, from the snapshot before it. */
function changeOf(rev: RevisionView, previous: RevisionView | undefined): string {
  if (rev.snapshot.deleted) return 'deleted';
  if (!previous) return 'created';
  const fields = (['title', 'answer', 'phrasings', 'tags'] as const).filter(
    (k) => JSON.stringify(rev.snapshot[k]) !== JSON.stringify(previous.snapshot[k]),
  );
  return fields.length ? `${fields.join(', ')} changed` : 'saved without changes';
}

function Revisions({ entryId }: { entryId: string }) {
  const name = usePersonName();
  const revs = useResource(
    () => api.get<{ revisions: RevisionView[] }>(`/api/kb/entries/${entryId}/revisions`),
    entryId,
  );
  if (revs.error) return <ErrorNote error={revs.error} />;
  if (!revs.data) return <Loading label="Loading history…" />;
  const list = revs.data.revisions;
  return (
    <div className="kb-panel table-wrap">
      <table className="table" aria-label="Revision history">
        <thead>
          <tr>
            <th scope="col">Version</th>
            <th scope="col">Change</th>
            <th scope="col">By</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {list.map((r, i) => (
            <tr key={`${r.version}-${r.createdAt}`}>
              <td>v{r.version}</td>
              <td>
                {changeOf(r, list[i + 1])}
                {r.snapshot.answer ? (
                  <details>
                    <summary>Answer in v{r.version}</summary>
                    <p className="kb-snapshot">{r.snapshot.answer}</p>
                  </details>
                ) : null}
              </td>
              <td className="wrap">{name(r.editedBy)}</td>
              <td className="nowrap">
                <Time iso={r.createdAt} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

type ArticleFormat = 'markdown' | 'html' | 'text';
const FORMATS: { value: ArticleFormat; label: string }[] = [
  { value: 'markdown', label: 'Markdown' },
  { value: 'html', label: 'HTML' },
  { value: 'text', label: 'Plain text' },
];

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);

/** What the server takes (src/knowledge/import.ts): the extension decides the format, sent as its media type. */
const UPLOAD_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  md: 'text/markdown',
  markdown: 'text/markdown',
  html: 'text/html',
  htm: 'text/html',
  xhtml: 'application/xhtml+xml',
  txt: 'text/plain',
};
const MAX_UPLOAD_BYTES = 20 * 1024 * 1024;
const ACCEPT = [
  ...Object.keys(UPLOAD_TYPES).map((e) => `.${e}`),
  ...new Set(Object.values(UPLOAD_TYPES)),
].join(',');

const extensionOf = (name: string) => /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase() ?? '';

type UploadState = { phase: 'sending'; fraction: number | null } | { phase: 'processing' } | null;

/**
 * Upload a document as an article: a native file input (keyboard and screen-reader ready), a progress bar while
 * the bytes go up, then "Reading the file…" while the server extracts and chunks it; the result or the server's
 * reason for refusing the file is announced.
 */
/** What POST …/kb/files answers; `encoding` is the character set a text file was read in (null for a PDF). */
interface UploadResult {
  article: ArticleView;
  changed: boolean;
  encoding: string | null;
}

function UploadForm({ uploadPath, onChanged }: { uploadPath: string; onChanged: () => void }) {
  const { announce } = useSession();
  const [file, setFile] = useState<File | null>(null);
  const [state, setState] = useState<UploadState>(null);
  const [result, setResult] = useState<UploadResult | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const action = useAction();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!file) return;
    setResult(null);
    const r = await action.run(async () => {
      // The server checks all of this too; saying it here spares a 20 MiB round trip.
      const type = UPLOAD_TYPES[extensionOf(file.name)];
      if (!type) throw new Error(`“${file.name}” is not a PDF, Markdown, HTML or text file`);
      if (file.size > MAX_UPLOAD_BYTES) throw new Error(`“${file.name}” is larger than 20 MiB`);
      setState({ phase: 'sending', fraction: 0 });
      try {
        return await api.upload<UploadResult>(
          `${uploadPath}?filename=${encodeURIComponent(file.name)}`,
          file,
          type,
          (fraction) => setState(fraction < 1 ? { phase: 'sending', fraction } : { phase: 'processing' }),
        );
      } finally {
        setState(null);
      }
    });
    if (r) {
      setResult(r);
      setFile(null);
      if (input.current) input.current.value = '';
      announce(r.changed ? `Uploaded “${r.article.source}”` : `“${r.article.source}” is unchanged`);
      onChanged();
    } else announce('The upload failed');
  };

  return (
    <form
      className="card form-card kb-import"
      aria-labelledby="upload-title"
      aria-busy={state !== null}
      onSubmit={submit}
    >
      <h3 id="upload-title">Upload a file</h3>
      <Field
        label="File to upload"
        hint="PDF, Markdown, HTML or plain text, up to 20 MiB. Uploading a file with the same name again replaces its article (a new version)."
      >
        {(p) => (
          <input
            {...p}
            ref={input}
            type="file"
            accept={ACCEPT}
            disabled={state !== null}
            onChange={(e) => {
              setFile(e.target.files?.[0] ?? null);
              setResult(null);
              action.setError(null);
            }}
          />
        )}
      </Field>
      {state ? (
        <ProgressBar
          id="upload-progress"
          label={
            state.phase === 'sending'
              ? `Uploading “${file?.name ?? ''}”${state.fraction !== null ? ` (${Math.round(state.fraction * 100)}%)` : ''}…`
              : `Reading “${file?.name ?? ''}”…`
          }
          fraction={state.phase === 'sending' ? state.fraction : null}
        />
      ) : null}
      <ErrorNote error={action.error} title="The file was not imported." />
      {result ? (
        <p className="note note-success" role="status">
          {result.changed
            ? `Uploaded “${result.article.source}” as “${result.article.title}”: ${plural(result.article.passages, 'passage')}, version ${result.article.version}.`
            : `“${result.article.source}” is unchanged (same content as version ${result.article.version}).`}
          {result.encoding && result.encoding !== 'utf-8'
            ? ` It was read as ${result.encoding} text: check the article if its accents look wrong.`
            : null}
        </p>
      ) : null}
      <div className="form-actions form-actions-start">
        <button type="submit" className="btn btn-primary" disabled={!file || action.busy}>
          {action.busy ? 'Uploading…' : 'Upload file'}
        </button>
      </div>
    </form>
  );
}

function ArticlesSection({
  articles,
  writable,
  importPath,
  uploadPath,
  onChanged,
}: {
  articles: ArticleView[];
  writable: boolean;
  importPath: string;
  uploadPath: string;
  onChanged: () => void;
}) {
  const { announce } = useSession();
  const [title, setTitle] = useState('');
  const [source, setSource] = useState('');
  const [format, setFormat] = useState<ArticleFormat>('markdown');
  const [content, setContent] = useState('');
  const [result, setResult] = useState<{ article: ArticleView; changed: boolean } | null>(null);
  const action = useAction();
  const errors = fieldErrors(action.error);
  // The source names the article: importing the same source again replaces it, so it defaults from the title.
  const effectiveSource = source.trim() || (title.trim() ? `pasted/${slug(title)}` : '');

  return (
    <section className="section" aria-labelledby="articles-title">
      <h2 id="articles-title">Articles ({articles.length})</h2>
      {articles.length === 0 ? (
        <p className="muted">No articles yet. Longer documents go here; the agent quotes their passages.</p>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Articles">
            <thead>
              <tr>
                <th scope="col">Title</th>
                <th scope="col">Source</th>
                <th scope="col">Format</th>
                <th scope="col">Passages</th>
                <th scope="col">Version</th>
                <th scope="col">Updated</th>
              </tr>
            </thead>
            <tbody>
              {articles.map((a) => (
                <tr key={a.id}>
                  <td>{a.title}</td>
                  <td>
                    <code>{a.source}</code>
                  </td>
                  <td>{a.format}</td>
                  <td>{a.passages}</td>
                  <td>v{a.version}</td>
                  <td className="nowrap">
                    <Time iso={a.updatedAt} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {writable ? <UploadForm uploadPath={uploadPath} onChanged={onChanged} /> : null}

      {writable ? (
        <form
          className="card form-card kb-import"
          aria-labelledby="import-title"
          onSubmit={async (e) => {
            e.preventDefault();
            setResult(null);
            const r = await action.run(() =>
              api.post<{ article: ArticleView; changed: boolean }>(importPath, {
                title: title.trim(),
                source: effectiveSource,
                format,
                content,
              }),
            );
            if (r) {
              setResult(r);
              setTitle('');
              setSource('');
              setContent('');
              announce(r.changed ? `Imported “${r.article.title}”` : `“${r.article.title}” is unchanged`);
              onChanged();
            }
          }}
        >
          <h3 id="import-title">Paste an article</h3>
          <div className="form-grid">
            <Field label="Article title" error={errors.title}>
              {(p) => (
                <input
                  {...p}
                  required
                  maxLength={200}
                  value={title}
                  onChange={(e) => setTitle(e.target.value)}
                />
              )}
            </Field>
            <Field
              label="Source (optional)"
              error={errors.source}
              hint={
                effectiveSource
                  ? `Saved as ${effectiveSource}; importing the same source again replaces it.`
                  : 'A file name or URL; importing the same source again replaces it.'
              }
            >
              {(p) => (
                <input {...p} maxLength={500} value={source} onChange={(e) => setSource(e.target.value)} />
              )}
            </Field>
          </div>
          <Field label="Format" error={errors.format}>
            {(p) => (
              <select {...p} value={format} onChange={(e) => setFormat(e.target.value as ArticleFormat)}>
                {FORMATS.map((f) => (
                  <option key={f.value} value={f.value}>
                    {f.label}
                  </option>
                ))}
              </select>
            )}
          </Field>
          <Field
            label="Content"
            error={errors.content}
            hint="Paste the document. Headings split it into passages; HTML is converted to text."
          >
            {(p) => (
              <textarea
                {...p}
                className="code"
                required
                rows={8}
                value={content}
                onChange={(e) => setContent(e.target.value)}
              />
            )}
          </Field>
          <ErrorNote error={Object.keys(errors).length ? null : action.error} />
          {result ? (
            <p className="note note-success" role="status">
              {result.changed
                ? `Imported “${result.article.title}”: ${plural(result.article.passages, 'passage')}, version ${result.article.version}.`
                : `“${result.article.title}” is unchanged (same content as version ${result.article.version}).`}
            </p>
          ) : null}
          <div className="form-actions form-actions-start">
            <button
              type="submit"
              className="btn btn-primary"
              disabled={action.busy || !title.trim() || !content.trim()}
            >
              {action.busy ? 'Importing…' : 'Import article'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}

/** While the engine is not up to date, its status is re-read this often. */
const ENGINE_POLL_MS = 1_000;

/**
 * Which KB version answers the agent's questions: after an edit the engine retrains, for seconds on a large KB, and
 * the last version's engine answers meanwhile. Each server trains its own engine; with several running (behind a
 * load balancer), the badge counts those already answering with the current version.
 */
function EngineBadge({ path }: { path: string }) {
  const status = useResource(
    () => api.get<{ engine: EngineStatusView; nodes?: EngineNodeView[] }>(`${path}/kb/engine`),
    path,
  );
  useLive(['kb.'], () => void status.reload(), 300);
  const engine = status.data?.engine;
  const nodes = status.data?.nodes ?? [];
  const several = nodes.length >= 2;
  const current = engine?.kbVersion ?? 0;
  const upToDate = nodes.filter((n) => n.servingVersion === current).length;
  // An empty KB (version 0) has nothing to train.
  const settled =
    !engine || engine.kbVersion === 0 || (several ? upToDate === nodes.length : engine.state === 'ready');
  useEffect(() => {
    if (settled) return;
    const timer = window.setInterval(() => void status.reload(), ENGINE_POLL_MS);
    return () => window.clearInterval(timer);
  }, [settled, status.reload]);
  if (!engine || engine.kbVersion === 0) return null;
  const serving = engine.serving;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  if (several) {
    const each = nodes
      .map((n) => {
        const at = n.servingVersion === null ? 'no engine yet' : `version ${n.servingVersion} answers`;
        const training = n.servingVersion !== current ? `, training version ${current}` : '';
        return `${n.nodeId}${n.self ? ' (this page)' : ''}: ${at}${training}`;
      })
      .join('\n');
    return upToDate === nodes.length ? (
      <Badge tone="success" title={each}>
        Engine up to date on all {nodes.length} servers (version {current})
      </Badge>
    ) : (
      <Badge tone="warning" title={each}>
        <span role="status">
          Version {current} answers on {upToDate} of {nodes.length} servers; the others are training it
        </span>
      </Badge>
    );
  }
  if (engine.state === 'ready' && serving) {
    return (
      <Badge
        tone="success"
        title={`Trained ${serving.trainedIn === 'worker' ? 'in a worker thread' : 'on the server thread'} in ${seconds(serving.trainMs)}, at ${new Date(serving.trainedAt).toLocaleString()}`}
      >
        Engine up to date (version {serving.version})
      </Badge>
    );
  }
  const answering = serving
    ? `version ${serving.engineVersion}'s engine answers meanwhile`
    : 'questions wait for it';
  return (
    <Badge tone="warning" title="Phrasings, titles and articles saved since take effect once it is in.">
      <span role="status">
        {engine.state === 'training'
          ? `Training version ${engine.kbVersion}; ${answering}`
          : `Version ${engine.kbVersion} not trained yet; ${answering}`}
      </span>
    </Badge>
  );
}
