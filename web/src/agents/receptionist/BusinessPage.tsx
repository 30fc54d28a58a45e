// A receptionist's business (/agents/:agent/business): the profile (time zone, week, closed dates, booking rules),
// the services (duration, price, buffers, which resources do them) and the resources (their own week and time off,
// and a private calendar feed URL, shown once with a copy button). Saves go to the receptionist's API; a refusal
// shows the server's words and the field it names.
import { type FormEvent, useId, useMemo, useState } from 'react';
import { isCalendarDate, validTimeZone } from '../../../../src/business/hours.ts';
import { ApiError, api } from '../../api.ts';
import { Empty, ErrorNote, Field, Loading, PageHeader } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import {
  Modal,
  price,
  ReceptionistNav,
  rangesOf,
  type WeekDraft,
  WeekEditor,
  weekDraftOf,
} from './parts.tsx';
import type { BookingRules, Business, Profile, ResourceView, ServiceView, TimeOff } from './types.ts';
import { agentPath } from './types.ts';

/** The server's validation details as field → message; a path is 'body.name' (the route's check) or ['hours', 'close']. */
function fieldErrors(err: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!(err instanceof ApiError) || !Array.isArray(err.details)) return out;
  for (const d of err.details as { path?: unknown; message?: unknown }[]) {
    if (typeof d?.message !== 'string') continue;
    const parts = Array.isArray(d.path)
      ? d.path.map(String)
      : typeof d.path === 'string'
        ? d.path.split('.')
        : [];
    const field = parts[0] === 'body' ? parts[1] : parts[0];
    if (field && !out[field]) out[field] = d.message;
  }
  return out;
}

const DEFAULT_RULES: BookingRules = {
  minNoticeMin: 60,
  maxDaysAhead: 60,
  slotStepMin: 15,
  reminderHours: 24,
};

function browserTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

export function BusinessPage({ agentName }: { agentName: string }) {
  const can = useCan();
  const business = useResource(() => api.get<Business>(`${agentPath(agentName)}/business`), agentName);
  const writable = can('business.write');
  const header = (
    <PageHeader
      title="Business"
      subtitle="Hours, services and the people, chairs or rooms that do them"
      crumbs={<Link href="/">Overview</Link>}
      actions={<ReceptionistNav agent={agentName} current="business" />}
    />
  );
  if (business.error)
    return (
      <>
        {header}
        <ErrorNote error={business.error} />
      </>
    );
  if (!business.data)
    return (
      <>
        {header}
        <Loading />
      </>
    );
  const { profile, services, resources } = business.data;
  const reload = () => void business.reload();
  return (
    <>
      {header}
      <section className="section card" aria-labelledby="rc-profile-h">
        <h2 id="rc-profile-h">Hours and booking rules</h2>
        <ProfileForm agentName={agentName} profile={profile} writable={writable} onSaved={reload} />
      </section>
      <section className="section card" aria-labelledby="rc-resources-h">
        <h2 id="rc-resources-h">Resources</h2>
        <Resources agentName={agentName} resources={resources} writable={writable} onChanged={reload} />
      </section>
      <section className="section card" aria-labelledby="rc-services-h">
        <h2 id="rc-services-h">Services</h2>
        <Services
          agentName={agentName}
          services={services}
          resources={resources.filter((r) => !r.archived)}
          writable={writable}
          onChanged={reload}
        />
      </section>
    </>
  );
}

