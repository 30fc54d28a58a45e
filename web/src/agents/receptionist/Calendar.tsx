// A receptionist's calendar (/agents/:agent/calendar): a day with a column per resource, or a week of one resource;
// bookings as blocks (service, customer, code, status; tentative ones marked, with Confirm), the hours the business
// or the resource is closed shaded. Staff book by choosing a free time (a form: service, resource, customer), move a
// booking to another time and cancel it after a confirmation; the server's refusals (slot_taken, slot_unavailable)
// are said in words with the next free times offered as buttons. Every time is the business's wall clock.
import { type FormEvent, useMemo, useState } from 'react';
import { ApiError, api, qs } from '../../api.ts';
import { ConfirmDialog, Empty, ErrorNote, Field, Loading, PageHeader } from '../../components/ui.tsx';
import { useAction, useCan, useResource, useSession } from '../../hooks.ts';
import { Link } from '../../router.tsx';
import {
  addDays,
  dayLabel,
  dayRows,
  type Interval,
  inside,
  instantAt,
  localDate,
  openIntervals,
  overlaps,
  place,
  viewWindow,
  wallClock,
  weekOf,
} from './grid.ts';
import { Modal, ReceptionistNav } from './parts.tsx';
import {
  agentPath,
  type BookingView,
  type Business,
  type Customer,
  type Profile,
  type ResourceView,
  type ServiceView,
  type SlotView,
} from './types.ts';

type View = 'day' | 'week';

interface Column {
  key: string;
  date: string;
  resource: ResourceView;
  heading: string;
}

/** The resource's open intervals on a date: its own week or the business's, less closed dates and time off. */
function openFor(
  profile: Profile,
  resource: ResourceView,
  date: string,
): { open: Interval[]; off: Interval[] } {
  const tz = profile.timezone;
  if (profile.hours.closed?.includes(date)) return { open: [], off: [] };
  const open = openIntervals(date, tz, resource.hours ?? profile.hours);
  const off = resource.timeOff.map((t) => ({
    start: instantAt(t.from.slice(0, 10), t.from.slice(11), tz),
    end: instantAt(t.to.slice(0, 10), t.to.slice(11), tz),
  }));
  return { open, off };
}

interface BookTarget {
  start: Date;
  resourceId: string;
}

