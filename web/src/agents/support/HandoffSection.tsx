// "When a person takes over", on a support agent's page: the message a customer handed to a person is told right
// now, on every channel (the web chat's banner, the email or WhatsApp notice), and the business hours it follows.
// Agent writers edit the week (a range per day), the closed dates and the usual reply time, with the message
// previewed as they type, in the words the server uses (src/business/hours.ts, which has no dependency: the
// schema that checks a save stays on the server, hours.schema.ts, and names what it refuses).
import { type FormEvent, useEffect, useId, useMemo, useState } from 'react';
import {
  type BusinessHours,
  type DayKey,
  dayRanges,
  handoffMessage,
  isCalendarDate,
  validTimeZone,
} from '../../../../src/business/hours.ts';
import { api } from '../../api.ts';
import { ErrorNote, Field } from '../../components/ui.tsx';
import { useAction, useCan, useSession } from '../../hooks.ts';
import type { AgentView } from '../../types.ts';

/** Monday first, as a shop's week is read. */
const WEEK: { key: DayKey; label: string }[] = [
  { key: 'mon', label: 'Monday' },
  { key: 'tue', label: 'Tuesday' },
  { key: 'wed', label: 'Wednesday' },
  { key: 'thu', label: 'Thursday' },
  { key: 'fri', label: 'Friday' },
  { key: 'sat', label: 'Saturday' },
  { key: 'sun', label: 'Sunday' },
];

interface DayDraft {
  open: boolean;
  from: string;
  to: string;
}

interface Draft {
  timezone: string;
  days: Record<DayKey, DayDraft>;
  closed: string;
  replyTime: string;
}

/** The agent's hours as the server stored them (it checked them on the way in), or null. */
function hoursIn(config: Record<string, unknown>): BusinessHours | null {
  const h = config.businessHours;
  return h && typeof h === 'object' && !Array.isArray(h) ? (h as BusinessHours) : null;
}

/** The message, or null for hours it cannot read (a setting older than the server's check, say). */
function messageFor(hours: BusinessHours | null, at: Date): string | null {
  try {
    return handoffMessage(hours, at);
  } catch {
    return null;
  }
}

/** What the form can tell before the server does: a day that closes before it opens, a zone or a date it can't read. */
function draftProblems(d: Draft): string[] {
  const out: string[] = [];
  if (!d.timezone.trim() || !validTimeZone(d.timezone.trim()))
    out.push('Time zone: an IANA name, e.g. Europe/London');
  for (const { key, label } of WEEK) {
    const day = d.days[key];
    if (day.open && !(day.from < day.to))
      out.push(`${label}: the closing time must come after the opening time`);
  }
  for (const date of closedDates(d)) {
    if (!isCalendarDate(date)) out.push(`Closed dates: “${date}” is not a date as YYYY-MM-DD`);
  }
  return out;
}