function ProfileForm({
  agentName,
  profile,
  writable,
  onSaved,
}: {
  agentName: string;
  profile: Profile | null;
  writable: boolean;
  onSaved: () => void;
}) {
  const { announce } = useSession();
  const ids = useId();
  const [timezone, setTimezone] = useState(profile?.timezone ?? browserTimeZone());
  const [week, setWeek] = useState<WeekDraft>(() => weekDraftOf(profile?.hours ?? null));
  const [closed, setClosed] = useState((profile?.hours.closed ?? []).join('\n'));
  const [rules, setRules] = useState<BookingRules>({ ...DEFAULT_RULES, ...profile?.rules });
  const save = useAction();
  const errors = fieldErrors(save.error);
  const zones = useMemo(() => {
    try {
      return Intl.supportedValuesOf('timeZone');
    } catch {
      return [];
    }
  }, []);
  const closedList = closed
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const problems = [
    ...(validTimeZone(timezone.trim()) ? [] : ['Time zone: an IANA name, e.g. Europe/London']),
    ...closedList
      .filter((d) => !isCalendarDate(d))
      .map((d) => `Closed dates: “${d}” is not a date as YYYY-MM-DD`),
  ];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      timezone: timezone.trim(),
      hours: { hours: rangesOf(week), ...(closedList.length ? { closed: closedList } : {}) },
      rules,
    };
    if (await save.run(() => api.put(`${agentPath(agentName)}/business/profile`, body))) {
      announce('Business hours and rules saved');
      onSaved();
    }
  };

  const rule = (key: keyof BookingRules, label: string, hint: string, min: number, max: number) => (
    <Field label={label} hint={hint} error={errors.rules}>
      {(p) => (
        <input
          {...p}
          type="number"
          min={min}
          max={max}
          value={rules[key]}
          disabled={!writable}
          onChange={(e) => setRules((r) => ({ ...r, [key]: Number(e.target.value) }))}
        />
      )}
    </Field>
  );

  return (
    <form onSubmit={submit} aria-label="Hours and booking rules" aria-busy={save.busy}>
      {profile ? null : (
        <p className="note note-info">No hours saved yet: nothing can be booked until they are.</p>
      )}
      <Field
        label="Time zone"
        hint="Hours, closed dates and the calendar are in this zone."
        error={errors.timezone}
      >
        {(p) => (
          <>
            <input
              {...p}
              list={`${ids}-zones`}
              value={timezone}
              required
              disabled={!writable}
              onChange={(e) => setTimezone(e.target.value)}
            />
            <datalist id={`${ids}-zones`}>
              {zones.map((z) => (
                <option key={z} value={z} />
              ))}
            </datalist>
          </>
        )}
      </Field>
      <WeekEditor legend="Opening hours" value={week} onChange={setWeek} />
      <Field
        label="Closed dates (optional)"
        hint="Whole days off, one per line as YYYY-MM-DD."
        error={errors.hours}
      >
        {(p) => (
          <textarea
            {...p}
            className="code"
            rows={2}
            value={closed}
            disabled={!writable}
            onChange={(e) => setClosed(e.target.value)}
          />
        )}
      </Field>
      <div className="form-grid">
        {rule(
          'minNoticeMin',
          'Minimum notice (minutes)',
          'A booking starts at least this long after it is made.',
          0,
          43200,
        )}
        {rule('maxDaysAhead', 'Bookable days ahead', 'How far ahead customers can book.', 1, 730)}
        {rule('slotStepMin', 'Slot step (minutes)', 'Start times offered this far apart.', 5, 240)}
        {rule('reminderHours', 'Reminder (hours before)', '0 sends no reminder.', 0, 336)}
      </div>
      {problems.length ? (
        <ul className="field-error">
          {problems.map((p) => (
            <li key={p}>{p}</li>
          ))}
        </ul>
      ) : null}
      <ErrorNote error={save.error} title="Not saved." />
      {writable ? (
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            Save hours and rules
          </button>
        </div>
      ) : null}
    </form>
  );
}

