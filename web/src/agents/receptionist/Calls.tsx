// A receptionist's call log (/agents/:agent/calls): its phone calls newest first (GET /api/agents/:agent/calls) with
// the time, caller, how long and how it ended, what it cost, the outcome and Vapi's summary; the transcript opens
// under each. "Older calls" pages by the server's cursor.
import { useState } from 'react';
import { api, qs } from '../../api.ts';
import { Empty, ErrorNote, Loading, PageHeader, Time } from '../../components/ui.tsx';
import { useAction, useResource } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import { duration, ReceptionistNav } from './parts.tsx';
import { agentPath, type CallView } from './types.ts';

interface Page {
  calls: CallView[];
  next: string | null;
}

function outcomeText(c: CallView): string {
  const parts: string[] = [];
  if (c.outcome.tools.some((t) => t.startsWith('booking.create'))) parts.push('booked');
  if (c.outcome.tools.some((t) => t.startsWith('booking.reschedule'))) parts.push('moved a booking');
  if (c.outcome.tools.some((t) => t.startsWith('booking.cancel'))) parts.push('cancelled a booking');
  if (c.outcome.escalated) parts.push('handed to a person');
  if (parts.length === 0 && c.outcome.tools.length) parts.push(c.outcome.tools.join(', '));
  return parts.join('; ') || 'no action';
}

export function CallsPage({ agentName }: { agentName: string }) {
  const first = useResource(
    () => api.get<Page>(`${agentPath(agentName)}/calls${qs({ limit: 50 })}`),
    agentName,
  );
  const [more, setMore] = useState<Page[]>([]);
  const load = useAction();
  const pages = first.data ? [first.data, ...more] : [];
  const calls = pages.flatMap((p) => p.calls);
  const next = pages.at(-1)?.next ?? null;
  return (
    <>
      <PageHeader
        title="Calls"
        subtitle="Phone calls the receptionist answered"
        crumbs={<Link href="/">Overview</Link>}
        actions={<ReceptionistNav agent={agentName} current="calls" />}
      />
      {first.error ? <ErrorNote error={first.error} /> : null}
      {!first.data && !first.error ? <Loading /> : null}
      {first.data && calls.length === 0 ? (
        <Empty title="No calls yet">
          Calls appear here once the agent's phone number is answered through Vapi.
        </Empty>
      ) : null}
      {calls.length ? (
        <div className="table-wrap">
          <table className="table rc-calls">
            <caption className="sr-only">Calls, newest first</caption>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Caller</th>
                <th scope="col">Length</th>
                <th scope="col">Ended</th>
                <th scope="col">Cost</th>
                <th scope="col">Outcome</th>
                <th scope="col">Summary and transcript</th>
              </tr>
            </thead>
            <tbody>
              {calls.map((c) => (
                <tr key={c.callId} data-call={c.callId}>
                  <td className="nowrap">
                    <Time iso={c.startedAt ?? c.createdAt} />
                  </td>
                  <td className="nowrap">{c.customerNumber ?? 'unknown'}</td>
                  <td className="nowrap">{duration(c.durationSec)}</td>
                  <td>{c.endedReason ?? c.status ?? '—'}</td>
                  <td className="nowrap">{c.cost === null ? '—' : `$${c.cost.toFixed(2)}`}</td>
                  <td>{outcomeText(c)}</td>
                  <td>
                    {c.summary ? <p className="rc-summary">{c.summary}</p> : null}
                    {c.transcript ? (
                      <details>
                        <summary>Transcript</summary>
                        <pre className="rc-transcript">{c.transcript}</pre>
                      </details>
                    ) : (
                      <span className="muted small">no transcript</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorNote error={load.error} />
      {next ? (
        <button
          type="button"
          className="btn"
          disabled={load.busy}
          onClick={async () => {
            const page = await load.run(() =>
              api.get<Page>(`${agentPath(agentName)}/calls${qs({ limit: 50, before: next })}`),
            );
            if (page) setMore((m) => [...m, page]);
          }}
        >
          Older calls
        </button>
      ) : null}
    </>
  );
}