function closedDates(d: Draft): string[] {
  return d.closed
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Each day's range, whichever way the hours were written. */
const rangesOf = (h: BusinessHours | null): Partial<Record<DayKey, string>> => (h ? dayRanges(h) : {});

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function draftOf(h: BusinessHours | null): Draft {
  const ranges = rangesOf(h);
  const days = Object.fromEntries(
    WEEK.map(({ key }) => {
      const r = ranges[key];
      return [
        key,
        r ? { open: true, from: r.slice(0, 5), to: r.slice(6) } : { open: false, from: '09:00', to: '17:00' },
      ];
    }),
  ) as Record<DayKey, DayDraft>;
  return {
    timezone: h?.timezone ?? browserTimeZone(),
    days,
    closed: (h?.closed ?? []).join('\n'),
    replyTime: h?.replyTime ?? '',
  };
}

/** The draft as the config's businessHours: always a range per day (the form's shape). */
function hoursOf(d: Draft): BusinessHours {
  const hours: Partial<Record<DayKey, string>> = {};
  for (const { key } of WEEK) {
    const day = d.days[key];
    if (day.open) hours[key] = `${day.from}-${day.to}`;
  }
  const closed = closedDates(d);
  return {
    timezone: d.timezone.trim(),
    hours,
    ...(closed.length ? { closed } : {}),
    ...(d.replyTime.trim() ? { replyTime: d.replyTime.trim() } : {}),
  };
}

const dateFormat = new Intl.DateTimeFormat(undefined, {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The schedule in a line: "Mon–Fri 09:00–18:00 · Sat 10:00–16:00". Consecutive days with one range are joined. */
export function weekSummary(h: BusinessHours | null): string {
  const ranges = rangesOf(h);
  const parts: string[] = [];
  let i = 0;
  while (i < WEEK.length) {
    const r = ranges[WEEK[i]!.key];
    if (!r) {
      i++;
      continue;
    }
    let j = i;
    while (j + 1 < WEEK.length && ranges[WEEK[j + 1]!.key] === r) j++;
    const first = WEEK[i]!.label.slice(0, 3);
    const last = WEEK[j]!.label.slice(0, 3);
    parts.push(`${j > i ? `${first}–${last}` : first} ${r.replace('-', '–')}`);
    i = j + 1;
  }
  return parts.join(' · ');
}

/** The current minute, so the preview follows the clock across an opening or a closing. */
function useMinute(): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const t = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(t);
  }, []);
  return now;
}

export function HandoffSection({ agent, onAgentChanged }: { agent: AgentView; onAgentChanged: () => void }) {
  const can = useCan();
  const now = useMinute();
  const config = agent.config ?? {};
  const hours = hoursIn(config);
  const [editing, setEditing] = useState(false);
  const upcoming = (hours?.closed ?? []).filter((d) => d >= now.toISOString().slice(0, 10)).sort();
  const schedule = weekSummary(hours);

  return (
    <section className="section" aria-labelledby="handoff-title">
      <div className="section-head">
        <h2 id="handoff-title">When a person takes over</h2>
      </div>
      <div className="card">
        <p>A customer handed to a person now is told, in the chat, the email thread or on WhatsApp:</p>
        <blockquote className="handoff-quote" data-testid="handoff-now">
          {messageFor(hours, now) ?? 'The business hours set for this agent cannot be read: set them again.'}
        </blockquote>
        {hours && (schedule || hours.replyTime) ? (
          <p className="muted small" data-testid="handoff-hours">
            {schedule ? `${schedule} (${hours.timezone})` : 'No opening hours set'}
            {upcoming.length
              ? ` · closed on ${upcoming.length === 1 ? '1 date' : `${upcoming.length} dates`} ahead, next ${dateFormat.format(new Date(`${upcoming[0]}T00:00:00Z`))}`
              : ''}
            {hours.replyTime ? ` · usual reply time ${hours.replyTime}` : ''}
          </p>
        ) : (
          <p className="muted small" data-testid="handoff-hours">
            No business hours: the message promises no time, day or night.
          </p>
        )}
        {can('agents.write') && !editing ? (
          <div className="form-actions form-actions-start">
            <button
              type="button"
              className="btn"
              onClick={() => setEditing(true)}
              aria-controls="handoff-form"
            >
              {hours ? 'Edit business hours' : 'Set business hours'}
            </button>
          </div>
        ) : null}
        {editing ? (
          <HoursForm
            agent={agent}
            initial={hours}
            onDone={(saved) => {
              setEditing(false);
              if (saved) onAgentChanged();
            }}
          />
        ) : null}
      </div>
    </section>
  );
}