function Resources({
  agentName,
  resources,
  writable,
  onChanged,
}: {
  agentName: string;
  resources: ResourceView[];
  writable: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<ResourceView | 'new' | null>(null);
  const [feed, setFeed] = useState<{ resource: string; url: string } | null>(null);
  const act = useAction();
  const { announce } = useSession();
  const live = resources.filter((r) => !r.archived);

  const issueFeed = async (r: ResourceView) => {
    const res = await act.run(() => api.post<{ path: string }>(`/api/business/resources/${r.id}/feed`, {}));
    if (!res) return;
    setFeed({ resource: r.name, url: `${window.location.origin}${res.path}` });
    announce(`Calendar feed URL for ${r.name} created`);
    onChanged();
  };
  const archive = async (r: ResourceView) => {
    if (await act.run(() => api.delete(`/api/business/resources/${r.id}`))) {
      announce(`${r.name} archived`);
      onChanged();
    }
  };

  return (
    <>
      {live.length === 0 ? (
        <Empty title="No resources yet">Add the people, chairs or rooms that are booked.</Empty>
      ) : null}
      <ul className="rc-list">
        {live.map((r) => (
          <li key={r.id} className="rc-item" data-resource={r.name}>
            <div>
              <strong>{r.name}</strong> <span className="muted small">{r.kind}</span>
              <div className="muted small">
                {r.hours ? 'own hours' : "the business's hours"}
                {r.timeOff.length ? ` · ${r.timeOff.length} time off` : ''}
                {r.hasFeed ? ' · calendar feed on' : ''}
              </div>
            </div>
            {writable ? (
              <div className="rc-item-actions">
                <button type="button" className="btn btn-sm" onClick={() => setEditing(r)}>
                  Edit <span className="sr-only">{r.name}</span>
                </button>
                <button
                  type="button"
                  className="btn btn-sm"
                  disabled={act.busy}
                  onClick={() => void issueFeed(r)}
                >
                  {r.hasFeed ? 'Replace feed URL' : 'Create feed URL'}{' '}
                  <span className="sr-only">for {r.name}</span>
                </button>
                <button
                  type="button"
                  className="btn btn-sm btn-ghost"
                  disabled={act.busy}
                  onClick={() => void archive(r)}
                >
                  Archive <span className="sr-only">{r.name}</span>
                </button>
              </div>
            ) : null}
          </li>
        ))}
      </ul>
      <ErrorNote error={act.error} />
      {feed ? <FeedUrl {...feed} onDone={() => setFeed(null)} /> : null}
      {writable ? (
        <button type="button" className="btn" onClick={() => setEditing('new')}>
          Add resource
        </button>
      ) : null}
      {editing ? (
        <ResourceForm
          agentName={agentName}
          resource={editing === 'new' ? null : editing}
          onClose={(saved) => {
            setEditing(null);
            if (saved) onChanged();
          }}
        />
      ) : null}
    </>
  );
}

function FeedUrl({ resource, url, onDone }: { resource: string; url: string; onDone: () => void }) {
  const [copied, setCopied] = useState(false);
  const id = useId();
  return (
    <div className="note note-success rc-feed" role="status">
      <label htmlFor={id}>
        <strong>{resource}'s private calendar feed.</strong> Shown once: copy it into a calendar app now.
        Anyone with it can read this calendar; replace it to turn it off.
      </label>
      <div className="rc-feed-row">
        <input id={id} className="code" readOnly value={url} onFocus={(e) => e.currentTarget.select()} />
        <button
          type="button"
          className="btn btn-sm"
          onClick={() =>
            void navigator.clipboard?.writeText(url).then(
              () => setCopied(true),
              () => setCopied(false),
            )
          }
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
        <button type="button" className="btn btn-sm btn-ghost" onClick={onDone}>
          Done
        </button>
      </div>
    </div>
  );
}

const TIME_OFF_LINE = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})\s+(\d{4}-\d{2}-\d{2}T\d{2}:\d{2})(?:\s+(.+))?$/;

function timeOffText(list: TimeOff[]): string {
  return list.map((t) => `${t.from} ${t.to}${t.note ? ` ${t.note}` : ''}`).join('\n');
}

