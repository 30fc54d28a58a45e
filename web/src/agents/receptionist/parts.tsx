// Pieces the receptionist's pages share: a modal built on the native <dialog> (the browser traps focus, Escape
// closes, focus returns), the week editor (a range per day, as src/business/hours.ts reads it), the page's
// sub-navigation, and money and durations in words.
import { type ReactNode, useEffect, useId, useRef } from 'react';
import type { BusinessHours, DayKey } from '../../../../src/business/hours.ts';
import { dayRanges } from '../../../../src/business/hours.ts';
import { Link } from '../../router.tsx';

export function Modal({
  open,
  title,
  onClose,
  children,
  wide,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (open && !d.open) d.showModal();
    if (!open && d.open) d.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={`dialog${wide ? ' rc-dialog-wide' : ''}`}
      aria-labelledby={titleId}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open ? (
        <>
          <h2 id={titleId}>{title}</h2>
          {children}
        </>
      ) : null}
    </dialog>
  );
}

/** Monday first, as a shop's week is read. */
export const WEEK: { key: DayKey; label: string }[] = [
  { key: 'mon', label: 'Monday' },
  { key: 'tue', label: 'Tuesday' },
  { key: 'wed', label: 'Wednesday' },
  { key: 'thu', label: 'Thursday' },
  { key: 'fri', label: 'Friday' },
  { key: 'sat', label: 'Saturday' },
  { key: 'sun', label: 'Sunday' },
];

export interface DayDraft {
  open: boolean;
  from: string;
  to: string;
}
export type WeekDraft = Record<DayKey, DayDraft>;

export function weekDraftOf(h: BusinessHours | null): WeekDraft {
  const ranges = h ? dayRanges(h) : {};
  return Object.fromEntries(
    WEEK.map(({ key }) => {
      const r = ranges[key];
      return [
        key,
        r ? { open: true, from: r.slice(0, 5), to: r.slice(6) } : { open: false, from: '09:00', to: '17:00' },
      ];
    }),
  ) as WeekDraft;
}

/** The draft as hours.ts's "a range per day". */
export function rangesOf(w: WeekDraft): Partial<Record<DayKey, string>> {
  const out: Partial<Record<DayKey, string>> = {};
  for (const { key } of WEEK) if (w[key].open) out[key] = `${w[key].from}-${w[key].to}`;
  return out;
}

export function WeekEditor({
  legend,
  value,
  onChange,
}: {
  legend: string;
  value: WeekDraft;
  onChange: (w: WeekDraft) => void;
}) {
  const set = (key: DayKey, patch: Partial<DayDraft>) =>
    onChange({ ...value, [key]: { ...value[key], ...patch } });
  return (
    <fieldset className="handoff-week">
      <legend>{legend}</legend>
      {WEEK.map(({ key, label }) => {
        const day = value[key];
        return (
          <div className="handoff-day" key={key} data-day={key}>
            <label>
              <input
                type="checkbox"
                checked={day.open}
                onChange={(e) => set(key, { open: e.target.checked })}
              />{' '}
              {label}
            </label>
            {day.open ? (
              <>
                <input
                  type="time"
                  aria-label={`${legend}: ${label} opens`}
                  value={day.from}
                  required
                  onChange={(e) => set(key, { from: e.target.value })}
                />
                <span aria-hidden="true">–</span>
                <input
                  type="time"
                  aria-label={`${legend}: ${label} closes`}
                  value={day.to}
                  required
                  onChange={(e) => set(key, { to: e.target.value })}
                />
              </>
            ) : (
              <span className="muted small">Closed</span>
            )}
          </div>
        );
      })}
    </fieldset>
  );
}

export function ReceptionistNav({
  agent,
  current,
}: {
  agent: string;
  current: 'calendar' | 'business' | 'calls';
}) {
  const base = `/agents/${encodeURIComponent(agent)}`;
  const items = [
    ['calendar', 'Calendar'],
    ['business', 'Business'],
    ['calls', 'Calls'],
  ] as const;
  return (
    <nav aria-label="Receptionist" className="rc-nav">
      {items.map(([path, label]) => (
        <Link
          key={path}
          className={`btn btn-sm${path === current ? ' btn-primary' : ''}`}
          href={`${base}/${path}`}
          aria-current={path === current ? 'page' : undefined}
        >
          {label}
        </Link>
      ))}
    </nav>
  );
}

export function price(cents: number | null): string {
  if (cents === null) return 'no price';
  return (cents / 100).toFixed(2);
}

export function duration(sec: number | null): string {
  if (sec === null) return '—';
  const m = Math.floor(sec / 60);
  const s = sec % 60;
  return m ? `${m} min ${s} s` : `${s} s`;
}
