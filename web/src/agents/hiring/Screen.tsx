// The phone screen on a candidate's page: the invitation (a person invites; the private link is shown once, for a
// recruiter without email), the booked time, then the screen's summary, one line per question (answered / partly /
// not answered, the candidate's quoted words, the note), words the candidate addressed to the assessor, and the
// transcript. Nothing here decides: the decisions stay with the person, below.
import { useState } from 'react';
import { api, fieldErrors } from '../../api.ts';
import { Badge, ErrorNote, Field, Time } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import type { ApplicationDetail, ScreenView } from './types.ts';

const STATUS: Record<string, string> = {
  invited: 'invited: waiting for the candidate to choose a time',
  scheduled: 'booked',
  calling: 'calling',
  completed: 'completed',
  declined: 'a person instead (the candidate asked, or did not consent)',
  no_answer: 'not reached',
  failed: 'failed',
  cancelled: 'cancelled',
};
const VERDICT: Record<string, { label: string; tone: 'success' | 'warning' | 'danger' }> = {
  answered: { label: 'answered', tone: 'success' },
  partly: { label: 'partly', tone: 'warning' },
  not_answered: { label: 'not answered', tone: 'danger' },
};

export function ScreenCard({ a, reload }: { a: ApplicationDetail; reload: () => Promise<void> }) {
  const can = useCan();
  const invite = useAction();
  const [link, setLink] = useState<string | null>(null);
  const s = a.screen;
  const open = a.stage === 'applied' || a.stage === 'screen';
  const live = s && (s.invitation.status === 'sent' || s.invitation.status === 'booked');
  const canInvite = can('hiring.write') && open && s?.invitation.status !== 'booked';
  const onInvite = async () => {
    const r = await invite.run(() =>
      api.post<{ link: string; emailed: boolean }>(
        `/api/applications/${encodeURIComponent(a.id)}/screen/invite`,
      ),
    );
    if (r) {
      setLink(r.link);
      await reload();
    }
  };
  return (
    <section className="card hr-screen" aria-labelledby="screen-title">
      <div className="section-head">
        <h2 id="screen-title">Phone screen</h2>
        {canInvite ? (
          <button type="button" className="btn btn-sm" disabled={invite.busy} onClick={onInvite}>
            {live ? 'Send a new invitation link' : 'Invite to the AI phone screen'}
          </button>
        ) : null}
      </div>
      {invite.error ? <ErrorNote error={invite.error} /> : null}
      {link ? (
        <p className="small">
          <label htmlFor="screen-link">
            Invitation link (shown once; also emailed when email is set up):{' '}
          </label>
          <input
            id="screen-link"
            className="hr-link"
            readOnly
            value={link}
            onFocus={(e) => e.currentTarget.select()}
          />
        </p>
      ) : null}
      {!s ? (
        <p className="muted">
          Not invited. The AI screen asks the job's questions by phone at a time the candidate chooses; it
          asks consent first, offers a person instead, and never assesses tone, emotion or voice.
        </p>
      ) : (
        <ScreenDetail s={s} />
      )}
    </section>
  );
}

function ScreenDetail({ s }: { s: ScreenView }) {
  return (
    <>
      <p>
        <strong>Status:</strong> {STATUS[s.status] ?? s.status}
        {s.scheduledAt ? (
          <>
            {' '}
            · <Time iso={s.scheduledAt} />
          </>
        ) : null}
        {s.statusReason ? <span className="muted small"> ({s.statusReason})</span> : null}
      </p>
      {s.summary ? <p className="hr-screen-summary">{s.summary}</p> : null}
      {s.assessment ? (
        <>
          <p className="muted small">
            {s.assessment.engine === 'llm' ? 'LLM assessor' : 'Offline assessor'}: whether each question was
            answered, with the candidate's words. Tone, emotion and voice are never assessed.
          </p>
          <ol className="hr-screen-questions">
            {s.assessment.questions.map((q) => (
              <li key={q.criterionId} data-verdict={q.verdict}>
                <Badge tone={VERDICT[q.verdict]?.tone ?? 'neutral'}>
                  {VERDICT[q.verdict]?.label ?? q.verdict}
                </Badge>{' '}
                <span>{q.question}</span>
                {q.quote ? <blockquote className="hr-quote">“{q.quote}”</blockquote> : null}
                {q.note ? <p className="small muted hr-note">{q.note}</p> : null}
              </li>
            ))}
          </ol>
          {s.assessment.flags.length ? (
            <div className="note note-warning" role="note">
              {s.assessment.flags.map((f) => (
                <p key={f}>{f}</p>
              ))}
            </div>
          ) : null}
        </>
      ) : null}
      {s.transcript ? (
        <details className="hr-transcript">
          <summary>Transcript</summary>
          <pre>{s.transcript}</pre>
        </details>
      ) : null}
    </>
  );
}

