// The audit log: newest first, filtered by stream, action or actor, paged by id (the filters and the page live in
// the URL, so the run viewer can link to a run's events), and Verify, which walks every hash chain and
// checkpoint and names the first broken link.
import { useEffect, useState } from 'react';
import { api, qs } from '../api.ts';
import { ErrorNote, JsonView, Loading, PageHeader, Time } from '../components/ui.tsx';
import { plural } from '../format.ts';
import { useAction, useResource, useSession } from '../hooks.ts';
import { usePersonName } from '../people.ts';
import { Link, navigate, useLocation } from '../router.tsx';
import type { AuditEventView, VerifyResult } from '../types.ts';

const PAGE = 50;
const FILTERS = ['stream', 'action', 'actor'] as const;
type FilterKey = (typeof FILTERS)[number];
const FILTER_LABEL: Record<FilterKey, string> = { stream: 'Stream', action: 'Action', actor: 'Actor' };
const FILTER_HINT: Record<FilterKey, string> = {
  stream: 'e.g. run:<id>, agent:<id>, system',
  action: 'e.g. approval.approved',
  actor: 'e.g. user:ada@example.com',
};

export function AuditPage() {
  const name = usePersonName();
  const { query } = useLocation();
  const { announce } = useSession();
  const filters = Object.fromEntries(FILTERS.map((k) => [k, query.get(k) ?? ''])) as Record<
    FilterKey,
    string
  >;
  const before = query.get('before') ?? '';
  const key = `${FILTERS.map((k) => filters[k]).join('|')}|${before}`;
  const page = useResource(
    () =>
      api.get<{ events: AuditEventView[]; nextBefore?: number | null }>(
        `/api/audit${qs({ ...filters, before, limit: PAGE })}`,
      ),
    key,
  );
  const [draft, setDraft] = useState(filters);
  const filterKey = FILTERS.map((k) => filters[k]).join('|');
  // A link (a stream, the run viewer) changed the filters: show them in the form.
  // biome-ignore lint/correctness/useExhaustiveDependencies: filterKey stands for filters
  useEffect(() => setDraft(filters), [filterKey]);
  const [history, setHistory] = useState<string[]>([]);
  const verify = useAction();
  const [report, setReport] = useState<VerifyResult | null>(null);

  const go = (next: Record<string, string>) => navigate(`/audit${qs(next)}`);
  const events = page.data?.events ?? [];
  const last = events[events.length - 1];
  const nextBefore =
    page.data?.nextBefore !== undefined
      ? page.data.nextBefore
      : events.length === PAGE && last
        ? last.id
        : null;
  const filtered = FILTERS.some((k) => filters[k]);

  return (
    <>
      <PageHeader
        title="Audit log"
        subtitle="Every step, tool call, message and human decision, in hash-chained streams."
        actions={
          <button
            type="button"
            className="btn btn-primary"
            disabled={verify.busy}
            onClick={async () => {
              setReport(null);
              const r = await verify.run(() => api.post<VerifyResult>('/api/audit/verify'));
              if (r) {
                setReport(r);
                announce(r.ok ? 'Audit trail verified: OK' : 'Audit trail verification failed');
              }
            }}
          >
            {verify.busy ? 'Verifying…' : 'Verify'}
          </button>
        }
      />
      <div aria-live="polite" data-testid="verify-result">
        {report ? (
          report.ok ? (
            <div className="note note-success verify">
              <strong>OK.</strong> {plural(report.events, 'event')} in {plural(report.streams, 'stream')} and{' '}
              {plural(report.checkpoints, 'checkpoint')} verify.
              {report.anchor ? (
                <>
                  {' '}
                  Anchor <code className="hash">{report.anchor.slice(0, 16)}…</code> (keep it outside the
                  database to detect truncation).
                </>
              ) : null}
            </div>
          ) : (
            <div className="note note-danger verify">
              <strong>Broken.</strong>{' '}
              {report.firstBroken ? (
                <>
                  First broken link: stream <code>{report.firstBroken.stream}</code>
                  {report.firstBroken.seq !== null ? <>, seq {report.firstBroken.seq}</> : null}
                  {report.firstBroken.id !== null ? <>, event #{report.firstBroken.id}</> : null}:{' '}
                  {report.firstBroken.reason}.{' '}
                  <Link href={`/audit${qs({ stream: report.firstBroken.stream })}`}>Show that stream</Link>
                </>
              ) : (
                'The trail does not verify.'
              )}
            </div>
          )
        ) : null}
        <ErrorNote error={verify.error} />
      </div>

      <form
        className="filters"
        aria-label="Filter audit events"
        onSubmit={(e) => {
          e.preventDefault();
          setHistory([]);
          go(Object.fromEntries(FILTERS.map((k) => [k, draft[k].trim()])));
        }}
      >
        {FILTERS.map((k) => (
          <div className="field field-inline" key={k}>
            <label htmlFor={`audit-${k}`}>{FILTER_LABEL[k]}</label>
            <input
              id={`audit-${k}`}
              value={draft[k]}
              placeholder={FILTER_HINT[k]}
              spellCheck={false}
              onChange={(e) => setDraft({ ...draft, [k]: e.target.value })}
            />
          </div>
        ))}
        <div className="filter-actions">
          <button type="submit" className="btn">
            Filter
          </button>
          {filtered ? (
            <button
              type="button"
              className="btn btn-ghost"
              onClick={() => {
                setDraft({ stream: '', action: '', actor: '' });
                setHistory([]);
                go({});
              }}
            >
              Clear
            </button>
          ) : null}
        </div>
      </form>

      <ErrorNote error={page.error} />
      {!page.data && page.loading ? <Loading /> : null}
      {page.data ? (
        <>
          <div className="table-wrap">
            <table className="table audit-table">
              <caption className="sr-only">Audit events, newest first</caption>
              <thead>
                <tr>
                  <th scope="col">#</th>
                  <th scope="col">When</th>
                  <th scope="col">Stream · seq</th>
                  <th scope="col">Actor</th>
                  <th scope="col">Action</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Hash</th>
                  <th scope="col">Payload</th>
                </tr>
              </thead>
              <tbody>
                {events.length === 0 ? (
                  <tr>
                    <td colSpan={8} className="muted">
                      No events{filtered ? ' match these filters' : ''}.
                    </td>
                  </tr>
                ) : null}
                {events.map((e) => (
                  <tr key={e.id} id={`event-${e.id}`}>
                    <td>{e.id}</td>
                    <td className="nowrap">
                      <Time iso={e.at} />
                    </td>
                    <td>
                      <Link href={`/audit${qs({ stream: e.stream })}`} className="mono-link">
                        {e.stream.length > 24 ? `${e.stream.slice(0, 20)}…` : e.stream}
                      </Link>{' '}
                      · {e.seq}
                    </td>
                    <td className="wrap" title={e.actor}>
                      {name(e.actor)}
                    </td>
                    <td>
                      <code>{e.action}</code>
                    </td>
                    <td className="wrap">
                      <code className="subtle">
                        {e.subject.length > 28 ? `${e.subject.slice(0, 24)}…` : e.subject}
                      </code>
                    </td>
                    <td>
                      <code className="hash" title={e.hash}>
                        {e.hash.slice(0, 10)}
                      </code>
                    </td>
                    <td>
                      {e.payload && typeof e.payload === 'object' && Object.keys(e.payload).length > 0 ? (
                        <details>
                          <summary>Show</summary>
                          <JsonView value={e.payload} label={`Payload of event ${e.id}`} />
                        </details>
                      ) : (
                        <span className="muted">—</span>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <nav className="pager" aria-label="Audit pages">
            <button
              type="button"
              className="btn btn-sm"
              disabled={!before}
              onClick={() => {
                const prev = history[history.length - 1];
                setHistory(history.slice(0, -1));
                go({ ...filters, before: prev ?? '' });
              }}
            >
              ← Newer
            </button>
            <span className="muted small">
              {events.length ? `events #${events[0]?.id} – #${last?.id}` : ''}
            </span>
            <button
              type="button"
              className="btn btn-sm"
              disabled={nextBefore === null}
              onClick={() => {
                setHistory([...history, before]);
                go({ ...filters, before: String(nextBefore) });
              }}
            >
              Older →
            </button>
          </nav>
        </>
      ) : null}
    </>
  );
}