function ResourceForm({
  agentName,
  resource,
  onClose,
}: {
  agentName: string;
  resource: ResourceView | null;
  onClose: (saved: boolean) => void;
}) {
  const [name, setName] = useState(resource?.name ?? '');
  const [kind, setKind] = useState<ResourceView['kind']>(resource?.kind ?? 'staff');
  const [own, setOwn] = useState(resource?.hours != null);
  const [week, setWeek] = useState<WeekDraft>(() => weekDraftOf(resource?.hours ?? null));
  const [timeOff, setTimeOff] = useState(timeOffText(resource?.timeOff ?? []));
  const save = useAction();
  const errors = fieldErrors(save.error);
  const lines = timeOff
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const bad = lines.filter((l) => !TIME_OFF_LINE.test(l));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (bad.length) return;
    const body = {
      name: name.trim(),
      kind,
      hours: own ? { hours: rangesOf(week) } : null,
      timeOff: lines.map((l) => {
        const m = TIME_OFF_LINE.exec(l)!;
        return { from: m[1]!, to: m[2]!, ...(m[3] ? { note: m[3] } : {}) };
      }),
    };
    const ok = await save.run(() =>
      resource
        ? api.patch(`/api/business/resources/${resource.id}`, body)
        : api.post(`${agentPath(agentName)}/business/resources`, body),
    );
    if (ok) onClose(true);
  };

  return (
    <Modal
      open
      wide
      title={resource ? `Edit ${resource.name}` : 'New resource'}
      onClose={() => onClose(false)}
    >
      <form onSubmit={submit} className="rc-form" aria-busy={save.busy}>
        <div className="form-grid">
          <Field label="Name" error={errors.name}>
            {(p) => (
              <input {...p} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
            )}
          </Field>
          <Field label="Kind" error={errors.kind}>
            {(p) => (
              <select {...p} value={kind} onChange={(e) => setKind(e.target.value as ResourceView['kind'])}>
                <option value="staff">staff</option>
                <option value="chair">chair</option>
                <option value="room">room</option>
                <option value="equipment">equipment</option>
              </select>
            )}
          </Field>
        </div>
        <label className="rc-check">
          <input type="checkbox" checked={own} onChange={(e) => setOwn(e.target.checked)} /> Its own hours
          (otherwise the business's)
        </label>
        {own ? <WeekEditor legend="Its hours" value={week} onChange={setWeek} /> : null}
        <Field
          label="Time off (optional)"
          hint="One per line, local time: 2026-12-24T09:00 2026-12-24T13:00 dentist"
          error={bad.length ? `Not read: ${bad[0]}` : errors.timeOff}
        >
          {(p) => (
            <textarea
              {...p}
              className="code"
              rows={3}
              value={timeOff}
              onChange={(e) => setTimeOff(e.target.value)}
            />
          )}
        </Field>
        <ErrorNote error={save.error} title="Not saved." />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            Save resource
          </button>
        </div>
      </form>
    </Modal>
  );
}