export function CalendarPage({ agentName }: { agentName: string }) {
  const can = useCan();
  const business = useResource(() => api.get<Business>(`${agentPath(agentName)}/business`), agentName);
  const profile = business.data?.profile ?? null;
  const tz = profile?.timezone ?? 'UTC';
  const [view, setView] = useState<View>('day');
  const [date, setDate] = useState<string | null>(null);
  const [weekResource, setWeekResource] = useState<string>('');
  const today = localDate(new Date(), tz);
  const day = date ?? today;
  const days = view === 'day' ? [day] : weekOf(day);
  const from = days[0]!;
  const to = days.at(-1)!;
  const bookings = useResource(
    () =>
      profile
        ? api
            .get<{ bookings: BookingView[] }>(`${agentPath(agentName)}/bookings${qs({ from, to })}`)
            .then((r) => r.bookings)
        : Promise.resolve([] as BookingView[]),
    `${agentName}|${from}|${to}|${profile ? 'p' : '-'}`,
  );
  const [booking, setBooking] = useState<BookTarget | null>(null);
  const [openBooking, setOpenBooking] = useState<BookingView | null>(null);

  const resources = (business.data?.resources ?? []).filter((r) => !r.archived);
  const services = (business.data?.services ?? []).filter((s) => !s.archived);
  const serviceName = new Map((business.data?.services ?? []).map((s) => [s.id, s.name]));
  const resourceName = new Map((business.data?.resources ?? []).map((r) => [r.id, r.name]));
  const weekRes = resources.find((r) => r.id === weekResource) ?? resources[0];
  const columns: Column[] =
    view === 'day'
      ? resources.map((r) => ({ key: r.id, date: day, resource: r, heading: r.name }))
      : weekRes
        ? days.map((d) => ({ key: d, date: d, resource: weekRes, heading: dayLabel(d) }))
        : [];

  const header = (
    <PageHeader
      title="Calendar"
      subtitle={profile ? `Times in ${tz}` : undefined}
      crumbs={<Link href="/">Overview</Link>}
      actions={<ReceptionistNav agent={agentName} current="calendar" />}
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
  if (!profile || resources.length === 0)
    return (
      <>
        {header}
        <Empty title="Nothing to book yet">
          <p>
            Set the business's time zone and hours and add a resource and a service on the{' '}
            <Link href={`/agents/${encodeURIComponent(agentName)}/business`}>Business page</Link>.
          </p>
        </Empty>
      </>
    );

  const win = viewWindow(profile.hours);
  const step = Math.max(15, profile.rules.slotStepMin);
  const writable = can('bookings.write');
  const list = bookings.data ?? [];

  return (
    <>
      {header}
      <div className="rc-toolbar" role="toolbar" aria-label="Calendar view">
        <div className="rc-seg">
          <button
            type="button"
            className="btn btn-sm"
            aria-pressed={view === 'day'}
            onClick={() => setView('day')}
          >
            Day
          </button>
          <button
            type="button"
            className="btn btn-sm"
            aria-pressed={view === 'week'}
            onClick={() => setView('week')}
          >
            Week
          </button>
        </div>
        <div className="rc-seg">
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setDate(addDays(day, view === 'day' ? -1 : -7))}
          >
            {view === 'day' ? 'Previous day' : 'Previous week'}
          </button>
          <button type="button" className="btn btn-sm" onClick={() => setDate(today)}>
            Today
          </button>
          <button
            type="button"
            className="btn btn-sm"
            onClick={() => setDate(addDays(day, view === 'day' ? 1 : 7))}
          >
            {view === 'day' ? 'Next day' : 'Next week'}
          </button>
        </div>
        <label className="rc-inline">
          Date{' '}
          <input
            type="date"
            value={day}
            required
            onChange={(e) => e.target.value && setDate(e.target.value)}
          />
        </label>
        {view === 'week' ? (
          <label className="rc-inline">
            Resource{' '}
            <select value={weekRes?.id ?? ''} onChange={(e) => setWeekResource(e.target.value)}>
              {resources.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </label>
        ) : null}
      </div>
      <h2 className="rc-range" aria-live="polite">
        {view === 'day' ? dayLabel(day) : `Week of ${dayLabel(from)} — ${weekRes?.name ?? ''}`}
      </h2>
      <p className="muted small">
        <span className="rc-key rc-key-closed" aria-hidden="true" /> closed{' '}
        <span className="rc-key rc-key-tentative" aria-hidden="true" /> tentative (needs confirming)
        {writable ? ' · choose a free time to book it' : ''}
      </p>
      {bookings.error ? <ErrorNote error={bookings.error} /> : null}
      <div className="rc-scroll">
        <div
          className="rc-grid"
          style={{ gridTemplateColumns: `4.5rem repeat(${columns.length}, minmax(9rem, 1fr))` }}
        >
          <div className="rc-corner" />
          {columns.map((c) => (
            <div key={c.key} className="rc-colhead">
              {c.heading}
            </div>
          ))}
          <TimeAxis date={columns[0]?.date ?? day} tz={tz} from={win.from} to={win.to} step={step} />
          {columns.map((c) => (
            <DayColumn
              key={c.key}
              column={c}
              profile={profile}
              window={win}
              step={step}
              bookings={list.filter(
                (b) => b.resourceId === c.resource.id && localDate(new Date(b.start), tz) === c.date,
              )}
              services={services}
              serviceName={serviceName}
              writable={writable}
              onBook={(start) => setBooking({ start, resourceId: c.resource.id })}
              onOpen={setOpenBooking}
            />
          ))}
        </div>
      </div>
      {booking ? (
        <BookForm
          agentName={agentName}
          profile={profile}
          target={booking}
          services={services}
          resources={resources}
          onClose={(done) => {
            setBooking(null);
            if (done) void bookings.reload();
          }}
        />
      ) : null}
      {openBooking ? (
        <BookingDetails
          agentName={agentName}
          profile={profile}
          booking={openBooking}
          serviceName={serviceName.get(openBooking.serviceId) ?? 'a service'}
          resourceName={resourceName.get(openBooking.resourceId) ?? ''}
          resources={resources}
          writable={writable}
          onClose={(changed) => {
            setOpenBooking(null);
            if (changed) void bookings.reload();
          }}
        />
      ) : null}
    </>
  );
}

const ROW_REM = 2.25;

function TimeAxis({
  date,
  tz,
  from,
  to,
  step,
}: {
  date: string;
  tz: string;
  from: string;
  to: string;
  step: number;
}) {
  const rows = dayRows(date, tz, from, to, step);
  return (
    <div className="rc-axis" aria-hidden="true" style={{ height: `${rows.length * ROW_REM}rem` }}>
      {rows.map((r, i) => (
        <span key={r.start.toISOString()} style={{ top: `${i * ROW_REM}rem` }}>
          {r.label}
        </span>
      ))}
    </div>
  );
}

function DayColumn({
  column,
  profile,
  window: win,
  step,
  bookings,
  services,
  serviceName,
  writable,
  onBook,
  onOpen,
}: {
  column: Column;
  profile: Profile;
  window: { from: string; to: string };
  step: number;
  bookings: BookingView[];
  services: ServiceView[];
  serviceName: Map<string, string>;
  writable: boolean;
  onBook: (start: Date) => void;
  onOpen: (b: BookingView) => void;
}) {
  const tz = profile.timezone;
  const rows = dayRows(column.date, tz, win.from, win.to, step);
  const frame: Interval = {
    start: instantAt(column.date, win.from, tz),
    end: instantAt(column.date, win.to, tz),
  };
  const { open, off } = openFor(profile, column.resource, column.date);
  const active = bookings.filter((b) => b.status !== 'cancelled');
  const blocks = active.map((b) => ({ start: new Date(b.start), end: new Date(b.end) }));
  const bookable = services.some((s) => s.resourceIds.includes(column.resource.id));
  const now = new Date();
  return (
    <div
      className="rc-col"
      style={{ height: `${rows.length * ROW_REM}rem` }}
      data-resource={column.resource.name}
      data-date={column.date}
    >
      {open.map((o) => {
        const p = place(o.start, o.end, frame);
        return p ? (
          <div
            key={o.start.toISOString()}
            className="rc-open"
            style={{ top: `${p.top}%`, height: `${p.height}%` }}
          />
        ) : null;
      })}
      {off.map((o) => {
        const p = place(o.start, o.end, frame);
        return p ? (
          <div
            key={`off-${o.start.toISOString()}`}
            className="rc-off"
            style={{ top: `${p.top}%`, height: `${p.height}%` }}
          />
        ) : null;
      })}
      {writable && bookable
        ? rows.map((r, i) => {
            const end = new Date(r.start.getTime() + step * 60_000);
            const free =
              r.start > now &&
              inside(r.start, end, open) &&
              !overlaps(r.start, end, off) &&
              !overlaps(r.start, end, blocks);
            if (!free) return null;
            return (
              <button
                key={r.start.toISOString()}
                type="button"
                className="rc-slot"
                style={{ top: `${i * ROW_REM}rem`, height: `${ROW_REM}rem` }}
                aria-label={`Book ${column.resource.name}, ${dayLabel(column.date)} at ${r.label}`}
                onClick={() => onBook(r.start)}
              >
                <span aria-hidden="true">+ {r.label}</span>
              </button>
            );
          })
        : null}
      {active.map((b) => {
        const p = place(new Date(b.start), new Date(b.end), frame);
        if (!p) return null;
        const service = serviceName.get(b.serviceId) ?? 'Booking';
        const time = `${wallClock(new Date(b.start), tz)}–${wallClock(new Date(b.end), tz)}`;
        return (
          <button
            key={b.id}
            type="button"
            className={`rc-booking rc-${b.status}`}
            data-code={b.code}
            style={{ top: `${p.top}%`, height: `${p.height}%` }}
            aria-label={`${time} ${service} for ${b.customer.name}, code ${b.code}, ${b.status}`}
            onClick={() => onOpen(b)}
          >
            <strong>{service}</strong> <span>{b.customer.name}</span>{' '}
            <span className="rc-code">{b.code}</span>
            {b.status === 'tentative' ? <span className="badge badge-warning">tentative</span> : null}
            <span className="rc-time">{time}</span>
          </button>
        );
      })}
    </div>
  );
}

/** The server's refusal in words, with its next free times (slot_taken, slot_unavailable details.alternatives). */
function alternativesOf(err: unknown): SlotView[] {
  if (!(err instanceof ApiError) || (err.id !== 'slot_taken' && err.id !== 'slot_unavailable')) return [];
  const alts = (err.details as { alternatives?: SlotView[] } | undefined)?.alternatives;
  return Array.isArray(alts) ? alts.slice(0, 6) : [];
}

function Alternatives({ error, tz, onPick }: { error: unknown; tz: string; onPick: (s: SlotView) => void }) {
  const alts = alternativesOf(error);
  if (alts.length === 0) return null;
  return (
    <div className="rc-alts">
      <p>Free times nearby:</p>
      <ul>
        {alts.map((s) => (
          <li key={`${s.resourceId}-${s.start}`}>
            <button type="button" className="btn btn-sm" onClick={() => onPick(s)}>
              {dayLabel(localDate(new Date(s.start), tz))} {wallClock(new Date(s.start), tz)} with{' '}
              {s.resourceName}
            </button>
          </li>
        ))}
      </ul>
    </div>
  );
}

function BookForm({
  agentName,
  profile,
  target,
  services,
  resources,
  onClose,
}: {
  agentName: string;
  profile: Profile;
  target: BookTarget;
  services: ServiceView[];
  resources: ResourceView[];
  onClose: (booked: boolean) => void;
}) {
  const tz = profile.timezone;
  const { announce } = useSession();
  const [resourceId, setResourceId] = useState(target.resourceId);
  const [start, setStart] = useState(target.start);
  const able = services.filter((s) => s.resourceIds.includes(resourceId));
  const [serviceId, setServiceId] = useState(able[0]?.id ?? '');
  const [customer, setCustomer] = useState<Customer>({ name: '', phone: '', email: '' });
  const save = useAction();
  const service = able.find((s) => s.id === serviceId) ?? able[0];

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!service) return;
    const body = {
      serviceId: service.id,
      resourceId,
      start: start.toISOString(),
      customer: {
        name: customer.name.trim(),
        ...(customer.phone?.trim() ? { phone: customer.phone.trim() } : {}),
        ...(customer.email?.trim() ? { email: customer.email.trim() } : {}),
      },
    };
    const r = await save.run(() =>
      api.post<{ booking: BookingView }>(`${agentPath(agentName)}/bookings`, body),
    );
    if (!r) return;
    announce(`Booked ${service.name} for ${r.booking.customer.name}, code ${r.booking.code}`);
    onClose(true);
  };

  return (
    <Modal open title="New booking" onClose={() => onClose(false)}>
      <form onSubmit={submit} aria-busy={save.busy} className="rc-form">
        <p className="dialog-body">
          <strong>
            {dayLabel(localDate(start, tz))} at {wallClock(start, tz)}
          </strong>
        </p>
        <Field label="Service">
          {(p) => (
            <select {...p} value={service?.id ?? ''} onChange={(e) => setServiceId(e.target.value)} required>
              {able.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name} ({s.durationMin} min)
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Resource">
          {(p) => (
            <select {...p} value={resourceId} onChange={(e) => setResourceId(e.target.value)}>
              {resources.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          )}
        </Field>
        <Field label="Customer name">
          {(p) => (
            <input
              {...p}
              value={customer.name}
              maxLength={200}
              required
              onChange={(e) => setCustomer((c) => ({ ...c, name: e.target.value }))}
            />
          )}
        </Field>
        <Field label="Phone (optional)">
          {(p) => (
            <input
              {...p}
              type="tel"
              value={customer.phone}
              onChange={(e) => setCustomer((c) => ({ ...c, phone: e.target.value }))}
            />
          )}
        </Field>
        <Field label="Email (optional)">
          {(p) => (
            <input
              {...p}
              type="email"
              value={customer.email}
              onChange={(e) => setCustomer((c) => ({ ...c, email: e.target.value }))}
            />
          )}
        </Field>
        {able.length === 0 ? <p className="note note-warning">No service is done by this resource.</p> : null}
        <ErrorNote error={save.error} title="Not booked." />
        <Alternatives
          error={save.error}
          tz={tz}
          onPick={(s) => {
            setStart(new Date(s.start));
            setResourceId(s.resourceId);
            save.setError(null);
          }}
        />
        <div className="dialog-actions">
          <button type="button" className="btn" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" className="btn btn-primary" disabled={save.busy || !service}>
            {save.busy ? 'Booking…' : 'Book'}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function BookingDetails({
  agentName,
  profile,
  booking,
  serviceName,
  resourceName,
  resources,
  writable,
  onClose,
}: {
  agentName: string;
  profile: Profile;
  booking: BookingView;
  serviceName: string;
  resourceName: string;
  resources: ResourceView[];
  writable: boolean;
  onClose: (changed: boolean) => void;
}) {
  const tz = profile.timezone;
  const { announce } = useSession();
  const start = new Date(booking.start);
  const [mode, setMode] = useState<'view' | 'move' | 'cancel'>('view');
  const [moveDate, setMoveDate] = useState(localDate(start, tz));
  const [moveTime, setMoveTime] = useState(wallClock(start, tz));
  const [moveResource, setMoveResource] = useState(booking.resourceId);
  const act = useAction();
  const path = `${agentPath(agentName)}/bookings/${booking.code}`;
  const when = useMemo(
    () =>
      `${dayLabel(localDate(start, tz))}, ${wallClock(start, tz)}–${wallClock(new Date(booking.end), tz)}`,
    [start, booking.end, tz],
  );

  const move = async (at: Date, resourceId: string) => {
    const r = await act.run(() =>
      api.post<{ booking: BookingView }>(`${path}/reschedule`, { start: at.toISOString(), resourceId }),
    );
    if (!r) return;
    announce(`Moved booking ${booking.code}`);
    onClose(true);
  };
  const confirm = async () => {
    if (await act.run(() => api.post(`${path}/confirm`, {}))) {
      announce(`Confirmed booking ${booking.code}`);
      onClose(true);
    }
  };
  const cancel = async (reason: string) => {
    if (await act.run(() => api.post(`${path}/cancel`, reason ? { reason } : {}))) {
      announce(`Cancelled booking ${booking.code}`);
      onClose(true);
    }
  };

  if (mode === 'cancel')
    return (
      <ConfirmDialog
        open
        title={
          booking.status === 'tentative'
            ? `Decline booking ${booking.code}?`
            : `Cancel booking ${booking.code}?`
        }
        confirmLabel={booking.status === 'tentative' ? 'Decline' : 'Cancel booking'}
        tone="danger"
        reason="optional"
        busy={act.busy}
        error={act.error}
        onConfirm={(reason) => void cancel(reason)}
        onCancel={() => {
          act.setError(null);
          setMode('view');
        }}
      >
        <p>
          {serviceName} for {booking.customer.name}, {when}. The time becomes free again
          {booking.status === 'tentative'
            ? ', and the customer is told the business could not confirm it'
            : ''}
          .
        </p>
      </ConfirmDialog>
    );

  return (
    <Modal open title={`Booking ${booking.code}`} onClose={() => onClose(false)}>
      <dl className="kv rc-details">
        <dt>Service</dt>
        <dd>{serviceName}</dd>
        <dt>When</dt>
        <dd>{when}</dd>
        <dt>Resource</dt>
        <dd>{resourceName}</dd>
        <dt>Customer</dt>
        <dd>
          {booking.customer.name}
          {booking.customer.phone ? ` · ${booking.customer.phone}` : ''}
          {booking.customer.email ? ` · ${booking.customer.email}` : ''}
        </dd>
        <dt>Status</dt>
        <dd>
          {booking.status === 'tentative'
            ? 'tentative: held by the agent, waiting for a person to confirm (confirming or declining tells the customer)'
            : booking.status}
        </dd>
        {booking.channel ? (
          <>
            <dt>Booked on</dt>
            <dd>{booking.channel}</dd>
          </>
        ) : null}
      </dl>
      {mode === 'move' ? (
        <form
          className="rc-form"
          aria-label="Move booking"
          onSubmit={(e) => {
            e.preventDefault();
            void move(instantAt(moveDate, moveTime, tz), moveResource);
          }}
        >
          <div className="form-grid">
            <Field label="New date">
              {(p) => (
                <input
                  {...p}
                  type="date"
                  value={moveDate}
                  required
                  onChange={(e) => setMoveDate(e.target.value)}
                />
              )}
            </Field>
            <Field label="New time" hint={`In ${tz}`}>
              {(p) => (
                <input
                  {...p}
                  type="time"
                  step={profile.rules.slotStepMin * 60}
                  value={moveTime}
                  required
                  onChange={(e) => setMoveTime(e.target.value)}
                />
              )}
            </Field>
            <Field label="With">
              {(p) => (
                <select {...p} value={moveResource} onChange={(e) => setMoveResource(e.target.value)}>
                  {resources.map((r) => (
                    <option key={r.id} value={r.id}>
                      {r.name}
                    </option>
                  ))}
                </select>
              )}
            </Field>
          </div>
          <ErrorNote error={act.error} title="Not moved." />
          <Alternatives
            error={act.error}
            tz={tz}
            onPick={(s) => void move(new Date(s.start), s.resourceId)}
          />
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => setMode('view')}>
              Back
            </button>
            <button type="submit" className="btn btn-primary" disabled={act.busy}>
              {act.busy ? 'Moving…' : 'Move booking'}
            </button>
          </div>
        </form>
      ) : (
        <>
          <ErrorNote error={act.error} />
          <div className="dialog-actions">
            <button type="button" className="btn" onClick={() => onClose(false)}>
              Close
            </button>
            <a className="btn" href={`${path}.ics`} download>
              Add to calendar (.ics)
            </a>
            {writable ? (
              <>
                {booking.status === 'tentative' ? (
                  <button
                    type="button"
                    className="btn btn-primary"
                    disabled={act.busy}
                    onClick={() => void confirm()}
                  >
                    Confirm
                  </button>
                ) : null}
                <button type="button" className="btn" onClick={() => setMode('move')}>
                  Move
                </button>
                <button type="button" className="btn btn-danger-outline" onClick={() => setMode('cancel')}>
                  {booking.status === 'tentative' ? 'Decline' : 'Cancel booking'}
                </button>
              </>
            ) : null}
          </div>
        </>
      )}
    </Modal>
  );
}