interface SetupView {
  timezone: string;
  hours: { days?: number[]; open?: string; close?: string } & Record<string, unknown>;
  durationMin: number;
  lines: number;
}

/** The screen line on the Jobs page: time zone, weekday hours, the screen's length, how many run at once. */
export function ScreenSetupSection({ agentName }: { agentName: string }) {
  const can = useCan();
  const { announce } = useSession();
  const url = `/api/agents/${encodeURIComponent(agentName)}/hiring/screen-setup`;
  const setup = useResource(() => api.get<{ setup: SetupView | null }>(url).then((r) => r.setup), agentName);
  const action = useAction();
  const errors = fieldErrors(action.error);
  const s = setup.data;
  const zone = s?.timezone ?? Intl.DateTimeFormat().resolvedOptions().timeZone ?? 'UTC';
  return (
    <section className="section" aria-labelledby="screen-line-title">
      <h2 id="screen-line-title">Phone screen line</h2>
      <p className="muted small">
        Invited candidates choose a time in the next four days within these hours; screens are booked like
        appointments, so two never share a line.{' '}
        {s
          ? `Set up: ${s.durationMin} minutes, ${s.lines} line${s.lines === 1 ? '' : 's'}, ${s.timezone}.`
          : 'Not set up yet.'}
      </p>
      {setup.error ? <ErrorNote error={setup.error} /> : null}
      {can('hiring.write') && setup.data !== undefined ? (
        <form
          className="card form-card"
          aria-labelledby="screen-line-title"
          onSubmit={async (e) => {
            e.preventDefault();
            const f = new FormData(e.currentTarget);
            const body = {
              timezone: String(f.get('timezone') ?? '').trim(),
              hours: {
                days: [1, 2, 3, 4, 5],
                open: String(f.get('open') ?? '09:00'),
                close: String(f.get('close') ?? '17:00'),
              },
              durationMin: Number(f.get('durationMin') ?? 20),
              lines: Number(f.get('lines') ?? 1),
            };
            const r = await action.run(() => api.put<{ setup: SetupView }>(url, body));
            if (r) {
              announce('Phone screen line saved');
              await setup.reload();
            }
          }}
        >
          <div className="form-grid">
            <Field label="Time zone" error={errors.timezone} hint="IANA name, e.g. Europe/London">
              {(p) => <input {...p} name="timezone" required defaultValue={zone} />}
            </Field>
            <Field label="Screen length (minutes)" error={errors.durationMin}>
              {(p) => (
                <input
                  {...p}
                  name="durationMin"
                  type="number"
                  min={10}
                  max={60}
                  defaultValue={s?.durationMin ?? 20}
                />
              )}
            </Field>
            <Field label="Weekdays from" error={errors.hours}>
              {(p) => (
                <input {...p} name="open" type="time" required defaultValue={s?.hours.open ?? '09:00'} />
              )}
            </Field>
            <Field label="Weekdays until">
              {(p) => (
                <input {...p} name="close" type="time" required defaultValue={s?.hours.close ?? '17:00'} />
              )}
            </Field>
            <Field label="Screens at once (lines)" error={errors.lines}>
              {(p) => (
                <input {...p} name="lines" type="number" min={1} max={10} defaultValue={s?.lines ?? 1} />
              )}
            </Field>
          </div>
          <ErrorNote error={action.error} />
          <div className="form-actions">
            <button type="submit" className="btn" disabled={action.busy}>
              {action.busy ? 'Saving…' : s ? 'Save the screen line' : 'Set up the screen line'}
            </button>
          </div>
        </form>
      ) : null}
    </section>
  );
}