function Services({
  agentName,
  services,
  resources,
  writable,
  onChanged,
}: {
  agentName: string;
  services: ServiceView[];
  resources: ResourceView[];
  writable: boolean;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<ServiceView | 'new' | null>(null);
  const act = useAction();
  const { announce } = useSession();
  const live = services.filter((s) => !s.archived);
  const names = new Map(resources.map((r) => [r.id, r.name]));
  const archive = async (s: ServiceView) => {
    if (await act.run(() => api.delete(`/api/business/services/${s.id}`))) {
      announce(`${s.name} archived`);
      onChanged();
    }
  };
  return (
    <>
      {live.length === 0 ? <Empty title="No services yet">Add what customers can book.</Empty> : null}
      {live.length ? (
        <div className="table-wrap">
          <table className="table">
            <caption className="sr-only">Services</caption>
            <thead>
              <tr>
                <th scope="col">Service</th>
                <th scope="col">Duration</th>
                <th scope="col">Price</th>
                <th scope="col">Buffers</th>
                <th scope="col">Done by</th>
                {writable ? <th scope="col">Actions</th> : null}
              </tr>
            </thead>
            <tbody>
              {live.map((s) => (
                <tr key={s.id} data-service={s.name}>
                  <td>{s.name}</td>
                  <td>{s.durationMin} min</td>
                  <td>{price(s.priceCents)}</td>
                  <td>
                    {s.bufferBeforeMin} / {s.bufferAfterMin} min
                  </td>
                  <td>{s.resourceIds.map((id) => names.get(id) ?? '(archived)').join(', ')}</td>
                  {writable ? (
                    <td className="nowrap">
                      <button type="button" className="btn btn-sm" onClick={() => setEditing(s)}>
                        Edit <span className="sr-only">{s.name}</span>
                      </button>{' '}
                      <button
                        type="button"
                        className="btn btn-sm btn-ghost"
                        disabled={act.busy}
                        onClick={() => void archive(s)}
                      >
                        Archive <span className="sr-only">{s.name}</span>
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      <ErrorNote error={act.error} />
      {writable ? (
        <button
          type="button"
          className="btn"
          disabled={resources.length === 0}
          onClick={() => setEditing('new')}
        >
          Add service
        </button>
      ) : null}
      {writable && resources.length === 0 ? <p className="muted small">Add a resource first.</p> : null}
      {editing ? (
        <ServiceForm
          agentName={agentName}
          service={editing === 'new' ? null : editing}
          resources={resources}
          onClose={(saved) => {
            setEditing(null);
            if (saved) onChanged();
          }}
        />
      ) : null}
    </>
  );
}

function ServiceForm({
  agentName,
  service,
  resources,
  onClose,
}: {
  agentName: string;
  service: ServiceView | null;
  resources: ResourceView[];
  onClose: (saved: boolean) => void;
}) {
  const [name, setName] = useState(service?.name ?? '');
  const [durationMin, setDuration] = useState(String(service?.durationMin ?? 30));
  const [priceText, setPrice] = useState(
    service?.priceCents == null ? '' : (service.priceCents / 100).toFixed(2),
  );
  const [before, setBefore] = useState(String(service?.bufferBeforeMin ?? 0));
  const [after, setAfter] = useState(String(service?.bufferAfterMin ?? 0));
  const [resourceIds, setResourceIds] = useState<string[]>(
    service?.resourceIds ?? resources.map((r) => r.id),
  );
  const save = useAction();
  const errors = fieldErrors(save.error);
  const legendId = useId();

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const body = {
      name: name.trim(),
      durationMin: Number(durationMin),
      priceCents: priceText.trim() === '' ? null : Math.round(Number(priceText) * 100),
      bufferBeforeMin: Number(before),
      bufferAfterMin: Number(after),
      resourceIds,
    };
    const ok = await save.run(() =>
      service
        ? api.patch(`/api/business/services/${service.id}`, body)
        : api.post(`${agentPath(agentName)}/business/services`, body),
    );
    if (ok) onClose(true);
  };

  const num = (label: string, key: string, value: string, set: (v: string) => void, hint?: string) => (
    <Field label={label} hint={hint} error={errors[key]}>
      {(p) => (
        <input
          {...p}
          type="number"
          inputMode="numeric"
          value={value}
          required
          onChange={(e) => set(e.target.value)}
        />
      )}
    </Field>
  );

  return (
    <Modal open wide title={service ? `Edit ${service.name}` : 'New service'} onClose={() => onClose(false)}>
      <form onSubmit={submit} className="rc-form" aria-busy={save.busy} noValidate>
        <div className="form-grid">
          <Field label="Name" error={errors.name}>
            {(p) => (
              <input {...p} value={name} required maxLength={100} onChange={(e) => setName(e.target.value)} />
            )}
          </Field>
          {num('Duration (minutes)', 'durationMin', durationMin, setDuration, '5 to 720')}
          <Field label="Price (optional)" hint="e.g. 35.00" error={errors.priceCents}>
            {(p) => (
              <input
                {...p}
                inputMode="decimal"
                value={priceText}
                onChange={(e) => setPrice(e.target.value)}
              />
            )}
          </Field>
          {num('Buffer before (minutes)', 'bufferBeforeMin', before, setBefore)}
          {num('Buffer after (minutes)', 'bufferAfterMin', after, setAfter)}
        </div>
        <fieldset aria-describedby={errors.resourceIds ? `${legendId}-err` : undefined}>
          <legend>Done by</legend>
          {resources.map((r) => (
            <label key={r.id} className="rc-check">
              <input
                type="checkbox"
                checked={resourceIds.includes(r.id)}
                onChange={(e) =>
                  setResourceIds((ids) => (e.target.checked ? [...ids, r.id] : ids.filter((x) => x !== r.id)))
                }
              />{' '}
              {r.name}
            </label>
          ))}
          {errors.resourceIds ? (
            <p className="field-error" id={`${legendId}-err`}>
              {errors.resourceIds}
            </p>
          ) : null}
        </fieldset>
        <ErrorNote error={save.error} title="Not saved." />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.busy}>
            Save service
          </button>
        </div>
      </form>
    </Modal>
  );
}