function HoursForm({
  agent,
  initial,
  onDone,
}: {
  agent: AgentView;
  initial: BusinessHours | null;
  onDone: (saved: boolean) => void;
}) {
  const { announce } = useSession();
  const [draft, setDraft] = useState<Draft>(() => draftOf(initial));
  const save = useAction();
  const ids = useId();
  const now = useMinute();
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return [];
    }
  }, []);
  const value = hoursOf(draft);
  const problems = draftProblems(draft);
  const path = `/api/agents/${encodeURIComponent(agent.name)}`;

  const put = async (businessHours: BusinessHours | null) => {
    const { businessHours: _old, ...rest } = agent.config ?? {};
    const config = businessHours ? { ...rest, businessHours } : rest;
    const ok = await save.run(() => api.patch<AgentView>(path, { config }));
    if (ok === undefined) return;
    announce(businessHours ? 'Business hours saved' : 'Business hours removed');
    onDone(true);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    void put(value);
  };

  const setDay = (key: DayKey, patch: Partial<DayDraft>) =>
    setDraft((d) => ({ ...d, days: { ...d.days, [key]: { ...d.days[key], ...patch } } }));

  return (
    <form
      id="handoff-form"
      className="handoff-form"
      aria-label="Business hours"
      onSubmit={submit}
      aria-busy={save.busy}
    >
      <div className="form-grid">
        <Field label="Time zone" hint="The hours and closed dates are in this zone (IANA name).">
          {(p) => (
            <>
              <input
                {...p}
                list={`${ids}-zones`}
                value={draft.timezone}
                onChange={(e) => setDraft((d) => ({ ...d, timezone: e.target.value }))}
                required
              />
              <datalist id={`${ids}-zones`}>
                {zones.map((z) => (
                  <option key={z} value={z} />
                ))}
              </datalist>
            </>
          )}
        </Field>
        <Field label="Usual reply time (optional)" hint="Shown as is while the team is in, e.g. “2 hours”.">
          {(p) => (
            <input
              {...p}
              value={draft.replyTime}
              maxLength={60}
              onChange={(e) => setDraft((d) => ({ ...d, replyTime: e.target.value }))}
            />
          )}
        </Field>
      </div>
      <fieldset className="handoff-week">
        <legend>Opening hours</legend>
        {WEEK.map(({ key, label }) => {
          const day = draft.days[key];
          return (
            <div className="handoff-day" key={key} data-day={key}>
              <label>
                <input
                  type="checkbox"
                  checked={day.open}
                  onChange={(e) => setDay(key, { open: e.target.checked })}
                />{' '}
                {label}
              </label>
              {day.open ? (
                <>
                  <input
                    type="time"
                    aria-label={`${label} opens`}
                    value={day.from}
                    required
                    onChange={(e) => setDay(key, { from: e.target.value })}
                  />
                  <span aria-hidden="true">–</span>
                  <input
                    type="time"
                    aria-label={`${label} closes`}
                    value={day.to}
                    required
                    onChange={(e) => setDay(key, { to: e.target.value })}
                  />
                </>
              ) : (
                <span className="muted small">Closed</span>
              )}
            </div>
          );
        })}
      </fieldset>
      <Field
        label="Closed dates (optional)"
        hint="Public holidays and other whole days off, one per line as YYYY-MM-DD."
      >
        {(p) => (
          <textarea
            {...p}
            className="code"
            rows={3}
            value={draft.closed}
            onChange={(e) => setDraft((d) => ({ ...d, closed: e.target.value }))}
          />
        )}
      </Field>
      <div className="note note-info" aria-live="polite">
        <strong>Told now: </strong>
        <span data-testid="handoff-preview">
          {problems.length === 0
            ? (messageFor(value, now) ?? 'not until the hours can be read')
            : 'not until the hours below are fixed'}
        </span>
      </div>
      {problems.length ? (
        <ul className="field-error" data-testid="handoff-problems">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <ErrorNote error={save.error} title="The business hours were not saved." />
      <div className="form-actions">
        {initial ? (
          <button type="button" className="btn btn-ghost" disabled={save.busy} onClick={() => void put(null)}>
            Remove business hours
          </button>
        ) : null}
        <button type="button" className="btn" disabled={save.busy} onClick={() => onDone(false)}>
          Cancel
        </button>
        <button type="submit" className="btn btn-primary" disabled={save.busy}>
          Save business hours
        </button>
      </div>
    </form>
  );
}
